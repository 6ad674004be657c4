//! Problems (问题): inside the broad themes, the specific problems editors write about — one
//! estate, road, village group, company, school or case, raised by several people.
//!
//! Two items are one problem when they name the same object (a shared [`place_keys`] key)
//! and say much the same about it (TF-IDF cosine at least `place_similarity`), or when they
//! are near-duplicates (the same message sent again) whose objects do not differ. Problems
//! are the connected groups of such pairs; a problem of the window has at least `min_items`
//! of the window's items from at least `min_submitters` people. Most items are in none.
//!
//! Chosen by measurement on 26 hand-labelled problems of the real messages
//! (`tests/fixtures/problems`, figures in `benches/README.md`): near-duplicate groups alone
//! find a third of each problem, themes mix a problem with hundreds of others; an object
//! shared plus a moderate cosine finds most of each and little else. To keep the work
//! linear, an item is compared only with its `time_neighbours` nearest items in time among
//! those naming the same object, and a key that ends many different names (有限公司, 国际城)
//! names no object.
//!
//! [`place_keys`]: crate::segment::places::place_keys

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, FixedOffset};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::item::Item;
use crate::segment::places::place_keys;
use crate::text::label::{self, WordFilter};
use crate::text::shown::{pick_representatives, ItemRef, Trend, REPRESENTATIVES};
use crate::text::vectorize::{dot, Sparse, Vectors};
use crate::util::{find, union};
use heat::{Heat, HeatConfig, HeatInput};

/// Settings of problem finding (`[problems]` in `minyi.toml`, read as they are here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProblemConfig {
    /// Whether to find problems at all (`false`: themes only, as before issue 34).
    pub enabled: bool,
    /// Fewest items of the window in a problem: 3.
    pub min_items: usize,
    /// Fewest distinct submitters of the window in a problem: 2 (without a submitter
    /// column, items count as people).
    pub min_submitters: usize,
    /// Least TF-IDF cosine of two items naming the same object: 0.2.
    pub place_similarity: f32,
    /// Least cosine of the centres of two groups joined by such a pair (average linkage):
    /// 0.2.
    pub group_similarity: f32,
    /// Months with items that make a problem still raised at the window's end a 难点: 3.
    pub difficult_months: usize,
    /// Items naming an object are compared with this many of the next ones in time: 8.
    pub time_neighbours: usize,
    /// A key that ends more than this many different names, with fewer than three items per
    /// name, names a kind of object rather than one (有限公司, 国际城): 5.
    pub max_names_per_key: usize,
    /// Least coherence (一致度: the share of a problem's items that name its object and say
    /// what the others say about it) of a listed problem: 0.6. Below it a group is a mixture
    /// of several complaints or objects, held back and counted in the footer.
    pub min_coherence: f64,
    /// Least cosine of an item's words, less its object's name, with the rest of its
    /// problem's, for the item to say the same as they do: 0.1.
    pub complaint_similarity: f32,
    /// The heat index (`[hot]` in `minyi.toml`, a section of its own).
    #[serde(skip)]
    pub heat: HeatConfig,
    /// Keys known to name a kind of object over more items than those given: an update of
    /// a region of the index takes them from the registry (those found over all the
    /// items at the last full update), since the region holds only some of their names.
    #[serde(skip)]
    pub kinds: std::sync::Arc<FxHashSet<String>>,
}

impl Default for ProblemConfig {
    fn default() -> Self {
        ProblemConfig {
            enabled: true,
            min_items: 3,
            min_submitters: 2,
            place_similarity: 0.2,
            group_similarity: 0.2,
            difficult_months: 3,
            time_neighbours: 8,
            max_names_per_key: 5,
            min_coherence: 0.5,
            complaint_similarity: 0.2,
            heat: HeatConfig::default(),
            kinds: Default::default(),
        }
    }
}

