//! The ingest pipeline: ingest → segment → index, in bounded batches. Rows are read and
//! classified (new / updated / unchanged / rejected) in input order, segmented in parallel with
//! rayon over the one shared segmenter, and written by the index writer, committing
//! periodically so an interrupted run keeps a consistent prefix.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use crate::error::Result;
use crate::index::writer::{ItemWriter, Upsert, DEFAULT_MEMORY};
use crate::index::{document, ItemIndex};
use crate::ingest::rejects::RejectsWriter;
use crate::ingest::{ReadOptions, Reject, Source};
use crate::item::Columns;
use crate::segment::Dictionary;

/// Settings of one ingest run.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    pub index_dir: PathBuf,
    pub files: Vec<PathBuf>,
    pub read: ReadOptions,
    /// Where rejected rows go (default: `<index>/rejects.csv`).
    pub rejects: Option<PathBuf>,
    /// Dictionary for a new index (default: the embedded one).
    pub dict: Option<Dictionary>,
    /// Rows per batch (bounds memory).
    pub batch_size: usize,
    /// Commit after this many written items.
    pub commit_every: usize,
    /// Index writer threads (0: as many as cores, at most 8).
    pub threads: usize,
    /// Index writer memory budget in bytes.
    pub memory: usize,
}

impl IngestConfig {
    /// A configuration with sane defaults.
    pub fn new(index_dir: PathBuf, files: Vec<PathBuf>) -> IngestConfig {
        IngestConfig {
            index_dir,
            files,
            read: ReadOptions::default(),
            rejects: None,
            dict: None,
            batch_size: 4096,
            commit_every: 100_000,
            threads: 0,
            memory: DEFAULT_MEMORY,
        }
    }
}

/// Per-file counts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileSummary {
    pub path: String,
    pub format: String,
    pub encoding: String,
    pub read: u64,
    pub rejected: u64,
}

/// What an ingest run did. Always `read == new + updated + unchanged + rejected`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IngestSummary {
    pub read: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub rejects_path: String,
    /// Cells of kept items that could not be read (written to the rejects file too; the
    /// item was indexed with the field empty). Not part of `read`'s sum.
    pub cells_rejected: u64,
    /// Rows whose id appeared earlier in this same run (the later row won).
    pub duplicate_ids: u64,
    /// Items in the index after the run.
    pub items_in_index: u64,
    /// The ids of the items written (new or updated), for the registry update after it.
    #[serde(skip)]
    pub written: Vec<String>,
    pub seconds: f64,
    pub files: Vec<FileSummary>,
}

/// Progress reporting hook: called after each batch with (bytes done, bytes total, rows read).
pub type ProgressFn<'a> = &'a (dyn Fn(u64, u64, u64) + Sync);

/// Runs an ingest.
pub fn ingest(cfg: &IngestConfig, progress: ProgressFn<'_>) -> Result<IngestSummary> {
    let started = Instant::now();
    // Open every file first, so a bad file fails the run before anything is written.
    let mut sources = cfg
        .files
        .iter()
        .map(|p| Source::open(p, &cfg.read))
        .collect::<Result<Vec<_>>>()?;
    let index = ItemIndex::open_or_create(&cfg.index_dir, cfg.dict.as_ref())?;
    let threads = if cfg.threads == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    } else {
        cfg.threads
    };
    let mut writer = ItemWriter::new(&index, threads, cfg.memory)?;
    let rejects_path = cfg
        .rejects
        .clone()
        .unwrap_or_else(|| cfg.index_dir.join("rejects.csv"));
    let mut rejects = RejectsWriter::create(&rejects_path)?;
    let total_bytes: u64 = sources.iter().map(|s| s.size).sum();
    let mut done_bytes = 0u64;
    let mut sum = IngestSummary::default();
    let mut seen_ids: HashSet<u64> = HashSet::new();
    let mut since_commit = 0usize;
    for source in sources.iter_mut() {
        let mut file = FileSummary {
            path: source.path.display().to_string(),
            format: format!("{:?}", source.format).to_lowercase(),
            encoding: source.encoding.to_string(),
            read: 0,
            rejected: 0,
        };
        loop {
            let batch = source.next_batch(cfg.batch_size)?;
            if batch.is_empty() {
                break;
            }
            let mut to_write = Vec::with_capacity(batch.len());
            for record in batch {
                sum.read += 1;
                file.read += 1;
                match record {
                    Err(reject) => {
                        rejects.write(&reject)?;
                        sum.rejected += 1;
                        file.rejected += 1;
                    }
                    Ok(mut item) => {
                        for bad in std::mem::take(&mut item.bad_cells) {
                            let location = item
                                .source
                                .strip_prefix(&format!("{}:", file.path))
                                .map_or_else(|| item.source.clone(), location_of);
                            rejects.write(&Reject::new(
                                &file.path,
                                location,
                                &bad.field,
                                bad.reason,
                                bad.original,
                            ))?;
                            sum.cells_rejected += 1;
                        }
                        if !seen_ids.insert(id_key(&item.id)) {
                            sum.duplicate_ids += 1;
                        }
                        let hash = item.content_hash();
                        let kind = writer.classify(&item.id, hash);
                        match kind {
                            Upsert::New => sum.new += 1,
                            Upsert::Updated => sum.updated += 1,
                            Upsert::Unchanged => {
                                sum.unchanged += 1;
                                continue;
                            }
                        }
                        sum.written.push(item.id.clone());
                        to_write.push((kind, item, hash));
                    }
                }
            }
            // Classification is sequential (input order decides which duplicate wins); the
            // documents are built in parallel (their named objects found there), and tantivy's
            // indexing threads segment them.
            let fields = *writer.fields();
            let seg = &index.segmenter;
            let docs: Vec<_> = to_write
                .into_par_iter()
                .map(|(kind, item, hash)| {
                    (
                        kind,
                        document::to_document(&fields, &item, hash, seg),
                        item.id,
                    )
                })
                .collect();
            since_commit += docs.len();
            for (kind, doc, id) in docs {
                writer.write(kind, &id, doc)?;
            }
            if since_commit >= cfg.commit_every {
                writer.commit()?;
                since_commit = 0;
            }
            progress(done_bytes + source.bytes_read(), total_bytes, sum.read);
        }
        done_bytes += source.size;
        sum.files.push(file);
    }
    sum.items_in_index = writer.len() as u64;
    writer.finish()?;
    let mapped = sources
        .iter()
        .fold(Columns::NONE, |c, s| c.union(s.columns()));
    index.note_columns(mapped)?;
    sum.rejects_path = rejects.finish()?.display().to_string();
    sum.seconds = started.elapsed().as_secs_f64();
    debug_assert_eq!(
        sum.read,
        sum.new + sum.updated + sum.unchanged + sum.rejected
    );
    Ok(sum)
}

/// A row's location as the rejects file writes it: `line N` for a line number, else as is
/// (`Sheet1!row 3`).
fn location_of(rest: &str) -> String {
    if rest.bytes().all(|b| b.is_ascii_digit()) {
        format!("line {rest}")
    } else {
        rest.to_string()
    }
}

fn id_key(id: &str) -> u64 {
    crate::util::u64_of(blake3::hash(id.as_bytes()))
}
