//! Report stage: editors' topic reports (专题分析报告) and the information-work bulletin
//! (信息工作通报), rendered as self-contained HTML (inline CSS and SVG charts), Markdown,
//! CSV (UTF-8 BOM, formula-guarded) or JSON.
//!
//! topics (a [`TopicReport`] of one window, compared with the previous one) → [`Report`]
//! (overview, hot/difficult/highlight cards, trends, suggestions, sectors) → render.

pub mod batch;
pub mod bulletin;
pub mod charts;
pub mod render;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use crate::item::{Adoption, Columns, Item};
use crate::period::month_key;
pub use crate::period::Period;
use crate::topics::{ItemRef, Topic, TopicClass, TopicReport, Trend};

/// Output formats of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// One self-contained HTML file (inline CSS and SVG charts), printable on A4.
    #[default]
    Html,
    /// Markdown, for pasting into documents.
    Md,
    /// CSV with a UTF-8 BOM (opens in Excel).
    Csv,
    /// JSON, for other tools.
    Json,
}

impl Format {
    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Md => "md",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// Guards a CSV cell against formula injection in spreadsheets (a leading `= + - @`, tab or
/// carriage return gets a quote, so Excel shows the text instead of evaluating it).
pub fn csv_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// A CSV writer that starts with a UTF-8 BOM (so Excel reads UTF-8) and guards every cell
/// with [`csv_safe`]: into memory for reports, onto standard output for the listing commands.
pub struct SafeCsv<W: std::io::Write = Vec<u8>> {
    w: csv::Writer<W>,
}

impl SafeCsv<Vec<u8>> {
    /// A writer into memory (the BOM already written).
    pub fn new() -> SafeCsv<Vec<u8>> {
        SafeCsv {
            w: csv::Writer::from_writer("\u{feff}".as_bytes().to_vec()),
        }
    }

    /// The bytes written.
    pub fn finish(self) -> anyhow::Result<Vec<u8>> {
        self.w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
    }
}

impl<W: std::io::Write> SafeCsv<W> {
    /// A writer onto `out`, starting with the BOM.
    pub fn to(mut out: W) -> std::io::Result<SafeCsv<W>> {
        out.write_all("\u{feff}".as_bytes())?;
        Ok(SafeCsv {
            w: csv::Writer::from_writer(out),
        })
    }

    /// Writes one row.
    pub fn row<I, S>(&mut self, cells: I) -> anyhow::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.w
            .write_record(cells.into_iter().map(|c| csv_safe(c.as_ref())))?;
        Ok(())
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

impl Default for SafeCsv<Vec<u8>> {
    fn default() -> Self {
        SafeCsv::new()
    }
}

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

/// A topic-planning suggestion (选题建议).
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub topic_id: usize,
    pub label: String,
    /// 热点 / 难点 / 亮点 / 报道不足
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
    pub fn with_items(mut self, items: &[Item]) -> Report {
        self.items = items.to_vec();
        self
    }
}

/// Months `YYYY-MM` covering the window.
fn window_months(p: &Period) -> Vec<String> {
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(p.from.year(), p.from.month(), 1).expect("month");
    let last = (p.to - Duration::seconds(1)).date_naive();
    while d <= last {
        out.push(month_key(d));
        d = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        }
        .expect("month");
    }
    out
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        "0%".into()
    } else {
        format!("{:.0}%", 100.0 * n as f64 / of as f64)
    }
}

/// "N 位报送人、M 个界别" — without the sectors when the data has no 界别 column.
fn people(submitters: usize, sectors: usize, columns: Columns) -> String {
    if columns.sector {
        format!("{submitters} 位报送人、{sectors} 个界别")
    } else {
        format!("{submitters} 位报送人")
    }
}

