//! CSV and TSV reader: header row, RFC 4180 quoting, one record per row with its line number.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::ingest::cell::Cell;
use crate::ingest::mapping::{ColumnMapping, MapOverrides};
use crate::ingest::{Record, Reject};

/// Streams records from a delimited text file.
pub struct DelimitedRows {
    file: String,
    reader: csv::StringRecordsIntoIter<Box<dyn Read + Send>>,
    mapping: ColumnMapping,
}

impl DelimitedRows {
    /// Reads the header row and resolves the column mapping.
    pub fn open(
        path: &Path,
        input: Box<dyn Read + Send>,
        delimiter: u8,
        overrides: &MapOverrides,
    ) -> Result<DelimitedRows> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(input);
        let headers = reader.headers().map_err(|e| Error::Input {
            path: path.to_path_buf(),
            message: format!("cannot read the header row: {e}"),
        })?;
        if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
            return Err(Error::Input {
                path: path.to_path_buf(),
                message: "empty file: no header row".into(),
            });
        }
        let headers: Vec<String> = headers.iter().map(str::to_string).collect();
        let mapping = ColumnMapping::resolve(&headers, overrides);
        if !mapping.has_text() {
            return Err(mapping.missing_text_error(path));
        }
        Ok(DelimitedRows {
            file: path.display().to_string(),
            reader: reader.into_records(),
            mapping,
        })
    }

    fn reject(&self, line: u64, field: &str, reason: String, fields: &[&str]) -> Record {
        let original: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let key = self
                    .mapping
                    .headers()
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("column{}", i + 1));
                (key, serde_json::Value::String(v.to_string()))
            })
            .collect();
        Err(Reject::new(
            &self.file,
            format!("line {line}"),
            field,
            reason,
            serde_json::Value::Object(original).to_string(),
        ))
    }
}

impl Iterator for DelimitedRows {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        let rec = match self.reader.next()? {
            Ok(rec) => rec,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return match e.kind() {
                    csv::ErrorKind::Io(_) => Some(Err(Error::Input {
                        path: self.file.clone().into(),
                        message: format!("read error near line {line}: {e}"),
                    })),
                    _ => Some(Ok(self.reject(
                        line,
                        "row",
                        format!("unreadable row: {e}"),
                        &[],
                    ))),
                };
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let fields: Vec<&str> = rec.iter().collect();
        let expected = self.mapping.headers().len();
        let extra_nonempty = fields.iter().skip(expected).any(|f| !f.trim().is_empty());
        if fields.len() < expected || extra_nonempty {
            let reason = format!(
                "expected {expected} fields, found {} (unbalanced quotes or stray delimiters?)",
                fields.len()
            );
            return Some(Ok(self.reject(line, "row", reason, &fields)));
        }
        if let Some(i) = fields.iter().position(|f| f.contains('\u{fffd}')) {
            let name = self.mapping.headers()[i].clone();
            return Some(Ok(self.reject(line, &name, "contains U+FFFD replacement characters: bytes that could not be decoded, here or in an earlier conversion".into(), &fields)));
        }
        let cells: Vec<Cell> = fields[..expected]
            .iter()
            .map(|f| Cell::Text(f.to_string()))
            .collect();
        let outcome = self
            .mapping
            .to_item(&cells, format!("{}:{line}", self.file));
        Some(Ok(match outcome {
            Ok(item) => Ok(item),
            Err((field, reason)) => return Some(Ok(self.reject(line, &field, reason, &fields))),
        }))
    }
}
