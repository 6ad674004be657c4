//! The vectors of an index, stored beside it (`<index>/embeddings/`), keyed by item id.
//!
//! `meta.json` names the model and path (full or static) that made them: vectors of two models
//! never mix. `vectors.bin` is an append-only log of records — id, a hash of the text that was
//! embedded, and the vector in f16 — where a later record for an id replaces an earlier one
//! (an upsert). A record whose text hash no longer matches the item is stale and is not used.
//! A torn record at the end (a crash while appending) is ignored and cut off on the next
//! append; `compact` rewrites the log with the live records only.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use half::f16;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const DIR: &str = "embeddings";
const META: &str = "meta.json";
const LOG: &str = "vectors.bin";
const MAGIC: &[u8; 8] = b"MINYIVEC";

/// What made the vectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreMeta {
    /// Model fingerprint (see [`super::Model::fingerprint`]).
    pub model: String,
    pub mode: super::Mode,
    pub dim: usize,
    /// The model directory used when the vectors were made (for `search --semantic`).
    pub model_dir: String,
}

/// The stored vectors of an index.
pub struct Store {
    dir: PathBuf,
    pub meta: StoreMeta,
    /// id → (text hash, vector), in f16 as on disk: half the memory of f32 (2 GB less at
    /// 1M items of 512 dimensions); readers get f32.
    vectors: HashMap<String, (u64, Vec<f16>)>,
    /// Records in the log (live or replaced).
    records: usize,
    /// Bytes of whole records in the log.
    valid_len: u64,
}

fn to_f32(v: &[f16]) -> Vec<f32> {
    v.iter().map(|x| x.to_f32()).collect()
}

fn corrupt(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::Input {
        path: path.to_path_buf(),
        message: format!("embedding store: {message}"),
    }
}

impl Store {
    /// Whether `index_dir` has stored vectors.
    pub fn exists(index_dir: &Path) -> bool {
        index_dir.join(DIR).join(META).exists()
    }

    /// Opens the vectors of `index_dir`.
    pub fn open(index_dir: &Path) -> Result<Store> {
        let dir = index_dir.join(DIR);
        let meta_path = dir.join(META);
        let text = std::fs::read_to_string(&meta_path).map_err(|_| {
            Error::Usage(format!(
                "{} has no embeddings; compute them with `minyi embed --index {} --model DIR`",
                index_dir.display(),
                index_dir.display()
            ))
        })?;
        let meta: StoreMeta = serde_json::from_str(&text).map_err(|e| corrupt(&meta_path, e))?;
        let mut store = Store {
            dir,
            meta,
            vectors: HashMap::new(),
            records: 0,
            valid_len: MAGIC.len() as u64,
        };
        store.read_log()?;
        Ok(store)
    }

    /// Opens the vectors of `index_dir` for `meta`'s model, creating the store if there is
    /// none. Vectors of another model are refused unless `rebuild`, which starts afresh.
    pub fn open_for(index_dir: &Path, meta: &StoreMeta, rebuild: bool) -> Result<Store> {
        if Store::exists(index_dir) && !rebuild {
            let s = Store::open(index_dir)?;
            if s.meta.model != meta.model || s.meta.mode != meta.mode || s.meta.dim != meta.dim {
                return Err(Error::Usage(format!(
                    "{} holds vectors of another model ({} {}); use `minyi embed --rebuild` to replace them",
                    index_dir.display(),
                    s.meta.model_dir,
                    s.meta.mode.as_str()
                )));
            }
            return Ok(s);
        }
        let dir = index_dir.join(DIR);
        std::fs::create_dir_all(&dir)?;
        let log = dir.join(LOG);
        let mut f = File::create(&log)?;
        f.write_all(MAGIC)?;
        f.sync_all()?;
        std::fs::write(
            dir.join(META),
            serde_json::to_string_pretty(meta).expect("json"),
        )?;
        Ok(Store {
            dir,
            meta: meta.clone(),
            vectors: HashMap::new(),
            records: 0,
            valid_len: MAGIC.len() as u64,
        })
    }

