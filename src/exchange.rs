//! The exchange format with other engines (Spark, DuckDB, pandas): items as JSON lines,
//! each with the terms minyi's segmenter gives its title and body.
//!
//! `minyi segment` turns raw JSONL items (stdin) into this format with the same reading,
//! cleaning, id derivation and segmentation as `minyi ingest` — so a Spark executor piping its
//! partition through the binary computes exactly what a laptop computes. `minyi export` writes
//! the items of an index in the same format.
//!
//! One line per input line: an item is `{...item fields..., "title_terms": [...],
//! "body_terms": [...]}`; a line that cannot become an item is `{"rejected": {file, location,
//! field, reason, original}}`, so nothing is lost and the counts add up downstream.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::query::Filters;
use crate::index::ItemIndex;
use crate::ingest::encoding::Decoded;
use crate::ingest::jsonl::JsonlRows;
use crate::ingest::{MapOverrides, Record, Reject};
use crate::item::Item;
use crate::segment::Segmenter;

/// An item with its segmented terms (stopwords and punctuation dropped, normalised; the
/// terms `ingest` indexes and `topics` counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentedItem {
    #[serde(flatten)]
    pub item: Item,
    pub title_terms: Vec<String>,
    pub body_terms: Vec<String>,
}

impl SegmentedItem {
    /// Segments one item.
    pub fn of(seg: &Segmenter, item: Item) -> SegmentedItem {
        SegmentedItem {
            title_terms: seg.terms(&item.title),
            body_terms: seg.terms(&item.body),
            item,
        }
    }
}

/// A line that could not become an item.
#[derive(Debug, Serialize)]
struct Rejected<'a> {
    rejected: &'a Reject,
}

/// What [`segment_stream`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SegmentCounts {
    /// Non-blank input lines.
    pub read: usize,
    /// Lines written as segmented items.
    pub items: usize,
    /// Lines written as `{"rejected": ...}`.
    pub rejected: usize,
}

/// Lines segmented together (in parallel) before they are written, in input order.
const BATCH: usize = 2_048;

/// Reads JSONL items from `input` (`name` is how errors call it) and writes them with their
/// terms to `out`, one line per non-blank input line. Keys map to fields as in `ingest`
/// (`overrides` as its `--map`). An empty input writes nothing.
pub fn segment_stream(
    input: Box<dyn Read + Send>,
    name: &str,
    overrides: &MapOverrides,
    seg: &Segmenter,
    out: &mut dyn Write,
) -> Result<SegmentCounts> {
    let mut input = BufReader::new(input);
    let mut counts = SegmentCounts::default();
    // An empty partition is normal on a cluster: no output, no error.
    let empty = input.fill_buf().map_err(|e| Error::Input {
        path: name.into(),
        message: e.to_string(),
    })?;
    if empty.is_empty() {
        return Ok(counts);
    }
    let decoded = Decoded {
        reader: Box::new(input),
        name: "UTF-8",
        transcoded: false,
    };
    let mut rows = JsonlRows::open(Path::new(name), decoded, overrides)?;
    loop {
        let batch: Vec<Record> = rows.by_ref().take(BATCH).collect::<Result<_>>()?;
        if batch.is_empty() {
            break;
        }
        let rejected = batch.iter().filter(|r| r.is_err()).count();
        counts.read += batch.len();
        counts.items += batch.len() - rejected;
        counts.rejected += rejected;
        let lines: Vec<String> = batch
            .into_par_iter()
            .map(|r| match r {
                Ok(item) => to_line(&SegmentedItem::of(seg, item)),
                Err(reject) => to_line(&Rejected { rejected: &reject }),
            })
            .collect();
        write_lines(out, &lines)?;
    }
    out.flush()?;
    Ok(counts)
}

/// Writes the items of `index` that pass `filters` (ordered by id) with their terms, segmented
/// by the index's own dictionary, as JSON lines. Returns how many.
pub fn export_jsonl(index: &ItemIndex, filters: &Filters, out: &mut dyn Write) -> Result<usize> {
    let items = index.collect(None, filters)?;
    for chunk in items.chunks(BATCH) {
        let lines: Vec<String> = chunk
            .par_iter()
            .map(|it| to_line(&SegmentedItem::of(&index.segmenter, it.clone())))
            .collect();
        write_lines(out, &lines)?;
    }
    out.flush()?;
    Ok(items.len())
}

/// Writes each line followed by a newline.
fn write_lines(out: &mut dyn Write, lines: &[String]) -> Result<()> {
    for line in lines {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One JSON line. Items and rejects hold only strings, numbers and lists, so this cannot fail.
fn to_line(v: &impl Serialize) -> String {
    serde_json::to_string(v).expect("items and rejects serialise to JSON")
}
