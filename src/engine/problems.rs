//! Problems on an engine (issue 36): problems are local to a named object, so the engine
//! needs no sample for them, and the work splits where the data does.
//!
//! 1. `minyi problems keys` ([`NameKeys`]): each item's name keys, copy keys, time and
//!    TF-IDF row. The engine counts the name keys across the whole input to decide which
//!    name one object (as [`crate::problems`] decides locally).
//! 2. `minyi problems pairs` ([`pairs`]): the items of one key at a time (rows, not texts):
//!    an object key's candidate pairs (time neighbours of similar words), a copy key's
//!    near-duplicates (cosine checked).
//! 3. The engine finds the components of those pairs and hands each task whole components;
//!    `minyi problems find` ([`find`]) links them as the local run does, with the pairs
//!    given, and describes the problems. The engine ranks them by heat across all tasks and
//!    `minyi describe` lists the hottest.

use chrono::{DateTime, FixedOffset};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::exchange::SegmentedItem;
use super::Assigner;
use crate::error::malformed;
use crate::item::Item;
use crate::period::Period;
use crate::problems::{self, Context, Problem};
use crate::segment::Segmenter;
use crate::text::label;
use crate::text::vectorize::{dot, weigh, Sparse, Vectors};
use crate::topics::score::Windows;
use crate::topics::TopicConfig;

/// An item's names and each name's object keys, core first, its copy keys, its time and its
/// TF-IDF row (`minyi problems keys`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NameKeys {
    pub id: String,
    pub names: Vec<Vec<String>>,
    /// MinHash band keys of its terms: near-duplicates (the same message sent again) share
    /// one with high probability, so the engine compares copies that name no object as
    /// well. They link items; they are not object keys.
    pub copies: Vec<String>,
    /// Submission time (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    /// L2-normalised TF-IDF row with the model's vocabulary and idf.
    pub row: Sparse,
}

/// One item of one key, as the engine hands it to `minyi problems pairs`: a key's items come
/// together (consecutive lines).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyedRow {
    pub key: String,
    pub id: String,
    #[serde(default)]
    pub at: Option<i64>,
    pub row: Sparse,
}

/// A candidate pair (same object, similar words), `a` < `b`; with `dup`, two
/// near-duplicates; with `star`, an item `a` and the first item `b` it is connected with
/// by the pairs of one `minyi problems pairs` (for finding components, not a pair).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dup: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub star: bool,
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
        .filter(|t| crate::text::vectorize::keep(t))
        .map(|t| crate::util::u64_of(blake3::hash(t.as_bytes())))
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
    /// The keys of `it`'s names and its copy keys, with its TF-IDF `row`; `None` when it
    /// has no key.
    pub fn of(it: &SegmentedItem, row: Sparse) -> Option<NameKeys> {
        let names = problems::name_keys(&it.item);
        let copies = copy_keys(it);
        (!names.is_empty() || !copies.is_empty()).then(|| NameKeys {
            id: it.item.id.clone(),
            names,
            copies,
            at: it.item.submitted_at.map(|d| d.timestamp()),
            row,
        })
    }
}

/// Whether a key is a copy key ([`copy_keys`]) rather than an object key.
pub fn is_copy_key(key: &str) -> bool {
    key.starts_with('~')
}

/// The pairs among the items of one key (`rows`, in any order). For an object key, its
/// candidate pairs: each item with its next `time_neighbours` in time when their cosine
/// reaches `place_similarity`, as the local run pairs them (before it leaves out
/// near-duplicates, which the task that links them knows). For a copy key, the edges that
/// join its near-duplicates (cosine at least `duplicate_similarity`), each item compared
/// with the next [`BUCKET_WINDOW`] by id.
pub fn pairs(mut rows: Vec<KeyedRow>, cfg: &TopicConfig) -> Vec<Pair> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    let pair = |a: &KeyedRow, b: &KeyedRow, dup: bool| {
        let (a, b) = if a.id <= b.id { (a, b) } else { (b, a) };
        Pair {
            a: a.id.clone(),
            b: b.id.clone(),
            dup,
            star: false,
        }
    };
    if is_copy_key(&first.key) {
        rows.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let n = rows.len();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        let mut out = Vec::new();
        for a in 0..n {
            for c in (a + 1..n).take(BUCKET_WINDOW) {
                if crate::util::find(&mut parent, a as u32)
                    != crate::util::find(&mut parent, c as u32)
                    && dot(&rows[a].row, &rows[c].row) >= cfg.duplicate_similarity
                {
                    crate::util::union(&mut parent, a as u32, c as u32);
                    out.push(pair(&rows[a], &rows[c], true));
                }
            }
        }
        return out;
    }
    rows.sort_unstable_by(|a, b| {
        (a.at.unwrap_or(i64::MIN), &a.id).cmp(&(b.at.unwrap_or(i64::MIN), &b.id))
    });
    let by_position = |p: usize| std::borrow::Cow::Borrowed(&rows[p].row);
    problems::neighbour_pairs(rows.len(), by_position, |_, _| false, &cfg.problems)
        .into_iter()
        .map(|(_, p, q)| pair(&rows[p], &rows[q], false))
        .collect()
}

