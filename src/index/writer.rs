//! The index writer: upsert by id (new, updated or unchanged by content hash), one writer at
//! a time (a second gets a clear lock error), periodic commits so a crash keeps a prefix.

use std::collections::HashMap;

use tantivy::{IndexWriter, TantivyDocument, Term};

use super::ItemIndex;
use crate::error::{Error, Result};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// The id was not in the index.
    New,
    /// The id was there with different content; the old item is replaced.
    Updated,
    /// The id was there with the same content; nothing is written.
    Unchanged,
}

/// Writes items into an [`ItemIndex`].
pub struct ItemWriter {
    writer: IndexWriter<TantivyDocument>,
    fields: super::Fields,
    /// Content hash of every id in the index (committed or pending).
    known: HashMap<String, u64>,
}

/// Memory budget of the tantivy writer, all threads together.
pub const DEFAULT_MEMORY: usize = 256 * 1024 * 1024;

impl ItemWriter {
    /// Takes the index's writer lock and loads the ids already indexed.
    pub fn new(index: &ItemIndex, threads: usize, memory: usize) -> Result<ItemWriter> {
        let threads = threads.clamp(1, 8);
        let memory = memory.max(threads * 20_000_000);
        let writer = index
            .index
            .writer_with_num_threads(threads, memory)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => Error::Locked(index.dir.clone()),
                other => Error::Tantivy(other),
            })?;
        let known = load_known(index)?;
        Ok(ItemWriter {
            writer,
            fields: index.fields,
            known,
        })
    }

    /// Number of items in the index, counting pending ones.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether the index holds no items.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// Decides what writing an item with this id and hash would do, and records it.
    /// Call in input order: of two rows with one id, the later one wins.
    pub fn classify(&mut self, id: &str, hash: u64) -> Upsert {
        match self.known.insert(id.to_string(), hash) {
            None => Upsert::New,
            Some(old) if old == hash => Upsert::Unchanged,
            Some(_) => Upsert::Updated,
        }
    }

    /// Writes a classified item's document (`New` or `Updated`; see [`document::to_document`]).
    pub fn write(&mut self, kind: Upsert, id: &str, doc: TantivyDocument) -> Result<()> {
        if kind == Upsert::Unchanged {
            return Ok(());
        }
        if kind == Upsert::Updated {
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, id));
        }
        self.writer.add_document(doc)?;
        Ok(())
    }

    /// The schema fields, for building documents.
    pub fn fields(&self) -> &super::Fields {
        &self.fields
    }

    /// Commits everything written so far.
    pub fn commit(&mut self) -> Result<()> {
        self.writer.commit()?;
        Ok(())
    }

    /// Commits and waits for background merges, releasing the lock.
    pub fn finish(mut self) -> Result<()> {
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}

/// Reads `id → hash` for every live document from the fast fields.
fn load_known(index: &ItemIndex) -> Result<HashMap<String, u64>> {
    let searcher = index.reader()?.searcher();
    let mut known = HashMap::with_capacity(searcher.num_docs() as usize);
    for seg in searcher.segment_readers() {
        let fast = seg.fast_fields();
        let Some(ids) = fast.str(super::schema::names::ID)? else {
            continue;
        };
        let hashes = fast.u64(super::schema::names::HASH)?;
        let mut terms: Vec<String> = Vec::with_capacity(ids.num_terms());
        let mut stream = ids.dictionary().stream()?;
        while stream.advance() {
            terms.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
        let alive = seg.alive_bitset();
        for doc in 0..seg.max_doc() {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                continue;
            }
            if let (Some(ord), Some(h)) = (ids.ords().first(doc), hashes.first(doc)) {
                if let Some(id) = terms.get(ord as usize) {
                    known.insert(id.clone(), h);
                }
            }
        }
    }
    Ok(known)
}
