//! Features for topic mining: jieba terms of title (counted twice) and body, stopwords and
//! one-character terms dropped, TF-IDF weighted (sublinear tf, smoothed idf, min/max document
//! frequency), L2-normalised sparse vectors. The counts come from the index (see
//! [`crate::index::ItemIndex::collect_counted`]) or from segmenting in parallel with rayon.

use std::borrow::{Borrow, Cow};

use rayon::prelude::*;

use crate::item::Item;
use crate::segment::counts::{Counting, TermCounts};
use crate::segment::Segmenter;

/// Up to this many items the neighbour search is exact; above it, approximate (see
/// [`super::graph::knn`]).
pub const EXACT_UP_TO: usize = 100_000;

/// A sparse vector: (term id, weight), sorted by term id.
pub type Sparse = Vec<(u32, f32)>;

/// The vectorised items.
pub struct Vectors {
    /// Term text by id.
    pub vocab: Vec<String>,
    /// Inverse document frequency of each term.
    pub idf: Vec<f32>,
    /// Raw term counts per item (title counted twice), for c-TF-IDF keywords.
    pub counts: Vec<Sparse>,
    /// L2-normalised TF-IDF per item (empty when no term survived); not built at all by
    /// [`vectorize_counts`] (see [`Vectors::row`]).
    pub tfidf: Vec<Sparse>,
    /// Most terms kept per TF-IDF row.
    pub cap: usize,
}

impl Vectors {
    /// The TF-IDF row of item `m`: as built, or weighed from its counts when only counts
    /// were built.
    pub fn row(&self, m: usize) -> Cow<'_, Sparse> {
        match self.tfidf.get(m) {
            Some(r) => Cow::Borrowed(r),
            None => Cow::Owned(weigh(&self.counts[m], &self.idf, self.cap)),
        }
    }
}

/// Whether a term is worth a feature: two characters or more, not a bare number.
pub(crate) fn keep(term: &str) -> bool {
    term.chars().count() >= 2
        && !term
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '%')
}

/// How topic mining counts an item's terms: a title occurrence twice, a body occurrence
/// once, terms passing [`keep`].
pub const COUNTING: Counting<'static> = Counting {
    title: 2.0,
    body: 1.0,
    keep: &keep,
};

/// Most terms kept per item above [`EXACT_UP_TO`] items (its highest TF-IDF
/// weights, then renormalised), so that memory stays bounded on large corpora of long
/// texts. Below, every term counts: on the 12,461 news articles (hundreds of distinct terms
/// each) a cap of 256 costs 0.015 NMI, and of 96, 0.07.
pub const MAX_TERMS: usize = 256;

/// Builds the vectors by segmenting the items.
pub fn vectorize(seg: &Segmenter, items: &[&Item]) -> Vectors {
    from_counts(TermCounts::segmented(seg, items, COUNTING), true)
}

/// Builds the vocabulary, idf and counts only (semantic topics cluster on embeddings and
/// need TF-IDF rows only for a topic's representatives, weighed as they are read: at
/// 1,000,000 items the rows would take about 0.6 GB).
pub fn vectorize_counts(seg: &Segmenter, items: &[&Item]) -> Vectors {
    from_counts(TermCounts::segmented(seg, items, COUNTING), false)
}

