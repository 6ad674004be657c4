//! Rules of problems followed over time, on a problem's dated members alone: its status
//! (新出现 / 持续 / 上升 / 回落 / 已沉寂), its alerts (a new problem reaching enough people; a
//! known one rising well above its own baseline) and the government's replies to it. They
//! take plain series, so that made-up series test them and an engine can apply them to the
//! registry file ([`super::registry`]) without the index.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// `[tracking]` in `minyi.toml`: when a problem counts as new, silent, rising or fading, and
/// when it raises an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackingConfig {
    /// A problem whose first message is at most this many days old is 新出现: 14.
    pub new_days: i64,
    /// A problem without a message for more than this many days is 已沉寂: 56.
    pub silent_days: i64,
    /// 上升 / 回落 compare the messages of the last this many days with the same stretch
    /// before: 28. 上升 at 1.5× and at least 2 more, 回落 at ⅔ or less.
    pub trend_days: i64,
    /// A new problem raises an alert when this many people have written about it: 3.
    pub alert_people: usize,
    /// A known problem (its first message older than `new_days`) raises an alert when its
    /// last week's messages stand this many
    /// standard deviations above its own baseline, (observed − expected) / √expected: 3.
    pub rise_z: f64,
    /// … and it had at least this many messages in that week: 3.
    pub rise_min: usize,
    /// The baseline: the weekly mean over this many weeks before the last: 8.
    pub baseline_weeks: i64,
    /// A reply takes up less than this share of the message's words: it repeats policy
    /// rather than answering the message (答非所问): 0.2.
    pub reply_min_coverage: f64,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        TrackingConfig {
            new_days: 14,
            silent_days: 56,
            trend_days: 28,
            alert_people: 3,
            rise_z: 3.0,
            rise_min: 3,
            baseline_weeks: 8,
            reply_min_coverage: 0.2,
        }
    }
}

/// Where a problem stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Ongoing,
    Rising,
    Fading,
    Silent,
}

impl Status {
    pub fn zh(self) -> &'static str {
        match self {
            Status::New => "新出现",
            Status::Ongoing => "持续",
            Status::Rising => "上升",
            Status::Fading => "回落",
            Status::Silent => "已沉寂",
        }
    }
}

/// The status on `day` of a problem whose messages are dated `dates` (those after `day` are
/// not seen): 已沉寂 without a message for more than `silent_days`; 新出现 when the first is
/// at most `new_days` old; 上升 / 回落 by the last `trend_days` against the same stretch
/// before; else 持续. `None` without a dated message up to `day`.
pub fn status(dates: &[NaiveDate], day: NaiveDate, cfg: &TrackingConfig) -> Option<Status> {
    let seen: Vec<NaiveDate> = dates.iter().copied().filter(|&d| d <= day).collect();
    let (first, last) = (*seen.iter().min()?, *seen.iter().max()?);
    if (day - last).num_days() > cfg.silent_days {
        return Some(Status::Silent);
    }
    if (day - first).num_days() <= cfg.new_days {
        return Some(Status::New);
    }
    let recent = count_in(&seen, day, cfg.trend_days);
    let before = count_in(&seen, day - Duration::days(cfg.trend_days), cfg.trend_days);
    Some(
        if recent as f64 >= 1.5 * before as f64 && recent >= before + 2 {
            Status::Rising
        } else if (recent as f64) <= before as f64 * 2.0 / 3.0 {
            Status::Fading
        } else {
            Status::Ongoing
        },
    )
}

/// Messages in the `days` days ending with `day` (`day - days`, `day`].
fn count_in(dates: &[NaiveDate], day: NaiveDate, days: i64) -> usize {
    let from = day - Duration::days(days);
    dates.iter().filter(|&&d| d > from && d <= day).count()
}

/// Distinct people among messages' submitters (each message without one counts as one).
pub fn people<'a>(submitters: impl Iterator<Item = &'a str>) -> usize {
    let mut named: rustc_hash::FxHashSet<&str> = Default::default();
    let mut anonymous = 0;
    for who in submitters {
        if who.is_empty() {
            anonymous += 1;
        } else {
            named.insert(who);
        }
    }
    named.len() + anonymous
}

/// The day a problem reached `people` distinct people (its messages as (date, person),
/// undated ones left out; without a submitter column each message counts as a person).
pub fn reached_people(messages: &[(NaiveDate, &str)], people: usize) -> Option<NaiveDate> {
    let mut sorted: Vec<(NaiveDate, &str)> = messages.to_vec();
    sorted.sort();
    let mut seen: rustc_hash::FxHashSet<&str> = Default::default();
    let mut anonymous = 0;
    for (d, who) in sorted {
        if who.is_empty() {
            anonymous += 1;
        } else {
            seen.insert(who);
        }
        if seen.len() + anonymous >= people {
            return Some(d);
        }
    }
    None
}

