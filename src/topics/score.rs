//! Classifying topics for editors: hot (热点), difficult (难点), highlight (亮点), each score
//! in [0, 1] built from signals that are reported with it. Weights and thresholds live in
//! [`ScoreConfig`], with the defaults documented there.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::item::Columns;
use crate::period::{Beat, Period};

/// Weights and thresholds of the three scores.
#[derive(Debug, Clone)]
pub struct ScoreConfig {
    /// Growth (recent ÷ previous window, both +2 smoothed) that counts as fully hot: 4×.
    pub growth_full: f64,
    /// Distinct submitters that count as full breadth: 10.
    pub submitters_full: f64,
    /// Distinct sectors that count as full breadth: 8.
    pub sectors_full: f64,
    /// Hot = growth × (0.4 volume (vs the largest topic) + 0.3 submitters + 0.2 sectors + 0.1 likes):
    /// a topic is hot only when it rises, and hotter the more people and sectors raise it.
    pub hot_weights: [f64; 4],
    /// Difficult = gate × (0.3 persistence (share of months with items) + 0.5 difficulty cues
    /// + 0.2 without feedback).
    pub difficult_weights: [f64; 3],
    /// The gate of difficult: min(1, share of items with a difficulty cue ÷ this (0.3)). A
    /// topic nobody describes as hard is not a 难点 however long it lasts — in a quarter's
    /// window every topic is "persistent" and most lack feedback.
    pub difficult_cue_full: f64,
    /// Highlight = 0.5 positive-practice cues + 0.3 adopted + 0.2 instructed.
    pub highlight_weights: [f64; 3],
    /// A topic takes the class of its highest score when that score reaches this: 0.45.
    pub class_threshold: f64,
    /// Difficulty cues (from `corpora/lexicons/difficulty.txt`).
    pub difficulty_cues: Vec<String>,
    /// Positive-practice cues (from `corpora/lexicons/highlight.txt`).
    pub highlight_cues: Vec<String>,
}

/// Reads a cue lexicon: one cue per line, `#` comments and blank lines skipped.
pub fn lexicon(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            growth_full: 4.0,
            submitters_full: 10.0,
            sectors_full: 8.0,
            hot_weights: [0.4, 0.3, 0.2, 0.1],
            difficult_weights: [0.3, 0.5, 0.2],
            difficult_cue_full: 0.3,
            highlight_weights: [0.5, 0.3, 0.2],
            class_threshold: 0.45,
            difficulty_cues: lexicon(include_str!("../../corpora/lexicons/difficulty.txt")),
            highlight_cues: lexicon(include_str!("../../corpora/lexicons/highlight.txt")),
        }
    }
}

/// A topic's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TopicClass {
    Hot,
    Difficult,
    Highlight,
    General,
}

impl TopicClass {
    /// Chinese name for editors.
    pub fn label_zh(self) -> &'static str {
        match self {
            TopicClass::Hot => "热点",
            TopicClass::Difficult => "难点",
            TopicClass::Highlight => "亮点",
            TopicClass::General => "一般",
        }
    }
}

/// The signals behind the scores, shown to the editor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signals {
    pub size: usize,
    pub recent: usize,
    pub previous: usize,
    /// Recent ÷ previous, both +2 smoothed; 1 when not compared.
    pub growth: f64,
    /// Whether growth was measured: false when the previous window is too thin
    /// ([`crate::period::comparable`]); hot then rests on volume, people, sectors and likes.
    #[serde(default = "yes")]
    pub compared: bool,
    pub submitters: usize,
    pub sectors: usize,
    pub likes_mean: Option<f64>,
    pub months_active: usize,
    pub span_months: usize,
    /// Whether persistence counts months or, over a quarter or less, weeks.
    #[serde(default)]
    pub beat: Beat,
    /// Weeks with items and weeks spanned, when `beat` is weeks (0 otherwise).
    #[serde(default)]
    pub weeks_active: usize,
    #[serde(default)]
    pub span_weeks: usize,
    /// Share of the span's units (`beat`) with items.
    pub persistence: f64,
    pub difficulty_cue_share: f64,
    pub without_feedback_share: f64,
    pub highlight_cue_share: f64,
    pub adopted_share: f64,
    pub instructed_share: f64,
    pub cues: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Signals {
    /// Units with items and units spanned, in the units of `beat`.
    pub fn active(&self) -> (usize, usize) {
        match self.beat {
            Beat::Month => (self.months_active, self.span_months),
            Beat::Week => (self.weeks_active, self.span_weeks),
        }
    }

    /// These signals with growth not measured (上期数据不足).
    pub fn uncompared(self) -> Signals {
        Signals {
            growth: 1.0,
            compared: false,
            ..self
        }
    }
}

