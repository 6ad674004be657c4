//! The similarity graph: each item's nearest neighbours by cosine of TF-IDF vectors, found in
//! parallel through an inverted index, and near-duplicate groups (union-find over pairs above
//! a high similarity).

use crate::util::{find, union};
use std::borrow::Cow;

use rayon::prelude::*;

use super::vectorize::{dot, Sparse, EXACT_UP_TO};

/// Neighbours of each item: (other item, cosine), best first.
pub type Knn = Vec<Vec<(u32, f32)>>;

/// Terms of an item that look for candidates in the approximate search (its heaviest).
const PROBE_TERMS: usize = 24;

/// Entries kept per term in the approximate search (the items where the term weighs most).
const POSTING_CAP: usize = 1_500;

/// Candidates rescored exactly per item in the approximate search.
const CANDIDATES: usize = 256;

/// Finds up to `k` neighbours with cosine ≥ `min_sim` for every item, in parallel.
///
/// Up to [`EXACT_UP_TO`] items the search is exact: every shared term adds to the cosine
/// through an inverted index. Above, a frequent term would touch a large share of the corpus
/// for every item (quadratic time), so candidates come from each item's heaviest terms
/// looked up in postings cut to the items where that term weighs most, and the best
/// candidates are rescored exactly; the time grows about linearly with the items.
pub fn knn(rows: &[Sparse], vocab_len: usize, k: usize, min_sim: f32) -> Knn {
    let n = rows.len();
    let approximate = n > EXACT_UP_TO;
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); vocab_len];
    for (d, row) in rows.iter().enumerate() {
        for &(t, w) in row {
            postings[t as usize].push((d as u32, w));
        }
    }
    if approximate {
        postings.par_iter_mut().for_each(|p| {
            if p.len() > POSTING_CAP {
                p.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                p.truncate(POSTING_CAP);
                p.shrink_to_fit();
            }
        });
    }
    (0..n)
        .into_par_iter()
        .map_init(
            || Scratch::new(n),
            |scratch, d| {
                let row = &rows[d];
                let mut probe: Cow<[(u32, f32)]> = Cow::Borrowed(row);
                if approximate && probe.len() > PROBE_TERMS {
                    let mut p = row.clone();
                    p.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                    p.truncate(PROBE_TERMS);
                    probe = Cow::Owned(p);
                }
                let floor = if approximate { f32::MIN } else { min_sim };
                let mut best = scratch.scores(&probe, &postings, d, floor);
                if approximate {
                    // Partial scores rank the candidates; the best are rescored exactly.
                    if best.len() > CANDIDATES {
                        best.select_nth_unstable_by(CANDIDATES, by_score);
                        best.truncate(CANDIDATES);
                    }
                    for (o, s) in best.iter_mut() {
                        *s = dot(row, &rows[*o as usize]);
                    }
                    best.retain(|&(_, s)| s >= min_sim);
                }
                if best.len() > k {
                    best.select_nth_unstable_by(k, by_score);
                    best.truncate(k);
                }
                best.sort_unstable_by(by_score);
                best.shrink_to_fit();
                best
            },
        )
        .collect()
}

