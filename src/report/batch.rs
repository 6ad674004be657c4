//! Batch reports: one report per month or quarter over a span, built in parallel, and an
//! index page linking them with a chart of the span's main topics window by window.

use serde::Serialize;

use super::Period;
use crate::period::midnight;

/// Window length of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// One report per calendar month.
    Monthly,
    /// One report per calendar quarter.
    Quarterly,
}

/// The calendar windows (months or quarters) that overlap `[from, to)`, each whole.
pub fn windows(span: &Period, cadence: Cadence) -> Vec<Period> {
    use chrono::Datelike;
    let step = match cadence {
        Cadence::Monthly => 1,
        Cadence::Quarterly => 3,
    };
    let start = span.from.date_naive();
    let month0 = match cadence {
        Cadence::Monthly => start.month0(),
        Cadence::Quarterly => start.month0() / 3 * 3,
    };
    let mut at = chrono::NaiveDate::from_ymd_opt(start.year(), month0 + 1, 1).expect("month");
    let mut out = Vec::new();
    while midnight(at) < span.to {
        let next = at
            .checked_add_months(chrono::Months::new(step))
            .expect("date in range");
        out.push(Period::new(midnight(at), midnight(next)));
        at = next;
    }
    out
}

/// One window's entry on the index page.
#[derive(Debug, Clone, Serialize)]
pub struct WindowEntry {
    pub label: String,
    /// File name of its report, relative to the index page.
    pub file: String,
    pub items: usize,
    pub topics: usize,
    /// Its leading hot topic, if any.
    pub top_hot: Option<String>,
}

/// A topic of the whole span, with its items per window.
#[derive(Debug, Clone, Serialize)]
pub struct SpanTopic {
    pub label: String,
    pub size: usize,
    pub per_window: Vec<usize>,
}

/// The index page of a batch.
#[derive(Debug, Clone, Serialize)]
pub struct BatchIndex {
    pub title: String,
    pub span: Period,
    pub windows: Vec<WindowEntry>,
    pub top_topics: Vec<SpanTopic>,
}
