//! The features topics are clustered on: the TF-IDF rows of the segmented words, or the
//! sentence embeddings of the index's store (`topics --semantic`).
//!
//! Embeddings are read in place from the store, in f16 as it keeps them, and turned into f32
//! a row or a block at a time: at 1,000,000 items of 512 dimensions a copy would take 2 GB
//! as f32 (4 GB as sparse rows), where the store already holds them in 1 GB.

use std::borrow::Cow;
use std::ops::Range;

use half::f16;
use half::slice::HalfFloatSliceExt;
use rayon::prelude::*;

use crate::embed::{self, Store};
use crate::item::Item;
use crate::text::graph::{self, Knn};
use crate::text::vectorize::{self, dot, Sparse};

/// A topic centre in the space of the features (L2-normalised).
#[derive(Debug, Clone)]
pub enum Centre {
    Words(Sparse),
    Embedding(Vec<f32>),
}

impl Centre {
    /// The TF-IDF centre (what a topic model stores).
    pub fn into_words(self) -> Sparse {
        match self {
            Centre::Words(c) => c,
            Centre::Embedding(_) => panic!("a topic model holds TF-IDF centres only"),
        }
    }

    /// Cosine of two centres of the same space.
    pub fn dot(&self, other: &Centre) -> f32 {
        match (self, other) {
            (Centre::Words(a), Centre::Words(b)) => dot(a, b),
            (Centre::Embedding(a), Centre::Embedding(b)) => dense_dot(a, b),
            _ => 0.0,
        }
    }
}

/// The rows of a set of items in one feature space.
pub enum Features<'a> {
    /// L2-normalised TF-IDF rows over a vocabulary of `vocab` terms.
    Words {
        rows: Cow<'a, [Sparse]>,
        vocab: usize,
    },
    /// Unit sentence embeddings of `dim` entries, borrowed from the store (an item without
    /// a vector has an empty row: cosine 0 with everything).
    Embeddings { rows: Vec<&'a [f16]>, dim: usize },
}

/// A sequential dot product (the same sum, in the same order, as the sparse one).
fn dense_dot(a: &[f32], b: &[f32]) -> f32 {
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        s += x * y;
    }
    s
}

/// `row` in f32, into `buf` (zeros for an empty row).
fn widen<'b>(row: &[f16], buf: &'b mut [f32]) -> &'b [f32] {
    if row.is_empty() {
        buf.fill(0.0);
    } else {
        row.convert_to_f32_slice(buf);
    }
    buf
}

