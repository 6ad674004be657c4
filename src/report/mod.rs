//! Report stage: editors' topic reports (专题分析报告) and the information-work bulletin
//! (信息工作通报), rendered as self-contained HTML (inline CSS and SVG charts), Markdown,
//! CSV (UTF-8 BOM, formula-guarded) or JSON.
//!
//! topics (a [`TopicReport`] of one window, compared with the previous one) → [`Report`]
//! (overview, hot problems, hot/difficult/highlight cards, trends, suggestions, sectors) →
//! render. The hot list of `minyi hot` ([`hot`]) shares the problems' rows.

#[cfg(feature = "parquet")]
mod assignments;
pub mod batch;
pub mod bulletin;
pub mod charts;
pub mod hot;
mod imported;
pub mod items;
pub mod model;
pub mod render;
pub mod safe_csv;
mod suggest;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration};

use crate::item::{Adoption, Columns, Item};
use crate::period::month_key;
pub use crate::period::Period;
use crate::topics::{ProblemConfig, Topic, TopicClass, TopicReport, Trend};
pub use imported::report_of_topics;
pub use model::{Bucket, Movement, Overview, Report, SectorMatrix, Suggestion, TopicCard};
pub use safe_csv::{csv_safe, SafeCsv};
use suggest::suggestions;

/// Output formats of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
            why.push(if s.compared {
                format!(
                    "本期 {} 条，上期 {} 条，增长 {:.1} 倍",
                    s.recent, s.previous, s.growth
                )
            } else {
                format!("本期 {} 条（上期数据不足，不计增长）", s.size)
            });
            why.push(format!("{}反映", people(s.submitters, s.sectors, columns)));
            if let Some(l) = s.likes_mean {
                why.push(format!("平均点赞 {l:.0}"));
            }
        }
        TopicClass::Difficult => {
            let (active, span) = s.active();
            let unit = s.beat.zh();
            why.push(format!(
                "{span} {unit}中有 {active} {unit}出现（持续度 {:.0}%）",
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
    // A topic's cues are both lexicons' (one pass finds them): a 难点 card lists no
    // good-practice cue (典型 was read as a difficulty), a 亮点 card no difficulty cue.
    let lexicons = crate::topics::score::ScoreConfig::default();
    let other_class: &[String] = match t.class {
        TopicClass::Difficult => &lexicons.highlight_cues,
        TopicClass::Highlight => &lexicons.difficulty_cues,
        _ => &[],
    };
    let cues: Vec<&str> = s
        .cues
        .iter()
        .filter(|c| !other_class.contains(c))
        .map(String::as_str)
        .collect();
    if !cues.is_empty() && t.class != TopicClass::Hot {
        why.push(format!("线索词：{}", cues.join("、")));
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
        compared: s.compared,
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
/// and compared with it) and the items of both windows; `problems` are the settings the
/// problems were found with (the report states the heat formula).
pub fn build(
    title: &str,
    period: Period,
    topics: TopicReport,
    items: &[Item],
    previous: &[Item],
    top: usize,
    problems: &ProblemConfig,
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
    let comparable = crate::period::comparable(items.len(), previous.len());
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
        // No percentage against a window too thin to compare with (3 items against 4,000).
        change_pct: comparable
            .then(|| 100.0 * (items.len() as f64 - previous.len() as f64) / previous.len() as f64),
        previous_thin: !comparable,
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
        for m in period.months() {
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

    let months = period.months();
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

    let heat = &problems.heat;
    let problems_enabled = problems.enabled;
    let problems = hot::ranked(&topics, hot::LISTED);
    let suggestions = suggestions(&topics, &problems, &hot, &difficult, &highlight);
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
        problems_enabled,
        problems_total: topics.problems().len(),
        problems,
        heat_formula: hot::formula_line_zh(heat),
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
