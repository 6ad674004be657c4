//! Typed library errors, each carrying where the problem is (file, line, field).

use std::path::PathBuf;

/// Errors raised by the minyi library. The CLI adds context and maps them to exit codes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file could not be read or understood as a whole.
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },

    /// An input file has no usable title or body column.
    #[error("{path}: no title or body column found; headers seen: [{seen}]; accepted names: {accepted} (or use --map title=COLUMN / --map body=COLUMN)")]
    NoTextColumn {
        path: PathBuf,
        seen: String,
        accepted: String,
    },

    /// The index directory does not exist or holds no minyi index.
    #[error("no index at {0} (build one with `minyi ingest FILE --index {0}`)")]
    MissingIndex(PathBuf),

    /// Another process holds the index writer lock.
    #[error(
        "index is locked: another minyi process is writing to {0}; wait for it to finish and retry"
    )]
    Locked(PathBuf),

    /// The user's query could not be parsed.
    #[error("malformed query: {0}")]
    Query(String),

    /// A command-line value (date, level, mapping) is invalid.
    #[error("{0}")]
    Usage(String),

    /// The dictionary or stopword files could not be loaded.
    #[error("dictionary {path}: {message}")]
    Dictionary { path: PathBuf, message: String },

    /// A sentence-embedding model or its static table could not be used.
    #[error("model {path}: {message}")]
    Model { path: PathBuf, message: String },

    /// An error from the search engine.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),

    /// Operating-system I/O error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl Error {
    /// Whether this error is the user's to fix (bad arguments, query, missing index, bad file).
    pub fn is_usage(&self) -> bool {
        !matches!(self, Error::Io(_) | Error::Tantivy(_))
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
