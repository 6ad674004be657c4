//! Features for topic mining: jieba terms of title (counted twice) and body, stopwords and
//! one-character terms dropped, TF-IDF weighted (sublinear tf, smoothed idf, min/max document
//! frequency), L2-normalised sparse vectors. Segmentation runs in parallel with rayon.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::item::Item;
use crate::segment::Segmenter;

/// A sparse vector: (term id, weight), sorted by term id.
pub type Sparse = Vec<(u32, f32)>;

/// The vectorised items.
pub struct Vectors {
    /// Term text by id.
    pub vocab: Vec<String>,
    /// Raw term counts per item (title counted twice), for c-TF-IDF keywords.
    pub counts: Vec<Sparse>,
    /// L2-normalised TF-IDF per item (empty when no term survived).
    pub tfidf: Vec<Sparse>,
}

/// Whether a term is worth a feature: two characters or more, not a bare number.
fn keep(term: &str) -> bool {
    term.chars().count() >= 2
        && !term
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '%')
}

/// Builds the vectors.
pub fn vectorize(seg: &Segmenter, items: &[&Item]) -> Vectors {
    let docs: Vec<HashMap<String, f32>> = items
        .par_iter()
        .map(|it| {
            let mut m: HashMap<String, f32> = HashMap::new();
            seg.for_each_term(&it.title, |t, _, _| {
                if keep(t) {
                    *m.entry(t.to_string()).or_default() += 2.0;
                }
            });
            seg.for_each_term(&it.body, |t, _, _| {
                if keep(t) {
                    *m.entry(t.to_string()).or_default() += 1.0;
                }
            });
            m
        })
        .collect();
    let n = docs.len();
    let mut df: HashMap<&str, u32> = HashMap::new();
    for d in &docs {
        for t in d.keys() {
            *df.entry(t.as_str()).or_default() += 1;
        }
    }
    let min_df = if n >= 50 { 2 } else { 1 };
    let max_df = if n >= 20 {
        (n as f64 * 0.5) as u32
    } else {
        u32::MAX
    };
    let mut vocab: Vec<&str> = df
        .iter()
        .filter(|(_, &f)| f >= min_df && f <= max_df)
        .map(|(t, _)| *t)
        .collect();
    vocab.sort_unstable();
    let ids: HashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, i as u32))
        .collect();
    let idf: Vec<f32> = vocab
        .iter()
        .map(|t| ((1.0 + n as f32) / (1.0 + df[t] as f32)).ln() + 1.0)
        .collect();
    let (counts, tfidf): (Vec<Sparse>, Vec<Sparse>) = docs
        .par_iter()
        .map(|d| {
            let mut c: Sparse = d
                .iter()
                .filter_map(|(t, &v)| ids.get(t.as_str()).map(|&i| (i, v)))
                .collect();
            c.sort_unstable_by_key(|(i, _)| *i);
            let mut w: Sparse = c
                .iter()
                .map(|&(i, v)| (i, (1.0 + v.ln()) * idf[i as usize]))
                .collect();
            let norm = w.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                w.iter_mut().for_each(|(_, x)| *x /= norm);
            }
            (c, w)
        })
        .unzip();
    Vectors {
        vocab: vocab.into_iter().map(str::to_string).collect(),
        counts,
        tfidf,
    }
}

/// Dot product of two sparse vectors.
pub fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// The L2-normalised mean of some vectors (a topic centre).
pub fn centroid<'a>(rows: impl Iterator<Item = &'a Sparse>) -> Sparse {
    let mut acc: HashMap<u32, f32> = HashMap::new();
    for r in rows {
        for &(i, w) in r {
            *acc.entry(i).or_default() += w;
        }
    }
    let mut v: Sparse = acc.into_iter().collect();
    v.sort_unstable_by_key(|(i, _)| *i);
    let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, x)| *x /= norm);
    }
    v
}
