//! The report of topics mined elsewhere (`minyi report --topics FILE`: another run, the
//! Spark job): the topics file joined to the index's items.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use arrow_array::{Array, Int64Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::malformed;
use crate::index::query::Filters;
use crate::index::ItemIndex;
use crate::item::Item;
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
    let day = |s: &str| crate::period::parse_from(s.get(..10).unwrap_or(s));
    let window = topics.recent_window.as_ref().map(Period::whole_days);
    if let Some(w) = window.filter(|w| dates.iter().all(|&d| w.contains(d))) {
        return Ok(w);
    }
    match (dates.iter().min(), dates.iter().max()) {
        (Some(first), Some(last)) => Ok(Period::new(
            day(&first.format("%Y-%m-%d").to_string())?,
            crate::period::parse_to(&last.format("%Y-%m-%d").to_string())?,
        )),
        _ => Err(crate::Error::Usage(format!(
            "{}: neither the file nor its items name a window: give --period (2024Q3) or --from/--to",
            origin.display()
        ))),
    }
}

/// The Parquet files at `path`: the file itself, or the `.parquet` files under the folder
/// (as Spark writes them: `part-….parquet`, beside `_SUCCESS`), in name order.
fn parquet_files(path: &Path) -> crate::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut todo = vec![path.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| crate::Error::Input {
            path: dir.clone(),
            message: format!("cannot read the assignments: {e}"),
        })?;
        for e in entries {
            let p = e?.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                todo.push(p);
            } else if name.ends_with(".parquet") && !name.starts_with(['.', '_']) {
                out.push(p);
            }
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(crate::Error::Input {
            path: path.to_path_buf(),
            message: "no Parquet assignments there (copy the Spark job's `assignments` folder beside its topics.json)".into(),
        });
    }
    Ok(out)
}

/// Fills the member ids of the topics, 其他 and problems of a distributed run from its
/// assignments (`id`, `theme`: the topic id or null for 其他, `problem`: a problem id or
/// null), and checks them against the sizes the file states.
fn fill_members(topics: &mut TopicReport, path: &Path) -> crate::Result<()> {
    let bad = |file: &Path, message: String| crate::Error::Input {
        path: file.to_path_buf(),
        message,
    };
    let topic_of: HashMap<usize, usize> = topics
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id, i))
        .collect();
    let mut problem_of: HashMap<String, (Option<usize>, usize)> = HashMap::new();
    for (i, t) in topics.topics.iter().enumerate() {
        for (j, p) in t.problems.iter().enumerate() {
            problem_of.insert(p.id.clone(), (Some(i), j));
        }
    }
    for (j, p) in topics.other.problems.iter().enumerate() {
        problem_of.insert(p.id.clone(), (None, j));
    }
    for file in parquet_files(path)? {
        let f = std::fs::File::open(&file)?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(f)
            .and_then(|b| b.build())
            .map_err(|e| bad(&file, format!("not a Parquet file: {e}")))?;
        for batch in reader {
            let batch = batch.map_err(|e| bad(&file, format!("cannot read: {e}")))?;
            let column = |name: &str| batch.column_by_name(name).cloned();
            let ids = column("id");
            let ids = ids
                .as_ref()
                .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                .ok_or_else(|| bad(&file, "no text column `id`".into()))?;
            let themes = column("theme");
            let themes = themes
                .as_ref()
                .and_then(|c| c.as_any().downcast_ref::<Int64Array>())
                .ok_or_else(|| bad(&file, "no 64-bit integer column `theme`".into()))?;
            let problems = column("problem");
            let problems = problems
                .as_ref()
                .and_then(|c| c.as_any().downcast_ref::<StringArray>());
            for row in 0..batch.num_rows() {
                let id = ids.value(row).to_string();
                if let Some(p) = problems.filter(|p| p.is_valid(row)).map(|p| p.value(row)) {
                    // Problems beyond those the file lists have members here too.
                    if let Some(&(t, j)) = problem_of.get(p) {
                        let list = match t {
                            Some(i) => &mut topics.topics[i].problems[j],
                            None => &mut topics.other.problems[j],
                        };
                        list.item_ids.push(id.clone());
                    }
                }
                if themes.is_valid(row) {
                    let theme = themes.value(row);
                    let i = usize::try_from(theme)
                        .ok()
                        .and_then(|t| topic_of.get(&t))
                        .ok_or_else(|| {
                            bad(
                                &file,
                                format!("item {id}: theme {theme} is not in the topics file"),
                            )
                        })?;
                    topics.topics[*i].item_ids.push(id);
                } else {
                    topics.other.item_ids.push(id);
                }
            }
        }
    }
    let mismatch = |what: String, have: usize, want: usize| {
        malformed!(
            "{}: the assignments hold {have} items of {what}, the topics file says {want}",
            path.display()
        )
    };
    for t in &mut topics.topics {
        t.item_ids.sort_unstable();
        if t.item_ids.len() != t.size {
            return Err(mismatch(
                format!("topic {}", t.id),
                t.item_ids.len(),
                t.size,
            ));
        }
        for p in &mut t.problems {
            p.item_ids.sort_unstable();
        }
    }
    topics.other.item_ids.sort_unstable();
    if topics.other.item_ids.len() != topics.other.size {
        return Err(mismatch(
            "其他".into(),
            topics.other.item_ids.len(),
            topics.other.size,
        ));
    }
    for p in topics.other.problems.iter_mut() {
        p.item_ids.sort_unstable();
    }
    topics.assignments = None;
    Ok(())
}