/// One problem of the window.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Problem {
    /// `P` and the heat rank (P1 is the hottest).
    pub id: String,
    /// Rank by heat, from 1.
    pub rank: usize,
    /// One line for the editor: the object and what is wrong (问题描述).
    pub label: String,
    /// The object as the items name it most (地点/人群); empty when they name none.
    pub object: String,
    /// What the items say about it, most particular first.
    pub keywords: Vec<String>,
    /// The theme (topic id) most of its items are in; `None`: 其他.
    pub theme: Option<usize>,
    /// 热点 by the rule of [`heat::hot_flags`].
    pub hot: bool,
    /// 难点: raised again over months and not resolved — items in at least
    /// `difficult_months` different months, the last in the window's final quarter, and
    /// (where the data has handling feedback) most without it.
    #[serde(default)]
    pub difficult: bool,
    /// Months of the window with items of the problem.
    #[serde(default)]
    pub months_active: usize,
    /// The heat index and its terms.
    pub heat: Heat,
    /// Items in the window.
    pub size: usize,
    /// Distinct submitters in the window.
    pub submitters: usize,
    /// Items of the previous window in the same problem: naming its object and saying what
    /// its items say about it.
    pub previous: usize,
    /// 一致度 in [0, 1]: the smaller of the share of its items naming its object (or, when it
    /// names none, sent as one message) and the share saying what the others say.
    #[serde(default)]
    pub coherence: f64,
    /// One person's repeated messages (重复反映): listed apart, not ranked as hot.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeated: bool,
    pub likes: u64,
    pub dislikes: u64,
    /// First and last item in the window (`YYYY-MM-DD`).
    pub first: Option<String>,
    pub last: Option<String>,
    /// Against the previous window: new, rising, steady or fading.
    pub trend: Option<Trend>,
    /// Up to three items, distinct messages, most typical first.
    pub representatives: Vec<ItemRef>,
    /// Every member's id (the window's items), oldest first.
    pub item_ids: Vec<String>,
    /// Its term counts (term id, count), written by an engine's task only, so that the
    /// keywords can be weighed against all problems of the input ([`crate::engine`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<(u32, f32)>,
}

impl Problem {
    /// 热点, 难点 or 关注, as the hot list writes it (热点 first when both).
    pub fn class_zh(&self) -> &'static str {
        if self.repeated {
            "重复反映"
        } else if self.hot {
            "热点"
        } else if self.difficult {
            "难点"
        } else {
            "关注"
        }
    }
}

/// Problems larger than this find their typical members in a dense array.
const DENSE_FROM: usize = 256;

/// Names of an item that are matched (its title's come first).
const MAX_NAMES: usize = 16;

/// Candidate problems and the object keys they were found by.
pub(crate) struct Grouping {
    /// Connected groups of at least two items (indices into the items).
    pub groups: Vec<Vec<usize>>,
    /// Each item's object keys (ids into `key_names`).
    pub keys: Vec<Vec<u32>>,
    pub key_names: Vec<String>,
    /// The keys found to name kinds of object ([`ProblemConfig::kinds`]), sorted; none when
    /// the keys were given.
    pub kinds: Vec<String>,
}

/// Each of an item's names' keys, core first; at most MAX_NAMES names (the title's first).
/// An engine counts these across its input to decide the object keys as [`object_keys`]
/// does (`minyi problems keys`).
pub fn name_keys(it: &Item) -> Vec<Vec<String>> {
    it.places
        .iter()
        .take(MAX_NAMES)
        .map(|name| place_keys(name))
        .filter(|ks| !ks.is_empty())
        .collect()
}

/// A key that ends more than `max_names_per_key` different names is a kind of object (路, 小区
/// …) and no object key, unless it has at least this many items per name.
pub const ITEMS_PER_NAME_OF_A_BUSY_KEY: usize = 3;

/// The object keys of each item: the keys of its place names, less those that end many
/// different names with few items each (kinds of object) or are among `kinds`; the keys'
/// names; and the keys found here to name kinds of object, sorted.
fn object_keys(
    all: &[&Item],
    max_names: usize,
    kinds: &FxHashSet<String>,
) -> (Vec<Vec<u32>>, Vec<String>, Vec<String>) {
    let named: Vec<Vec<Vec<String>>> = all.par_iter().map(|it| name_keys(it)).collect();
    // A tail is a key only when some item names it as a whole (中茂城 meets 星沙中茂城 because
    // someone wrote 中茂城; 沙中茂城 names nothing): the other tails only multiplied the pairs.
    let cores: FxHashSet<&str> = named
        .iter()
        .flat_map(|ns| ns.iter().map(|ks| ks[0].as_str()))
        .collect();
    let per_item: Vec<Vec<(String, String)>> = named
        .par_iter()
        .map(|ns| {
            let mut keys: Vec<(String, String)> = Vec::new();
            for ks in ns {
                let core = &ks[0];
                for k in ks {
                    if (k == core || cores.contains(k.as_str()))
                        && !keys.iter().any(|(x, _)| x == k)
                    {
                        keys.push((k.clone(), core.clone()));
                    }
                }
            }
            keys
        })
        .collect();
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut names: Vec<String> = Vec::new();
    let mut cores: Vec<FxHashSet<&str>> = Vec::new();
    let mut items: Vec<usize> = Vec::new();
    for keys in &per_item {
        for (k, core) in keys {
            let next = ids.len() as u32;
            let id = *ids.entry(k.as_str()).or_insert(next);
            if id as usize == cores.len() {
                cores.push(FxHashSet::default());
                items.push(0);
                names.push(k.clone());
            }
            cores[id as usize].insert(core.as_str());
            items[id as usize] += 1;
        }
    }
    let generic: Vec<bool> = cores
        .iter()
        .zip(&items)
        .map(|(c, &n)| c.len() > max_names && n < ITEMS_PER_NAME_OF_A_BUSY_KEY * c.len())
        .collect();
    let mut found: Vec<String> = names
        .iter()
        .zip(&generic)
        .filter(|&(_, &g)| g)
        .map(|(n, _)| n.clone())
        .collect();
    found.sort_unstable();
    let skip: Vec<bool> = generic
        .iter()
        .zip(&names)
        .map(|(&g, n)| g || kinds.contains(n))
        .collect();
    let keys = per_item
        .iter()
        .map(|keys| {
            keys.iter()
                .map(|(k, _)| ids[k.as_str()])
                .filter(|&id| !skip[id as usize])
                .collect()
        })
        .collect();
    (keys, names, found)
}

