//! Date parsing for the formats real sheets carry; naive times are Asia/Shanghai (UTC+8).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// Asia/Shanghai has been UTC+8 without daylight saving since 1991.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

const DATETIME_FORMATS: &[&str] = &[
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分",
    "%Y年%m月%d日 %H时%M分",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y%m%d%H%M%S",
];

const DATE_FORMATS: &[&str] = &[
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%Y年%m月%d号",
];

/// Earliest and latest plausible submission years.
const YEARS: std::ops::RangeInclusive<i32> = 1949..=2100;

/// Parses a date cell. Empty text is `Ok(None)` (undated items are kept); anything that is
/// not a recognised date is an error message naming what was seen.
pub fn parse_date(text: &str) -> Result<Option<DateTime<FixedOffset>>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let parsed = parse_any(t).ok_or_else(|| {
        format!(
            "unrecognised date '{}' (accepted: 2019/2/28 11:25:05, 2019-02-28, 2019-02-28T11:25:05+08:00, 2019年2月28日, 20190228)",
            truncate(t, 40)
        )
    })?;
    check_plausible(parsed).map(Some)
}

/// Converts a naive local time (Asia/Shanghai) into an offset time.
pub fn from_naive(naive: NaiveDateTime) -> DateTime<FixedOffset> {
    shanghai()
        .from_local_datetime(&naive)
        .single()
        .expect("fixed offsets are unambiguous")
}

/// Rejects dates outside the plausible range or more than a day in the future.
pub fn check_plausible(d: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, String> {
    if !YEARS.contains(&chrono::Datelike::year(&d)) {
        return Err(format!(
            "implausible date '{}' (year outside {}..={})",
            d.to_rfc3339(),
            YEARS.start(),
            YEARS.end()
        ));
    }
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    if d > tomorrow {
        return Err(format!(
            "date '{}' is in the future",
            d.format("%Y-%m-%d %H:%M:%S")
        ));
    }
    Ok(d)
}

/// Parses a date or date-time in any accepted format, with no plausibility check: query
/// bounds (`--from`, `--to`, `--as-of`) may be any calendar date, item dates may not.
pub fn parse_any(t: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d);
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(t, fmt) {
            return Some(d);
        }
    }
    // A bare 8-digit date (20190228) would be read greedily by %Y, so split it by hand.
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let (y, m, d) = (
            t[..4].parse().ok()?,
            t[4..6].parse().ok()?,
            t[6..].parse().ok()?,
        );
        return NaiveDate::from_ymd_opt(y, m, d).map(|d| from_naive(d.and_time(NaiveTime::MIN)));
    }
    for fmt in DATETIME_FORMATS {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(from_naive(n));
        }
    }
    for fmt in DATE_FORMATS {
        if let Ok(d) = NaiveDate::parse_from_str(t, fmt) {
            return Some(from_naive(d.and_time(NaiveTime::MIN)));
        }
    }
    None
}

/// Shortens text for error messages, on a character boundary.
pub fn truncate(t: &str, max_chars: usize) -> String {
    if t.chars().count() <= max_chars {
        t.to_string()
    } else {
        let mut s: String = t.chars().take(max_chars).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymdhms(t: &str) -> String {
        parse_date(t)
            .unwrap()
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S %z")
            .to_string()
    }

    #[test]
    fn accepts_required_formats() {
        assert_eq!(ymdhms("2019/2/28 11:25:05"), "2019-02-28 11:25:05 +0800");
        assert_eq!(ymdhms("2019-02-28"), "2019-02-28 00:00:00 +0800");
        assert_eq!(
            ymdhms("2019-02-28T11:25:05+08:00"),
            "2019-02-28 11:25:05 +0800"
        );
        assert_eq!(ymdhms("2019-02-28T03:25:05Z"), "2019-02-28 03:25:05 +0000");
        assert_eq!(ymdhms("2019年2月28日"), "2019-02-28 00:00:00 +0800");
        assert_eq!(ymdhms("20190228"), "2019-02-28 00:00:00 +0800");
        assert_eq!(ymdhms("2023/3/5 9:12"), "2023-03-05 09:12:00 +0800");
    }

    #[test]
    fn empty_is_undated_and_garbage_is_an_error() {
        assert_eq!(parse_date("  ").unwrap(), None);
        assert!(parse_date("昨天")
            .unwrap_err()
            .contains("unrecognised date"));
        assert!(parse_date("2019-02-30").is_err());
        assert!(parse_date("20191399").is_err());
        assert!(parse_date("2099-01-01").unwrap_err().contains("future"));
    }
}
