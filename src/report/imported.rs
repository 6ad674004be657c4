//! The report of topics mined elsewhere (`minyi report --topics FILE`: another run, the
//! Spark job): the topics file joined to the index's items.

use std::collections::HashSet;
use std::path::Path;

use crate::error::malformed;
use crate::index::query::Filters;
use crate::index::ItemIndex;
use crate::item::Item;
use crate::period::midnight;
use crate::topics::{ProblemConfig, TopicReport};

use super::{Period, Report};

/// Builds the report of `topics` (read from `origin`) over `period`, with the items the
/// file names and the previous window's items (for growth) read from the index at
/// `index_dir` in one pass. Without a `period`, it is the file's window when all its items
/// fall in it (`minyi topics --period 2024Q3`), else the span of its items (a run over all
/// items, whose window only measures growth: a report of 4,326 items over three years is
/// not headed by its last 91 days).
/// Returns the report and the file's items. An item the index lacks is an error naming the
/// first few.
pub fn report_of_topics(
    title: &str,
    origin: &Path,
    topics: TopicReport,
    index_dir: &Path,
    period: Option<Period>,
    top: usize,
    problems: &ProblemConfig,
) -> crate::Result<(Report, Vec<Item>)> {
    let mut topics = topics;
    if let Some(rel) = topics.assignments.clone() {
        let base = origin.parent().unwrap_or(Path::new("."));
        fill_members(&mut topics, &base.join(rel))?;
    }
    let wanted: HashSet<&str> = topics
        .topics
        .iter()
        .flat_map(|t| &t.item_ids)
        .chain(&topics.other.item_ids)
        .map(String::as_str)
        .collect();
    let index = ItemIndex::open(index_dir)?;
    let all = index.collect(None, &Filters::default())?;
    let period = match period {
        Some(p) => p,
        None => file_period(origin, &topics, &all, &wanted)?,
    };
    let previous_window = period.previous();
    let previous: Vec<Item> = all
        .iter()
        .filter(|i| i.submitted_at.is_some_and(|d| previous_window.contains(d)))
        .cloned()
        .collect();
    let items: Vec<Item> = all
        .into_iter()
        .filter(|i| wanted.contains(i.id.as_str()))
        .collect();
    if items.len() < wanted.len() {
        let have: HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
        let mut missing: Vec<&&str> = wanted.iter().filter(|id| !have.contains(**id)).collect();
        missing.sort();
        return Err(malformed!(
            "{}: {} of its {} items are not in the index {} (first: {}); ingest the same items first",
            origin.display(),
            missing.len(),
            wanted.len(),
            index_dir.display(),
            missing.iter().take(5).map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    let r = super::build(title, period, topics, &items, &previous, top, problems);
    Ok((r, items))
}

/// The window of a topics file's report when none is given: see [`report_of_topics`].
fn file_period(
    origin: &Path,
    topics: &TopicReport,
    all: &[Item],
    wanted: &HashSet<&str>,
) -> crate::Result<Period> {
    let dates: Vec<_> = all
        .iter()
        .filter(|i| wanted.contains(i.id.as_str()))
        .filter_map(|i| i.submitted_at)
        .collect();
    let window = topics.recent_window.as_ref().map(Period::whole_days);
    if let Some(w) = window.filter(|w| dates.iter().all(|&d| w.contains(d))) {
        return Ok(w);
    }
    match (dates.iter().min(), dates.iter().max()) {
        // The whole days from the first item's to the last's.
        (Some(first), Some(last)) => Ok(Period::new(
            midnight(first.date_naive()),
            midnight(last.date_naive() + chrono::Days::new(1)),
        )),
        _ => Err(crate::Error::Usage(format!(
            "{}: neither the file nor its items name a window: give --period (2024Q3) or --from/--to",
            origin.display()
        ))),
    }
}

#[cfg(feature = "parquet")]
use super::assignments::fill_members;

/// Without Parquet the assignments of a distributed run cannot be read.
#[cfg(not(feature = "parquet"))]
fn fill_members(_topics: &mut TopicReport, _path: &Path) -> crate::Result<()> {
    Err(crate::error::not_built(
        "parquet",
        "读取分布式运行的 Parquet assignments",
    ))
}
