//! CSV and TSV reader: header row, RFC 4180 quoting, one record per row with its line number.
//! Fields are read as bytes and checked one by one, so a row with undecodable bytes is
//! rejected with its line and field while the rest of the file goes on.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::ingest::cell::Cell;
use crate::ingest::encoding::{field_text, Decoded};
use crate::ingest::mapping::{ColumnMapping, MapOverrides};
use crate::ingest::{Record, Reject};

/// Streams records from a delimited text file.
pub struct DelimitedRows {
    file: String,
    reader: csv::ByteRecordsIntoIter<Box<dyn Read + Send>>,
    mapping: ColumnMapping,
    transcoded: bool,
    encoding: &'static str,
}

impl DelimitedRows {
    /// The optional columns its header maps.
    pub fn columns(&self) -> crate::item::Columns {
        self.mapping.columns()
    }

    /// Reads the header row and resolves the column mapping.
    pub fn open(
        path: &Path,
        input: Decoded,
        delimiter: u8,
        overrides: &MapOverrides,
    ) -> Result<DelimitedRows> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(input.reader);
        let err = |message: String| Error::Input {
            path: path.to_path_buf(),
            message,
        };
        let raw = reader
            .byte_headers()
            .map_err(|e| err(format!("cannot read the header row: {e}")))?;
        let headers: Vec<String> = raw
            .iter()
            .map(|h| field_text(h, input.transcoded, input.name))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| err(format!("header row: {e}")))?;
        if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
            return Err(err("empty file: no header row".into()));
        }
        let mapping = ColumnMapping::resolve(&headers, overrides);
        if !mapping.has_text() {
            return Err(mapping.missing_text_error(path));
        }
        Ok(DelimitedRows {
            file: path.display().to_string(),
            reader: reader.into_byte_records(),
            mapping,
            transcoded: input.transcoded,
            encoding: input.name,
        })
    }

    fn reject(&self, line: u64, field: &str, reason: String, fields: &[String]) -> Record {
        let original = self.mapping.original_json(fields.iter().cloned());
        Err(Reject::new(
            &self.file,
            format!("line {line}"),
            field,
            reason,
            original,
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
        let mut fields = Vec::with_capacity(rec.len());
        let mut bad: Option<(usize, String)> = None;
        for (i, raw) in rec.iter().enumerate() {
            match field_text(raw, self.transcoded, self.encoding) {
                Ok(t) => fields.push(t),
                Err(reason) => {
                    bad.get_or_insert((i, reason));
                    fields.push(String::from_utf8_lossy(raw).into_owned());
                }
            }
        }
        if let Some((i, reason)) = bad {
            let name = self
                .mapping
                .headers()
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("column{}", i + 1));
            return Some(Ok(self.reject(line, &name, reason, &fields)));
        }
        let expected = self.mapping.headers().len();
        let extra_nonempty = fields.iter().skip(expected).any(|f| !f.trim().is_empty());
        if fields.len() < expected || extra_nonempty {
            let reason = format!(
                "expected {expected} fields, found {} (unbalanced quotes or stray delimiters?)",
                fields.len()
            );
            return Some(Ok(self.reject(line, "row", reason, &fields)));
        }
        let cells: Vec<Cell> = fields[..expected]
            .iter()
            .map(|f| Cell::Text(f.clone()))
            .collect();
        Some(Ok(
            match self
                .mapping
                .to_item(&cells, format!("{}:{line}", self.file))
            {
                Ok(item) => Ok(item),
                Err((field, reason)) => self.reject(line, &field, reason, &fields),
            },
        ))
    }
}
