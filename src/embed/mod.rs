//! Embed stage (optional, between segment and index): sentence vectors of items from a
//! BERT-family model, for semantic topics, `similar` and hybrid search.
//!
//! Two paths give vectors in the same space:
//! * full ([`bert`]): every item through the model with candle on the CPU;
//! * static ([`statics`]): a table distilled once from the model (`minyi model distill`), an
//!   item being the weighted mean of its words' vectors — a hundred times faster.
//!
//! Vectors are computed once (at ingest, or by `minyi embed` over an index) and stored with
//! the index ([`store`]), keyed by item id.

#[cfg(feature = "semantic")]
pub mod bert;
#[cfg(feature = "semantic")]
pub mod encoder;
pub mod statics;
pub mod store;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::item::Item;
use crate::segment::Segmenter;
pub use store::{Store, StoreMeta};

/// Which path embeds items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The whole model for every item (best quality; about 250 titles/s on 2 cores).
    #[default]
    Full,
    /// The distilled word table (`minyi model distill` first; tens of thousands of items/s).
    Static,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Static => "static",
        }
    }
}

/// Longest input of the full model, in tokens (a title and the start of the body).
pub const MAX_TOKENS: usize = 128;

/// A model ready to embed.
pub struct Model {
    pub dir: PathBuf,
    pub mode: Mode,
    pub dim: usize,
    fingerprint: String,
    kind: Kind,
}