/// Best first, ties to the lower index.
fn by_score(a: &(u32, f32), b: &(u32, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// One thread's score accumulator for the neighbour search: a dense array of partial
/// cosines, and the items whose score reached the floor. The inner loop runs once per pair
/// of items sharing a term (0.9 billion times on the 12,461 news articles), so how the
/// touched items are found afterwards matters:
///
/// * when an item's terms reach most of the corpus (long texts), the loop only adds, and the
///   whole array is scanned once for the scores at the floor ([`Scratch::take_all`]);
/// * when they reach a small part (short texts), the loop notes each item as its score
///   crosses the floor (rarely: a well-predicted branch; scores only grow, the weights being
///   positive), and the touched entries are cleared by walking the same postings again
///   ([`Scratch::take_noted`]), where scanning the array would read every item per item.
///
/// Keeping a list of every touched item took an unpredictable branch per posting, and flags
/// per block of entries cost a store per posting and a scan of nearly every block.
struct Scratch {
    acc: Vec<f32>,
    noted: Vec<u32>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            acc: vec![0.0; n],
            noted: Vec::new(),
        }
    }

    /// The items whose scores `probe`'s terms reach, other than `skip`, with score ≥ `floor`
    /// (in no particular order); leaves the accumulator cleared.
    fn scores(
        &mut self,
        probe: &[(u32, f32)],
        postings: &[Vec<(u32, f32)>],
        skip: usize,
        floor: f32,
    ) -> Vec<(u32, f32)> {
        let touches: usize = probe.iter().map(|&(t, _)| postings[t as usize].len()).sum();
        if touches >= self.acc.len() / 2 {
            for &(t, w) in probe {
                for &(o, wo) in &postings[t as usize] {
                    self.acc[o as usize] += w * wo;
                }
            }
            return self.take_all(skip, floor);
        }
        // Every touched score is positive: noting at the least positive floor notes them all.
        let floor = floor.max(f32::MIN_POSITIVE);
        for &(t, w) in probe {
            for &(o, wo) in &postings[t as usize] {
                let before = self.acc[o as usize];
                let after = before + w * wo;
                self.acc[o as usize] = after;
                if before < floor && after >= floor {
                    self.noted.push(o);
                }
            }
        }
        let out = self.take_noted(skip);
        for &(t, _) in probe {
            for &(o, _) in &postings[t as usize] {
                self.acc[o as usize] = 0.0;
            }
        }
        out
    }

    /// Scans the whole array for the scores ≥ `floor` (a block of 16 at a time: compare and
    /// pack into a mask, which the compiler vectorises), clearing it.
    fn take_all(&mut self, skip: usize, floor: f32) -> Vec<(u32, f32)> {
        let mut out = Vec::new();
        for (b, block) in self.acc.chunks_mut(16).enumerate() {
            let mut hits = 0u32;
            for (i, &s) in block.iter().enumerate() {
                hits |= ((s >= floor) as u32) << i;
            }
            while hits != 0 {
                let i = hits.trailing_zeros() as usize;
                hits &= hits - 1;
                let o = b * 16 + i;
                if block[i] != 0.0 && o != skip {
                    out.push((o as u32, block[i]));
                }
            }
            block.fill(0.0);
        }
        out
    }

    /// The noted items other than `skip` with their scores (the accumulator is left as it is).
    fn take_noted(&mut self, skip: usize) -> Vec<(u32, f32)> {
        let acc = &self.acc;
        self.noted
            .drain(..)
            .filter(|&o| o as usize != skip)
            .map(|o| (o, acc[o as usize]))
            .collect()
    }
}

/// Groups items whose cosine is at least `threshold` (transitively). Returns a group id per item.
pub fn near_duplicates(knn: &Knn, threshold: f32) -> Vec<u32> {
    let n = knn.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for (a, nbrs) in knn.iter().enumerate() {
        for &(b, s) in nbrs {
            if s >= threshold {
                union(&mut parent, a as u32, b);
            }
        }
    }
    (0..n as u32).map(|x| find(&mut parent, x)).collect()
}

/// Query rows per block of the dense neighbour search (a block's scores take
/// `DENSE_BLOCK` × n × 4 bytes, twice: 100 MB at 100,000 items).
const DENSE_BLOCK: usize = 256;

/// The best `k` of `scores` with score ≥ `min_sim`, leaving out `skip` (the row itself), best
/// first, ties to the lower index. One pass that keeps the best so far: with embeddings
/// nearly every cosine clears `min_sim`, and collecting them all to select from would move
/// n entries per row.
fn top_k(scores: &[f32], skip: usize, k: usize, min_sim: f32) -> Vec<(u32, f32)> {
    let mut best: Vec<(u32, f32)> = Vec::with_capacity(k);
    if k == 0 {
        return best;
    }
    // What a candidate must reach: `min_sim`, and once `k` are kept, the worst of them.
    let mut floor = min_sim;
    for (o, &s) in scores.iter().enumerate() {
        if s < floor || o == skip {
            continue;
        }
        if best.len() == k {
            // An equal score comes later in the order (higher index): it loses.
            if s <= best[k - 1].1 {
                continue;
            }
            best.pop();
        }
        let at = best.partition_point(|&(_, b)| b >= s);
        best.insert(at, (o as u32, s));
        if best.len() == k {
            floor = best[k - 1].1;
        }
    }
    best
}