/// Groups `all` (this window's `n` items, then the previous window's) into candidate
/// problems: connected groups of at least two items. `dup` is each item's near-duplicate
/// group.
pub(crate) fn group(
    all: &[&Item],
    vectors: &Vectors,
    dup: &[u32],
    cfg: &ProblemConfig,
) -> Grouping {
    let (keys, key_names, kinds) = object_keys(all, cfg.max_names_per_key, &cfg.kinds);
    Grouping {
        kinds,
        ..group_by_keys(all, keys, key_names, vectors, dup, cfg)
    }
}

/// [`group`] with each item's object keys given (ids into `key_names`).
fn group_by_keys(
    all: &[&Item],
    keys: Vec<Vec<u32>>,
    key_names: Vec<String>,
    vectors: &Vectors,
    dup: &[u32],
    cfg: &ProblemConfig,
) -> Grouping {
    // Items by key, in time order.
    let mut by_key: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for (i, ks) in keys.iter().enumerate() {
        for &k in ks {
            by_key.entry(k).or_default().push(i);
        }
    }
    let time = |i: usize| time_of(all[i]);
    let mut lists: Vec<Vec<usize>> = by_key.into_values().filter(|l| l.len() > 1).collect();
    lists
        .par_iter_mut()
        .for_each(|l| l.sort_by_key(|&i| (time(i), i)));
    lists.sort();
    // Candidate pairs (same object, similar words) in parallel.
    let pairs: Vec<(f32, u32, u32)> = lists
        .par_iter()
        .flat_map_iter(|l| {
            // Near-duplicates are joined already.
            let joined = |p: usize, q: usize| dup[l[p]] == dup[l[q]];
            neighbour_pairs(l.len(), |p| vectors.row(l[p]), joined, cfg)
                .into_iter()
                .map(|(sim, p, q)| (sim, l[p].min(l[q]) as u32, l[p].max(l[q]) as u32))
        })
        .collect();
    link(all, keys, key_names, vectors, dup, pairs, cfg)
}

/// An item's time for ordering the items that name one object (undated first).
fn time_of(it: &Item) -> i64 {
    it.submitted_at.map(|d| d.timestamp()).unwrap_or(i64::MIN)
}

/// The candidate pairs among the `n` items of one object key, in time order (`row(p)` is the
/// p-th item's TF-IDF row): each item with each of its next `time_neighbours`, when their
/// cosine reaches `place_similarity`, unless `skip(p, q)`. As (cosine, p, q) with p < q,
/// positions in the list.
pub(crate) fn neighbour_pairs<'a>(
    n: usize,
    row: impl Fn(usize) -> Cow<'a, Sparse>,
    skip: impl Fn(usize, usize) -> bool,
    cfg: &ProblemConfig,
) -> Vec<(f32, usize, usize)> {
    let mut out = Vec::new();
    for p in 0..n {
        let ra = row(p);
        for q in (p + 1..n).take(cfg.time_neighbours) {
            if skip(p, q) {
                continue;
            }
            let sim = dot(&ra, &row(q));
            if sim >= cfg.place_similarity {
                out.push((sim, p, q));
            }
        }
    }
    out
}