/// Scores in [0, 1].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Scores {
    pub hot: f64,
    pub difficult: f64,
    pub highlight: f64,
}

/// The recent and previous windows used for growth.
#[derive(Debug, Clone)]
pub struct Windows {
    pub recent: Period,
    pub previous: Period,
}

impl Windows {
    /// The window given and the one of equal length before it ([`Period::previous`]).
    pub fn of(window: &Period) -> Windows {
        Windows {
            recent: window.clone(),
            previous: window.previous(),
        }
    }

    /// The windows when none is given: the 91 days up to the latest item `last` (included),
    /// and the 91 days before.
    pub fn ending_at(last: DateTime<FixedOffset>) -> Windows {
        let recent = Period::days_up_to(last, 91);
        Windows {
            previous: Period::new(recent.from - chrono::Duration::days(91), recent.from),
            recent,
        }
    }

    /// Whether `d` falls in the recent window, in the previous one, or in neither.
    pub fn side(&self, d: DateTime<FixedOffset>) -> (bool, bool) {
        let recent = self.recent.contains(d);
        (recent, !recent && self.previous.contains(d))
    }
}

/// The span of the analysed items, against which a topic's persistence is measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// Calendar months from the first item's month to the last's, both included.
    pub months: usize,
    /// ISO weeks likewise (counted only when `beat` is weeks; 0 otherwise).
    pub weeks: usize,
    pub beat: Beat,
}

impl Span {
    /// The span from `first` to `last` (none: no dated item).
    pub fn of(first: Option<&DateTime<FixedOffset>>, last: Option<&DateTime<FixedOffset>>) -> Span {
        let (Some(a), Some(b)) = (first, last) else {
            return Span::default();
        };
        let (a, b) = (a.date_naive(), b.date_naive());
        let (beat, units) = Beat::of_span(a, b);
        Span {
            months: crate::period::months_spanned(a, b),
            weeks: if beat == Beat::Week { units } else { 0 },
            beat,
        }
    }
}

/// The weights of the signals that exist, scaled to sum as the configured ones do: a column
/// the data lacks (界别, 点赞, 反馈, 采用, 批示) drops its signal, and the others share its
/// weight in proportion (with no 界别, hot's 0.4 / 0.3 / 0.2 / 0.1 become 0.5 / 0.375 / 0 /
/// 0.125).
pub fn renormalised<const N: usize>(weights: [f64; N], present: [bool; N]) -> [f64; N] {
    let total: f64 = weights.iter().sum();
    let kept: f64 = weights
        .iter()
        .zip(present)
        .filter(|(_, p)| *p)
        .map(|(w, _)| w)
        .sum();
    let mut out = [0.0; N];
    if kept > 0.0 {
        for i in 0..N {
            if present[i] {
                out[i] = weights[i] * total / kept;
            }
        }
    }
    out
}

