//! Windows of time shared by the stages below the report: the window a growth is measured
//! against. (Kept below both topics and report, so that they agree on it and import neither.)

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

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
    crate::ingest::dates::from_naive(date.and_time(chrono::NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> DateTime<FixedOffset> {
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        crate::ingest::dates::from_naive(d.and_time(chrono::NaiveTime::MIN))
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
