//! Periods and windows, shared by index (query bounds), topics (the window a growth is
//! measured against) and report (a window with its Chinese name): kept below all three, so
//! that they agree and import none of each other.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ingest::dates;

/// A window `[from, to)` with its Chinese name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    /// e.g. `2024年第三季度`, `2024年7月`, `2024年`, `2024-07-01 至 2024-09-30`.
    pub label: String,
    /// First day (`YYYY-MM-DD`).
    pub first: String,
    /// Last day, inclusive.
    pub last: String,
    #[serde(skip)]
    pub from: DateTime<FixedOffset>,
    #[serde(skip)]
    pub to: DateTime<FixedOffset>,
}

impl Period {
    /// Names the window `[from, to)`.
    pub fn new(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> Period {
        let first = from.date_naive();
        let last = (to - Duration::seconds(1)).date_naive();
        let month_start = |d: NaiveDate| d.day() == 1;
        let next_month = |d: NaiveDate| {
            if d.month() == 12 {
                NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
            }
        };
        let end = to.date_naive();
        let whole_day =
            to.time() == chrono::NaiveTime::MIN && from.time() == chrono::NaiveTime::MIN;
        let label = if whole_day && month_start(first) && next_month(first) == Some(end) {
            format!("{}年{}月", first.year(), first.month())
        } else if whole_day
            && month_start(first)
            && first.month() % 3 == 1
            && next_month(first).and_then(next_month).and_then(next_month) == Some(end)
        {
            let q = ["一", "二", "三", "四"][(first.month0() / 3) as usize];
            format!("{}年第{}季度", first.year(), q)
        } else if whole_day
            && first.month() == 1
            && first.day() == 1
            && end == NaiveDate::from_ymd_opt(first.year() + 1, 1, 1).unwrap_or(end)
        {
            format!("{}年", first.year())
        } else {
            format!("{first} 至 {last}")
        };
        Period {
            label,
            first: first.to_string(),
            last: last.to_string(),
            from,
            to,
        }
    }

    /// The window of equal length just before ([`crate::period::previous_window`]: the
    /// third quarter is compared with the second).
    pub fn previous(&self) -> Period {
        let (from, to) = crate::period::previous_window(self.from, self.to);
        Period::new(from, to)
    }

    /// Whether `d` falls in the window `[from, to)` (as the index's date filters count).
    pub fn contains(&self, d: DateTime<FixedOffset>) -> bool {
        d >= self.from && d < self.to
    }

    /// The year, when the window is exactly one calendar year (`--period 2024`).
    pub fn whole_year(&self) -> Option<i32> {
        let first = self.from.date_naive();
        (self.from.time() == chrono::NaiveTime::MIN
            && self.to.time() == chrono::NaiveTime::MIN
            && first.ordinal() == 1
            && NaiveDate::from_ymd_opt(first.year() + 1, 1, 1) == Some(self.to.date_naive()))
        .then_some(first.year())
    }

    /// The window from the earliest of `dates` to the latest, included (it ends one second
    /// after it); `None` without a date.
    pub fn spanning(dates: impl IntoIterator<Item = DateTime<FixedOffset>>) -> Option<Period> {
        let (first, last) = dates.into_iter().fold(
            None,
            |acc: Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)>, d| {
                Some(acc.map_or((d, d), |(a, b)| (a.min(d), b.max(d))))
            },
        )?;
        Some(Period::new(first, last + Duration::seconds(1)))
    }

    /// The `days` days up to `latest`, included (the window ends one second after it).
    pub fn days_up_to(latest: DateTime<FixedOffset>, days: i64) -> Period {
        let to = latest + Duration::seconds(1);
        Period::new(to - Duration::days(days), to)
    }

    /// The same days from midnight to midnight: the first day's start to the start of the
    /// day `to` falls in.
    pub fn whole_days(&self) -> Period {
        Period::new(
            midnight(self.from.date_naive()),
            midnight(self.to.date_naive()),
        )
    }

    /// The last day the window holds.
    pub fn last_day(&self) -> NaiveDate {
        (self.to - Duration::seconds(1)).date_naive()
    }

    /// The months (`YYYY-MM`) the window covers, in order.
    pub fn months(&self) -> Vec<String> {
        let last = self.last_day();
        let mut d = NaiveDate::from_ymd_opt(self.from.year(), self.from.month(), 1).expect("month");
        let mut out = Vec::new();
        while d <= last {
            out.push(month_key(d));
            d = d
                .checked_add_months(chrono::Months::new(1))
                .expect("month within range");
        }
        out
    }

    /// Number of days.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days().max(1)
    }
}

/// The start of day `d` in the time zone of item dates.
pub fn midnight(d: NaiveDate) -> DateTime<FixedOffset> {
    dates::from_naive(d.and_time(NaiveTime::MIN))
}

