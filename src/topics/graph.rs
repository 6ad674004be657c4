//! The similarity graph: each item's nearest neighbours by cosine of TF-IDF vectors, found in
//! parallel through an inverted index, and near-duplicate groups (union-find over pairs above
//! a high similarity).

use rayon::prelude::*;

use super::vectorize::Sparse;

/// Neighbours of each item: (other item, cosine), best first.
pub type Knn = Vec<Vec<(u32, f32)>>;

/// Finds up to `k` neighbours with cosine ≥ `min_sim` for every item.
pub fn knn(rows: &[Sparse], vocab_len: usize, k: usize, min_sim: f32) -> Knn {
    let n = rows.len();
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); vocab_len];
    for (d, row) in rows.iter().enumerate() {
        for &(t, w) in row {
            postings[t as usize].push((d as u32, w));
        }
    }
    (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0f32; n], Vec::<u32>::new()),
            |(acc, touched), d| {
                for &(t, w) in &rows[d] {
                    for &(o, wo) in &postings[t as usize] {
                        if o as usize != d {
                            if acc[o as usize] == 0.0 {
                                touched.push(o);
                            }
                            acc[o as usize] += w * wo;
                        }
                    }
                }
                let mut best: Vec<(u32, f32)> = touched
                    .iter()
                    .map(|&o| (o, acc[o as usize]))
                    .filter(|&(_, s)| s >= min_sim)
                    .collect();
                for &o in touched.iter() {
                    acc[o as usize] = 0.0;
                }
                touched.clear();
                best.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                best.truncate(k);
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
