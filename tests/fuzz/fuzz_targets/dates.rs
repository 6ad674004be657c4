//! Date parser: any text gives a date, nothing, or a reason — never a panic; a parsed date
//! passes the plausibility check or is refused with a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use minyi::ingest::dates::{check_plausible, parse_date};
use minyi::index::query::parse_period;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Some(d)) = parse_date(text) {
        let _ = check_plausible(d);
    }
    if let Ok((from, to)) = parse_period(text) {
        assert!(from < to, "a period is not empty: {text:?}");
    }
});