/// A month as the reports key it: `2024-07`.
pub fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The ISO week of a day (`YYYY-Www`, the year the week belongs to).
pub fn week_key(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// The unit in which a topic's persistence is counted: months over a long span, weeks over
/// a quarter or less (where every lasting topic would fill "3 of 3 months").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Beat {
    #[default]
    Month,
    Week,
}

/// Spans of at most this many calendar months count persistence in weeks.
pub const WEEKS_UP_TO_MONTHS: usize = 3;

/// Calendar months from the month of `first` to that of `last`, both included (0 when
/// `last` comes first).
pub fn months_spanned(first: NaiveDate, last: NaiveDate) -> usize {
    ((last.year() * 12 + last.month0() as i32) - (first.year() * 12 + first.month0() as i32) + 1)
        .max(0) as usize
}

impl Beat {
    /// The beat for the span `first..=last`, and how many of its units the span covers.
    pub fn of_span(first: NaiveDate, last: NaiveDate) -> (Beat, usize) {
        let months = months_spanned(first, last);
        if months > WEEKS_UP_TO_MONTHS {
            return (Beat::Month, months);
        }
        let monday = |d: NaiveDate| d - Duration::days(d.weekday().num_days_from_monday() as i64);
        let weeks = (monday(last) - monday(first)).num_days() / 7 + 1;
        (Beat::Week, weeks.max(0) as usize)
    }

    /// The unit's Chinese counter: 个月 or 周.
    pub fn zh(self) -> &'static str {
        match self {
            Beat::Month => "个月",
            Beat::Week => "周",
        }
    }
}

/// Parses a `--from` bound: `2024`, `2024-07`, `2024Q3` or any accepted date; the start of it.
pub fn parse_from(s: &str) -> Result<DateTime<FixedOffset>> {
    parse_period(s).map(|(a, _)| a)
}

/// Parses a `--to` bound, inclusive of the whole period named: returns the exclusive end.
pub fn parse_to(s: &str) -> Result<DateTime<FixedOffset>> {
    parse_period(s).map(|(_, b)| b)
}

/// A period `[start, end)` from `2024`, `2024-07`, `2024Q3`, a date, or a date-time (a
/// date-time is an instant: its end is one second later).
///
/// Chinese spellings are read too: 2019年, 2019年10月, 2019年第四季度 (四季度, 第4季度). A year
/// before 1900 is refused with the spelling most likely meant (19Q4 → 2019Q4).
pub fn parse_period(s: &str) -> Result<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    let plain = plain_spelling(s.trim());
    let (start, end) = parse_plain(s, &plain)?;
    if start.year() < 1900 {
        let meant = match plain.split_once(['Q', 'q', '-', '/']) {
            Some((y, rest)) if y.len() <= 2 => {
                let sep = &plain[y.len()..y.len() + 1];
                format!("；是否指 20{y:0>2}{sep}{rest}？")
            }
            None if plain.len() <= 2 => format!("；是否指 20{plain:0>2}？"),
            _ => String::new(),
        };
        return Err(Error::Usage(format!(
            "时间 '{s}' 的年份 {} 早于 1900 年，年份请写全四位{meant}",
            start.year()
        )));
    }
    Ok((start, end))
}

/// 2019年第四季度 → 2019Q4, 2019年10月 → 2019-10, 2019年 → 2019; other text as it is.
fn plain_spelling(t: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"^(\d{1,4})\s*年\s*(?:(?:第\s*)?([1-4一二三四])\s*季度?|[Qq]([1-4])|(\d{1,2})\s*月份?)?$",
        )
        .expect("valid")
    });
    let Some(c) = re.captures(t) else {
        return t.to_string();
    };
    let y = &c[1];
    if let Some(q) = c.get(2).or(c.get(3)) {
        let q = match q.as_str() {
            "一" => "1",
            "二" => "2",
            "三" => "3",
            "四" => "4",
            d => d,
        };
        format!("{y}Q{q}")
    } else if let Some(m) = c.get(4) {
        format!("{y}-{:0>2}", m.as_str())
    } else {
        y.to_string()
    }
}

