//! The report model: what a topic report of one window holds, ready for every renderer.

use serde::Serialize;

use super::Period;
use crate::item::{Columns, Item};
use crate::topics::{ItemRef, TopicClass, TopicReport};

/// The 概览 section.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub items: usize,
    pub submitters: usize,
    pub sectors: usize,
    pub adopted: usize,
    pub instructed: usize,
    pub previous_items: usize,
    pub previous_submitters: usize,
    pub previous_adopted: usize,
    pub previous_instructed: usize,
    /// Items against the previous window, in percent (`None` when it had none).
    pub change_pct: Option<f64>,
    /// The previous window holds too few items to compare with (上期数据不足).
    pub previous_thin: bool,
    pub topics: usize,
    pub other: usize,
}

/// One bar of the trend chart.
#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    /// `2024-07` or the week's Monday `2024-07-01`.
    pub label: String,
    pub items: usize,
}

/// A topic as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TopicCard {
    pub id: usize,
    pub label: String,
    pub keywords: Vec<String>,
    pub class: TopicClass,
    pub class_zh: &'static str,
    pub size: usize,
    pub recent: usize,
    pub previous: usize,
    pub growth: f64,
    /// Whether growth was measured (false: 上期数据不足).
    pub compared: bool,
    pub submitters: usize,
    pub sectors: usize,
    pub top_sectors: Vec<(String, usize)>,
    pub adopted_share: f64,
    /// Score of its class (or its best score for 一般).
    pub score: f64,
    /// Monthly counts over the report window (for the sparkline), oldest first.
    pub months: Vec<(String, usize)>,
    /// The signals behind its class, in Chinese.
    pub why: Vec<String>,
    pub trend_zh: Option<&'static str>,
    pub representatives: Vec<ItemRef>,
    /// Near-duplicate groups merged into it.
    pub duplicate_groups: usize,
}

/// A topic-planning suggestion (选题建议): a hot problem or a theme.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// The theme (0: 其他, for a problem in no theme).
    pub topic_id: usize,
    /// The problem (`P1` …) when the suggestion is a hot problem.
    pub problem_id: Option<String>,
    pub label: String,
    /// 热点问题 / 热点 / 难点 / 亮点 / 报道不足
    pub angle: &'static str,
    /// Why now: the figures.
    pub why: String,
    /// What to do with it.
    pub advice: String,
    pub items: Vec<ItemRef>,
}

/// Items per sector for the largest topics (界别分布).
#[derive(Debug, Clone, Serialize)]
pub struct SectorMatrix {
    pub sectors: Vec<String>,
    pub topics: Vec<String>,
    /// `counts[topic][sector]`.
    pub counts: Vec<Vec<usize>>,
}

/// A topic with its course (新出现 / 上升 / 回落).
#[derive(Debug, Clone, Serialize)]
pub struct Movement {
    pub id: usize,
    pub label: String,
    pub recent: usize,
    pub previous: usize,
    pub trend_zh: &'static str,
}

/// A topic report of one window.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The optional columns the data has: the templates leave out the others' sections.
    pub columns: Columns,
    pub title: String,
    pub period: Period,
    pub previous_period: Period,
    pub overview: Overview,
    /// The window's hottest problems (本期热点问题), hottest first, at most
    /// [`super::hot::LISTED`].
    pub problems: Vec<super::hot::HotProblem>,
    /// Whether problems were looked for (`[problems] enabled`).
    pub problems_enabled: bool,
    /// How many problems the window has in all.
    pub problems_total: usize,
    /// The heat formula and the 热点 rule, in words, with the configured weights.
    pub heat_formula: String,
    /// Items per week (windows up to 92 days) or per month.
    pub trend_unit: &'static str,
    pub trend: Vec<Bucket>,
    pub hot: Vec<TopicCard>,
    pub difficult: Vec<TopicCard>,
    pub highlight: Vec<TopicCard>,
    pub new_topics: Vec<Movement>,
    pub rising: Vec<Movement>,
    pub fading: Vec<Movement>,
    /// Previous-window topics with no continuation.
    pub faded: Vec<crate::topics::FadedTopic>,
    pub suggestions: Vec<Suggestion>,
    pub sector_matrix: SectorMatrix,
    /// Every topic with its items (the CSV and JSON carry them all).
    pub topics: TopicReport,
    /// With [`Report::with_items`]: the items themselves, for the CSV of one row per item.
    #[serde(skip)]
    pub items: Vec<Item>,
}

impl Report {
    /// Keeps the window's items (those in a topic or in 其他), so that the CSV lists each
    /// with its title, date, submitter, sector and likes (`report --items`).
    pub fn with_items(mut self, items: Vec<Item>) -> Report {
        self.items = items;
        self
    }
}