/// Exact neighbours of unit vectors (sentence embeddings, `dim` entries each, row after row
/// in `flat`): the cosines of a block of rows with every row come from one matrix product
/// (candle's gemm, multi-threaded), then each row keeps its best `k` with cosine ≥ `min_sim`.
pub fn knn_dense(flat: Vec<f32>, dim: usize, k: usize, min_sim: f32) -> Knn {
    use candle_core::{Device, Tensor};
    if dim == 0 || flat.is_empty() {
        return Vec::new();
    }
    let n = flat.len() / dim;
    let all = Tensor::from_vec(flat, (n, dim), &Device::Cpu).expect("shape matches");
    // The transposed view, not a copy: gemm reads it through its strides.
    let all_t = all.t().expect("2-d");
    let mut out: Knn = Vec::with_capacity(n);
    for start in (0..n).step_by(DENSE_BLOCK) {
        let len = DENSE_BLOCK.min(n - start);
        let block = all.narrow(0, start, len).expect("in range");
        let scores: Vec<f32> = block
            .matmul(&all_t)
            .and_then(|s| s.flatten_all())
            .and_then(|s| s.to_vec1())
            .expect("cpu matmul");
        let rows: Vec<Vec<(u32, f32)>> = scores
            .par_chunks(n)
            .enumerate()
            .map(|(r, row)| top_k(row, start + r, k, min_sim))
            .collect();
        out.extend(rows);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_keeps_the_best_with_ties_to_the_lower_index() {
        let scores = [0.5, 0.9, 0.2, 0.9, 0.05, 0.7, 0.5, 0.95];
        assert_eq!(
            top_k(&scores, 7, 3, 0.1),
            vec![(1, 0.9), (3, 0.9), (5, 0.7)]
        );
        assert_eq!(
            top_k(&scores, 1, 4, 0.1),
            vec![(7, 0.95), (3, 0.9), (5, 0.7), (0, 0.5)]
        );
        assert_eq!(top_k(&scores, 0, 10, 0.6).len(), 4);
        assert!(top_k(&scores, 0, 0, 0.0).is_empty());
    }

    #[test]
    fn sparse_neighbours_match_brute_force() {
        // Short rows over a large vocabulary (their terms reach few items: scores are noted as
        // they cross the floor) and long rows over a small one (the array is scanned).
        let mut x = crate::util::XorShift::new(987654321);
        let mut next = |m: u64| x.next_u64() % m;
        for (n, terms, vocab) in [(400, 4, 300), (300, 60, 120)] {
            let rows: Vec<Sparse> = (0..n)
                .map(|_| {
                    let mut r: Sparse = (0..terms)
                        .map(|_| (next(vocab) as u32, 1.0 + next(100) as f32 / 10.0))
                        .collect();
                    r.sort_unstable_by_key(|e| e.0);
                    r.dedup_by_key(|e| e.0);
                    let norm = r.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
                    r.iter_mut().for_each(|e| e.1 /= norm);
                    r
                })
                .collect();
            let (k, min_sim) = (7, 0.05);
            let got = knn(&rows, vocab as usize, k, min_sim);
            for d in 0..n {
                let mut brute: Vec<(u32, f32)> = (0..n)
                    .filter(|&o| o != d)
                    .map(|o| (o as u32, dot(&rows[d], &rows[o])))
                    .filter(|&(_, s)| s >= min_sim)
                    .collect();
                brute.sort_by(by_score);
                brute.truncate(k);
                let ids = |v: &[(u32, f32)]| v.iter().map(|e| e.0).collect::<Vec<_>>();
                assert_eq!(ids(&got[d]), ids(&brute), "row {d} of {n}");
                for (a, b) in got[d].iter().zip(&brute) {
                    assert!((a.1 - b.1).abs() < 1e-5);
                }
            }
        }
    }

    #[test]
    fn dense_neighbours_match_brute_force_across_blocks() {
        // More rows than one block, pseudo-random unit vectors.
        let mut x = crate::util::XorShift::new(12345);
        let mut next = || (x.next_u64() % 2000) as f32 / 1000.0 - 1.0;
        let rows: Vec<Vec<f32>> = (0..DENSE_BLOCK + 37)
            .map(|_| {
                let mut v: Vec<f32> = (0..16).map(|_| next()).collect();
                crate::embed::normalise(&mut v);
                v
            })
            .collect();
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        let knn = knn_dense(flat, 16, 5, -1.0);
        assert_eq!(knn.len(), rows.len());
        for d in [0, DENSE_BLOCK - 1, DENSE_BLOCK, rows.len() - 1] {
            let mut brute: Vec<(u32, f32)> = (0..rows.len())
                .filter(|&o| o != d)
                .map(|o| (o as u32, crate::embed::dot(&rows[d], &rows[o])))
                .collect();
            brute.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let got: Vec<u32> = knn[d].iter().map(|p| p.0).collect();
            let want: Vec<u32> = brute[..5].iter().map(|p| p.0).collect();
            assert_eq!(got, want, "row {d}");
        }
    }
}