fn parse_plain(s: &str, t: &str) -> Result<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    let at = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).map(midnight);
    let bad = || {
        Error::Usage(format!(
            "invalid date '{s}' (use 2024, 2024-07, 2024Q3, 2024-07-15, 2024-07-15 08:00, 2024年, 2024年7月 or 2024年第三季度)"
        ))
    };
    if (1..=4).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = t.parse().map_err(|_| bad())?;
        return Ok((at(y, 1).ok_or_else(bad)?, at(y + 1, 1).ok_or_else(bad)?));
    }
    if let Some((y, q)) = t.split_once(['Q', 'q']) {
        if let (Ok(y), Ok(q)) = (y.parse::<i32>(), q.parse::<u32>()) {
            if (1..=4).contains(&q) {
                let start = at(y, (q - 1) * 3 + 1).ok_or_else(bad)?;
                let end = if q == 4 {
                    at(y + 1, 1)
                } else {
                    at(y, q * 3 + 1)
                }
                .ok_or_else(bad)?;
                return Ok((start, end));
            }
        }
        return Err(bad());
    }
    let parts: Vec<&str> = t.split(['-', '/']).collect();
    if parts.len() == 2 && (1..=4).contains(&parts[0].len()) {
        if let (Ok(y), Ok(m)) = (parts[0].parse::<i32>(), parts[1].parse::<u32>()) {
            let start = at(y, m).ok_or_else(bad)?;
            let end = if m == 12 { at(y + 1, 1) } else { at(y, m + 1) }.ok_or_else(bad)?;
            return Ok((start, end));
        }
    }
    // Any calendar date bounds a query: the plausibility rule of item dates (no future, no
    // year before 1949) is not applied here.
    let d = dates::parse_any(t).ok_or_else(bad)?;
    let has_time = t.contains(':')
        || t.contains('时')
        || t.len() > 10 && t.bytes().all(|b| b.is_ascii_digit());
    let step = if has_time {
        Duration::seconds(1)
    } else {
        Duration::days(1)
    };
    let end = d.checked_add_signed(step).ok_or_else(bad)?;
    Ok((d, end))
}

/// The window of equal length just before `[from, to)`. A window of whole calendar months
/// steps back by calendar months — the third quarter is compared with the second (91 days),
/// not with the 92 days before it, which would take in 31 March — else by its length.
pub fn previous_window(
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
    let whole_days = from.time() == chrono::NaiveTime::MIN && to.time() == chrono::NaiveTime::MIN;
    let start = match months_between(from.date_naive(), to.date_naive()) {
        Some(m) if whole_days => shift_months(from, -(m as i32)),
        _ => from - (to - from),
    };
    (start, from)
}

/// A previous window holding fewer items than this share of the current window's is too
/// thin to measure growth against (3 items in 2018 against 4,000 in 2019 is no "×1,300").
pub const MIN_PREVIOUS_SHARE: f64 = 0.25;

/// Whether a previous window of `previous` items can be compared with a current one of
/// `current` items: it holds some, and at least [`MIN_PREVIOUS_SHARE`] of the current count.
/// When it cannot, topics, hot problems and reports say 上期数据不足 and claim no growth.
pub fn comparable(current: usize, previous: usize) -> bool {
    previous > 0 && previous as f64 >= MIN_PREVIOUS_SHARE * current as f64
}

/// Days of the recent part of a selection that the recency of a problem is measured in.
pub const RECENT_DAYS: i64 = 91;

/// The stretch a problem's recency (时近) is measured in: the last [`RECENT_DAYS`] days (or
/// the whole window when shorter) up to the selection's latest item. It depends on the items
/// only, so the same items give the same heat however the window is written (no window,
/// `--from/--to` over everything, `--period`).
pub fn recent_stretch(latest: DateTime<FixedOffset>, window: Option<&Period>) -> Period {
    let end = latest + Duration::seconds(1);
    let end = window.map_or(end, |w| end.min(w.to));
    let days = Duration::days(RECENT_DAYS);
    let len = window.map_or(days, |w| (w.to - w.from).min(days));
    Period::new(end - len, end)
}

/// A window as topic reports write it: `["YYYY-MM-DD HH:MM:SS", "…"]`, its start and its
/// (excluded) end in the time zone of item dates (`#[serde(with = "crate::period::pair")]`).
pub mod pair {
    use chrono::{DateTime, FixedOffset, NaiveDateTime};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Period;

    const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

