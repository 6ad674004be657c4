//! Excel reader (xlsx/xlsm/xlsb/xls/ods through calamine): first sheet or `--sheet`, the first
//! non-blank row is the header, blank rows are skipped, merged cells are filled from their
//! top-left cell, date cells become dates, formulas give their cached values.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader, Sheets};

use crate::error::{Error, Result};
use crate::ingest::cell::Cell;
use crate::ingest::mapping::{ColumnMapping, MapOverrides};
use crate::ingest::{Record, Reject};

/// Records from one worksheet, read into memory by calamine.
pub struct XlsxRows {
    file: String,
    sheet: String,
    mapping: ColumnMapping,
    rows: std::vec::IntoIter<(u32, Vec<Cell>)>,
}

fn to_cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if !dt.is_duration() => dt
            .as_datetime()
            .map(Cell::Date)
            .unwrap_or(Cell::Float(dt.as_f64())),
        Data::DateTime(dt) => Cell::Float(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

impl XlsxRows {
    /// The optional columns its header maps.
    pub fn columns(&self) -> crate::item::Columns {
        self.mapping.columns()
    }

    /// Opens the workbook and reads the chosen sheet.
    pub fn open(path: &Path, sheet: Option<&str>, overrides: &MapOverrides) -> Result<XlsxRows> {
        let err = |message: String| Error::Input {
            path: path.to_path_buf(),
            message,
        };
        let mut book = open_workbook_auto(path)
            .map_err(|e| err(format!("cannot open as a spreadsheet: {e}")))?;
        let names = book.sheet_names();
        let name = match sheet {
            Some(s) => names
                .iter()
                .find(|n| n.as_str() == s)
                .cloned()
                .ok_or_else(|| {
                    err(format!(
                        "no sheet named '{s}' (sheets: {})",
                        names.join(", ")
                    ))
                })?,
            None => names
                .first()
                .cloned()
                .ok_or_else(|| err("workbook has no sheets".into()))?,
        };
        let range = book
            .worksheet_range(&name)
            .map_err(|e| err(format!("sheet '{name}': {e}")))?;
        let merged = match &mut book {
            Sheets::Xlsx(x) => {
                x.load_merged_regions()
                    .map_err(|e| err(format!("sheet '{name}': merged cells: {e}")))?;
                x.merged_regions_by_sheet(&name)
                    .into_iter()
                    .map(|(_, _, d)| *d)
                    .collect()
            }
            _ => Vec::new(),
        };
        let Some((row0, col0)) = range.start() else {
            return Err(err(format!("sheet '{name}' is empty: no header row")));
        };
        let mut grid: Vec<Vec<Cell>> = range
            .rows()
            .map(|r| r.iter().map(to_cell).collect())
            .collect();
        for region in merged {
            let (sr, sc) = (
                region.start.0.saturating_sub(row0) as usize,
                region.start.1.saturating_sub(col0) as usize,
            );
            let Some(value) = grid.get(sr).and_then(|r| r.get(sc)).cloned() else {
                continue;
            };
            for r in sr..=(region.end.0.saturating_sub(row0) as usize) {
                for c in sc..=(region.end.1.saturating_sub(col0) as usize) {
                    if let Some(cell) = grid.get_mut(r).and_then(|row| row.get_mut(c)) {
                        *cell = value.clone();
                    }
                }
            }
        }
        let mut numbered = grid
            .into_iter()
            .enumerate()
            .map(|(i, cells)| (row0 + i as u32 + 1, cells))
            .filter(|(_, cells)| {
                cells
                    .iter()
                    .any(|c| !matches!(c, Cell::Empty) && !c.to_text().trim().is_empty())
            });
        let Some((_, header_cells)) = numbered.next() else {
            return Err(err(format!("sheet '{name}' is empty: no header row")));
        };
        let headers: Vec<String> = header_cells
            .iter()
            .map(|c| c.to_text().trim().to_string())
            .collect();
        let mapping = ColumnMapping::resolve(&headers, overrides);
        if !mapping.has_text() {
            return Err(mapping.missing_text_error(path));
        }
        let rows: Vec<(u32, Vec<Cell>)> = numbered.collect();
        Ok(XlsxRows {
            file: path.display().to_string(),
            sheet: name,
            mapping,
            rows: rows.into_iter(),
        })
    }
}

impl Iterator for XlsxRows {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        let (row, cells) = self.rows.next()?;
        let location = format!("{}!row {row}", self.sheet);
        Some(Ok(
            match self
                .mapping
                .to_item(&cells, format!("{}:{}", self.file, location))
            {
                Ok(item) => Ok(item),
                Err((field, reason)) => {
                    let original = self.mapping.original_json(cells.iter().map(Cell::to_text));
                    Err(Reject::new(&self.file, location, &field, reason, original))
                }
            },
        ))
    }
}
