//! Problems on an engine (issue 36): problems are local to a named object, so the engine
//! needs no sample for them. It counts each item's name keys (`minyi problems keys`, from
//! [`NameKeys`]) across the whole input to decide which keys name one object (as
//! [`crate::topics::problems`] decides locally), links keys named together into groups, and
//! hands each task whole groups; [`find`] runs the local problem finding on them with the
//! model's vocabulary and idf. The engine ranks the problems by heat across all tasks and
//! `minyi describe` lists the hottest.

use chrono::{DateTime, FixedOffset};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Assigner;
use crate::exchange::SegmentedItem;
use crate::item::Item;
use crate::segment::Segmenter;
use crate::topics::problems::{self, Context, Problem};
use crate::topics::score::Windows;
use crate::topics::vectorize::{dot, weigh, Vectors};
use crate::topics::{graph, label, TopicConfig};

/// An item's names and each name's object keys, core first, and its copy keys
/// (`minyi problems keys`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NameKeys {
    pub id: String,
    pub names: Vec<Vec<String>>,
    /// MinHash band keys of its terms: near-duplicates (the same message sent again) share
    /// one with high probability, so the engine routes copies that name no object together
    /// as well. They link items; they are not object keys.
    pub copies: Vec<String>,
}

/// Bands and rows of the copy keys: two items whose term sets have Jaccard similarity 0.7
/// share a band with probability 1 - (1 - 0.7^4)^10 = 0.94; at 0.3, 0.08.
const BANDS: u64 = 10;
const ROWS: u64 = 4;

/// A 64-bit mix (splitmix64's finaliser).
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The copy keys of a segmented item (see [`NameKeys::copies`]); none with fewer than two
/// feature terms.
pub fn copy_keys(it: &SegmentedItem) -> Vec<String> {
    let mut terms: Vec<u64> = it
        .title_terms
        .iter()
        .chain(&it.body_terms)
        .filter(|t| crate::topics::vectorize::keep(t))
        .map(|t| {
            let h = blake3::hash(t.as_bytes());
            u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
        })
        .collect();
    terms.sort_unstable();
    terms.dedup();
    if terms.len() < 2 {
        return Vec::new();
    }
    (0..BANDS)
        .map(|b| {
            let band = (0..ROWS).fold(b, |acc, r| {
                let seed = mix(b * ROWS + r + 1);
                let min = terms.iter().map(|&t| mix(t ^ seed)).min().expect("terms");
                mix(acc ^ min)
            });
            format!("~{b}:{band:016x}")
        })
        .collect()
}

impl NameKeys {
    /// The keys of `it`'s names and its copy keys; `None` when it has neither.
    pub fn of(it: &SegmentedItem) -> Option<NameKeys> {
        let names = problems::name_keys(&it.item);
        let copies = copy_keys(it);
        (!names.is_empty() || !copies.is_empty()).then(|| NameKeys {
            id: it.item.id.clone(),
            names,
            copies,
        })
    }
}

/// An item routed to a problem-finding task: its line as `minyi segment` wrote it, its object
/// keys (decided over the whole input; none for a copy that names no object) and its group
/// of linked keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Routed {
    pub line: String,
    pub keys: Vec<String>,
    pub group: String,
}

/// The optional columns of the whole input that problems weigh (decided by the engine).
#[derive(Debug, Clone, Copy, Default)]
pub struct InputColumns {
    pub submitters: bool,
    pub likes: bool,
    pub feedback: bool,
}

/// Most later members of a copy-key bucket each member is compared with.
const BUCKET_WINDOW: usize = 256;

