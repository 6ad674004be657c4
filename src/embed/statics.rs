//! The static table: a fast path distilled from a model. Every word of a word list (a whole
//! dictionary plus the corpus's own words) and every single character of the model's
//! vocabulary is run once through the full model; an item is then the weighted mean of its
//! words' vectors (SIF weights a / (a + p(w)) from the words' frequencies), less the table's
//! common component, L2-normalised. A word missing from the table falls back to the mean of
//! its characters' vectors. Embedding then costs about as much as segmenting.
//!
//! The table (`minyi-static.bin`, next to the model) stores each vector as i8 with one scale
//! per row: a quarter of f32, cosines within about 1%.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::segment::Segmenter;

/// File name of the table inside the model directory.
pub const FILE: &str = "minyi-static.bin";
const MAGIC: &[u8; 8] = b"MINYIST1";
/// SIF smoothing: words with frequency p weigh a / (a + p).
const SIF_A: f32 = 1e-4;

/// A loaded table.
pub struct StaticTable {
    pub dim: usize,
    index: HashMap<String, u32>,
    /// Row-major i8 vectors.
    values: Vec<i8>,
    scales: Vec<f32>,
    weights: Vec<f32>,
    /// The common component subtracted from every item.
    mean: Vec<f32>,
}

fn table_err(path: &Path, m: impl std::fmt::Display) -> Error {
    Error::Model {
        path: path.to_path_buf(),
        message: m.to_string(),
    }
}

/// The table's path for a model directory.
pub fn path_in(model_dir: &Path) -> PathBuf {
    model_dir.join(FILE)
}

