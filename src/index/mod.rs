//! Index stage: a tantivy index of items under one directory, with the dictionary it was
//! built with. Writing (upsert by id), querying, and reading items back live here.

pub mod document;
pub mod filters;
pub mod grammar;
mod materialized;
pub mod query;
pub mod schema;
pub mod search;
pub mod stats;
pub mod terms;
pub mod writer;

use std::path::{Path, PathBuf};

use tantivy::directory::MmapDirectory;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::error::{Error, Result};
use crate::item::Columns;
use crate::segment::grams::GramKind;
use crate::segment::tokenizer::{SegmenterTokenizer, JIEBA};
use crate::segment::{Dictionary, Segmenter};
pub use schema::Fields;

/// Default index location, relative to the working directory.
pub const DEFAULT_DIR: &str = "indexes/default";
/// Marker file that makes a directory a minyi index.
const MARKER: &str = "minyi.json";
/// Index format version written into the marker.
const FORMAT: u32 = 1;

/// An opened minyi index.
pub struct ItemIndex {
    /// The index directory.
    pub dir: PathBuf,
    /// The tantivy index.
    pub index: Index,
    /// Schema fields.
    pub fields: Fields,
    /// The segmenter, loaded with the index's own dictionary.
    pub segmenter: Segmenter,
}

impl ItemIndex {
    /// The index of `dir` with its segmenter registered as tantivy's tokenizer.
    fn of(dir: &Path, index: Index, fields: Fields, segmenter: Segmenter) -> ItemIndex {
        register(&index, &segmenter);
        ItemIndex {
            dir: dir.to_path_buf(),
            index,
            fields,
            segmenter,
        }
    }

    /// Opens an existing index; a missing one is [`Error::MissingIndex`].
    pub fn open(dir: &Path) -> Result<ItemIndex> {
        not_a_file(dir)?;
        let marker = dir.join(MARKER);
        let meta =
            std::fs::read_to_string(&marker).map_err(|_| Error::MissingIndex(dir.to_path_buf()))?;
        let meta: serde_json::Value = serde_json::from_str(&meta).map_err(|e| Error::Input {
            path: marker.clone(),
            message: format!("corrupt index marker: {e}"),
        })?;
        if meta.get("format").and_then(|v| v.as_u64()) != Some(FORMAT as u64) {
            return Err(Error::Input { path: marker, message: format!("unsupported index format (this minyi reads format {FORMAT}); rebuild the index") });
        }
        let dict = Dictionary::load(&dir.join("dict"))?;
        let segmenter = Segmenter::new(&dict)?;
        if !dir.join("tantivy").join("meta.json").exists() {
            return Err(Error::MissingIndex(dir.to_path_buf()));
        }
        let index = Index::open_in_dir(dir.join("tantivy"))?;
        let fields = schema::lookup(&index.schema())?;
        Ok(ItemIndex::of(dir, index, fields, segmenter))
    }

    /// Opens the index at `dir`, creating it with `dict` (default: the embedded dictionary)
    /// when it does not exist. An existing index keeps its own dictionary; asking for a
    /// different one is an error, since queries must be segmented like the indexed text.
    pub fn open_or_create(dir: &Path, dict: Option<&Dictionary>) -> Result<ItemIndex> {
        not_a_file(dir)?;
        if dir.join(MARKER).exists() {
            let idx = ItemIndex::open(dir)?;
            if let Some(d) = dict {
                if Dictionary::load(&dir.join("dict"))? != *d {
                    return Err(Error::Usage(format!(
                        "{} was built with a different dictionary; ingest into a new --index to use the new one",
                        dir.display()
                    )));
                }
            }
            return Ok(idx);
        }
        if dir.exists() && std::fs::read_dir(dir)?.next().is_some() && !dir.join("tantivy").exists()
        {
            // Refuse to scatter files into an unrelated non-empty directory.
            let only_gitkeep = std::fs::read_dir(dir)?
                .all(|e| e.map(|e| e.file_name() == ".gitkeep").unwrap_or(false));
            if !only_gitkeep {
                return Err(Error::Usage(format!(
                    "{} exists and is not a minyi index; choose another --index",
                    dir.display()
                )));
            }
        }
        let dict = dict.cloned().unwrap_or_else(Dictionary::embedded);
        let segmenter = Segmenter::new(&dict)?;
        std::fs::create_dir_all(dir.join("tantivy")).map_err(|e| Error::Input {
            path: dir.to_path_buf(),
            message: format!("cannot create index directory: {e}"),
        })?;
        dict.save(&dir.join("dict"))?;
        let (schema, fields) = schema::build();
        let mmap = MmapDirectory::open(dir.join("tantivy")).map_err(|e| Error::Input {
            path: dir.to_path_buf(),
            message: format!("cannot open index directory: {e}"),
        })?;
        let index = Index::open_or_create(mmap, schema)?;
        let marker = serde_json::json!({ "format": FORMAT, "created_by": concat!("minyi ", env!("CARGO_PKG_VERSION")) });
        std::fs::write(
            dir.join(MARKER),
            serde_json::to_string_pretty(&marker).expect("json"),
        )?;
        Ok(ItemIndex::of(dir, index, fields, segmenter))
    }