fn card(t: &Topic, months: &[String], columns: Columns) -> TopicCard {
    let s = &t.signals;
    let mut why = Vec::new();
    match t.class {
        TopicClass::Hot | TopicClass::General => {
            why.push(format!(
                "本期 {} 条，上期 {} 条，增长 {:.1} 倍",
                s.recent, s.previous, s.growth
            ));
            why.push(format!("{}反映", people(s.submitters, s.sectors, columns)));
            if let Some(l) = s.likes_mean {
                why.push(format!("平均点赞 {l:.0}"));
            }
        }
        TopicClass::Difficult => {
            why.push(format!(
                "{} 个月中有 {} 个月出现（持续度 {:.0}%）",
                s.span_months,
                s.months_active,
                100.0 * s.persistence
            ));
            why.push(if columns.feedback {
                format!(
                    "{:.0}% 的信息含难点词，{:.0}% 尚无办理反馈",
                    100.0 * s.difficulty_cue_share,
                    100.0 * s.without_feedback_share
                )
            } else {
                format!("{:.0}% 的信息含难点词", 100.0 * s.difficulty_cue_share)
            });
        }
        TopicClass::Highlight => {
            why.push(format!(
                "{:.0}% 的信息含亮点词",
                100.0 * s.highlight_cue_share
            ));
            match (columns.adoption, columns.instruction) {
                (true, true) => why.push(format!(
                    "采用 {:.0}%，获领导批示 {:.0}%",
                    100.0 * s.adopted_share,
                    100.0 * s.instructed_share
                )),
                (true, false) => why.push(format!("采用 {:.0}%", 100.0 * s.adopted_share)),
                (false, true) => why.push(format!("获领导批示 {:.0}%", 100.0 * s.instructed_share)),
                (false, false) => {}
            }
        }
    }
    if !s.cues.is_empty() && t.class != TopicClass::Hot {
        why.push(format!("线索词：{}", s.cues.join("、")));
    }
    let score = match t.class {
        TopicClass::Hot => t.scores.hot,
        TopicClass::Difficult => t.scores.difficult,
        TopicClass::Highlight => t.scores.highlight,
        TopicClass::General => t.scores.hot.max(t.scores.difficult).max(t.scores.highlight),
    };
    TopicCard {
        id: t.id,
        label: t.label.clone(),
        keywords: t.keywords.clone(),
        class: t.class,
        class_zh: t.class_zh,
        size: t.size,
        recent: s.recent,
        previous: s.previous,
        growth: s.growth,
        submitters: s.submitters,
        sectors: s.sectors,
        top_sectors: t.sectors.iter().take(3).cloned().collect(),
        adopted_share: s.adopted_share,
        score,
        months: months
            .iter()
            .map(|m| (m.clone(), t.months.get(m).copied().unwrap_or(0)))
            .collect(),
        why,
        trend_zh: t.trend_zh,
        representatives: t.representatives.clone(),
        duplicate_groups: t.duplicate_groups.len(),
    }
}

/// Builds the report of `period` from its topics (mined with the previous window for growth,
/// and compared with it) and the items of both windows.
pub fn build(
    title: &str,
    period: Period,
    topics: TopicReport,
    items: &[Item],
    previous: &[Item],
    top: usize,
) -> Report {
    let previous_period = period.previous();
    let distinct = |its: &[Item], f: fn(&Item) -> &str| {
        its.iter()
            .map(f)
            .filter(|s| !s.is_empty())
            .collect::<HashSet<_>>()
            .len()
    };
    let adopted = |its: &[Item]| its.iter().filter(|i| i.adoption > Adoption::None).count();
    let instructed = |its: &[Item]| its.iter().filter(|i| i.instructed()).count();
    let overview = Overview {
        items: items.len(),
        submitters: distinct(items, |i| &i.submitter),
        sectors: distinct(items, |i| &i.sector),
        adopted: adopted(items),
        instructed: instructed(items),
        previous_items: previous.len(),
        previous_submitters: distinct(previous, |i| &i.submitter),
        previous_adopted: adopted(previous),
        previous_instructed: instructed(previous),
        change_pct: (!previous.is_empty())
            .then(|| 100.0 * (items.len() as f64 - previous.len() as f64) / previous.len() as f64),
        topics: topics.topics.len(),
        other: topics.other.size,
    };

    // Trend: per week for windows up to a quarter, else per month.
    let weekly = period.days() <= 92;
    let mut buckets: BTreeMap<String, usize> = BTreeMap::new();
    if weekly {
        let mut d = period.from.date_naive();
        d -= Duration::days(d.weekday().num_days_from_monday() as i64);
        while d < period.to.date_naive() {
            buckets.insert(d.to_string(), 0);
            d += Duration::days(7);
        }
    } else {
        for m in window_months(&period) {
            buckets.insert(m, 0);
        }
    }
    for it in items {
        if let Some(d) = it.submitted_at {
            let d = d.date_naive();
            let key = if weekly {
                (d - Duration::days(d.weekday().num_days_from_monday() as i64)).to_string()
            } else {
                month_key(d)
            };
            if let Some(b) = buckets.get_mut(&key) {
                *b += 1;
            }
        }
    }
    let trend = buckets
        .into_iter()
        .map(|(label, items)| Bucket { label, items })
        .collect();

    let months = window_months(&period);
    let pick = |class: TopicClass, score: fn(&Topic) -> f64| {
        let mut v: Vec<&Topic> = topics.topics.iter().filter(|t| t.class == class).collect();
        v.sort_by(|a, b| score(b).total_cmp(&score(a)).then(a.id.cmp(&b.id)));
        v.into_iter()
            .take(top)
            .map(|t| card(t, &months, topics.columns))
            .collect::<Vec<_>>()
    };
    let hot = pick(TopicClass::Hot, |t| t.scores.hot);
    let difficult = pick(TopicClass::Difficult, |t| t.scores.difficult);
    let highlight = pick(TopicClass::Highlight, |t| t.scores.highlight);

    let movement = |t: &Topic| Movement {
        id: t.id,
        label: t.label.clone(),
        recent: t.signals.recent,
        previous: t.signals.previous,
        trend_zh: t.trend_zh.unwrap_or(""),
    };
    let by_trend = |want: Trend| {
        let mut v: Vec<Movement> = topics
            .topics
            .iter()
            .filter(|t| t.trend == Some(want))
            .map(movement)
            .collect();
        v.sort_by(|a, b| {
            let d = |m: &Movement| m.recent as i64 - m.previous as i64;
            match want {
                Trend::Fading => d(a).cmp(&d(b)),
                _ => d(b).cmp(&d(a)),
            }
            .then(a.id.cmp(&b.id))
        });
        v.truncate(top.max(5));
        v
    };
    let new_topics = by_trend(Trend::New);
    let rising = by_trend(Trend::Rising);
    let fading = by_trend(Trend::Fading);

    let suggestions = suggestions(&topics, &hot, &difficult, &highlight);
    let columns = topics.columns;

    // Sectors × the largest topics.
    let shown: Vec<&Topic> = topics.topics.iter().take(top.max(8)).collect();
    let mut sector_totals: HashMap<&str, usize> = HashMap::new();
    for t in &shown {
        for (s, c) in &t.sectors {
            *sector_totals.entry(s.as_str()).or_default() += c;
        }
    }
    let mut sectors: Vec<(&str, usize)> = sector_totals.into_iter().collect();
    sectors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    sectors.truncate(10);
    let sector_matrix = SectorMatrix {
        sectors: sectors.iter().map(|(s, _)| s.to_string()).collect(),
        topics: shown.iter().map(|t| t.label.clone()).collect(),
        counts: shown
            .iter()
            .map(|t| {
                sectors
                    .iter()
                    .map(|(s, _)| {
                        t.sectors
                            .iter()
                            .find(|(x, _)| x == s)
                            .map_or(0, |(_, c)| *c)
                    })
                    .collect()
            })
            .collect(),
    };

    Report {
        columns,
        title: format!("{title}（{}）", period.label),
        period,
        previous_period,
        overview,
        trend_unit: if weekly { "周" } else { "月" },
        trend,
        hot,
        difficult,
        highlight,
        new_topics,
        rising,
        fading,
        faded: topics.faded.clone().unwrap_or_default(),
        suggestions,
        sector_matrix,
        topics,
        items: Vec::new(),
    }
}

