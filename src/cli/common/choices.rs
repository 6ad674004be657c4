//! The command-line choices of the library's enums. The library does not depend on clap: each
//! flag's values (and their `--help` lines) are declared here and turned into the library's
//! type with `into()`.

use minyi::embed::Mode as LibMode;
use minyi::index::search::SortBy as LibSortBy;
use minyi::ingest::{EncodingChoice as LibEncoding, Format as LibInputFormat};
use minyi::report::batch::Cadence as LibCadence;
use minyi::report::Format as LibReportFormat;

/// An enum of flag values with the same variants as a library enum, and `From` into it.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident => $lib:ident { $($(#[$vmeta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl From<$name> for $lib {
            fn from(c: $name) -> $lib {
                match c {
                    $($name::$variant => $lib::$variant,)+
                }
            }
        }
    };
}

choice! {
    /// How a report or bulletin is written (`--format`).
    ReportFormat => LibReportFormat {
        /// One self-contained HTML file (inline CSS and SVG charts), printable on A4.
        Html,
        /// Markdown, for pasting into documents.
        Md,
        /// CSV with a UTF-8 BOM (opens in Excel).
        Csv,
        /// JSON, for other tools.
        Json,
    }
}

choice! {
    /// One report per calendar window (`report --batch`).
    Cadence => LibCadence {
        /// One report per calendar month.
        Monthly,
        /// One report per calendar quarter.
        Quarterly,
    }
}

choice! {
    /// The text encoding of input files (`--encoding`).
    Encoding => LibEncoding {
        /// Detect: BOM first, then UTF-8 if the bytes are valid UTF-8, else GB18030.
        Auto,
        /// UTF-8 (a BOM is skipped).
        #[value(name = "utf-8", alias = "utf8")]
        Utf8,
        /// GB18030, which covers GBK and GB2312.
        #[value(name = "gb18030", alias = "gbk", alias = "gb2312")]
        Gb18030,
    }
}

choice! {
    /// The format of input files, instead of detecting it (`--input-format`).
    InputFormat => LibInputFormat {
        Csv,
        Tsv,
        Jsonl,
        Xlsx,
    }
}

choice! {
    /// How items are embedded (`--embed-mode`).
    EmbedMode => LibMode {
        /// The whole model for every item (best quality; about 250 titles/s on 2 cores).
        Full,
        /// The distilled word table (`minyi model distill` first; tens of thousands of items/s).
        Static,
    }
}

choice! {
    /// The order of search hits (`--sort`).
    Sort => LibSortBy {
        /// BM25 relevance, title weighted above body.
        Relevance,
        /// Most recent first (undated items last).
        Newest,
        /// Oldest first (undated items last).
        Oldest,
    }
}
