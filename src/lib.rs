//! # minyi (民意)
//!
//! A pipeline for Chinese information items (社情民意信息): the short submissions that
//! information officers, committee members and citizens send to a government or CPPCC office.
//!
//! ```text
//! ingest  →  segment  →  index  →  text  →  topics (themes)  →  report
//! (rows)     (terms)     (tantivy)  (TF-IDF)   ↘ problems ↗      (md/html/csv)
//!                           ↑
//!                         search (query → hits)
//! ```
//!
//! * [`ingest`] reads CSV/TSV/JSONL/Excel in UTF-8, UTF-16 or GB18030 into [`Item`]s, or
//!   rejects rows with the file, line, field and reason.
//! * [`segment`] segments Chinese with one shared jieba-rs instance (user dictionary and
//!   stopwords from `corpora/dict/`) and makes character grams for substring search.
//! * [`index`] stores items in tantivy (upsert by id) and answers queries.
//! * [`pipeline`] wires ingest → segment → index with rayon, in bounded batches.
//! * [`text`] turns items into TF-IDF vectors, neighbours, keywords and labels, for both
//!   [`topics`] (broad themes: 热点, 难点, 亮点) and [`problems`] (specific problems with a
//!   heat index: `minyi hot`); a topic run finds both.
//! * [`engine`] is the protocol for other engines (Spark): the model, assignment, problems
//!   and sums that a distributed run computes as local minyi does.
//! * [`engine::exchange`] writes items with their terms as JSON lines for other engines (Spark):
//!   `minyi segment` and `minyi export`.
//!
//! ```
//! use minyi::index::search::SearchRequest;
//! use minyi::pipeline::{ingest, IngestConfig};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let csv = dir.path().join("items.csv");
//! std::fs::write(&csv, "标题,正文,报送时间\n关于老旧小区加装电梯的建议,某小区居民多次反映加装电梯协调难。,2024-03-01\n").unwrap();
//! let index_dir = dir.path().join("index");
//! let summary = ingest(&IngestConfig::new(index_dir.clone(), vec![csv]), &|_, _, _| {}).unwrap();
//! assert_eq!((summary.read, summary.new, summary.rejected), (1, 1, 0));
//!
//! let index = minyi::index::ItemIndex::open(&index_dir).unwrap();
//! let req = SearchRequest { query: Some("电梯协调".into()), limit: 10, ..Default::default() };
//! assert_eq!(index.search(&req).unwrap().total, 1);
//! ```

pub mod config;
pub mod embed;
pub mod engine;
pub mod error;
pub mod index;
pub mod ingest;
pub mod item;
pub mod period;
pub mod pipeline;
pub mod problems;
pub mod report;
pub mod segment;
pub mod text;
pub mod topics;
pub mod util;

pub use error::{Error, Result};
pub use item::{Adoption, Item};
