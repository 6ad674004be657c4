//! Full-model embeddings: a BERT-family sentence-embedding model (`config.json`, weights as
//! `model.safetensors` or `pytorch_model.bin`, `tokenizer.json`) run on the CPU with candle
//! tensors through minyi's own encoder (`super::encoder`, checked against candle-transformers).
//! Texts are tokenized, sorted by length and run in batches padded to the batch's longest,
//! then pooled as the model says (mean over the non-padding tokens, or the [CLS] token) and
//! L2-normalised, so that a dot product is the cosine.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::Tokenizer;

use super::encoder::Encoder;
pub use super::weights_file;
use crate::error::{Error, Result};

/// How token vectors become one sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// Mean over the non-padding tokens (m3e, most sentence-transformers models).
    Mean,
    /// The first ([CLS]) token (BGE and others).
    Cls,
}

/// The network that computes the token vectors.
enum Net {
    /// minyi's encoder (`super::encoder`): the same function, faster on the CPU.
    Fast(Encoder),
    /// candle-transformers' `BertModel`, kept as the reference the fast one is checked against.
    Reference(BertModel),
}

/// A loaded model.
pub struct Bert {
    net: Net,
    tokenizer: Tokenizer,
    pooling: Pooling,
    /// Output dimension.
    pub dim: usize,
    /// Longest input in tokens (longer texts are truncated).
    pub max_tokens: usize,
    /// Tokens per forward pass (texts × the longest of them): short texts go many at a time.
    pub batch_tokens: usize,
}

