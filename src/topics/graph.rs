//! The similarity graph: each item's nearest neighbours by cosine of TF-IDF vectors, found in
//! parallel through an inverted index, and near-duplicate groups (union-find over pairs above
//! a high similarity).

use rayon::prelude::*;

use super::vectorize::{dot, Sparse};

/// Neighbours of each item: (other item, cosine), best first.
pub type Knn = Vec<Vec<(u32, f32)>>;

/// Up to this many items the neighbour search is exact; above it, approximate (see [`knn`]).
pub const EXACT_UP_TO: usize = 100_000;

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
            || (vec![0f32; n], Vec::<u32>::new()),
            |(acc, touched), d| {
                let row = &rows[d];
                let mut probe: Vec<(u32, f32)> = row.clone();
                if approximate && probe.len() > PROBE_TERMS {
                    probe.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                    probe.truncate(PROBE_TERMS);
                }
                for &(t, w) in &probe {
                    for &(o, wo) in &postings[t as usize] {
                        if o as usize != d {
                            if acc[o as usize] == 0.0 {
                                touched.push(o);
                            }
                            acc[o as usize] += w * wo;
                        }
                    }
                }
                let mut best: Vec<(u32, f32)> =
                    touched.iter().map(|&o| (o, acc[o as usize])).collect();
                for &o in touched.iter() {
                    acc[o as usize] = 0.0;
                }
                touched.clear();
                let by_score =
                    |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
                if approximate {
                    // Partial scores rank the candidates; the best are rescored exactly.
                    if best.len() > CANDIDATES {
                        best.select_nth_unstable_by(CANDIDATES, by_score);
                        best.truncate(CANDIDATES);
                    }
                    for (o, s) in best.iter_mut() {
                        *s = dot(row, &rows[*o as usize]);
                    }
                }
                best.retain(|&(_, s)| s >= min_sim);
                best.sort_unstable_by(by_score);
                best.truncate(k);
                best.shrink_to_fit();
                best
            },
        )
        .collect()
}

/// Groups items whose cosine is at least `threshold` (transitively). Returns a group id per item.
pub fn near_duplicates(knn: &Knn, threshold: f32) -> Vec<u32> {
    let n = knn.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for (a, nbrs) in knn.iter().enumerate() {
        for &(b, s) in nbrs {
            if s >= threshold {
                let (ra, rb) = (find(&mut parent, a as u32), find(&mut parent, b));
                if ra != rb {
                    let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
                    parent[hi as usize] = lo;
                }
            }
        }
    }
    (0..n as u32).map(|x| find(&mut parent, x)).collect()
}