/// Writes a table from (word, frequency share, unit vector) rows.
pub fn write(path: &Path, dim: usize, rows: &[(String, f32, Vec<f32>)]) -> Result<()> {
    let mut mean = vec![0f32; dim];
    for (_, _, v) in rows {
        for (m, x) in mean.iter_mut().zip(v) {
            *m += x;
        }
    }
    let n = rows.len().max(1) as f32;
    mean.iter_mut().for_each(|m| *m /= n);
    let tmp = path.with_extension("tmp");
    {
        let mut w = BufWriter::new(File::create(&tmp).map_err(|e| table_err(&tmp, e))?);
        w.write_all(MAGIC)?;
        w.write_all(&(dim as u32).to_le_bytes())?;
        w.write_all(&(rows.len() as u32).to_le_bytes())?;
        for m in &mean {
            w.write_all(&m.to_le_bytes())?;
        }
        for (word, p, v) in rows {
            let weight = SIF_A / (SIF_A + p);
            let max = v.iter().fold(0f32, |a, x| a.max(x.abs())).max(1e-12);
            let scale = max / 127.0;
            w.write_all(&(word.len() as u16).to_le_bytes())?;
            w.write_all(word.as_bytes())?;
            w.write_all(&weight.to_le_bytes())?;
            w.write_all(&scale.to_le_bytes())?;
            let q: Vec<u8> = v
                .iter()
                .map(|x| ((x / scale).round().clamp(-127.0, 127.0) as i8) as u8)
                .collect();
            w.write_all(&q)?;
        }
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

impl StaticTable {
    /// Loads the table of a model directory.
    pub fn load(model_dir: &Path) -> Result<StaticTable> {
        let path = path_in(model_dir);
        let file = File::open(&path).map_err(|_| {
            table_err(
                &path,
                format!(
                    "no static table; make it with `minyi model distill --model {}`",
                    model_dir.display()
                ),
            )
        })?;
        let mut r = BufReader::with_capacity(1 << 20, file);
        let bad = |m: &str| table_err(&path, format!("corrupt static table: {m}"));
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic).map_err(|_| bad("short"))?;
        if &magic != MAGIC {
            return Err(bad("not a minyi static table"));
        }
        let mut u = [0u8; 4];
        r.read_exact(&mut u).map_err(|_| bad("short"))?;
        let dim = u32::from_le_bytes(u) as usize;
        r.read_exact(&mut u).map_err(|_| bad("short"))?;
        let n = u32::from_le_bytes(u) as usize;
        if dim == 0 || dim > 8192 {
            return Err(bad("dimension"));
        }
        let mut mean = vec![0f32; dim];
        for m in mean.iter_mut() {
            r.read_exact(&mut u).map_err(|_| bad("short"))?;
            *m = f32::from_le_bytes(u);
        }
        let mut index = HashMap::with_capacity(n);
        let mut values = vec![0i8; n * dim];
        let mut scales = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        let mut row = vec![0u8; dim];
        for i in 0..n {
            let mut l = [0u8; 2];
            r.read_exact(&mut l).map_err(|_| bad("short"))?;
            let mut word = vec![0u8; u16::from_le_bytes(l) as usize];
            r.read_exact(&mut word).map_err(|_| bad("short"))?;
            r.read_exact(&mut u).map_err(|_| bad("short"))?;
            weights.push(f32::from_le_bytes(u));
            r.read_exact(&mut u).map_err(|_| bad("short"))?;
            scales.push(f32::from_le_bytes(u));
            r.read_exact(&mut row).map_err(|_| bad("short"))?;
            for (d, b) in values[i * dim..(i + 1) * dim].iter_mut().zip(&row) {
                *d = *b as i8;
            }
            let word = String::from_utf8(word).map_err(|_| bad("word not UTF-8"))?;
            index.insert(word, i as u32);
        }
        Ok(StaticTable {
            dim,
            index,
            values,
            scales,
            weights,
            mean,
        })
    }

    /// Words in the table.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Adds `share` × the word's SIF weight × its row to `acc`; returns the weight added
    /// (`None` when the word is not in the table).
    fn add(&self, word: &str, share: f32, acc: &mut [f32]) -> Option<f32> {
        let &i = self.index.get(word)?;
        let i = i as usize;
        let weight = share * self.weights[i];
        let s = self.scales[i] * weight;
        for (a, &q) in acc
            .iter_mut()
            .zip(&self.values[i * self.dim..(i + 1) * self.dim])
        {
            *a += s * q as f32;
        }
        Some(weight)
    }

    /// The vector of one text: its words (as the segmenter cuts them, stopwords dropped)
    /// looked up, unseen words through their characters.
    pub fn embed(&self, seg: &Segmenter, text: &str) -> Vec<f32> {
        let mut acc = vec![0f32; self.dim];
        let mut total = 0f32;
        seg.for_each_term(text, |t, _, _| {
            if t.chars().all(|c| !c.is_alphanumeric()) {
                return;
            }
            if let Some(w) = self.add(t, 1.0, &mut acc) {
                total += w;
            } else {
                let n = t.chars().count() as f32;
                let mut buf = [0u8; 4];
                for c in t.chars() {
                    total += self
                        .add(c.encode_utf8(&mut buf), 1.0 / n, &mut acc)
                        .unwrap_or(0.0);
                }
            }
        });
        if total > 0.0 {
            for (a, m) in acc.iter_mut().zip(&self.mean) {
                *a = *a / total - m;
            }
            super::normalise(&mut acc);
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_weighted_means_of_their_words_with_a_character_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let unit = |i: usize| {
            let mut v = vec![0f32; 4];
            v[i] = 1.0;
            v
        };
        // Two words on their own axes; the characters of 乱停 on the third.
        let rows = vec![
            ("停车".to_string(), 0.0, unit(0)),
            ("电梯".to_string(), 0.0, unit(1)),
            ("乱".to_string(), 0.0, unit(2)),
            ("停".to_string(), 0.0, unit(2)),
        ];
        write(&path_in(dir.path()), 4, &rows).unwrap();
        let t = StaticTable::load(dir.path()).unwrap();
        assert_eq!(t.len(), 4);
        let seg = Segmenter::embedded();
        let a = t.embed(&seg, "停车");
        let b = t.embed(&seg, "停车停车");
        let c = t.embed(&seg, "电梯");
        assert!((crate::embed::dot(&a, &b) - 1.0).abs() < 1e-3);
        assert!(
            crate::embed::dot(&a, &c) < 0.0,
            "the common part is removed"
        );
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3);
        // Text with no known word or character stays a zero vector.
        assert!(t.embed(&seg, "ABC").iter().all(|&x| x == 0.0));
    }
}