/// Scores every topic (volume and likes are relative to the largest values among topics);
/// the signals of columns absent from the data (`columns`) are left out and the weights
/// renormalised over the others ([`renormalised`]).
pub fn scores(cfg: &ScoreConfig, all: &[Signals], columns: Columns) -> Vec<(Scores, TopicClass)> {
    let max_size = all.iter().map(|s| s.size).max().unwrap_or(1).max(1) as f64;
    let max_likes = all.iter().filter_map(|s| s.likes_mean).fold(0.0, f64::max);
    let h = renormalised(cfg.hot_weights, [true, true, columns.sector, columns.likes]);
    let d = renormalised(cfg.difficult_weights, [true, true, columns.feedback]);
    let g = renormalised(
        cfg.highlight_weights,
        [true, columns.adoption, columns.instruction],
    );
    all.iter()
        .map(|s| {
            // Without a comparison, hot rests on the other terms alone.
            let growth = if s.compared {
                ((s.growth - 1.0) / (cfg.growth_full - 1.0)).clamp(0.0, 1.0)
            } else {
                1.0
            };
            let likes = match (s.likes_mean, max_likes > 0.0) {
                (Some(l), true) => l / max_likes,
                _ => 0.0,
            };
            let hot = growth
                * (h[0] * s.size as f64 / max_size
                    + h[1] * (s.submitters as f64 / cfg.submitters_full).min(1.0)
                    + h[2] * (s.sectors as f64 / cfg.sectors_full).min(1.0)
                    + h[3] * likes);
            let gate = (s.difficulty_cue_share / cfg.difficult_cue_full).min(1.0);
            let difficult = gate
                * (d[0] * s.persistence
                    + d[1] * s.difficulty_cue_share
                    + d[2] * s.without_feedback_share);
            let highlight =
                g[0] * s.highlight_cue_share + g[1] * s.adopted_share + g[2] * s.instructed_share;
            let sc = Scores {
                hot,
                difficult,
                highlight,
            };
            let (best, class) = [
                (hot, TopicClass::Hot),
                (difficult, TopicClass::Difficult),
                (highlight, TopicClass::Highlight),
            ]
            .into_iter()
            .fold((f64::MIN, TopicClass::General), |acc, x| {
                if x.0 > acc.0 {
                    x
                } else {
                    acc
                }
            });
            (
                sc,
                if best >= cfg.class_threshold {
                    class
                } else {
                    TopicClass::General
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_columns_give_their_weight_to_the_others() {
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
        let w = renormalised([0.4, 0.3, 0.2, 0.1], [true, true, false, true]);
        assert!(close(&w, &[0.5, 0.375, 0.0, 0.125]), "{w:?}");
        let w = renormalised([0.5, 0.3, 0.2], [true; 3]);
        assert!(close(&w, &[0.5, 0.3, 0.2]), "{w:?}");
        // Without 界别 a topic raised by many sectors is not ranked by a signal the data lacks:
        // two topics that differ only in sectors score alike.
        let base = Signals {
            size: 10,
            recent: 10,
            previous: 0,
            growth: 6.0,
            compared: true,
            submitters: 10,
            sectors: 0,
            likes_mean: None,
            months_active: 1,
            span_months: 1,
            beat: Beat::Month,
            weeks_active: 0,
            span_weeks: 0,
            persistence: 1.0,
            difficulty_cue_share: 0.0,
            without_feedback_share: 1.0,
            highlight_cue_share: 0.0,
            adopted_share: 0.0,
            instructed_share: 0.0,
            cues: vec![],
        };
        let cfg = ScoreConfig::default();
        let no_sectors = Columns {
            sector: false,
            likes: false,
            ..Columns::ALL
        };
        let s = scores(&cfg, std::slice::from_ref(&base), no_sectors);
        assert!((s[0].0.hot - 1.0).abs() < 1e-9, "{}", s[0].0.hot);
        // With the column present and empty, the same topic loses the sector and likes share.
        let s = scores(&cfg, &[base], Columns::ALL);
        assert!((s[0].0.hot - 0.7).abs() < 1e-9, "{}", s[0].0.hot);
    }
}