enum Kind {
    #[cfg(feature = "semantic")]
    Full(Box<bert::Bert>),
    Static(statics::StaticTable),
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalise(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Dot product of two vectors of the same length.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The text of an item that is embedded: its title and the start of its body.
pub fn item_text(item: &Item) -> String {
    const MAX_CHARS: usize = 400;
    let mut s = String::with_capacity(item.title.len() + 3 * MAX_CHARS);
    s.push_str(&item.title);
    if !item.body.is_empty() {
        if !s.is_empty() {
            s.push('。');
        }
        s.extend(item.body.chars().take(MAX_CHARS));
    }
    s
}

/// Hash of the embedded text: a stored vector is reused while it matches.
pub fn text_hash(item: &Item) -> u64 {
    crate::util::u64_of(blake3::hash(item_text(item).as_bytes()))
}

/// The weight file of a model directory.
pub fn weights_file(dir: &Path) -> Result<PathBuf> {
    for name in ["model.safetensors", "pytorch_model.bin"] {
        let p = dir.join(name);
        if p.exists() {
            return Ok(p);
        }
    }
    Err(Error::Model {
        path: dir.to_path_buf(),
        message: "no weights: expected model.safetensors or pytorch_model.bin".into(),
    })
}

fn fingerprint_of(dir: &Path, mode: Mode) -> Result<String> {
    let mut h = blake3::Hasher::new();
    for name in ["config.json", "tokenizer.json"] {
        let p = dir.join(name);
        let bytes = std::fs::read(&p).map_err(|e| Error::Model {
            path: p.clone(),
            message: format!("cannot read: {e}"),
        })?;
        h.update(&bytes);
    }
    let w = weights_file(dir)?;
    h.update(&std::fs::metadata(&w)?.len().to_le_bytes());
    if mode == Mode::Static {
        let t = statics::path_in(dir);
        if let Ok(m) = std::fs::metadata(&t) {
            h.update(&m.len().to_le_bytes());
        }
    }
    h.update(mode.as_str().as_bytes());
    Ok(h.finalize().to_hex()[..16].to_string())
}

impl Model {
    /// Opens the model in `dir` for `mode`.
    pub fn open(dir: &Path, mode: Mode) -> Result<Model> {
        if !dir.is_dir() {
            return Err(Error::Model {
                path: dir.to_path_buf(),
                message:
                    "no such model directory (expected config.json, tokenizer.json and the weights)"
                        .into(),
            });
        }
        let fingerprint = fingerprint_of(dir, mode)?;
        let (kind, dim) = match mode {
            #[cfg(feature = "semantic")]
            Mode::Full => {
                let b = bert::Bert::load(dir, MAX_TOKENS)?;
                let dim = b.dim;
                (Kind::Full(Box::new(b)), dim)
            }
            #[cfg(not(feature = "semantic"))]
            Mode::Full => return Err(crate::error::not_built("semantic", "完整句向量模型")),
            Mode::Static => {
                let t = statics::StaticTable::load(dir)?;
                let dim = t.dim;
                (Kind::Static(t), dim)
            }
        };
        Ok(Model {
            dir: dir.to_path_buf(),
            mode,
            dim,
            fingerprint,
            kind,
        })
    }

    /// What the store records about this model.
    pub fn store_meta(&self) -> StoreMeta {
        StoreMeta {
            model: self.fingerprint.clone(),
            mode: self.mode,
            dim: self.dim,
            model_dir: self.dir.display().to_string(),
        }
    }

    /// Embeds texts (unit vectors, in order); `progress` gets the count done.
    pub fn embed_texts(
        &self,
        seg: &Segmenter,
        texts: &[&str],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<f32>>> {
        match &self.kind {
            #[cfg(feature = "semantic")]
            Kind::Full(b) => b.embed(texts, progress),
            Kind::Static(t) => {
                let mut out = Vec::with_capacity(texts.len());
                for chunk in texts.chunks(8192) {
                    out.extend(
                        chunk
                            .par_iter()
                            .map(|s| t.embed(seg, s))
                            .collect::<Vec<_>>(),
                    );
                    progress(out.len());
                }
                Ok(out)
            }
        }
    }

    /// Embeds items.
    pub fn embed_items(
        &self,
        seg: &Segmenter,
        items: &[&Item],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<f32>>> {
        let texts: Vec<String> = items.par_iter().map(|i| item_text(i)).collect();
        let refs: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
        self.embed_texts(seg, &refs, progress)
    }

    /// The full model, for distilling.
    #[cfg(feature = "semantic")]
    pub fn bert(&self) -> Option<&bert::Bert> {
        match &self.kind {
            Kind::Full(b) => Some(b),
            Kind::Static(_) => None,
        }
    }
}

/// What `embed_index` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EmbedSummary {
    pub items: usize,
    /// Vectors computed now.
    pub computed: usize,
    /// Items whose stored vector was still up to date.
    pub reused: usize,
    pub seconds: f64,
    pub mode: Mode,
    pub model_dir: String,
}

/// Gives every item of the index an up-to-date vector from `model` (computing only the
/// missing and the stale ones, unless `rebuild`), appending them to the index's store batch
/// by batch (an interrupted run keeps what it computed). `progress(done, total)`.
pub fn embed_index(
    index: &crate::index::ItemIndex,
    model: &Model,
    rebuild: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<EmbedSummary> {
    let started = std::time::Instant::now();
    let items = index.collect(None, &crate::index::query::Filters::default())?;
    let mut store = Store::open_for(&index.dir, &model.store_meta(), rebuild)?;
    // Items without an up-to-date vector, with the hash of their text.
    let todo: Vec<(&Item, u64)> = items
        .par_iter()
        .map(|it| (it, text_hash(it)))
        .filter(|(it, hash)| !store.has(&it.id, *hash))
        .collect();
    let total = todo.len();
    let chunk = match model.mode {
        Mode::Full => 2048,
        Mode::Static => 65_536,
    };
    let mut done = 0;
    progress(0, total);
    for batch in todo.chunks(chunk) {
        let base = done;
        let its: Vec<&Item> = batch.iter().map(|(it, _)| *it).collect();
        let vecs = model.embed_items(&index.segmenter, &its, &|d| progress(base + d, total))?;
        done += batch.len();
        store.append(
            batch
                .iter()
                .zip(vecs)
                .map(|((it, hash), v)| (it.id.clone(), *hash, v))
                .collect(),
        )?;
    }
    let live: std::collections::HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
    store.compact_if_needed(&|id| live.contains(id))?;
    Ok(EmbedSummary {
        items: items.len(),
        computed: total,
        reused: items.len() - total,
        seconds: started.elapsed().as_secs_f64(),
        mode: model.mode,
        model_dir: model.dir.display().to_string(),
    })
}

/// What `distill` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DistillSummary {
    pub words: usize,
    pub characters: usize,
    pub seconds: f64,
    pub path: String,
}

/// Builds the static table of a model (see [`statics`]) from `words` (word, frequency
/// share; 0 = unknown) plus every single character of the model's vocabulary.
#[cfg(not(feature = "semantic"))]
pub fn distill(
    _model: &Model,
    _seg: &Segmenter,
    _words: Vec<(String, f32)>,
    _progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DistillSummary> {
    Err(crate::error::not_built("semantic", "完整句向量模型"))
}

/// Builds the static table of a model (see [`statics`]) from `words` (word, frequency
/// share; 0 = unknown) plus every single character of the model's vocabulary.
#[cfg(feature = "semantic")]
pub fn distill(
    model: &Model,
    seg: &Segmenter,
    words: Vec<(String, f32)>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DistillSummary> {
    let started = std::time::Instant::now();
    let bert = model.bert().ok_or_else(|| Error::Model {
        path: model.dir.clone(),
        message: "distilling needs the full model".into(),
    })?;
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut rows: Vec<(String, f32)> = Vec::new();
    for (w, p) in words {
        if !w.trim().is_empty() && seen.insert(w.clone()) {
            rows.push((w, p));
        }
    }
    let words_n = rows.len();
    let mut chars = 0;
    for c in bert.vocab_chars() {
        if seen.insert(c.clone()) {
            rows.push((c, 0.0));
            chars += 1;
        }
    }
    let texts: Vec<&str> = rows.iter().map(|(w, _)| w.as_str()).collect();
    let total = texts.len();
    let vecs = model.embed_texts(seg, &texts, &|d| progress(d, total))?;
    let table: Vec<(String, f32, Vec<f32>)> = rows
        .into_iter()
        .zip(vecs)
        .map(|((w, p), v)| (w, p, v))
        .collect();
    let path = statics::path_in(&model.dir);
    statics::write(&path, model.dim, &table)?;
    Ok(DistillSummary {
        words: words_n,
        characters: chars,
        seconds: started.elapsed().as_secs_f64(),
        path: path.display().to_string(),
    })
}

/// The word list of a distillation: a dictionary file (`word [frequency [tag]]` per line, as
/// jieba's dict.txt; at most `max_dict` of its most frequent words) and the words of an
/// index's items (every segmented term of two characters or more), each with its frequency
/// share (the dictionary's where it has one, else the corpus's).
pub fn distill_words(
    dict_file: Option<&Path>,
    max_dict: usize,
    index: Option<&crate::index::ItemIndex>,
) -> Result<Vec<(String, f32)>> {
    let mut shares: std::collections::HashMap<String, f32> = std::collections::HashMap::new();
    if let Some(path) = dict_file {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Input {
            path: path.to_path_buf(),
            message: format!("cannot read word list: {e}"),
        })?;
        let mut rows: Vec<(String, f64)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let mut parts = line.split_whitespace();
            let Some(w) = parts.next() else { continue };
            let f = match parts.next() {
                None => 1.0,
                Some(f) => f.parse::<f64>().map_err(|_| Error::Input {
                    path: path.to_path_buf(),
                    message: format!("line {}: frequency '{f}' is not a number", n + 1),
                })?,
            };
            rows.push((w.to_string(), f));
        }
        let total: f64 = rows.iter().map(|r| r.1).sum::<f64>().max(1.0);
        rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        rows.truncate(max_dict);
        for (w, f) in rows {
            shares.insert(w, (f / total) as f32);
        }
    }
    if let Some(index) = index {
        let items = index.collect(None, &crate::index::query::Filters::default())?;
        let counts: std::collections::HashMap<String, u64> = items
            .par_iter()
            .fold(std::collections::HashMap::new, |mut m, it| {
                for text in [&it.title, &it.body] {
                    index.segmenter.for_each_term(text, |t, _, _| {
                        if t.chars().count() >= 2 && t.chars().any(|c| c.is_alphabetic()) {
                            *m.entry(t.to_string()).or_insert(0u64) += 1;
                        }
                    });
                }
                m
            })
            .reduce(std::collections::HashMap::new, |mut a, b| {
                for (k, v) in b {
                    *a.entry(k).or_insert(0) += v;
                }
                a
            });
        let total = counts.values().sum::<u64>().max(1) as f64;
        for (w, c) in counts {
            shares.entry(w).or_insert((c as f64 / total) as f32);
        }
    }
    let mut out: Vec<(String, f32)> = shares.into_iter().collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}