fn model_err(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::Model {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// The pooling a model directory asks for: sentence-transformers' `1_Pooling/config.json`,
/// else uniem's `uniem_embedding_strategy` in `config.json`, else mean.
pub fn pooling_of(dir: &Path, config: &serde_json::Value) -> Pooling {
    if let Ok(text) = std::fs::read_to_string(dir.join("1_Pooling").join("config.json")) {
        if let Ok(p) = serde_json::from_str::<serde_json::Value>(&text) {
            if p.get("pooling_mode_cls_token").and_then(|v| v.as_bool()) == Some(true) {
                return Pooling::Cls;
            }
            return Pooling::Mean;
        }
    }
    match config
        .get("uniem_embedding_strategy")
        .and_then(|v| v.as_str())
    {
        Some(s) if s.contains("cls") => Pooling::Cls,
        _ => Pooling::Mean,
    }
}

impl Bert {
    /// Loads the model in `dir`.
    pub fn load(dir: &Path, max_tokens: usize) -> Result<Bert> {
        Self::load_net(dir, max_tokens, false)
    }

    /// Loads the model in `dir` on candle-transformers' `BertModel` (slower; for checking).
    #[doc(hidden)]
    pub fn load_reference(dir: &Path, max_tokens: usize) -> Result<Bert> {
        Self::load_net(dir, max_tokens, true)
    }

    fn load_net(dir: &Path, max_tokens: usize, reference: bool) -> Result<Bert> {
        let config_path = dir.join("config.json");
        let text = std::fs::read_to_string(&config_path)
            .map_err(|e| model_err(&config_path, format!("cannot read: {e}")))?;
        let raw: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| model_err(&config_path, e))?;
        let config: Config = serde_json::from_value(raw.clone()).map_err(|e| {
            model_err(
                &config_path,
                format!("not a BERT-family configuration: {e}"),
            )
        })?;
        let tok_path = dir.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(&tok_path)
            .map_err(|e| model_err(&tok_path, format!("cannot load tokenizer: {e}")))?;
        let max_tokens = max_tokens.min(config.max_position_embeddings).max(8);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: max_tokens,
                ..Default::default()
            }))
            .map_err(|e| model_err(&tok_path, e))?;
        tokenizer.with_padding(None);
        let weights = weights_file(dir)?;
        let device = Device::Cpu;
        let vb = if weights.extension().is_some_and(|e| e == "safetensors") {
            // SAFETY: the file is mapped read-only while the model lives; minyi never writes it.
            unsafe { VarBuilder::from_mmaped_safetensors(&[&weights], DType::F32, &device) }
        } else {
            VarBuilder::from_pth(&weights, DType::F32, &device)
        }
        .map_err(|e| model_err(&weights, e))?;
        let net = if reference {
            Net::Reference(BertModel::load(vb, &config).map_err(|e| model_err(&weights, e))?)
        } else {
            Net::Fast(Encoder::load(vb, &config).map_err(|e| model_err(&weights, e))?)
        };
        Ok(Bert {
            net,
            tokenizer,
            pooling: pooling_of(dir, &raw),
            dim: config.hidden_size,
            max_tokens,
            batch_tokens: std::env::var("MINYI_BATCH_TOKENS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(4096),
        })
    }

    /// The single characters of the model's vocabulary (CJK and letters), for the static
    /// table's fallback.
    pub fn vocab_chars(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .tokenizer
            .get_vocab(false)
            .into_keys()
            .filter(|t| {
                let mut cs = t.chars();
                matches!((cs.next(), cs.next()), (Some(c), None) if c.is_alphanumeric())
            })
            .collect();
        v.sort();
        v
    }

    /// Token ids of each text (truncated to `max_tokens`).
    fn encode(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>> {
        let enc = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| Error::Model {
                path: PathBuf::from("tokenizer.json"),
                message: e.to_string(),
            })?;
        Ok(enc.into_iter().map(|e| e.get_ids().to_vec()).collect())
    }

    /// Embeds texts: one L2-normalised vector of `dim` per text, in the input order.
    /// `progress` is called with the number of texts done after each batch.
    pub fn embed(
        &self,
        texts: &[&str],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<f32>>> {
        let mut out: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
        let mut done = 0;
        // Tokenize a slice at a time, so that a million texts are never all held as tokens.
        const SLICE: usize = 8192;
        for (c, chunk) in texts.chunks(SLICE).enumerate() {
            let ids = self.encode(chunk)?;
            let mut order: Vec<usize> = (0..ids.len()).collect();
            order.sort_by_key(|&i| ids[i].len());
            // Batches: consecutive runs of the length-sorted texts, up to `batch_tokens`.
            let mut groups: Vec<&[usize]> = Vec::new();
            let mut start = 0;
            while start < order.len() {
                // Sorted by length: the batch's last is its longest.
                let mut end = start + 1;
                while end < order.len()
                    && (end - start + 1) * ids[order[end]].len() <= self.batch_tokens
                {
                    end += 1;
                }
                groups.push(&order[start..end]);
                start = end;
            }
            // Batches run side by side: measured faster on 2 cores than one batch at a time with
            // candle's own threads (the attention's many small products and the element-wise
            // steps parallelise poorly inside one batch).
            use rayon::prelude::*;
            let done_here = std::sync::atomic::AtomicUsize::new(done);
            let results: Vec<Vec<Vec<f32>>> = groups
                .par_iter()
                .map(|group| {
                    let v = self.forward(group.iter().map(|&i| &ids[i][..]));
                    let d = done_here.fetch_add(group.len(), std::sync::atomic::Ordering::Relaxed);
                    progress(d + group.len());
                    v
                })
                .collect::<Result<_>>()?;
            for (group, vecs) in groups.iter().zip(results) {
                for (&i, v) in group.iter().zip(vecs) {
                    out[c * SLICE + i] = v;
                }
            }
            done += chunk.len();
        }
        Ok(out)
    }

    /// One forward pass over a batch of token-id sequences.
    fn forward<'a>(&self, seqs: impl Iterator<Item = &'a [u32]>) -> Result<Vec<Vec<f32>>> {
        let seqs: Vec<&[u32]> = seqs.collect();
        let len = seqs.iter().map(|s| s.len()).max().unwrap_or(1).max(1);
        let b = seqs.len();
        let mut ids = vec![0u32; b * len];
        let mut mask = vec![0u32; b * len];
        for (r, s) in seqs.iter().enumerate() {
            ids[r * len..r * len + s.len()].copy_from_slice(s);
            mask[r * len..r * len + s.len()]
                .iter_mut()
                .for_each(|m| *m = 1);
        }
        let err = |e: candle_core::Error| Error::Model {
            path: PathBuf::from("model"),
            message: e.to_string(),
        };
        let dev = &Device::Cpu;
        let ids_t = Tensor::from_vec(ids, (b, len), dev).map_err(err)?;
        let mask_t = Tensor::from_vec(mask, (b, len), dev).map_err(err)?;
        let hidden = match &self.net {
            Net::Fast(e) => e.forward(&ids_t, &mask_t),
            Net::Reference(m) => ids_t
                .zeros_like()
                .and_then(|types| m.forward(&ids_t, &types, Some(&mask_t))),
        }
        .map_err(err)?;
        let pooled = match self.pooling {
            Pooling::Cls => hidden.narrow(1, 0, 1).and_then(|t| t.squeeze(1)),
            Pooling::Mean => (|| {
                let m = mask_t.to_dtype(DType::F32)?.unsqueeze(2)?;
                let sum = hidden.broadcast_mul(&m)?.sum(1)?;
                let count = m.sum(1)?.clamp(1e-9f32, f32::MAX)?;
                sum.broadcast_div(&count)
            })(),
        }
        .map_err(err)?;
        let mut rows: Vec<Vec<f32>> = pooled.to_vec2().map_err(err)?;
        for r in rows.iter_mut() {
            super::normalise(r);
        }
        Ok(rows)
    }
}