    pub fn serialize<S: Serializer>(p: &Option<Period>, s: S) -> Result<S::Ok, S::Error> {
        let text = |d: DateTime<FixedOffset>| d.format(FORMAT).to_string();
        p.as_ref().map(|p| (text(p.from), text(p.to))).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Period>, D::Error> {
        let at = |t: &str| {
            NaiveDateTime::parse_from_str(t, FORMAT)
                .map(crate::ingest::dates::from_naive)
                .map_err(|e| serde::de::Error::custom(format!("'{t}' is no {FORMAT} time: {e}")))
        };
        Option::<(String, String)>::deserialize(d)?
            .map(|(a, b)| Ok(Period::new(at(&a)?, at(&b)?)))
            .transpose()
    }
}

/// Whole months from `a` to `b` when both are first days of months.
fn months_between(a: NaiveDate, b: NaiveDate) -> Option<u32> {
    (a.day() == 1 && b.day() == 1 && b > a)
        .then(|| ((b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32) as u32)
}

/// Moves a month-start date by `m` months (same offset, midnight).
fn shift_months(d: DateTime<FixedOffset>, m: i32) -> DateTime<FixedOffset> {
    let n = d.year() * 12 + d.month0() as i32 + m;
    let date = NaiveDate::from_ymd_opt(n.div_euclid(12), n.rem_euclid(12) as u32 + 1, 1)
        .expect("valid month");
    midnight(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_spans_its_items_and_reads_back_as_the_report_writes_it() {
        let at = |t: &str| parse_from(t).unwrap();
        let span = Period::spanning([at("2024-03-05 10:00"), at("2024-01-02 08:30")]).unwrap();
        assert_eq!(
            (span.first.as_str(), span.last.as_str()),
            ("2024-01-02", "2024-03-05")
        );
        assert_eq!(span.to - at("2024-03-05 10:00"), Duration::seconds(1));
        assert!(Period::spanning([]).is_none());
        let whole = span.whole_days();
        assert_eq!((whole.from, whole.to), (at("2024-01-02"), at("2024-03-05")));
        assert_eq!(span.months(), ["2024-01", "2024-02", "2024-03"]);
        let recent = Period::days_up_to(at("2024-03-05 10:00"), 91);
        assert_eq!(recent.to, span.to);
        assert_eq!(recent.to - recent.from, Duration::days(91));

        #[derive(Serialize, serde::Deserialize)]
        struct Holder {
            #[serde(with = "pair")]
            w: Option<Period>,
        }
        let text = serde_json::to_string(&Holder {
            w: Some(span.clone()),
        })
        .unwrap();
        assert_eq!(
            text,
            r#"{"w":["2024-01-02 08:30:00","2024-03-05 10:00:01"]}"#
        );
        let back: Holder = serde_json::from_str(&text).unwrap();
        assert_eq!(back.w, Some(span));
        assert!(serde_json::from_str::<Holder>(r#"{"w":["2024-01-02","x"]}"#).is_err());
    }

    #[test]
    fn a_quarter_counts_weeks_and_a_longer_span_months() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // 2019-10-01 is a Tuesday of ISO week 40; 2019-12-31 a Tuesday of 2020-W01.
        assert_eq!(
            Beat::of_span(d(2019, 10, 1), d(2019, 12, 31)),
            (Beat::Week, 14)
        );
        assert_eq!(
            Beat::of_span(d(2019, 10, 7), d(2019, 10, 13)),
            (Beat::Week, 1)
        );
        assert_eq!(
            Beat::of_span(d(2019, 10, 1), d(2020, 1, 2)),
            (Beat::Month, 4)
        );
        assert_eq!(
            Beat::of_span(d(2019, 1, 1), d(2019, 12, 31)),
            (Beat::Month, 12)
        );
        assert_eq!(week_key(d(2019, 12, 31)), "2020-W01");
        assert_eq!(week_key(d(2021, 1, 3)), "2020-W53");
    }

    fn day(s: &str) -> DateTime<FixedOffset> {
        midnight(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn chinese_spellings_and_short_years() {
        for (zh, plain) in [
            ("2019年第四季度", "2019Q4"),
            ("2019年四季度", "2019Q4"),
            ("2019年第4季度", "2019Q4"),
            ("2019年10月", "2019-10"),
            ("2019年", "2019"),
        ] {
            assert_eq!(
                parse_period(zh).unwrap(),
                parse_period(plain).unwrap(),
                "{zh}"
            );
        }
        // 19Q4 was silently the year 19: refused, with the spelling meant.
        for (short, meant) in [("19Q4", "2019Q4"), ("19", "2019"), ("19-10", "2019-10")] {
            let err = parse_period(short).unwrap_err().to_string();
            assert!(
                err.contains("1900") && err.contains(meant),
                "{short}: {err}"
            );
        }
    }

    #[test]
    fn calendar_windows_step_back_by_months() {
        // The third quarter against the second, not the 92 days before it.
        assert_eq!(
            previous_window(day("2019-07-01"), day("2019-10-01")),
            (day("2019-04-01"), day("2019-07-01"))
        );
        // A month, a year across the turn of the year.
        assert_eq!(
            previous_window(day("2019-03-01"), day("2019-04-01")),
            (day("2019-02-01"), day("2019-03-01"))
        );
        assert_eq!(
            previous_window(day("2019-01-01"), day("2020-01-01")),
            (day("2018-01-01"), day("2019-01-01"))
        );
        // Other windows by their length.
        assert_eq!(
            previous_window(day("2019-07-10"), day("2019-07-20")),
            (day("2019-06-30"), day("2019-07-10"))
        );
    }
}
