//! The heat index (热度指数) of a problem or a theme in a window, with every term shown.
//!
//! ```text
//! people = submitters + ln(1 + items − submitters)
//! heat   = people × (1 + w_engagement · engagement) × (1 + w_concentration · concentration)
//!                 × (1 + w_recency · recency)       × (1 + w_growth · growth)
//! ```
//!
//! - `people`: distinct submitters, plus the logarithm of the repeat posts — one person posting
//!   90 times counts 5.5, fifty people 50. Without a submitter column every item is a person.
//! - `engagement` = min(1, log10(1 + likes + dislikes) ÷ log10(1 + `engagement_full`)).
//! - `concentration` = min(1, items per week of the problem's span ÷ `concentration_full`);
//!   the span is at least one week.
//! - `recency` = 1 − (days from the last item to the window's end ÷ the window's days).
//! - `growth` = min(1, (recent ÷ (previous + 1) − 1) ÷ (`growth_full` − 1)), 0 when not
//!   rising: growth raises heat (at most × 1 + `w_growth`); its absence never zeroes it.
//!
//! The ranked list's top is 热点: the first `hot_top` entries whose heat is at least
//! `hot_share` of the hottest.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::period::Period;

/// Settings of the heat index and of what makes a problem (`[hot]` in `minyi.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeatConfig {
    /// Weight of engagement (likes + dislikes): 0.5.
    pub w_engagement: f64,
    /// Weight of concentration in time: 0.5.
    pub w_concentration: f64,
    /// Weight of recency within the window: 0.3.
    pub w_recency: f64,
    /// Weight of growth against the previous window: 1.0 (a rising problem at most doubles).
    pub w_growth: f64,
    /// Likes + dislikes that count as full engagement: 1000.
    pub engagement_full: f64,
    /// Items per week that count as fully concentrated: 5.
    pub concentration_full: f64,
    /// Growth (recent ÷ (previous + 1)) that counts as fully rising: 4.
    pub growth_full: f64,
    /// At most this many of the hottest are 热点: 5.
    pub hot_top: usize,
    /// … each with at least this share of the hottest one's heat: 0.5.
    pub hot_share: f64,
}

impl Default for HeatConfig {
    fn default() -> Self {
        HeatConfig {
            w_engagement: 0.5,
            w_concentration: 0.5,
            w_recency: 0.3,
            w_growth: 1.0,
            engagement_full: 1000.0,
            concentration_full: 5.0,
            growth_full: 4.0,
            hot_top: 5,
            hot_share: 0.5,
        }
    }
}

/// What the heat of a group of items is computed from.
#[derive(Debug, Clone, Default)]
pub struct HeatInput {
    /// Items in the window.
    pub items: usize,
    /// Distinct submitters among them (`None`: the data has no submitter column).
    pub submitters: Option<usize>,
    /// Likes + dislikes (`None`: the data has no such column).
    pub engagement: Option<u64>,
    /// First and last submission in the window.
    pub first: Option<DateTime<FixedOffset>>,
    pub last: Option<DateTime<FixedOffset>>,
    /// Items of the previous window (`None`: no previous window).
    pub previous: Option<usize>,
}

/// The heat index and its terms, each term in [0, 1] except `people`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Heat {
    /// The heat index (热度指数).
    pub index: f64,
    /// Distinct submitters plus ln(1 + repeat posts).
    pub people: f64,
    pub engagement: f64,
    pub concentration: f64,
    /// Items per week of the span.
    pub per_week: f64,
    pub recency: f64,
    pub growth: f64,
}

/// The heat of `h` in the window `[from, to)`.
pub fn heat(cfg: &HeatConfig, h: &HeatInput, window: &Period) -> Heat {
    let items = h.items as f64;
    let people = match h.submitters {
        Some(s) => {
            let s = (s as f64).min(items);
            s + (1.0 + items - s).ln()
        }
        None => items,
    };
    let engagement = h.engagement.map_or(0.0, |e| {
        ((1.0 + e as f64).log10() / (1.0 + cfg.engagement_full).log10()).min(1.0)
    });
    let days = |a: DateTime<FixedOffset>, b: DateTime<FixedOffset>| {
        (b - a).num_seconds() as f64 / 86_400.0
    };
    let (per_week, recency) = match (h.first, h.last) {
        (Some(first), Some(last)) => {
            let weeks = (days(first, last) / 7.0).max(1.0);
            let window_days = days(window.from, window.to).max(1.0);
            let recency = 1.0 - (days(last, window.to) / window_days).clamp(0.0, 1.0);
            (items / weeks, recency)
        }
        _ => (0.0, 0.0),
    };
    let concentration = (per_week / cfg.concentration_full).min(1.0);
    let growth = h.previous.map_or(0.0, |p| {
        ((items / (p as f64 + 1.0) - 1.0) / (cfg.growth_full - 1.0)).clamp(0.0, 1.0)
    });
    let index = people
        * (1.0 + cfg.w_engagement * engagement)
        * (1.0 + cfg.w_concentration * concentration)
        * (1.0 + cfg.w_recency * recency)
        * (1.0 + cfg.w_growth * growth);
    Heat {
        index,
        people,
        engagement,
        concentration,
        per_week,
        recency,
        growth,
    }
}

/// Which of `heats` (ranked hottest first) are 热点.
pub fn hot_flags(cfg: &HeatConfig, heats: &[f64]) -> Vec<bool> {
    let top = heats.first().copied().unwrap_or(0.0);
    heats
        .iter()
        .enumerate()
        .map(|(i, &h)| i < cfg.hot_top && top > 0.0 && h >= cfg.hot_share * top)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2019, 10, d, 12, 0, 0)
            .unwrap()
    }

    #[test]
    fn a_campaign_of_one_person_does_not_outrank_fifty_people() {
        let cfg = HeatConfig::default();
        let window = &Period::new(day(1), day(31));
        // One person posting 90 times in a week, with many likes, and rising.
        let campaign = heat(
            &cfg,
            &HeatInput {
                items: 90,
                submitters: Some(1),
                engagement: Some(5000),
                first: Some(day(20)),
                last: Some(day(27)),
                previous: Some(0),
            },
            window,
        );
        // Fifty people over the whole month, no likes, not rising.
        let many = heat(
            &cfg,
            &HeatInput {
                items: 50,
                submitters: Some(50),
                engagement: Some(0),
                first: Some(day(1)),
                last: Some(day(10)),
                previous: Some(60),
            },
            window,
        );
        assert!(many.index > campaign.index, "{many:?} vs {campaign:?}");
        // Growth raises heat, its absence does not zero it.
        assert!(many.index > 0.0 && many.growth == 0.0);
        assert!(campaign.growth == 1.0);
    }

    #[test]
    fn the_top_within_half_of_the_hottest_is_hot() {
        let cfg = HeatConfig::default();
        assert_eq!(
            hot_flags(&cfg, &[100.0, 60.0, 49.0, 48.0]),
            vec![true, true, false, false]
        );
        assert!(hot_flags(&cfg, &[]).is_empty());
    }
}