impl<'a> Features<'a> {
    /// TF-IDF rows.
    pub fn words(rows: &'a [Sparse], vocab: usize) -> Features<'a> {
        Features::Words {
            rows: Cow::Borrowed(rows),
            vocab,
        }
    }

    /// The stored vectors of `items` (an item without an up-to-date vector gets an empty
    /// row).
    pub fn embeddings(store: &'a Store, items: &[&Item]) -> Features<'a> {
        Features::Embeddings {
            rows: items
                .par_iter()
                .map(|it| store.get_f16(&it.id, embed::text_hash(it)).unwrap_or(&[]))
                .collect(),
            dim: store.meta.dim,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Features::Words { rows, .. } => rows.len(),
            Features::Embeddings { rows, .. } => rows.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether these are embeddings.
    pub fn is_semantic(&self) -> bool {
        matches!(self, Features::Embeddings { .. })
    }

    /// The rows `ids`, in that order (a sample).
    pub fn select(&self, ids: &[usize]) -> Features<'a> {
        match self {
            Features::Words { rows, vocab } => Features::Words {
                rows: Cow::Owned(ids.iter().map(|&i| rows[i].clone()).collect()),
                vocab: *vocab,
            },
            Features::Embeddings { rows, dim } => Features::Embeddings {
                rows: ids.iter().map(|&i| rows[i]).collect(),
                dim: *dim,
            },
        }
    }

    /// The rows in `range`.
    pub fn range(&self, range: Range<usize>) -> Features<'_> {
        match self {
            Features::Words { rows, vocab } => Features::Words {
                rows: Cow::Borrowed(&rows[range]),
                vocab: *vocab,
            },
            Features::Embeddings { rows, dim } => Features::Embeddings {
                rows: rows[range].to_vec(),
                dim: *dim,
            },
        }
    }

    /// Up to `k` nearest neighbours of every row with cosine ≥ `min_sim`.
    pub fn knn(&self, k: usize, min_sim: f32) -> Knn {
        match self {
            Features::Words { rows, vocab } => graph::knn(rows, *vocab, k, min_sim),
            Features::Embeddings { rows, dim } => {
                let mut flat = vec![0f32; rows.len() * dim];
                flat.par_chunks_mut(*dim)
                    .zip(rows.par_iter())
                    .for_each(|(out, row)| {
                        widen(row, out);
                    });
                graph::knn_dense(flat, *dim, k, min_sim)
            }
        }
    }

    /// The L2-normalised mean of the rows `members`.
    pub fn centroid(&self, members: &[usize]) -> Centre {
        match self {
            Features::Words { rows, vocab } => Centre::Words(vectorize::centroid(
                members.iter().map(|&m| &rows[m]),
                *vocab,
            )),
            Features::Embeddings { rows, dim } => {
                let mut acc = vec![0f32; *dim];
                let mut buf = vec![0f32; *dim];
                for &m in members {
                    if !rows[m].is_empty() {
                        for (a, x) in acc.iter_mut().zip(widen(rows[m], &mut buf)) {
                            *a += x;
                        }
                    }
                }
                let norm = dense_dot(&acc, &acc).sqrt();
                if norm > 0.0 {
                    acc.iter_mut().for_each(|x| *x /= norm);
                }
                Centre::Embedding(acc)
            }
        }
    }

    /// Cosines of the rows `members` with `centre`.
    pub fn dots(&self, centre: &Centre, members: &[usize]) -> Vec<f32> {
        match (self, centre) {
            (Features::Words { rows, vocab }, Centre::Words(c)) => {
                vectorize::dots_with_centre(c, *vocab, members.iter().map(|&m| &rows[m]))
            }
            (Features::Embeddings { rows, dim }, Centre::Embedding(c)) => {
                let mut buf = vec![0f32; *dim];
                members
                    .iter()
                    .map(|&m| dense_dot(widen(rows[m], &mut buf), c))
                    .collect()
            }
            _ => vec![0.0; members.len()],
        }
    }

    /// Cosine of rows `i` and `j`.
    pub fn similarity(&self, i: usize, j: usize) -> f32 {
        match self {
            Features::Words { rows, .. } => dot(&rows[i], &rows[j]),
            Features::Embeddings { rows, dim } => {
                let (mut a, mut b) = (vec![0f32; *dim], vec![0f32; *dim]);
                dense_dot(widen(rows[i], &mut a), widen(rows[j], &mut b))
            }
        }
    }

    /// Per topic (given as rows of these features), the cosine to its centre of its 2% least
    /// typical members (at least 0.01): an outside item as close as that fits the topic.
    /// Large topics have diffuse centres (a member's cosine to its centre is often under 0.1
    /// with TF-IDF), and with embeddings every cosine is high, so the floor comes from the
    /// members, not from a fixed cosine.
    pub fn floors(&self, topics: &[Vec<usize>], centres: &[Centre]) -> Vec<f32> {
        topics
            .par_iter()
            .zip(centres)
            .map(|(members, c)| {
                let mut sims = self.dots(c, members);
                sims.sort_unstable_by(f32::total_cmp);
                sims.get(sims.len() / 50).copied().unwrap_or(0.0).max(0.01)
            })
            .collect()
    }

    /// For each row, the centre most similar to it, with the cosine.
    pub fn nearest(&self, centres: &[Centre]) -> Vec<Option<(usize, f32)>> {
        let t_len = centres.len();
        let best_of = |acc: &mut [f32]| {
            let best = acc
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
                .map(|(t, &s)| (t, s));
            acc.iter_mut().for_each(|x| *x = 0.0);
            best
        };
        match self {
            // Through an inverted index of the centres: a row costs its terms × the topics
            // holding each, where a sparse dot product with every centre would cost the
            // centre's length (tens of thousands of terms in a large topic) per pair.
            Features::Words { rows, vocab } => {
                let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); *vocab];
                for (t, c) in centres.iter().enumerate() {
                    if let Centre::Words(c) = c {
                        for &(term, w) in c {
                            postings[term as usize].push((t as u32, w));
                        }
                    }
                }
                rows.par_iter()
                    .map_init(
                        || vec![0f32; t_len],
                        |acc, row| {
                            for &(term, w) in row {
                                for &(t, wc) in &postings[term as usize] {
                                    acc[t as usize] += w * wc;
                                }
                            }
                            best_of(acc)
                        },
                    )
                    .collect()
            }
            // Centres transposed (entry-major), so that each entry of a row adds to every
            // topic's sum in one vectorisable pass.
            Features::Embeddings { rows, dim } => {
                let mut transposed = vec![0f32; dim * t_len];
                for (t, c) in centres.iter().enumerate() {
                    if let Centre::Embedding(c) = c {
                        for (i, &x) in c.iter().enumerate() {
                            transposed[i * t_len + t] = x;
                        }
                    }
                }
                rows.par_iter()
                    .map_init(
                        || (vec![0f32; t_len], vec![0f32; *dim]),
                        |(acc, buf), row| {
                            if !row.is_empty() && t_len > 0 {
                                let row = widen(row, buf);
                                for (&x, col) in row.iter().zip(transposed.chunks_exact(t_len)) {
                                    for (a, &c) in acc.iter_mut().zip(col) {
                                        *a += x * c;
                                    }
                                }
                            }
                            best_of(acc)
                        },
                    )
                    .collect()
            }
        }
    }
}