/// A rise against the problem's own baseline on `day`: the messages of the last 7 days
/// (observed), the weekly mean over the `baseline_weeks` weeks before (expected), and
/// (observed − expected) / √max(expected, ½).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rise {
    pub observed: usize,
    pub expected: f64,
    pub z: f64,
}

/// The rise of a problem dated `dates` on `day`.
pub fn rise(dates: &[NaiveDate], day: NaiveDate, cfg: &TrackingConfig) -> Rise {
    let observed = count_in(dates, day, 7);
    let base = count_in(
        dates,
        day - Duration::days(7),
        7 * cfg.baseline_weeks.max(1),
    );
    let expected = base as f64 / cfg.baseline_weeks.max(1) as f64;
    let z = (observed as f64 - expected) / expected.max(0.5).sqrt();
    Rise {
        observed,
        expected,
        z,
    }
}

/// Whether a rise raises an alert.
pub fn rising_alert(r: &Rise, cfg: &TrackingConfig) -> bool {
    r.observed >= cfg.rise_min && r.z >= cfg.rise_z
}

/// A problem's replies: how many of its messages were answered, the median days to answer,
/// how many were written after its first answer (still raised after being answered: a 难点
/// signal), and how many answers take up little of their message (答非所问).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Replies {
    pub messages: usize,
    pub answered: usize,
    /// Median days from a message to its answer.
    pub median_days: Option<f64>,
    /// Messages dated after the problem's first answer.
    pub after_answer: usize,
    /// Answers whose coverage of their message is under `reply_min_coverage`.
    pub not_addressing: usize,
}

/// One message as the reply figures see it: its date, its answer's date, and the share of
/// its words the answer takes up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Replied {
    pub at: Option<NaiveDate>,
    pub replied: Option<NaiveDate>,
    pub coverage: Option<f64>,
}

/// The reply figures of a problem's messages.
pub fn replies(messages: &[Replied], cfg: &TrackingConfig) -> Replies {
    let answered: Vec<&Replied> = messages
        .iter()
        .filter(|m| m.replied.is_some() || m.coverage.is_some())
        .collect();
    let mut days: Vec<f64> = messages
        .iter()
        .filter_map(|m| Some((m.replied? - m.at?).num_days().max(0) as f64))
        .collect();
    days.sort_by(f64::total_cmp);
    let median_days = (!days.is_empty()).then(|| {
        let k = days.len();
        if k % 2 == 1 {
            days[k / 2]
        } else {
            (days[k / 2 - 1] + days[k / 2]) / 2.0
        }
    });
    let first_answer = messages.iter().filter_map(|m| m.replied).min();
    let after_answer = first_answer.map_or(0, |a| {
        messages
            .iter()
            .filter(|m| m.at.is_some_and(|d| d > a))
            .count()
    });
    Replies {
        messages: messages.len(),
        answered: answered.len(),
        median_days,
        after_answer,
        not_addressing: answered
            .iter()
            .filter(|m| m.coverage.is_some_and(|c| c < cfg.reply_min_coverage))
            .count(),
    }
}