    fn read_log(&mut self) -> Result<()> {
        let path = self.dir.join(LOG);
        let file = File::open(&path).map_err(|e| corrupt(&path, e))?;
        let mut r = BufReader::with_capacity(1 << 20, file);
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic).map_err(|e| corrupt(&path, e))?;
        if &magic != MAGIC {
            return Err(corrupt(&path, "not a minyi vector file"));
        }
        let dim = self.meta.dim;
        let mut halfs = vec![0u8; dim * 2];
        loop {
            let mut len = [0u8; 4];
            if r.read_exact(&mut len).is_err() {
                break;
            }
            let len = u32::from_le_bytes(len) as usize;
            if len > 1 << 20 {
                break; // a torn or garbled tail
            }
            let mut id = vec![0u8; len];
            let mut hash = [0u8; 8];
            if r.read_exact(&mut id).is_err()
                || r.read_exact(&mut hash).is_err()
                || r.read_exact(&mut halfs).is_err()
            {
                break;
            }
            let Ok(id) = String::from_utf8(id) else { break };
            let v: Vec<f16> = halfs
                .chunks_exact(2)
                .map(|b| f16::from_le_bytes([b[0], b[1]]))
                .collect();
            self.valid_len += (4 + len + 8 + dim * 2) as u64;
            self.records += 1;
            self.vectors.insert(id, (u64::from_le_bytes(hash), v));
        }
        Ok(())
    }

    /// Appends vectors (an upsert per id) and makes them durable.
    pub fn append(&mut self, rows: Vec<(String, u64, Vec<f32>)>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let path = self.dir.join(LOG);
        let file = OpenOptions::new().write(true).open(&path)?;
        // Cut a torn tail left by a crash before appending after it.
        file.set_len(self.valid_len)?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        use std::io::Seek;
        w.seek(std::io::SeekFrom::End(0))?;
        for (id, hash, v) in rows {
            debug_assert_eq!(v.len(), self.meta.dim);
            w.write_all(&(id.len() as u32).to_le_bytes())?;
            w.write_all(id.as_bytes())?;
            w.write_all(&hash.to_le_bytes())?;
            let v: Vec<f16> = v.iter().map(|&x| f16::from_f32(x)).collect();
            for x in &v {
                w.write_all(&x.to_le_bytes())?;
            }
            self.valid_len += (4 + id.len() + 8 + self.meta.dim * 2) as u64;
            self.records += 1;
            self.vectors.insert(id, (hash, v));
        }
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_data()?;
        Ok(())
    }

    /// Rewrites the log with the live records of `keep` ids only (when replaced records
    /// outnumber the live ones).
    pub fn compact_if_needed(&mut self, keep: &dyn Fn(&str) -> bool) -> Result<()> {
        self.vectors.retain(|id, _| keep(id));
        if self.records <= 2 * self.vectors.len().max(1) {
            return Ok(());
        }
        let tmp = self.dir.join("vectors.bin.tmp");
        {
            let mut w = BufWriter::new(File::create(&tmp)?);
            w.write_all(MAGIC)?;
            let mut ids: Vec<&String> = self.vectors.keys().collect();
            ids.sort();
            for id in ids {
                let (hash, v) = &self.vectors[id];
                w.write_all(&(id.len() as u32).to_le_bytes())?;
                w.write_all(id.as_bytes())?;
                w.write_all(&hash.to_le_bytes())?;
                for x in v {
                    w.write_all(&x.to_le_bytes())?;
                }
            }
            w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        }
        std::fs::rename(&tmp, self.dir.join(LOG))?;
        self.records = self.vectors.len();
        self.valid_len = std::fs::metadata(self.dir.join(LOG))?.len();
        Ok(())
    }

    /// The vector of `id`, if it was made from text with this hash.
    pub fn get(&self, id: &str, text_hash: u64) -> Option<Vec<f32>> {
        self.vectors
            .get(id)
            .filter(|(h, _)| *h == text_hash)
            .map(|(_, v)| to_f32(v))
    }

    /// The vector of `id` as stored (f16), if it was made from text with this hash: topics
    /// read them in place rather than copying a million of them.
    pub fn get_f16(&self, id: &str, text_hash: u64) -> Option<&[f16]> {
        self.vectors
            .get(id)
            .filter(|(h, _)| *h == text_hash)
            .map(|(_, v)| &v[..])
    }

    /// The stored vector of `id`, up to date or not (for search, where a query meets the
    /// stored vectors as they are).
    pub fn vector(&self, id: &str) -> Option<Vec<f32>> {
        self.vectors.get(id).map(|(_, v)| to_f32(v))
    }

    /// Whether `id` has an up-to-date vector.
    pub fn has(&self, id: &str, text_hash: u64) -> bool {
        self.vectors.get(id).is_some_and(|(h, _)| *h == text_hash)
    }

    /// Live vectors.
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    /// Whether there are no vectors.
    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("meta", &self.meta)
            .field("vectors", &self.vectors.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> StoreMeta {
        StoreMeta {
            model: "m".into(),
            mode: crate::embed::Mode::Full,
            dim: 4,
            model_dir: "dir".into(),
        }
    }

    #[test]
    fn upserts_survive_reopen_and_a_torn_tail_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open_for(dir.path(), &meta(), false).unwrap();
        s.append(vec![
            ("a".into(), 1, vec![1.0, 0.0, 0.0, 0.0]),
            ("b".into(), 2, vec![0.0, 1.0, 0.0, 0.0]),
        ])
        .unwrap();
        // An upsert of a with new text.
        s.append(vec![("a".into(), 3, vec![0.0, 0.0, 1.0, 0.0])])
            .unwrap();
        drop(s);
        // A crash mid-record leaves a torn tail.
        let log = dir.path().join(DIR).join(LOG);
        let mut f = OpenOptions::new().append(true).open(&log).unwrap();
        f.write_all(&[5, 0, 0, 0, b'c', b'c']).unwrap();
        drop(f);
        let mut s = Store::open(dir.path()).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.get("a", 3).unwrap(), &[0.0, 0.0, 1.0, 0.0]);
        assert!(s.get("a", 1).is_none(), "a stale text hash is not served");
        assert_eq!(s.vector("b").unwrap(), &[0.0, 1.0, 0.0, 0.0]);
        // Appending after the torn tail cuts it off first.
        s.append(vec![("c".into(), 4, vec![0.5, 0.5, 0.5, 0.5])])
            .unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s.get("c", 4).unwrap(), &[0.5, 0.5, 0.5, 0.5]);
    }

    #[test]
    fn another_model_is_refused_and_compaction_keeps_live_ids() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open_for(dir.path(), &meta(), false).unwrap();
        for round in 0..3u64 {
            s.append(vec![
                ("a".into(), round, vec![1.0, 0.0, 0.0, 0.0]),
                ("gone".into(), round, vec![0.0, 1.0, 0.0, 0.0]),
            ])
            .unwrap();
        }
        s.compact_if_needed(&|id| id != "gone").unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.len(), 1);
        assert!(s.get("a", 2).is_some());
        let other = StoreMeta {
            model: "other".into(),
            ..meta()
        };
        let err = Store::open_for(dir.path(), &other, false).unwrap_err();
        assert!(err.to_string().contains("--rebuild"), "{err}");
        assert!(Store::open_for(dir.path(), &other, true)
            .unwrap()
            .is_empty());
    }
}