/// The clustering features of `all`: their TF-IDF rows, or with `cfg.embeddings` their
/// stored vectors (an item without an up-to-date vector has an empty row).
pub(super) fn features_of<'a>(
    vectors: &'a vectorize::Vectors,
    all: &[&Item],
    cfg: &'a super::TopicConfig,
) -> Features<'a> {
    match &cfg.embeddings {
        Some(store) => Features::embeddings(store, all),
        None => Features::words(&vectors.tfidf, vectors.vocab.len()),
    }
}

/// Refuses, saying what to run, when some of `items` have no up-to-date vector in `store`
/// (of the index at `index_dir`).
pub fn require_vectors(
    store: &Store,
    items: &[Item],
    index_dir: &std::path::Path,
) -> crate::Result<()> {
    let missing = items
        .par_iter()
        .filter(|it| !store.has(&it.id, embed::text_hash(it)))
        .count();
    if missing > 0 {
        return Err(crate::Error::Usage(format!(
            "{missing} of the selected items have no up-to-date sentence vector; run `minyi embed --index {}` first",
            index_dir.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn embeddings_and_sparse_rows_of_them_agree() {
        // The same vectors as f16 embeddings and as sparse rows (every entry a term).
        let vecs: Vec<Vec<f32>> = (0..40)
            .map(|i| {
                unit(&[
                    (i % 3) as f32 + 0.5,
                    (i % 5) as f32,
                    1.0,
                    (i % 7) as f32 * 0.3,
                ])
            })
            .collect();
        let halves: Vec<Vec<f16>> = vecs
            .iter()
            .map(|v| v.iter().map(|&x| f16::from_f32(x)).collect())
            .collect();
        let widened: Vec<Sparse> = halves
            .iter()
            .map(|v| {
                v.iter()
                    .enumerate()
                    .map(|(i, x)| (i as u32, x.to_f32()))
                    .collect()
            })
            .collect();
        let dense = Features::Embeddings {
            rows: halves.iter().map(|v| &v[..]).collect(),
            dim: 4,
        };
        let sparse = Features::words(&widened, 4);
        let topics = vec![(0..20).collect::<Vec<_>>(), (20..40).collect()];
        let cd: Vec<Centre> = topics.iter().map(|t| dense.centroid(t)).collect();
        let cs: Vec<Centre> = topics.iter().map(|t| sparse.centroid(t)).collect();
        for (a, b) in cd.iter().zip(&cs) {
            let (Centre::Embedding(a), Centre::Words(b)) = (a, b) else {
                panic!("centre kinds")
            };
            let b: Vec<f32> = b.iter().map(|p| p.1).collect();
            assert_eq!(a, &b);
        }
        assert_eq!(dense.nearest(&cd), sparse.nearest(&cs));
        assert_eq!(dense.floors(&topics, &cd), sparse.floors(&topics, &cs));
        assert_eq!(dense.similarity(3, 17), sparse.similarity(3, 17));
        assert_eq!(cd[0].dot(&cd[1]), cs[0].dot(&cs[1]));
        // A sample keeps its rows; an item without a vector is near nothing.
        let sample = dense.select(&[5, 7]);
        assert_eq!(sample.similarity(0, 1), dense.similarity(5, 7));
        let missing = Features::Embeddings {
            rows: vec![&halves[0][..], &[]],
            dim: 4,
        };
        assert_eq!(missing.similarity(0, 1), 0.0);
        assert_eq!(missing.nearest(&cd)[1].map(|b| b.1), Some(0.0));
    }
}
