//! Ingest stage: reads items from CSV, TSV, JSONL and Excel files in UTF-8, UTF-16 or
//! GB18030, maps columns to item fields, cleans text, and turns every row into either an
//! [`Item`] or a [`Reject`] naming the file, line and field. Nothing else happens here.

pub mod cell;
pub mod clean;
pub mod dates;
pub mod delimited;
pub mod encoding;
pub mod jsonl;
pub mod mapping;
pub mod rejects;
pub mod xlsx;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::item::{Columns, Item};
pub use encoding::EncodingChoice;
pub use mapping::MapOverrides;

/// A row that could not become an item, with where and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reject {
    /// Source file.
    pub file: String,
    /// `line N` or `Sheet!row N`.
    pub location: String,
    /// The field (and source column) at fault, or `row`.
    pub field: String,
    /// Why the row was rejected.
    pub reason: String,
    /// The row's original fields as a JSON object (or the raw line).
    pub original: String,
}

impl Reject {
    /// Builds a reject.
    pub fn new(
        file: &str,
        location: String,
        field: &str,
        reason: String,
        original: String,
    ) -> Reject {
        Reject {
            file: file.to_string(),
            location,
            field: field.to_string(),
            reason,
            original,
        }
    }
}

/// One input row: an item, or why not.
pub type Record = std::result::Result<Item, Reject>;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Tsv,
    Jsonl,
    Xlsx,
}

/// How to read input files.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Column overrides (`--map`).
    pub overrides: MapOverrides,
    /// Text encoding (`--encoding`).
    pub encoding: EncodingChoice,
    /// Worksheet name for Excel files (`--sheet`).
    pub sheet: Option<String>,
    /// Force a format instead of detecting it.
    pub format: Option<Format>,
}

/// An opened input file, yielding records.
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// Its detected format.
    pub format: Format,
    /// Its encoding (`-` for spreadsheets).
    pub encoding: &'static str,
    /// Size in bytes, for progress.
    pub size: u64,
    bytes_read: Arc<AtomicU64>,
    records: Box<dyn Iterator<Item = Result<Record>>>,
    /// The optional columns its header (or, for JSON lines, the objects read so far) maps.
    columns: Arc<Mutex<Columns>>,
}

impl Source {
    /// Opens `path`, detecting format and encoding, and validates its header.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<Source> {
        let meta = std::fs::metadata(path).map_err(|e| Error::Input {
            path: path.to_path_buf(),
            message: format!("cannot open: {e}"),
        })?;
        if meta.is_dir() {
            return Err(Error::Input {
                path: path.to_path_buf(),
                message: "is a directory, not a file".into(),
            });
        }
        let format = match opts.format {
            Some(f) => f,
            None => detect_format(path)?,
        };
        let bytes_read = Arc::new(AtomicU64::new(0));
        type Records = Box<dyn Iterator<Item = Result<Record>>>;
        let fixed = |c: Columns| Arc::new(Mutex::new(c));
        let (records, encoding, columns): (Records, &'static str, _) = match format {
            Format::Xlsx => {
                let rows = xlsx::XlsxRows::open(path, opts.sheet.as_deref(), &opts.overrides)?;
                bytes_read.store(meta.len(), Ordering::Relaxed);
                let columns = fixed(rows.columns());
                (Box::new(rows), "-", columns)
            }
            Format::Csv | Format::Tsv => {
                let input = encoding::open_decoded(path, opts.encoding, bytes_read.clone())?;
                let enc = input.name;
                let delim = if format == Format::Tsv { b'\t' } else { b',' };
                let rows = delimited::DelimitedRows::open(path, input, delim, &opts.overrides)?;
                let columns = fixed(rows.columns());
                (Box::new(rows), enc, columns)
            }
            Format::Jsonl => {
                let input = encoding::open_decoded(path, opts.encoding, bytes_read.clone())?;
                let enc = input.name;
                let rows = jsonl::JsonlRows::open(path, input, &opts.overrides)?;
                let columns = rows.columns();
                (Box::new(rows), enc, columns)
            }
        };
        Ok(Source {
            path: path.to_path_buf(),
            format,
            encoding,
            size: meta.len(),
            bytes_read,
            records,
            columns,
        })
    }

    /// The optional columns (界别, 单位, 采用, 批示, 反馈, 点赞) its rows map so far.
    pub fn columns(&self) -> Columns {
        *self.columns.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Bytes of the file consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed).min(self.size)
    }

    /// Reads up to `max` records. An error here (I/O) ends the file.
    pub fn next_batch(&mut self, max: usize) -> Result<Vec<Record>> {
        let mut out = Vec::with_capacity(max.min(65_536));
        for rec in self.records.by_ref().take(max) {
            out.push(rec?);
        }
        Ok(out)
    }
}

/// Chooses a format from the extension, or from the content when the extension says nothing.
pub fn detect_format(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => return Ok(Format::Xlsx),
        "jsonl" | "ndjson" | "json" => return Ok(Format::Jsonl),
        "tsv" | "tab" => return Ok(Format::Tsv),
        _ => {}
    }
    let mut head = Vec::with_capacity(8192);
    File::open(path)
        .and_then(|f| f.take(8192).read_to_end(&mut head))
        .map_err(|e| Error::Input {
            path: path.to_path_buf(),
            message: format!("cannot open: {e}"),
        })?;
    if head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(Format::Xlsx);
    }
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if ext != "csv" && text.starts_with('{') {
        return Ok(Format::Jsonl);
    }
    let first = text.lines().next().unwrap_or("");
    let (tabs, commas) = (first.matches('\t').count(), first.matches(',').count());
    Ok(if tabs > commas {
        Format::Tsv
    } else {
        Format::Csv
    })
}