/// Topic-planning suggestions: the leading hot, difficult and highlight topics, and the
/// under-reported ones (raised by many, adopted little).
fn suggestions(
    topics: &TopicReport,
    hot: &[TopicCard],
    difficult: &[TopicCard],
    highlight: &[TopicCard],
) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let mut used: HashSet<usize> = HashSet::new();
    let mut push = |c: &TopicCard, angle: &'static str, why: String, advice: String| {
        if used.insert(c.id) {
            out.push(Suggestion {
                topic_id: c.id,
                label: c.label.clone(),
                angle,
                why,
                advice,
                items: c.representatives.clone(),
            });
        }
    };
    for c in hot.iter().take(2) {
        push(
            c,
            "热点",
            format!(
                "本期 {} 条（上期 {} 条，{:.1} 倍），{}",
                c.recent,
                c.previous,
                c.growth,
                people(c.submitters, c.sectors, topics.columns)
            ),
            format!(
                "群众关注度快速上升，建议围绕“{}”组织专题调研，综合多方反映形成一篇综合性信息。",
                c.keywords
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        );
    }
    for c in difficult.iter().take(2) {
        push(
            c,
            "难点",
            c.why.join("；"),
            "问题反复出现、久拖未决，建议跟踪办理进展，深挖症结，提出可操作的对策建议。".into(),
        );
    }
    for c in highlight.iter().take(2) {
        push(
            c,
            "亮点",
            c.why.join("；"),
            "做法有成效，建议总结经验，作为典型案例报送推广。".into(),
        );
    }
    // Under-reported: at least median size, several submitters, and at most 10% adopted —
    // only where the data says what was adopted.
    if !topics.columns.adoption {
        return out;
    }
    let mut sizes: Vec<usize> = topics.topics.iter().map(|t| t.size).collect();
    sizes.sort_unstable();
    let median = sizes.get(sizes.len() / 2).copied().unwrap_or(0);
    let months: Vec<String> = Vec::new();
    let mut under: Vec<&Topic> = topics
        .topics
        .iter()
        .filter(|t| t.size >= median.max(3) && t.signals.submitters >= 3)
        .filter(|t| t.signals.adopted_share <= 0.1)
        .collect();
    under.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    for t in under.into_iter().take(2) {
        let c = card(t, &months, topics.columns);
        push(
            &c,
            "报道不足",
            format!(
                "{} 条信息、{} 位报送人反映，采用率仅 {}",
                t.size,
                t.signals.submitters,
                pct(
                    (t.signals.adopted_share * t.size as f64).round() as usize,
                    t.size
                )
            ),
            "反映多、采用少，建议编辑部门主动约稿、加工提炼，避免有价值的社情民意被埋没。".into(),
        );
    }
    out
}