    /// Records in the index marker that an ingest mapped these optional columns (kept as a
    /// union over ingests), so that reports can tell an absent column from an empty one.
    pub fn note_columns(&self, mapped: Columns) -> Result<()> {
        let marker = self.dir.join(MARKER);
        let text = std::fs::read_to_string(&marker)?;
        let mut meta: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Error::Input {
                path: marker.clone(),
                message: format!("corrupt index marker: {e}"),
            })?;
        let before = marker_columns(&meta).unwrap_or(Columns::NONE);
        let now = before.union(mapped);
        if marker_columns(&meta) == Some(now) {
            return Ok(());
        }
        meta["columns"] = serde_json::json!(now.names());
        // Written beside, then renamed: a reader never sees half a marker.
        let tmp = self.dir.join(format!("{MARKER}.tmp"));
        std::fs::write(&tmp, serde_json::to_string_pretty(&meta).expect("json"))?;
        std::fs::rename(&tmp, &marker)?;
        Ok(())
    }

    /// The optional columns the index has: those its ingests mapped (recorded in the marker),
    /// and those that hold a value in any item. An index made before columns were recorded
    /// counts a column present when an item has a value in it, and 办理反馈 as present.
    pub fn columns(&self) -> Result<Columns> {
        let marker = self.dir.join(MARKER);
        let recorded = std::fs::read_to_string(&marker)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|m| marker_columns(&m));
        let data = self.data_columns()?;
        Ok(match recorded {
            Some(c) => c.union(data),
            None => Columns {
                feedback: true,
                ..data
            },
        })
    }

    /// A reader that sees the last commit.
    pub fn reader(&self) -> Result<IndexReader> {
        Ok(self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?)
    }
}

/// The columns the marker records (`None` for a marker written before they were recorded).
fn marker_columns(meta: &serde_json::Value) -> Option<Columns> {
    let names = meta.get("columns")?.as_array()?;
    let mut c = Columns::NONE;
    for n in names.iter().filter_map(|n| n.as_str()) {
        c.note(n);
    }
    Some(c)
}

/// Refuses an index path that is a plain file (an input file given to --index, say): an
/// index is a directory.
fn not_a_file(dir: &Path) -> Result<()> {
    if dir.is_file() {
        return Err(Error::Usage(format!(
            "--index {} is a file, not an index: --index takes the directory that `minyi ingest FILE --index DIR` creates and fills (default {DEFAULT_DIR})",
            dir.display()
        )));
    }
    Ok(())
}

fn register(index: &Index, segmenter: &Segmenter) {
    let tokenizers = index.tokenizers();
    tokenizers.register(
        JIEBA,
        TextAnalyzer::from(SegmenterTokenizer(segmenter.clone())),
    );
    for kind in [GramKind::Chars, GramKind::Bigrams] {
        tokenizers.register(kind.tokenizer_name(), TextAnalyzer::from(kind.tokenizer()));
    }
}
