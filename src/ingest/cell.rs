//! A cell value as the readers deliver it: text from CSV/JSONL, typed values from Excel.

use chrono::NaiveDateTime;

/// One cell of a source row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A date/time cell (Excel serial date), local time.
    Date(NaiveDateTime),
}

impl Cell {
    /// The cell as text (numbers without a spurious `.0`).
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Cell::Float(f) => f.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }

    /// The cell as an identifier (same as text; kept apart for clarity at call sites).
    pub fn to_id_text(&self) -> String {
        self.to_text()
    }

    /// The cell as a non-negative count; empty is `None`.
    pub fn to_count(&self) -> Result<Option<u64>, String> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Int(i) if *i >= 0 => Ok(Some(*i as u64)),
            Cell::Float(f) if *f >= 0.0 && f.fract() == 0.0 => Ok(Some(*f as u64)),
            other => {
                let t = other.to_text();
                let t = t.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                t.parse::<u64>()
                    .or_else(|_| {
                        t.parse::<f64>().map_err(|_| ()).and_then(|f| {
                            if f >= 0.0 && f.fract() == 0.0 {
                                Ok(f as u64)
                            } else {
                                Err(())
                            }
                        })
                    })
                    .map(Some)
                    .map_err(|_| {
                        format!(
                            "not a non-negative whole number: '{}'",
                            crate::ingest::dates::truncate(t, 30)
                        )
                    })
            }
        }
    }
}
