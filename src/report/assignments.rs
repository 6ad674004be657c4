//! The assignments of a distributed run (Parquet: `id`, `theme`, `problem`), which fill the
//! member ids of its topics file (`minyi report --topics FILE`, see [`super::imported`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use arrow_array::{Array, Int64Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::malformed;
use crate::topics::TopicReport;

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
pub(super) fn fill_members(topics: &mut TopicReport, path: &Path) -> crate::Result<()> {
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