/// The share of a message's distinct words (`message`, terms of two or more characters)
/// that its reply (`reply`) uses: 1 when the answer speaks of everything the message names,
/// near 0 when it only repeats policy. `None` for a message without such words.
pub fn coverage(message: &[String], reply: &[String]) -> Option<f64> {
    let words: rustc_hash::FxHashSet<&str> = message
        .iter()
        .map(String::as_str)
        .filter(|w| w.chars().count() >= 2)
        .collect();
    if words.is_empty() {
        return None;
    }
    let said: rustc_hash::FxHashSet<&str> = reply.iter().map(String::as_str).collect();
    Some(words.iter().filter(|w| said.contains(*w)).count() as f64 / words.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn days_before(day: &str, offsets: &[i64]) -> Vec<NaiveDate> {
        offsets
            .iter()
            .map(|&o| d(day) - Duration::days(o))
            .collect()
    }

    #[test]
    fn statuses_follow_the_series() {
        let cfg = TrackingConfig::default();
        let day = d("2019-06-30");
        // First message 10 days ago: new.
        let new = days_before("2019-06-30", &[10, 5, 1]);
        assert_eq!(status(&new, day, &cfg), Some(Status::New));
        // Nothing for 60 days: silent.
        let silent = days_before("2019-06-30", &[200, 120, 60]);
        assert_eq!(status(&silent, day, &cfg), Some(Status::Silent));
        // 1 in the four weeks before, 5 in the last four: rising.
        let rising = days_before("2019-06-30", &[100, 40, 20, 10, 5, 3, 1]);
        assert_eq!(status(&rising, day, &cfg), Some(Status::Rising));
        // 6 before, 1 now: fading.
        let fading = days_before("2019-06-30", &[100, 50, 48, 45, 40, 35, 30, 3]);
        assert_eq!(status(&fading, day, &cfg), Some(Status::Fading));
        // 3 and 3: ongoing.
        let steady = days_before("2019-06-30", &[100, 50, 40, 30, 20, 10, 1]);
        assert_eq!(status(&steady, day, &cfg), Some(Status::Ongoing));
        // Messages after the day are not seen; none before it: no status. One 29 days
        // before and none since (the one of 07-05 unseen): fading.
        assert_eq!(status(&[d("2019-07-05")], day, &cfg), None);
        assert_eq!(
            status(&[d("2019-06-01"), d("2019-07-05")], day, &cfg),
            Some(Status::Fading)
        );
    }

    #[test]
    fn a_rise_is_measured_against_the_problems_own_baseline() {
        let cfg = TrackingConfig::default();
        let day = d("2019-06-30");
        // Two a week for eight weeks, then two: no alert.
        let mut steady: Vec<i64> = (1..=8).flat_map(|w| [7 * w + 1, 7 * w + 3]).collect();
        steady.extend([1, 2]);
        let r = rise(&days_before("2019-06-30", &steady), day, &cfg);
        assert_eq!((r.observed, r.expected), (2, 2.0));
        assert!(!rising_alert(&r, &cfg));
        // Then nine in the last week: z = (9 − 2) / √2 ≈ 4.9, an alert.
        let mut burst = steady.clone();
        burst.extend([0, 1, 2, 3, 4, 5, 6]);
        let r = rise(&days_before("2019-06-30", &burst), day, &cfg);
        assert_eq!(r.observed, 9);
        assert!((r.z - 7.0 / 2f64.sqrt()).abs() < 1e-9);
        assert!(rising_alert(&r, &cfg));
        // Three from nothing: z = 3 / √½ ≈ 4.2, enough; two are not (rise_min).
        let r = rise(&days_before("2019-06-30", &[0, 1, 2]), day, &cfg);
        assert!(rising_alert(&r, &cfg));
        let r = rise(&days_before("2019-06-30", &[0, 1]), day, &cfg);
        assert!(!rising_alert(&r, &cfg));
        // A busy baseline hides a small bump: 10 a week, then 12.
        let mut busy: Vec<i64> = (1..=8)
            .flat_map(|w| (0..10).map(move |k| 7 * w + k % 7))
            .collect();
        busy.extend((0..12).map(|k| k % 7));
        let r = rise(&days_before("2019-06-30", &busy), day, &cfg);
        assert_eq!(r.observed, 12);
        assert!(!rising_alert(&r, &cfg));
    }

    #[test]
    fn people_are_counted_once_in_date_order() {
        let m = [
            (d("2019-01-05"), "a"),
            (d("2019-01-01"), "a"),
            (d("2019-01-09"), "b"),
            (d("2019-01-07"), "a"),
            (d("2019-01-12"), "c"),
        ];
        assert_eq!(reached_people(&m, 3), Some(d("2019-01-12")));
        assert_eq!(reached_people(&m, 2), Some(d("2019-01-09")));
        assert_eq!(reached_people(&m, 4), None);
        // Without submitters every message is a person.
        let anon = [
            (d("2019-01-01"), ""),
            (d("2019-01-02"), ""),
            (d("2019-01-03"), ""),
        ];
        assert_eq!(reached_people(&anon, 3), Some(d("2019-01-03")));
    }

    #[test]
    fn replies_count_answers_delays_and_messages_after_an_answer() {
        let cfg = TrackingConfig::default();
        let m = |at: &str, replied: Option<&str>, coverage: Option<f64>| Replied {
            at: Some(d(at)),
            replied: replied.map(d),
            coverage,
        };
        let r = replies(
            &[
                m("2019-01-01", Some("2019-01-11"), Some(0.6)),
                m("2019-01-05", Some("2019-01-25"), Some(0.05)),
                m("2019-01-20", None, None),
                m("2019-02-01", Some("2019-02-05"), Some(0.3)),
            ],
            &cfg,
        );
        assert_eq!(r.messages, 4);
        assert_eq!(r.answered, 3);
        assert_eq!(r.median_days, Some(10.0));
        // Written after the first answer (2019-01-11): the messages of 01-20 and 02-01.
        assert_eq!(r.after_answer, 2);
        assert_eq!(r.not_addressing, 1);
        assert_eq!(replies(&[], &cfg), Replies::default());
    }

    #[test]
    fn coverage_is_the_share_of_the_messages_words_the_reply_uses() {
        let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let msg = w("小区 供水 水压 停水 的");
        assert_eq!(coverage(&msg, &w("供水 水压 已 恢复")), Some(0.5));
        assert_eq!(coverage(&msg, &w("根据 规定 依法 办理")), Some(0.0));
        assert_eq!(coverage(&w("的 了"), &w("的")), None);
    }
}
