//! The rejects file: every row that was not indexed, with its source, location, field and reason.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ingest::Reject;

/// Writes rejects as CSV (UTF-8 with BOM so Excel opens it correctly).
pub struct RejectsWriter {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
    count: u64,
}

impl RejectsWriter {
    /// Creates (or truncates) the rejects file and writes its header.
    pub fn create(path: &Path) -> Result<RejectsWriter> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let file = File::create(path).map_err(|e| Error::Input {
            path: path.to_path_buf(),
            message: format!("cannot create rejects file: {e}"),
        })?;
        let mut buf = BufWriter::new(file);
        buf.write_all("\u{feff}".as_bytes())?;
        let mut writer = csv::Writer::from_writer(buf);
        writer
            .write_record(["file", "location", "field", "reason", "original"])
            .map_err(csv_err)?;
        Ok(RejectsWriter {
            path: path.to_path_buf(),
            writer,
            count: 0,
        })
    }

    /// Appends one reject.
    pub fn write(&mut self, r: &Reject) -> Result<()> {
        self.writer
            .write_record([&r.file, &r.location, &r.field, &r.reason, &r.original])
            .map_err(csv_err)?;
        self.count += 1;
        Ok(())
    }

    /// Rejects written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Flushes the file and returns its path.
    pub fn finish(mut self) -> Result<PathBuf> {
        self.writer.flush()?;
        Ok(self.path)
    }
}

fn csv_err(e: csv::Error) -> Error {
    Error::Io(std::io::Error::other(e))
}
