//! The exchange format with other engines (Spark, DuckDB, pandas): items as JSON lines,
//! each with the terms minyi's segmenter gives its title and body.
//!
//! `minyi segment` turns raw JSONL items (stdin) into this format with the same reading,
//! cleaning, id derivation and segmentation as `minyi ingest` — so a Spark executor piping its
//! partition through the binary computes exactly what a laptop computes. `minyi export` writes
//! the items of an index in the same format.
//!
//! One line per input line: an item is `{...item fields..., "places": [...], "title_terms":
//! [...], "body_terms": [...]}` (`places`: its named objects, 地点/人群); a line that cannot become an item is `{"rejected": {file, location,
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
    /// With `minyi segment --sample-seed`: the item's sampling key as 16 hex digits (sorting
    /// the keys as text sorts them as numbers); the items with the smallest keys are the
    /// sample local minyi clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_key: Option<String>,
}

impl SegmentedItem {
    /// Segments one item, finding its named objects when it has none yet (an item read from
    /// an index has them already).
    pub fn of(seg: &Segmenter, mut item: Item) -> SegmentedItem {
        if item.places.is_empty() {
            item.places = crate::segment::places::places(seg, &item.title, &item.body);
        }
        SegmentedItem {
            title_terms: seg.terms(&item.title),
            body_terms: seg.terms(&item.body),
            sample_key: None,
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
    sample_seed: Option<u64>,
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
                Ok(item) => {
                    let mut s = SegmentedItem::of(seg, item);
                    s.sample_key = sample_seed
                        .map(|seed| format!("{:016x}", crate::item::sample_key(seed, &s.item.id)));
                    to_line(&s)
                }
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

/// Writes the items of `index` that pass `filters` (ordered by id) with their terms as one
/// Parquet file (Snappy-compressed, one row group per 65,536 items): the columns of the JSON
/// lines, `places`, `title_terms` and `body_terms` as lists of strings, `submitted_at` as RFC
/// 3339 text, `extra` as a JSON array of [column, value] pairs. Returns how many items.
#[cfg(not(feature = "parquet"))]
pub fn export_parquet<W: Write + Send>(
    _index: &ItemIndex,
    _filters: &Filters,
    _out: W,
) -> Result<usize> {
    Err(crate::error::not_built("parquet", "Parquet 导出"))
}

/// [`export_parquet`] with Parquet built in.
#[cfg(feature = "parquet")]
pub fn export_parquet<W: Write + Send>(
    index: &ItemIndex,
    filters: &Filters,
    out: W,
) -> Result<usize> {
    use std::sync::Arc;

    use arrow_array::builder::{Int64Builder, ListBuilder, StringBuilder};
    use arrow_array::{ArrayRef, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;

    const TEXT: [&str; 11] = [
        "id",
        "title",
        "body",
        "submitted_at",
        "submitter",
        "sector",
        "unit",
        "adoption",
        "instruction",
        "feedback",
        "source",
    ];
    let mut fields: Vec<Field> = TEXT
        .iter()
        .map(|&name| Field::new(name, DataType::Utf8, name == "submitted_at"))
        .collect();
    fields.push(Field::new("likes", DataType::Int64, true));
    fields.push(Field::new("dislikes", DataType::Int64, true));
    fields.push(Field::new("extra", DataType::Utf8, false));
    for name in ["places", "title_terms", "body_terms"] {
        fields.push(Field::new_list(
            name,
            Field::new("item", DataType::Utf8, true),
            false,
        ));
    }
    let schema = Arc::new(Schema::new(fields));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_size(65_536)
        .build();
    let parquet_err = |e: parquet::errors::ParquetError| Error::Io(std::io::Error::other(e));
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(parquet_err)?;
    let items = index.collect(None, filters)?;
    for chunk in items.chunks(BATCH * 8) {
        let rows: Vec<SegmentedItem> = chunk
            .par_iter()
            .map(|it| SegmentedItem::of(&index.segmenter, it.clone()))
            .collect();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        for name in TEXT {
            let mut b = StringBuilder::new();
            for r in &rows {
                let it = &r.item;
                match name {
                    "id" => b.append_value(&it.id),
                    "title" => b.append_value(&it.title),
                    "body" => b.append_value(&it.body),
                    "submitted_at" => b.append_option(it.submitted_at.map(|d| d.to_rfc3339())),
                    "submitter" => b.append_value(&it.submitter),
                    "sector" => b.append_value(&it.sector),
                    "unit" => b.append_value(&it.unit),
                    "adoption" => b.append_value(it.adoption.as_str()),
                    "instruction" => b.append_value(&it.instruction),
                    "feedback" => b.append_value(&it.feedback),
                    _ => b.append_value(&it.source),
                }
            }
            columns.push(Arc::new(b.finish()));
        }
        for count in [|it: &Item| it.likes, |it: &Item| it.dislikes] {
            let mut b = Int64Builder::new();
            for r in &rows {
                b.append_option(count(&r.item).map(|v| v as i64));
            }
            columns.push(Arc::new(b.finish()));
        }
        let mut extra = StringBuilder::new();
        for r in &rows {
            extra.append_value(to_line(&r.item.extra));
        }
        columns.push(Arc::new(extra.finish()));
        for list in [0, 1, 2] {
            let mut b = ListBuilder::new(StringBuilder::new());
            for r in &rows {
                let terms = [&r.item.places, &r.title_terms, &r.body_terms][list];
                for t in terms {
                    b.values().append_value(t);
                }
                b.append(true);
            }
            columns.push(Arc::new(b.finish()));
        }
        let batch = RecordBatch::try_new(schema.clone(), columns)
            .map_err(|e| Error::Io(std::io::Error::other(e)))?;
        writer.write(&batch).map_err(parquet_err)?;
    }
    writer.close().map_err(parquet_err)?;
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
