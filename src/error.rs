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

    /// The settings file (or a lexicon it names) is missing, unreadable or invalid.
    #[error("{path}: {message}")]
    Settings { path: PathBuf, message: String },

    /// A report, list or workbook could not be rendered (a template, CSV or JSON writer
    /// failed, or the parts given do not fit together).
    #[error("{0}")]
    Output(String),

    /// Data handed between stages (a topics file, a topic model, an engine's tallies) does
    /// not hold together; the caller names the file.
    #[error("{0}")]
    Malformed(String),

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
        !matches!(self, Error::Io(_) | Error::Tantivy(_) | Error::Output(_))
    }
}

impl From<minijinja::Error> for Error {
    fn from(e: minijinja::Error) -> Self {
        Error::Output(e.to_string())
    }
}

impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Self {
        let message = e.to_string();
        match e.into_kind() {
            // Kept as I/O, so that a closed pipe (`minyi search … | head`) is recognised.
            csv::ErrorKind::Io(io) => Error::Io(io),
            _ => Error::Output(message),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Output(e.to_string())
    }
}

/// An [`Error::Malformed`] with a formatted message.
macro_rules! malformed {
    ($($t:tt)*) => {
        $crate::Error::Malformed(format!($($t)*))
    };
}
pub(crate) use malformed;

/// The error of a part this build leaves out: `what` needs the Cargo feature `feature`.
pub fn not_built(feature: &str, what: &str) -> Error {
    Error::Usage(format!(
        "此 minyi 构建时未包含「{what}」（Cargo 特性 {feature}）：请加上它重新构建，如 cargo install --path . --features {feature}"
    ))
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
