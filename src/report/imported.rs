//! The report of topics mined elsewhere (`minyi report --topics FILE`: another run, the
//! Spark job): the topics file joined to the index's items.

use std::collections::HashSet;
use std::path::Path;

use crate::error::malformed;
use crate::index::query::Filters;
use crate::index::ItemIndex;
use crate::item::Item;
use crate::topics::{ProblemConfig, TopicReport};

use super::{Period, Report};

/// Builds the report of `topics` (read from `origin`) over `period`, with the items the
/// file names and the previous window's items (for growth) read from the index at
/// `index_dir` in one pass.
/// Returns the report and the file's items. An item the index lacks is an error naming the
/// first few.
pub fn report_of_topics(
    title: &str,
    origin: &Path,
    topics: TopicReport,
    index_dir: &Path,
    period: Period,
    top: usize,
    problems: &ProblemConfig,
) -> crate::Result<(Report, Vec<Item>)> {
    let wanted: HashSet<&str> = topics
        .topics
        .iter()
        .flat_map(|t| &t.item_ids)
        .chain(&topics.other.item_ids)
        .map(String::as_str)
        .collect();
    let previous_window = period.previous();
    let index = ItemIndex::open(index_dir)?;
    let all = index.collect(None, &Filters::default())?;
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