/// The linkage of candidate `pairs` (cosine, a, b) into candidate problems, with each item's
/// object keys (ids into `key_names`) and near-duplicate group `dup`: near-duplicates join
/// first unless they name different objects, then the pairs, most similar first, join two
/// groups when their centres are similar enough. An engine finds the pairs over its whole
/// input (per object key) and hands each task the items of whole components of the pairs.
pub(crate) fn link(
    all: &[&Item],
    keys: Vec<Vec<u32>>,
    key_names: Vec<String>,
    vectors: &Vectors,
    dup: &[u32],
    mut pairs: Vec<(f32, u32, u32)>,
    cfg: &ProblemConfig,
) -> Grouping {
    let mut parent: Vec<u32> = (0..all.len() as u32).collect();
    // Near-duplicates join first unless they name different objects (a template sent about
    // two schools is two problems).
    let mut first_of_dup: Vec<usize> = vec![usize::MAX; all.len()];
    for (i, &g) in dup.iter().enumerate() {
        match first_of_dup[g as usize] {
            usize::MAX => first_of_dup[g as usize] = i,
            j => {
                let (ki, kj) = (&keys[i], &keys[j]);
                if ki.is_empty() || kj.is_empty() || ki.iter().any(|k| kj.contains(k)) {
                    union(&mut parent, i as u32, j as u32);
                }
            }
        }
    }
    // Most similar first.
    pairs.par_sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    pairs.dedup_by(|x, y| (x.1, x.2) == (y.1, y.2));
    // Average linkage: two groups join when their centres are as similar as a pair must be,
    // so a chain of pairs cannot carry one estate's fumes into its traffic and its schools.
    let mut members: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for i in 0..all.len() as u32 {
        let r = find(&mut parent, i);
        if r != i {
            members.entry(r).or_insert_with(|| vec![r]).push(i);
        }
    }
    // Each group's centre (its rows summed, heaviest terms kept) with its norm, made when
    // first needed; a single item's centre is its row.
    let mut centres: FxHashMap<u32, (Sparse, f32)> = FxHashMap::default();
    for (_, a, b) in pairs {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra == rb {
            continue;
        }
        for r in [ra, rb] {
            if let (Entry::Vacant(e), Some(ms)) = (centres.entry(r), members.get(&r)) {
                let c = heaviest(sum_rows(vectors, ms.iter().map(|&m| m as usize)));
                let n = norm(&c);
                e.insert((c, n));
            }
        }
        let centre = |r: u32| match centres.get(&r) {
            Some((c, n)) => (Cow::Borrowed(c), *n),
            None => {
                let row = vectors.row(r as usize);
                let n = norm(&row);
                (row, n)
            }
        };
        let ((ca, na), (cb, nb)) = (centre(ra), centre(rb));
        let cos = dot(&ca, &cb) / (na * nb).max(f32::MIN_POSITIVE);
        if cos >= cfg.group_similarity {
            let merged = heaviest(add(&ca, &cb));
            let n = norm(&merged);
            centres.remove(&ra);
            centres.remove(&rb);
            union(&mut parent, ra, rb);
            centres.insert(ra.min(rb), (merged, n));
        }
    }
    let mut groups: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for i in 0..all.len() as u32 {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i as usize);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    out.sort();
    Grouping {
        groups: out,
        keys,
        key_names,
        kinds: Vec::new(),
    }
}

/// The sum of two sparse rows (sorted by term).
fn add(a: &[(u32, f32)], b: &[(u32, f32)]) -> Sparse {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((a[i].0, a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Terms a group's centre keeps for the linkage: its heaviest (a merge then costs at most
/// this many terms, where a large group's full centre held thousands).
const CENTRE_TERMS: usize = 256;

/// The sum of some rows: merged sparsely for a few, in a dense array of the vocabulary for
/// many (a sparse running sum of thousands of copies grows with every row).
fn sum_rows(vectors: &Vectors, rows: impl ExactSizeIterator<Item = usize>) -> Sparse {
    if rows.len() <= DENSE_FROM {
        return rows.fold(Sparse::new(), |acc, m| add(&acc, &vectors.row(m)));
    }
    let mut dense = vec![0f32; vectors.vocab.len()];
    for m in rows {
        for &(t, w) in vectors.row(m).iter() {
            dense[t as usize] += w;
        }
    }
    (0u32..).zip(dense).filter(|&(_, w)| w != 0.0).collect()
}

/// `v` less all but its [`CENTRE_TERMS`] heaviest terms, still sorted by term.
fn heaviest(mut v: Sparse) -> Sparse {
    if v.len() > CENTRE_TERMS {
        v.select_nth_unstable_by(CENTRE_TERMS, |a, b| b.1.total_cmp(&a.1));
        v.truncate(CENTRE_TERMS);
        v.sort_unstable_by_key(|&(t, _)| t);
    }
    v
}

fn norm(a: &[(u32, f32)]) -> f32 {
    a.iter().map(|(_, w)| w * w).sum::<f32>().sqrt()
}

mod describe;
pub mod follow;
pub mod heat;
pub mod registry;
#[cfg(test)]
mod tests;

pub(crate) use describe::{describe, words_and_label, Context};