/// `minyi problems pairs` over a stream of keyed rows, each key's rows together: the pairs
/// of each key when its rows end, and at the end the stars: each paired item with the first
/// item it is connected with in the stream. The engine finds components from the stars,
/// where a chain of thousands of pairs (one object's items in time) is one hop.
pub struct Pairing<'a> {
    cfg: &'a TopicConfig,
    run: Vec<KeyedRow>,
    done: FxHashSet<String>,
    ids: FxHashMap<String, u32>,
    parent: Vec<u32>,
    /// Keys whose rows have ended.
    pub keys: usize,
    /// Pairs given so far.
    pub pairs: usize,
}

impl<'a> Pairing<'a> {
    pub fn new(cfg: &'a TopicConfig) -> Self {
        Pairing {
            cfg,
            run: Vec::new(),
            done: FxHashSet::default(),
            ids: FxHashMap::default(),
            parent: Vec::new(),
            keys: 0,
            pairs: 0,
        }
    }

    /// Takes the next row; the pairs of the key that ended before it, if one did.
    pub fn push(&mut self, row: KeyedRow) -> crate::Result<Vec<Pair>> {
        let mut out = Vec::new();
        if self.run.first().is_some_and(|f| f.key != row.key) {
            out = self.end_key();
        }
        if self.done.contains(&row.key) {
            return Err(malformed!(
                "key {} again after other keys (each key's lines must come together)",
                row.key
            ));
        }
        self.run.push(row);
        Ok(out)
    }

    /// The last key's pairs, then the stars.
    pub fn finish(&mut self) -> Vec<Pair> {
        let mut out = self.end_key();
        let mut names: Vec<&str> = vec![""; self.ids.len()];
        for (name, &i) in &self.ids {
            names[i as usize] = name;
        }
        for i in 0..self.parent.len() as u32 {
            let root = crate::util::find(&mut self.parent, i);
            if root != i {
                out.push(Pair {
                    a: names[i as usize].to_string(),
                    b: names[root as usize].to_string(),
                    dup: false,
                    star: true,
                });
            }
        }
        out
    }

    fn end_key(&mut self) -> Vec<Pair> {
        if self.run.is_empty() {
            return Vec::new();
        }
        let run = std::mem::take(&mut self.run);
        self.done.insert(run[0].key.clone());
        self.keys += 1;
        let found = pairs(run, self.cfg);
        for p in &found {
            let [a, b] = [&p.a, &p.b].map(|id| self.node(id));
            crate::util::union(&mut self.parent, a, b);
        }
        self.pairs += found.len();
        found
    }

    fn node(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.ids.get(id) {
            return i;
        }
        let i = self.parent.len() as u32;
        self.ids.insert(id.to_string(), i);
        self.parent.push(i);
        i
    }
}

/// An item routed to a problem-finding task: its line as `minyi segment` wrote it, its object
/// keys (decided over the whole input; none for a copy that names no object), its component
/// of pairs, and the items it is paired with (`pairs`: candidate pairs; `dups`:
/// near-duplicates), each pair given with one of its items.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Routed {
    pub line: String,
    pub keys: Vec<String>,
    pub group: String,
    #[serde(default)]
    pub pairs: Vec<String>,
    #[serde(default)]
    pub dups: Vec<String>,
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

/// An item of a problem-finding task as it is kept: its terms counted with the model's
/// vocabulary, then dropped with its body (which problems do not read), and its theme (the
/// model topic it is assigned to). A long article's terms as strings took tens of KB, and
/// one component can hold hundreds of thousands of items.
pub struct Counted {
    pub item: Item,
    pub theme: Option<usize>,
    pub counts: Sparse,
}

