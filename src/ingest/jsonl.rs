//! JSON Lines reader: one object per line; keys are mapped like CSV headers.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex};

use crate::ingest::encoding::{field_text, Decoded};
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::ingest::cell::Cell;
use crate::ingest::mapping::{ColumnMapping, MapOverrides};
use crate::ingest::{Record, Reject};
use crate::item::Columns;

/// Streams records from a JSONL file.
pub struct JsonlRows {
    file: String,
    lines: std::io::Split<BufReader<Box<dyn Read + Send>>>,
    transcoded: bool,
    encoding: &'static str,
    line: u64,
    overrides: MapOverrides,
    mappings: HashMap<Vec<String>, ColumnMapping>,
    /// The optional columns mapped by any object's keys so far.
    columns: Arc<Mutex<Columns>>,
    /// The first object, read ahead at open to check that it has a title or body key.
    pending: Option<(u64, std::result::Result<String, String>)>,
}

impl JsonlRows {
    /// The optional columns that the objects read so far map (shared: it grows as reading
    /// goes on, since each object may have keys of its own).
    pub fn columns(&self) -> Arc<Mutex<Columns>> {
        self.columns.clone()
    }

    /// Opens the stream and checks the first object's keys.
    pub fn open(path: &Path, input: Decoded, overrides: &MapOverrides) -> Result<JsonlRows> {
        let mut rows = JsonlRows {
            file: path.display().to_string(),
            lines: BufReader::new(input.reader).split(b'\n'),
            transcoded: input.transcoded,
            encoding: input.name,
            line: 0,
            overrides: overrides.clone(),
            mappings: HashMap::new(),
            columns: Arc::new(Mutex::new(Columns::NONE)),
            pending: None,
        };
        // Find the first non-blank line; if it is an object, its keys must map to a title or body.
        while let Some(next) = rows.lines.next() {
            rows.line += 1;
            let bytes = next.map_err(|e| Error::Input {
                path: path.to_path_buf(),
                message: format!("line {}: {e}", rows.line),
            })?;
            let text = field_text(&bytes, rows.transcoded, rows.encoding);
            if text.as_deref().is_ok_and(|t| t.trim().is_empty()) {
                continue;
            }
            if let Ok(Value::Object(obj)) = text
                .as_deref()
                .map_err(|_| ())
                .and_then(|t| serde_json::from_str::<Value>(t).map_err(|_| ()))
            {
                let keys: Vec<String> = obj.keys().cloned().collect();
                let mapping = ColumnMapping::resolve(&keys, overrides);
                if !mapping.has_text() {
                    return Err(mapping.missing_text_error(path));
                }
            }
            rows.pending = Some((rows.line, text));
            break;
        }
        if rows.pending.is_none() {
            return Err(Error::Input {
                path: path.to_path_buf(),
                message: "empty file: no JSON objects".into(),
            });
        }
        Ok(rows)
    }

    /// Parses a line, or rejects it when its bytes could not be decoded.
    fn parse_checked(&mut self, line: u64, text: std::result::Result<String, String>) -> Record {
        match text {
            Ok(t) => self.parse(line, t.trim_end_matches('\r')),
            Err(reason) => Err(Reject::new(
                &self.file,
                format!("line {line}"),
                "line",
                reason,
                String::new(),
            )),
        }
    }

    fn parse(&mut self, line: u64, text: &str) -> Record {
        let reject = |field: &str, reason: String| {
            Err(Reject::new(
                &self.file,
                format!("line {line}"),
                field,
                reason,
                text.chars().take(10_000).collect(),
            ))
        };
        let obj = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(obj)) => obj,
            Ok(_) => return reject("line", "not a JSON object".into()),
            Err(e) => return reject("line", format!("invalid JSON: {e}")),
        };
        let keys: Vec<String> = obj.keys().cloned().collect();
        let overrides = &self.overrides;
        let columns = &self.columns;
        let mapping = self.mappings.entry(keys.clone()).or_insert_with(|| {
            let m = ColumnMapping::resolve(&keys, overrides);
            let mut seen = columns.lock().unwrap_or_else(|e| e.into_inner());
            *seen = seen.union(m.columns());
            m
        });
        if !mapping.has_text() {
            let reason = format!("no title or body key (keys: {})", keys.join(", "));
            return reject("title/body", reason);
        }
        let cells: Vec<Cell> = obj
            .values()
            .map(|v| match v {
                Value::Null => Cell::Empty,
                Value::String(s) => Cell::Text(s.clone()),
                Value::Bool(b) => Cell::Bool(*b),
                Value::Number(n) => n
                    .as_i64()
                    .map(Cell::Int)
                    .unwrap_or_else(|| Cell::Float(n.as_f64().unwrap_or(f64::NAN))),
                other => Cell::Text(other.to_string()),
            })
            .collect();
        let source = format!("{}:{line}", self.file);
        match mapping.to_item(&cells, source) {
            Ok(item) => Ok(item),
            Err((field, reason)) => reject(&field, reason),
        }
    }
}

impl Iterator for JsonlRows {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((line, text)) = self.pending.take() {
            return Some(Ok(self.parse_checked(line, text)));
        }
        loop {
            let next = self.lines.next()?;
            self.line += 1;
            let bytes = match next {
                Ok(t) => t,
                Err(e) => {
                    return Some(Err(Error::Input {
                        path: self.file.clone().into(),
                        message: format!("line {}: {e}", self.line),
                    }))
                }
            };
            let text = field_text(&bytes, self.transcoded, self.encoding);
            if text.as_deref().is_ok_and(|t| t.trim().is_empty()) {
                continue;
            }
            let line = self.line;
            return Some(Ok(self.parse_checked(line, text)));
        }
    }
}