/// Builds the vectors from term counts (as [`COUNTING`] counts them: segmented, or read
/// from the index), with the TF-IDF rows or (`with_tfidf` false) the counts only.
pub fn from_counts(counts: TermCounts, with_tfidf: bool) -> Vectors {
    let TermCounts {
        terms,
        rows,
        population,
    } = counts;
    let mut df_raw: Vec<u32> = vec![0; terms.len()];
    for row in &rows {
        for &(t, _) in row {
            df_raw[t as usize] += 1;
        }
    }
    // Items drawn from a larger collection are weighed as the collection weighs them.
    let n = match population {
        Some(p) => {
            for (d, &g) in df_raw.iter_mut().zip(&p.df) {
                *d = (*d).max(g);
            }
            p.items.max(rows.len())
        }
        None => rows.len(),
    };
    let min_df = if n >= 50 { 2 } else { 1 };
    let max_df = if n >= 20 {
        (n as f64 * 0.5) as u32
    } else {
        u32::MAX
    };
    // The vocabulary: terms within the document-frequency bounds, in text order.
    let mut vocab: Vec<(String, u32)> = terms
        .into_iter()
        .zip(0u32..)
        .filter(|(_, id)| (min_df..=max_df).contains(&df_raw[*id as usize]))
        .collect();
    vocab.sort_unstable();
    let mut remap: Vec<u32> = vec![u32::MAX; df_raw.len()];
    for (new, (_, raw)) in vocab.iter().enumerate() {
        remap[*raw as usize] = new as u32;
    }
    let idf: Vec<f32> = vocab
        .iter()
        .map(|(_, raw)| ((1.0 + n as f32) / (1.0 + df_raw[*raw as usize] as f32)).ln() + 1.0)
        .collect();
    let cap = if n > EXACT_UP_TO {
        MAX_TERMS
    } else {
        usize::MAX
    };
    let (counts, tfidf): (Vec<Sparse>, Vec<Sparse>) = rows
        .into_par_iter()
        .map(|row| {
            let mut c: Sparse = row
                .into_iter()
                .filter_map(|(raw, v)| {
                    let i = remap[raw as usize];
                    (i != u32::MAX).then_some((i, v))
                })
                .collect();
            c.sort_unstable_by_key(|(i, _)| *i);
            c.shrink_to_fit();
            let w = if with_tfidf {
                weigh(&c, &idf, cap)
            } else {
                Vec::new()
            };
            (c, w)
        })
        .unzip();
    Vectors {
        vocab: vocab.into_iter().map(|(t, _)| t).collect(),
        idf,
        counts,
        tfidf: if with_tfidf { tfidf } else { Vec::new() },
        cap,
    }
}

/// The L2-normalised TF-IDF row of raw term counts `counts` (sorted by term id): sublinear tf
/// times idf, keeping the `cap` highest weights.
pub fn weigh(counts: &Sparse, idf: &[f32], cap: usize) -> Sparse {
    let mut w: Sparse = counts
        .iter()
        .map(|&(i, v)| (i, (1.0 + v.ln()) * idf[i as usize]))
        .collect();
    if w.len() > cap {
        w.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        w.truncate(cap);
        w.sort_unstable_by_key(|(i, _)| *i);
        w.shrink_to_fit();
    }
    let norm = w.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        w.iter_mut().for_each(|(_, x)| *x /= norm);
    }
    w
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

/// Dot products of `rows` with `centre`. A large topic's centre holds tens of thousands of
/// terms, so it is spread once into a dense vector of `dim` (the vocabulary size) and each
/// row costs only its own terms, where a sparse merge would cost the centre's length.
pub fn dots_with_centre(
    centre: &Sparse,
    dim: usize,
    rows: impl Iterator<Item = impl Borrow<Sparse>>,
) -> Vec<f32> {
    let mut dense = vec![0f32; dim];
    for &(t, w) in centre {
        dense[t as usize] = w;
    }
    rows.map(|r| r.borrow().iter().map(|&(t, w)| w * dense[t as usize]).sum())
        .collect()
}

/// The L2-normalised mean of some vectors over a vocabulary of `dim` terms (a topic centre),
/// summed in a dense array: a large topic's centre holds tens of thousands of terms.
pub fn centroid(rows: impl Iterator<Item = impl Borrow<Sparse>>, dim: usize) -> Sparse {
    let mut acc = vec![0f32; dim];
    for r in rows {
        for &(i, w) in r.borrow() {
            acc[i as usize] += w;
        }
    }
    // Weights are positive: the terms of the rows are the entries above zero.
    let mut v: Sparse = (0u32..).zip(acc).filter(|&(_, w)| w > 0.0).collect();
    let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, x)| *x /= norm);
    }
    v
}
