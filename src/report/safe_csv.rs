//! CSV for spreadsheets: a UTF-8 BOM (so Excel reads UTF-8) and every cell guarded against
//! formula injection.

/// Guards a CSV cell against formula injection in spreadsheets (a leading `= + - @`, tab or
/// carriage return gets a quote, so Excel shows the text instead of evaluating it).
pub fn csv_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// A CSV writer that starts with a UTF-8 BOM (so Excel reads UTF-8) and guards every cell
/// with [`csv_safe`]: into memory for reports, onto standard output for the listing commands.
pub struct SafeCsv<W: std::io::Write = Vec<u8>> {
    w: csv::Writer<W>,
}

impl SafeCsv<Vec<u8>> {
    /// A writer into memory (the BOM already written).
    pub fn new() -> SafeCsv<Vec<u8>> {
        SafeCsv {
            w: csv::Writer::from_writer("\u{feff}".as_bytes().to_vec()),
        }
    }

    /// The bytes written.
    pub fn finish(self) -> crate::Result<Vec<u8>> {
        self.w
            .into_inner()
            .map_err(|e| crate::Error::Io(e.into_error()))
    }
}

impl<W: std::io::Write> SafeCsv<W> {
    /// A writer onto `out`, starting with the BOM.
    pub fn to(mut out: W) -> std::io::Result<SafeCsv<W>> {
        out.write_all("\u{feff}".as_bytes())?;
        Ok(SafeCsv {
            w: csv::Writer::from_writer(out),
        })
    }

    /// Writes one row.
    pub fn row<I, S>(&mut self, cells: I) -> crate::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.w
            .write_record(cells.into_iter().map(|c| csv_safe(c.as_ref())))?;
        Ok(())
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

impl Default for SafeCsv<Vec<u8>> {
    fn default() -> Self {
        SafeCsv::new()
    }
}

#[cfg(test)]
mod tests {
    use super::csv_safe;

    #[test]
    fn a_formula_gets_a_quote_and_text_stays() {
        assert_eq!(csv_safe("=1+1"), "'=1+1");
        assert_eq!(csv_safe("正常"), "正常");
    }
}