/// Counts a batch of segmented items (in parallel) into [`Counted`] ones.
pub fn count(assigner: &Assigner, batch: Vec<SegmentedItem>) -> Vec<Counted> {
    let placed = assigner.topics_and_counts(&batch);
    batch
        .into_iter()
        .zip(placed)
        .map(|(s, (theme, counts))| {
            let mut item = s.item;
            item.body = String::new();
            Counted {
                item,
                theme,
                counts,
            }
        })
        .collect()
}

/// What links an item to others in a problem-finding task (see [`Routed`]).
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub keys: Vec<String>,
    pub pairs: Vec<String>,
    pub dups: Vec<String>,
}

/// The problems among `items` (whole components of pairs, with each item's [`Links`]),
/// linked and described as `minyi topics` does over a whole input without a window (growth
/// windows ending at `latest`), with the model's vocabulary and idf. Each problem's `theme`
/// is the model topic (id) most of its items are assigned to. Ids and ranks are the task's
/// own: the engine ranks across tasks. A pair with an item not among `items` is an error
/// (the engine routes whole components).
pub fn find(
    assigner: &Assigner,
    seg: &Segmenter,
    items: Vec<Counted>,
    links: &[Links],
    latest: Option<DateTime<FixedOffset>>,
    columns: InputColumns,
    cfg: &TopicConfig,
) -> crate::Result<Vec<Problem>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let model = assigner.model();
    let mut kept = Vec::with_capacity(items.len());
    let mut theme_of = Vec::with_capacity(items.len());
    let mut counts = Vec::with_capacity(items.len());
    for c in items {
        kept.push(c.item);
        theme_of.push(c.theme);
        counts.push(c.counts);
    }
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
    let index: FxHashMap<&str, usize> = kept
        .iter()
        .enumerate()
        .map(|(i, it)| (it.id.as_str(), i))
        .collect();
    let position = |id: &str| {
        index.get(id).copied().ok_or_else(|| {
            malformed!("an item is paired with {id}, which is not among the task's items")
        })
    };
    // Near-duplicate groups: the components of the near-duplicate edges.
    let mut parent: Vec<u32> = (0..kept.len() as u32).collect();
    for (i, l) in links.iter().enumerate() {
        for other in &l.dups {
            crate::util::union(&mut parent, i as u32, position(other)? as u32);
        }
    }
    let dup: Vec<u32> = (0..kept.len() as u32)
        .map(|x| crate::util::find(&mut parent, x))
        .collect();
    let mut pairs: Vec<(f32, u32, u32)> = Vec::new();
    for (i, l) in links.iter().enumerate() {
        for other in &l.pairs {
            let j = position(other)?;
            if dup[i] != dup[j] {
                let sim = dot(&vectors.row(i), &vectors.row(j));
                pairs.push((sim, i.min(j) as u32, i.max(j) as u32));
            }
        }
    }
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut key_names: Vec<String> = Vec::new();
    let key_ids: Vec<Vec<u32>> = links
        .iter()
        .map(|l| {
            l.keys
                .iter()
                .map(|k| {
                    *ids.entry(k.as_str()).or_insert_with(|| {
                        key_names.push(k.clone());
                        key_names.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    let all: Vec<&Item> = kept.iter().collect();
    // Each item's theme is its model topic id, which `describe` writes as the problem's theme.
    let window = match latest.map(Windows::ending_at) {
        Some(w) => w.recent,
        None => match Period::spanning(all.iter().filter_map(|i| i.submitted_at)) {
            Some(span) => span,
            None => return Ok(Vec::new()),
        },
    };
    let groups = problems::link(
        &all,
        key_ids,
        key_names,
        &vectors,
        &dup,
        pairs,
        &cfg.problems,
    );
    let cx = Context {
        items: &all,
        n: all.len(),
        vectors: &vectors,
        words: label::WordFilter::new(seg, &cfg.function_word_tags),
        theme_of: &theme_of,
        span: window.clone(),
        window,
        compared: false,
        has_submitters: columns.submitters,
        has_likes: columns.likes,
        has_feedback: columns.feedback,
        dup: &dup,
    };
    // One person's repeats (重复反映) and held-back mixtures stay with the local run.
    let mut found = problems::describe(groups, &cx, &cfg.problems).problems;
    for p in &mut found {
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
    Ok(found)
}