/// Near-duplicate groups among `items` (each item's group id): pairs that share a copy key
/// and whose TF-IDF cosine reaches `threshold`, joined. Linear in the items, where a
/// neighbour graph over a group of hundreds of thousands is not; near-duplicates (cosine
/// 0.85 and more) share a band all but always, so the groups are those the local run finds
/// in its neighbour graph (the same 169 problems on the real messages).
fn near_duplicates(items: &[SegmentedItem], vectors: &Vectors, threshold: f32) -> Vec<u32> {
    let n = items.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut buckets: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, it) in items.iter().enumerate() {
        for k in copy_keys(it) {
            buckets.entry(k).or_default().push(i);
        }
    }
    let mut buckets: Vec<Vec<usize>> = buckets.into_values().filter(|b| b.len() > 1).collect();
    buckets.sort();
    for b in &buckets {
        for (p, &a) in b.iter().enumerate() {
            let ra = vectors.row(a);
            for &c in b.iter().skip(p + 1).take(BUCKET_WINDOW) {
                if graph::find(&mut parent, a as u32) != graph::find(&mut parent, c as u32)
                    && dot(&ra, &vectors.row(c)) >= threshold
                {
                    graph::union(&mut parent, a as u32, c as u32);
                }
            }
        }
    }
    (0..n as u32).map(|x| graph::find(&mut parent, x)).collect()
}

/// The problems among `items` (whole groups of items linked by object keys, with each item's
/// `keys`), found and described as `minyi topics` finds them over a whole input without a
/// window (growth windows ending at `latest`), with the model's vocabulary and idf. Each
/// problem's `theme` is the model topic (id) most of its items are assigned to. Ids and
/// ranks are the task's own: the engine ranks across tasks.
pub fn find(
    assigner: &Assigner,
    seg: &Segmenter,
    items: &[SegmentedItem],
    keys: &[Vec<String>],
    latest: Option<DateTime<FixedOffset>>,
    columns: InputColumns,
    cfg: &TopicConfig,
) -> Vec<Problem> {
    if items.is_empty() {
        return Vec::new();
    }
    let model = assigner.model();
    // Each item's model topic (its theme) and term counts.
    let (theme_of, counts): (Vec<Option<usize>>, Vec<_>) = assigner
        .assign(seg, items)
        .into_iter()
        .map(|a| (a.topic, a.terms))
        .unzip();
    let tfidf = counts
        .iter()
        .map(|c| weigh(c, &model.idf, model.max_terms))
        .collect();
    let vectors = Vectors {
        vocab: model.vocab.clone(),
        idf: model.idf.clone(),
        counts,
        tfidf,
        cap: model.max_terms,
    };
    let dup = near_duplicates(items, &vectors, cfg.duplicate_similarity);
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut key_names: Vec<String> = Vec::new();
    let key_ids: Vec<Vec<u32>> = keys
        .iter()
        .map(|ks| {
            ks.iter()
                .map(|k| {
                    *ids.entry(k.as_str()).or_insert_with(|| {
                        key_names.push(k.clone());
                        key_names.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    let all: Vec<&Item> = items.iter().map(|s| &s.item).collect();
    // Themes by model topic id; `describe` writes a theme as the index + 1, undone below.
    let window = match latest.map(Windows::ending_at) {
        Some(w) => (w.recent_from, w.recent_to),
        None => {
            let dated = all.iter().filter_map(|i| i.submitted_at);
            match (dated.clone().min(), dated.max()) {
                (Some(a), Some(b)) => (a, b + chrono::Duration::seconds(1)),
                _ => return Vec::new(),
            }
        }
    };
    let groups = problems::group_by_keys(&all, key_ids, key_names, &vectors, &dup, &cfg.problems);
    let cx = Context {
        items: &all,
        n: all.len(),
        vectors: &vectors,
        words: label::WordFilter::new(seg, &cfg.function_word_tags),
        theme_of: &theme_of,
        window,
        compared: false,
        has_submitters: columns.submitters,
        has_likes: columns.likes,
        has_feedback: columns.feedback,
        dup: &dup,
    };
    let mut found = problems::describe(groups, &cx, &cfg.problems);
    let index: FxHashMap<&str, usize> = all
        .iter()
        .enumerate()
        .map(|(i, it)| (it.id.as_str(), i))
        .collect();
    for p in &mut found {
        p.theme = p.theme.map(|t| t - 1);
        // Its term counts: the engine sums them over all problems, and `describe` weighs
        // the keywords of the listed ones against that sum.
        let mut tf: FxHashMap<u32, f32> = FxHashMap::default();
        for id in &p.item_ids {
            for &(t, c) in &vectors.counts[index[id.as_str()]] {
                *tf.entry(t).or_default() += c;
            }
        }
        p.terms = tf.into_iter().collect();
        p.terms.sort_unstable_by_key(|&(t, _)| t);
    }
    found
}
