//! Topics stage: groups items into topics and classifies them for topic planning (选题策划):
//! hot (热点), difficult (难点), highlight (亮点).
//!
//! vectorize (TF-IDF of jieba terms; or with `--semantic` the stored embeddings, see
//! [`features`]) → graph (nearest neighbours, near-duplicate groups) →
//! cluster (Louvain communities: the number of topics is found, not guessed) → label
//! (c-TF-IDF keywords, a key phrase, representative items) → score (signals and classes).
//! Items in communities below the minimum size go to an explicit 其他 bucket.

pub mod cluster;
pub mod distributed;
pub mod eval;
pub mod features;
pub mod graph;
pub mod label;
pub mod score;
pub mod vectorize;
pub mod window;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::embed::{self, Store};
pub use crate::item::sample_key;
use crate::item::Item;
use crate::segment::{Segmenter, TermCounts};
use features::{Centre, Features};
pub use score::{ScoreConfig, Scores, Signals, TopicClass};

/// Settings of a topic run.
#[derive(Debug, Clone)]
pub struct TopicConfig {
    /// Force this many topics (`None`: found by the clustering).
    pub k: Option<usize>,
    /// Smallest topic; smaller groups go to 其他 (`None`: max(3, √n / 6)).
    pub min_size: Option<usize>,
    /// Seed of the node order (same seed, same topics).
    pub seed: u64,
    /// Neighbours per item in the similarity graph (`None`: √n / 4, between 10 and 50 — a
    /// denser graph joins the many small groups of short texts; measured on THUCNews titles,
    /// NMI 0.40 with 10 neighbours, 0.49 with 30, 0.51 with 50).
    pub neighbours: Option<usize>,
    /// Least cosine for an edge.
    pub min_similarity: f32,
    /// Cosine from which two items are near-duplicates (one problem, several reports).
    pub duplicate_similarity: f32,
    /// Louvain resolution (higher: more, smaller topics).
    pub resolution: f64,
    /// Louvain runs per consensus round (more: more stable across seeds, slower).
    pub consensus_runs: usize,
    /// Above this many items, topics are found on a sample of this size and the other items
    /// join the nearest topic (time and memory then grow linearly with the items).
    pub sample_size: usize,
    /// Scoring weights and cue lexicons.
    pub score: ScoreConfig,
    /// Cluster on these sentence embeddings instead of TF-IDF (`topics --semantic`);
    /// keywords and labels still come from the segmented words.
    pub embeddings: Option<Arc<Store>>,
    /// Cosine of embeddings from which two items are near-duplicates.
    pub semantic_duplicate_similarity: f32,
    /// Parts of speech (jieba's tags) that are never keywords or label words.
    pub function_word_tags: Vec<String>,
    /// The optional columns the data has (`None`: those holding a value in the items); the
    /// scores leave out the signals of the others.
    pub columns: Option<crate::item::Columns>,
}

/// Function words by part of speech: pronouns, adverbs, prepositions, conjunctions,
/// particles, modal words, interjections, onomatopoeia, numerals, quantifiers and locatives
/// (我家, 有何, 常年, 多次, 附近 …). Place words (s) stay: 路口, 门口 name where a problem is.
pub const FUNCTION_WORD_TAGS: [&str; 11] = ["r", "d", "p", "c", "u", "y", "e", "o", "m", "q", "f"];

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig {
            k: None,
            min_size: None,
            seed: 42,
            neighbours: None,
            min_similarity: 0.1,
            duplicate_similarity: 0.85,
            resolution: 1.0,
            consensus_runs: 16,
            sample_size: 100_000,
            score: ScoreConfig::default(),
            embeddings: None,
            semantic_duplicate_similarity: 0.95,
            function_word_tags: FUNCTION_WORD_TAGS.iter().map(|t| t.to_string()).collect(),
            columns: None,
        }
    }
}

/// An item as a topic lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemRef {
    pub id: String,
    pub title: String,
    pub submitted_at: Option<String>,
    pub submitter: String,
    pub sector: String,
    /// How many of the topic's items it stands for: itself and its near-duplicates (the
    /// same message sent again, or the same title).
    #[serde(default = "one")]
    pub copies: usize,
}

fn one() -> usize {
    1
}

impl ItemRef {
    pub(crate) fn of(it: &Item) -> ItemRef {
        ItemRef {
            id: it.id.clone(),
            title: it.title.clone(),
            submitted_at: it.submitted_at.map(|d| d.format("%Y-%m-%d").to_string()),
            submitter: it.submitter.clone(),
            sector: it.sector.clone(),
            copies: 1,
        }
    }
}

/// A title as compared for copies: letters and digits only.
fn title_key(title: &str) -> String {
    title.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The copy group of each member, from its near-duplicate group and its title: groups that
/// share a title are one group (union–find over the group ids, each named by its smallest).
fn copy_groups<'a>(members: impl Iterator<Item = (u32, &'a str)>) -> Vec<u32> {
    fn root(parent: &mut HashMap<u32, u32>, g: u32) -> u32 {
        let p = *parent.get(&g).unwrap_or(&g);
        if p == g {
            return g;
        }
        let r = root(parent, p);
        parent.insert(g, r);
        r
    }
    let members: Vec<(u32, &str)> = members.collect();
    let mut parent: HashMap<u32, u32> = HashMap::new();
    let mut by_title: HashMap<String, u32> = HashMap::new();
    for &(g, title) in &members {
        let key = title_key(title);
        if key.is_empty() {
            continue;
        }
        let other = *by_title.entry(key).or_insert(g);
        let (a, b) = (root(&mut parent, g), root(&mut parent, other));
        if a != b {
            parent.insert(a.max(b), a.min(b));
        }
    }
    members.iter().map(|&(g, _)| root(&mut parent, g)).collect()
}

/// How many representatives a topic shows, and how many of its most typical members are
/// ranked to find them (copies of one message are passed over).
pub const REPRESENTATIVES: usize = 3;
/// See [`REPRESENTATIVES`].
pub const REPRESENTATIVE_CANDIDATES: usize = 12;

/// Up to `n` representatives of a topic from `ranked` (its most typical members, most
/// first), each from a different near-duplicate group of `groups` and with a different
/// title, each with the number of members it stands for (its group's size). Three copies of
/// one message are one representative "共 3 条", not three.
pub fn pick_representatives(
    ranked: impl IntoIterator<Item = ItemRef>,
    groups: &[Vec<String>],
    n: usize,
) -> Vec<ItemRef> {
    let group_of: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, ids)| ids.iter().map(move |id| (id.as_str(), g)))
        .collect();
    let mut out: Vec<ItemRef> = Vec::new();
    let mut groups_taken: Vec<usize> = Vec::new();
    let mut titles_taken: Vec<String> = Vec::new();
    for mut r in ranked {
        if out.len() == n {
            break;
        }
        let group = group_of.get(r.id.as_str()).copied();
        let key = title_key(&r.title);
        if group.is_some_and(|g| groups_taken.contains(&g))
            || (!key.is_empty() && titles_taken.contains(&key))
        {
            continue;
        }
        r.copies = group.map_or(1, |g| groups[g].len());
        groups_taken.extend(group);
        titles_taken.push(key);
        out.push(r);
    }
    out
}

/// One topic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Topic {
    /// Rank by size, from 1.
    pub id: usize,
    pub label: String,
    pub keywords: Vec<String>,
    pub class: TopicClass,
    /// Filled from `class` when read back ([`TopicReport::from_json`]).
    #[serde(skip_deserializing)]
    pub class_zh: &'static str,
    pub scores: Scores,
    pub signals: Signals,
    pub size: usize,
    /// Items per sector, most first.
    pub sectors: Vec<(String, usize)>,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Items per month (`YYYY-MM`).
    pub months: BTreeMap<String, usize>,
    /// The three items closest to the topic's centre.
    pub representatives: Vec<ItemRef>,
    /// Near-duplicate groups (ids), each one problem reported several times.
    pub duplicate_groups: Vec<Vec<String>>,
    /// Every member's id.
    pub item_ids: Vec<String>,
    /// With `--compare previous`: new, rising, steady or fading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub trend_zh: Option<&'static str>,
}

/// Items that fit no topic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Other {
    #[serde(skip_deserializing)]
    pub label: &'static str,
    pub size: usize,
    pub item_ids: Vec<String>,
}

/// The result of a topic run (the JSON that `minyi topics --format json` prints).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TopicReport {
    pub items: usize,
    pub recent_window: Option<(String, String)>,
    pub previous_window: Option<(String, String)>,
    pub seed: u64,
    pub min_size: usize,
    pub topics: Vec<Topic>,
    pub other: Other,
    /// With `--compare previous`: topics of the previous window that no current topic continues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faded: Option<Vec<FadedTopic>>,
    /// Items of the previous window given with the analysed ones (a window's growth
    /// baseline; 0 without a window). Each is either counted in one topic's
    /// `signals.previous` or in `previous_other`.
    #[serde(default)]
    pub previous_items: usize,
    /// The optional columns the data has (界别, 采用 …): reports leave out the others.
    #[serde(default)]
    pub columns: crate::item::Columns,
    /// Items of the previous window that fall in no topic (其他 of the previous window).
    #[serde(default)]
    pub previous_other: usize,
    /// Previous-window item id → the current topic (id) it was counted in.
    #[serde(skip)]
    pub previous_topic_of: HashMap<String, usize>,
    /// The previous window's topics that have too few items in this one (listed as `faded`
    /// by [`compare_previous`]).
    #[serde(skip)]
    pub faded_in_window: Vec<FadedTopic>,
}

impl TopicReport {
    /// Reads back what `minyi topics --format json` wrote — or any engine writing the same
    /// schema, such as the Spark job — and checks that it holds together: topic ids are
    /// unique and no item is in two places.
    pub fn from_json(text: &str) -> std::result::Result<TopicReport, String> {
        let mut r: TopicReport = serde_json::from_str(text).map_err(|e| e.to_string())?;
        r.other.label = "其他";
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for t in &r.topics {
            if !ids.insert(t.id) {
                return Err(format!("topic id {} appears twice", t.id));
            }
        }
        for id in r
            .topics
            .iter()
            .flat_map(|t| &t.item_ids)
            .chain(&r.other.item_ids)
        {
            if !seen.insert(id) {
                return Err(format!(
                    "item {id} is in more than one topic (or also in 其他)"
                ));
            }
        }
        for t in &mut r.topics {
            t.class_zh = t.class.label_zh();
            t.trend_zh = t.trend.map(Trend::label_zh);
        }
        Ok(r)
    }
}

/// A topic's course against the previous window (`--compare previous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    /// Nothing like it in the previous window (新出现).
    New,
    /// At least 1.5× the previous window (上升).
    Rising,
    /// Within 1.5× either way (平稳).
    Steady,
    /// At most 2/3 of the previous window (回落).
    Fading,
}

impl Trend {
    /// Chinese name for editors.
    pub fn label_zh(self) -> &'static str {
        match self {
            Trend::New => "新出现",
            Trend::Rising => "上升",
            Trend::Steady => "平稳",
            Trend::Fading => "回落",
        }
    }
}

/// A previous-window topic with no continuation now.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FadedTopic {
    pub label: String,
    pub keywords: Vec<String>,
    /// Its size in the previous window.
    pub size: usize,
    /// Share of the topic's items (in both windows) that are in this window.
    pub continued_share: f64,
}

/// Marks each topic new, rising, steady or fading against the previous window, and lists the
/// previous window's topics that faded: topics of the two windows clustered together that
/// have enough items in the previous window and too few in this one to be a topic of it
/// (most of their items lie in the past; their few items now are in 其他).
pub fn compare_previous(report: &mut TopicReport) {
    for t in report.topics.iter_mut() {
        let s = &t.signals;
        t.trend = Some(if s.previous == 0 {
            Trend::New
        } else if s.growth >= 1.5 {
            Trend::Rising
        } else if s.growth <= 2.0 / 3.0 {
            Trend::Fading
        } else {
            Trend::Steady
        });
        t.trend_zh = t.trend.map(Trend::label_zh);
    }
    report.faded = Some(report.faded_in_window.clone());
}

/// The order of topics (sorted member lists, none empty): largest first, ties by first member.
fn largest_first(a: &[usize], b: &[usize]) -> std::cmp::Ordering {
    b.len().cmp(&a.len()).then(a[0].cmp(&b[0]))
}

/// Groups members by community, dropping those below `min_size`; largest first.
fn groups(membership: &[u32], min_size: usize) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut by: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, &c) in membership.iter().enumerate() {
        by.entry(c).or_default().push(i);
    }
    let (mut keep, drop): (Vec<_>, Vec<_>) = by.into_values().partition(|g| g.len() >= min_size);
    keep.sort_by(|a, b| largest_first(a, b));
    let mut other: Vec<usize> = drop.into_iter().flatten().collect();
    other.sort_unstable();
    (keep, other)
}

/// Clusters rows into topics (largest first) and 其他, with a near-duplicate group id per row:
/// nearest-neighbour graph, consensus Louvain, and with `cfg.k` a forced count.
fn cluster_rows(
    rows: &Features,
    min_size: usize,
    cfg: &TopicConfig,
    progress: &dyn Fn(Stage),
) -> (Vec<Vec<usize>>, Vec<usize>, Vec<u32>) {
    let n = rows.len();
    let neighbours = cfg
        .neighbours
        .unwrap_or_else(|| ((n as f64).sqrt() / 4.0).round().clamp(10.0, 50.0) as usize);
    progress(Stage::Neighbours);
    let knn = rows.knn(neighbours, cfg.min_similarity);
    let dup_threshold = if rows.is_semantic() {
        cfg.semantic_duplicate_similarity
    } else {
        cfg.duplicate_similarity
    };
    let dup = graph::near_duplicates(&knn, dup_threshold);
    let adj = cluster::graph_from_knn(&knn);
    drop(knn);
    progress(Stage::Cluster);
    let mut membership =
        cluster::consensus_louvain(&adj, cfg.resolution, cfg.seed, cfg.consensus_runs, 1);
    let (mut topics, mut other) = groups(&membership, min_size);
    if let Some(k) = cfg.k {
        // Raise the resolution until there are at least k topics, then merge down to k.
        let mut resolution = cfg.resolution;
        while topics.len() < k && resolution < 64.0 {
            resolution *= 1.5;
            membership =
                cluster::consensus_louvain(&adj, resolution, cfg.seed, cfg.consensus_runs, 1);
            (topics, other) = groups(&membership, min_size);
        }
        topics = merge_to(rows, topics, k);
        if !rows.is_semantic() {
            topics = reassign_to_nearest_centre(rows, topics);
        }
    }
    (topics, other, dup)
}

/// Least topic size for `n` items when none is given: max(3, √n / 6).
pub fn default_min_size(n: usize) -> usize {
    ((n as f64).sqrt() / 6.0).round().max(3.0) as usize
}

/// The least topic size to use on a sample of `sample` items that stands for `population`
/// items whose least topic size is `min_size`: topics of a sample are smaller by the
/// sampling rate (local sampled clustering, and `topics --sample-of` for other engines).
pub fn sample_min_size(min_size: usize, sample: usize, population: usize) -> usize {
    ((min_size * sample) as f64 / population.max(1) as f64)
        .round()
        .max(3.0) as usize
}

/// Clusters a large set through a sample: `cfg.sample_size` items, chosen by a hash of their
/// id and the seed (the same sample on every run), are clustered as in [`cluster_rows`];
/// every other item then joins the topic whose centre is most similar when it is as close to
/// that centre as the topic's sampled members (the 2% least typical of them), else 其他.
/// Time and memory grow linearly with the items (the neighbour graph of the whole set would
/// not).
fn cluster_sampled(
    items: &[&Item],
    rows: &Features,
    min_size: usize,
    cfg: &TopicConfig,
    progress: &dyn Fn(Stage),
) -> (Vec<Vec<usize>>, Vec<usize>, Vec<u32>) {
    let n = rows.len();
    let key = |i: usize| sample_key(cfg.seed, &items[i].id);
    let mut order: Vec<(u64, usize)> = (0..n).into_par_iter().map(|i| (key(i), i)).collect();
    order.select_nth_unstable(cfg.sample_size);
    let mut sample: Vec<usize> = order[..cfg.sample_size].iter().map(|&(_, i)| i).collect();
    drop(order);
    sample.sort_unstable();
    let sample_rows = rows.select(&sample);
    let sample_min = sample_min_size(min_size, cfg.sample_size, n);
    let (topics_s, _, dup_s) = cluster_rows(&sample_rows, sample_min, cfg, progress);
    let centres: Vec<Centre> = topics_s
        .par_iter()
        .map(|t| sample_rows.centroid(t))
        .collect();
    // Every item (sampled ones too: the sample's 其他 may fit a topic now) joins its nearest
    // centre; sampled members keep their topic.
    let mut topic_of: Vec<Option<usize>> = vec![None; n];
    for (t, members) in topics_s.iter().enumerate() {
        for &m in members {
            topic_of[sample[m]] = Some(t);
        }
    }
    // A topic takes an item as close to its centre as its sampled members are: at least as
    // close as the 2% least typical of them.
    let floors = sample_rows.floors(&topics_s, &centres);
    drop(sample_rows);
    let nearest = rows.nearest(&centres);
    for (i, best) in nearest.into_iter().enumerate() {
        if topic_of[i].is_none() {
            if let Some((t, s)) = best {
                if s >= floors[t] {
                    topic_of[i] = Some(t);
                }
            }
        }
    }
    let mut topics: Vec<Vec<usize>> = vec![Vec::new(); topics_s.len()];
    let mut other = Vec::new();
    for (i, t) in topic_of.into_iter().enumerate() {
        match t {
            Some(t) => topics[t].push(i),
            None => other.push(i),
        }
    }
    let (mut keep, drop_): (Vec<_>, Vec<_>) = topics.into_iter().partition(|t| t.len() >= min_size);
    other.extend(drop_.into_iter().flatten());
    other.sort_unstable();
    keep.sort_by(|a, b| largest_first(a, b));
    // Near-duplicate groups as found in the sample; other items stand alone.
    let mut dup: Vec<u32> = (0..n as u32).collect();
    for (s, &g) in dup_s.iter().enumerate() {
        dup[sample[s]] = sample[g as usize] as u32;
    }
    (keep, other, dup)
}

/// The clustering features of `all`: their TF-IDF rows, or with `cfg.embeddings` their
/// stored vectors (an item without an up-to-date vector has an empty row).
fn features_of<'a>(
    vectors: &'a vectorize::Vectors,
    all: &[&Item],
    cfg: &'a TopicConfig,
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

/// Merges the smallest topic into its most similar one until `k` remain.
fn merge_to(rows: &Features, topics: Vec<Vec<usize>>, k: usize) -> Vec<Vec<usize>> {
    // Each topic with its centre; only the centre of the topic that grows is recomputed.
    let mut topics: Vec<(Vec<usize>, Centre)> = topics
        .into_par_iter()
        .map(|t| {
            let c = rows.centroid(&t);
            (t, c)
        })
        .collect();
    while topics.len() > k.max(1) {
        let (moved, moved_centre) = topics
            .pop()
            .expect("sorted by size: the last is the smallest");
        let target = (0..topics.len())
            .max_by(|&a, &b| {
                moved_centre
                    .dot(&topics[a].1)
                    .total_cmp(&moved_centre.dot(&topics[b].1))
                    .then(b.cmp(&a))
            })
            .expect("at least two topics");
        let merged = &mut topics[target].0;
        merged.extend(moved);
        merged.sort_unstable();
        topics[target].1 = rows.centroid(&topics[target].0);
        topics.sort_by(|a, b| largest_first(&a.0, &b.0));
    }
    topics.into_iter().map(|(t, _)| t).collect()
}

/// One pass of moving each topic member to the topic whose centre is most similar to it (a
/// k-means step from the merged topics). Merging Louvain's finer communities down to a forced
/// count joins whole communities, so a merged topic's edge follows the communities' edges,
/// not its own centre; one pass re-draws it. Measured with k forced to the label count
/// (README): NMI on THUCNews titles 0.501 → 0.514, shopping reviews 0.426 → 0.497, news
/// articles 0.635 → 0.655; three passes drift towards k-means' failure on short titles (0.490
/// on the titles), and the same pass after automatic topics helps two sets and hurts the
/// reviews (0.414 → 0.404), so automatic topics keep Louvain's communities. On sentence
/// vectors the pass hurts (THUCNews titles, k forced: full model 0.628 → 0.606, static table
/// 0.525 → 0.489), so `--semantic` keeps the merged topics. 其他 stays as it is.
fn reassign_to_nearest_centre(rows: &Features, topics: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let centres: Vec<Centre> = topics.par_iter().map(|t| rows.centroid(t)).collect();
    let nearest = rows.nearest(&centres);
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); topics.len()];
    for (t, members) in topics.iter().enumerate() {
        for &m in members {
            next[nearest[m].map_or(t, |(c, _)| c)].push(m);
        }
    }
    next.retain(|t| !t.is_empty());
    for t in next.iter_mut() {
        t.sort_unstable();
    }
    next.sort_by(|a, b| largest_first(a, b));
    next
}

/// The stages of a topic run, reported to a progress callback as each begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Term counts (segmented unless read from the index) and TF-IDF.
    Vectorize,
    /// Nearest neighbours and near-duplicates.
    Neighbours,
    /// Community detection.
    Cluster,
    /// Keywords, labels, representatives, scores.
    Describe,
}

impl Stage {
    /// Chinese name for the progress line.
    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::Vectorize => "词频与向量化",
            Stage::Neighbours => "相似近邻",
            Stage::Cluster => "社区发现聚类",
            Stage::Describe => "标注与评分",
        }
    }

    /// Position among the stages, from 1.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    /// How many stages there are.
    pub const COUNT: usize = 4;
}

/// Mines topics from `items`. `window` is the analysed period `[from, to)` when the user gave
/// one, and `previous` the items of the equal-length period before it (for growth); without
/// a window, growth compares the last 91 days of the items with the 91 days before.
pub fn mine(
    seg: &Segmenter,
    items: &[Item],
    previous: &[Item],
    window: Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
    cfg: &TopicConfig,
) -> TopicReport {
    mine_with_progress(seg, items, previous, window, cfg, &|_| {})
}

/// [`mine`], calling `progress` as each [`Stage`] begins (the items are segmented first).
pub fn mine_with_progress(
    seg: &Segmenter,
    items: &[Item],
    previous: &[Item],
    window: Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
    cfg: &TopicConfig,
    progress: &dyn Fn(Stage),
) -> TopicReport {
    let all: Vec<&Item> = items.iter().chain(previous.iter()).collect();
    let counts = TermCounts::segmented(seg, &all, vectorize::COUNTING);
    mine_counted(seg, items, previous, counts, window, cfg, progress)
}

/// [`mine_with_progress`] on term counts already made (as [`vectorize::COUNTING`] counts:
/// `items`' then `previous`'), which [`ItemIndex::collect_counted`] reads from the index.
///
/// [`ItemIndex::collect_counted`]: crate::index::ItemIndex::collect_counted
pub fn mine_counted(
    seg: &Segmenter,
    items: &[Item],
    previous: &[Item],
    counts: TermCounts,
    window: Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
    cfg: &TopicConfig,
    progress: &dyn Fn(Stage),
) -> TopicReport {
    progress(Stage::Vectorize);
    let n = items.len();
    assert_eq!(
        counts.len(),
        n + previous.len(),
        "one row of counts per item"
    );
    let all: Vec<&Item> = items.iter().chain(previous.iter()).collect();
    let vectors = vectorize::from_counts(counts, cfg.embeddings.is_none());
    // Clustering features: TF-IDF rows, or the stored embeddings (`--semantic`; an item
    // without an up-to-date vector is a zero row — `analyse` refuses such a selection).
    let features = features_of(&vectors, &all, cfg);
    let min_size = cfg.min_size.unwrap_or_else(|| default_min_size(n));
    // With a previous window, both windows are clustered together and each topic is counted
    // in each: the previous count is measured by the same clustering that makes the topic,
    // not by matching the previous items to topics fitted to this window alone (which made
    // nearly every topic 上升 or 新出现 and reported 物业 "上期 1 条" where the quarter before
    // had about a hundred). A topic of this window is a joint topic with at least `min_size`
    // of this window's items; a joint topic that has them only in the previous window faded.
    let joint = !previous.is_empty();
    let rows = features.range(0..all.len());
    let min_previous = cfg
        .min_size
        .unwrap_or_else(|| default_min_size(previous.len()));
    let cluster_min = if joint {
        min_size.min(min_previous)
    } else {
        min_size
    };
    let (joint_topics, joint_other, dup) = if all.len() > cfg.sample_size {
        cluster_sampled(&all, &rows, cluster_min, cfg, progress)
    } else {
        cluster_rows(&rows, cluster_min, cfg, progress)
    };
    let Windowed {
        topics,
        other,
        previous_members,
        faded_groups,
    } = split_windows(joint_topics, joint_other, n, min_size, min_previous);
    progress(Stage::Describe);
    // Growth windows.
    let windows = match window {
        Some((from, to)) => Some(score::Windows {
            recent_from: from,
            recent_to: to,
            previous_from: crate::period::previous_window(from, to).0,
        }),
        None => items
            .iter()
            .filter_map(|i| i.submitted_at)
            .max()
            .map(score::Windows::ending_at),
    };
    let dated: Vec<DateTime<FixedOffset>> = items.iter().filter_map(|i| i.submitted_at).collect();
    let span_months = match (dated.iter().min(), dated.iter().max()) {
        (Some(a), Some(b)) => score::span_months(a, b),
        _ => 0,
    };

    let words = label::WordFilter::new(seg, &cfg.function_word_tags);
    let keywords = label::keywords(&vectors, &topics, 8, words);
    let phrases = label::title_phrases(seg, items);
    let mut phrase_df: FxHashMap<&str, usize> = FxHashMap::default();
    for ps in &phrases {
        for &p in ps {
            *phrase_df.entry(p).or_default() += 1;
        }
    }
    // Representatives are the members most typical in words (BERTopic, too, picks them by
    // c-TF-IDF): what an editor reads carries the topic's keywords, also when the topics
    // were found on embeddings. More than three are ranked, so that copies of one message
    // can be passed over for distinct ones.
    let reps: Vec<Vec<usize>> = topics
        .par_iter()
        .map(|t| label::representatives(&vectors, t, REPRESENTATIVE_CANDIDATES).1)
        .collect();
    let previous_counts: Vec<usize> = previous_members.iter().map(Vec::len).collect();
    let mut previous_topic_of: HashMap<String, usize> = HashMap::new();
    for (t, members) in previous_members.iter().enumerate() {
        for &m in members {
            previous_topic_of.insert(all[m].id.clone(), t + 1);
        }
    }
    let previous_other = previous.len() - previous_topic_of.len();
    let cues = score::Cues::new(&cfg.score);
    let signals: Vec<Signals> = topics
        .par_iter()
        .enumerate()
        .map(|(t, members)| {
            let its: Vec<&Item> = members.iter().map(|&m| &items[m]).collect();
            score::signals(
                &cues,
                &its,
                windows.as_ref(),
                previous_counts[t],
                span_months,
            )
        })
        .collect();
    let columns = cfg
        .columns
        .unwrap_or_else(|| crate::item::Columns::from_items(items));
    let scored = score::scores(&cfg.score, &signals, columns);

    let labels = label::distinct_labels(topics.len(), |t, taken| {
        label::label(&phrases, &phrase_df, &topics[t], &keywords[t], words, taken)
    });
    let faded = faded_topics(seg, &vectors, previous, n, &faded_groups, &labels, words);
    let out_topics: Vec<Topic> = topics
        .par_iter()
        .zip(labels)
        .enumerate()
        .map(|(t, (members, label))| {
            let mut sectors: HashMap<&str, usize> = HashMap::new();
            // By (year, month), named once per month rather than once per member.
            let mut months: BTreeMap<(i32, u32), usize> = BTreeMap::new();
            // Near-duplicate groups, joined with the members that carry the same title (the
            // same message sent again with another body).
            let group_of = copy_groups(members.iter().map(|&m| (dup[m], items[m].title.as_str())));
            let mut dup_groups: BTreeMap<u32, Vec<String>> = BTreeMap::new();
            for (&m, group) in members.iter().zip(group_of) {
                let it = &items[m];
                if !it.sector.is_empty() {
                    *sectors.entry(it.sector.as_str()).or_default() += 1;
                }
                if let Some(d) = &it.submitted_at {
                    *months.entry((d.year(), d.month())).or_default() += 1;
                }
                dup_groups.entry(group).or_default().push(it.id.clone());
            }
            let mut sectors: Vec<(String, usize)> = sectors
                .into_iter()
                .map(|(s, c)| (s.to_string(), c))
                .collect();
            sectors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let dates: Vec<DateTime<FixedOffset>> = members
                .iter()
                .filter_map(|&m| items[m].submitted_at)
                .collect();
            let duplicate_groups: Vec<Vec<String>> =
                dup_groups.into_values().filter(|g| g.len() > 1).collect();
            let representatives = pick_representatives(
                reps[t].iter().map(|&m| ItemRef::of(&items[m])),
                &duplicate_groups,
                REPRESENTATIVES,
            );
            let (sc, class) = scored[t];
            Topic {
                id: t + 1,
                label,
                keywords: keywords[t].clone(),
                class,
                class_zh: class.label_zh(),
                scores: sc,
                signals: signals[t].clone(),
                size: members.len(),
                sectors,
                first: dates.iter().min().map(|d| d.format("%Y-%m-%d").to_string()),
                last: dates.iter().max().map(|d| d.format("%Y-%m-%d").to_string()),
                months: months
                    .into_iter()
                    .map(|((y, m), c)| (format!("{y:04}-{m:02}"), c))
                    .collect(),
                representatives,
                duplicate_groups,
                item_ids: members.iter().map(|&m| items[m].id.clone()).collect(),
                trend: None,
                trend_zh: None,
            }
        })
        .collect();
    let (recent_window, previous_window) = windows.map(|w| w.report_form()).unzip();
    TopicReport {
        items: n,
        recent_window,
        previous_window,
        seed: cfg.seed,
        min_size,
        topics: out_topics,
        other: Other {
            label: "其他",
            size: other.len(),
            item_ids: other.iter().map(|&m| items[m].id.clone()).collect(),
        },
        faded: None,
        columns,
        previous_items: previous.len(),
        previous_other,
        previous_topic_of,
        faded_in_window: faded,
    }
}

/// The topics of a window clustered together with the window before it ([`mine_counted`]).
struct Windowed {
    /// This window's members of each of its topics (largest first).
    topics: Vec<Vec<usize>>,
    /// This window's items in no topic of it.
    other: Vec<usize>,
    /// The previous window's members of each topic (indices after this window's).
    previous_members: Vec<Vec<usize>>,
    /// Joint topics with enough previous members but too few of this window's: (previous
    /// members, members in this window).
    faded_groups: Vec<(Vec<usize>, usize)>,
}

/// Splits joint topics (over this window's `n` items, then the previous window's) by window:
/// a topic of this window has at least `min_size` of its items; one that has at least
/// `min_previous` of the previous window's and not that many now faded. This window's items
/// of a joint topic too small here go to 其他; without a previous window it is the identity.
fn split_windows(
    joint: Vec<Vec<usize>>,
    other: Vec<usize>,
    n: usize,
    min_size: usize,
    min_previous: usize,
) -> Windowed {
    let mut kept: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    let mut faded_groups = Vec::new();
    let mut now_other: Vec<usize> = other.into_iter().filter(|&i| i < n).collect();
    for t in joint {
        let (now, before): (Vec<usize>, Vec<usize>) = t.into_iter().partition(|&i| i < n);
        if now.len() >= min_size {
            kept.push((now, before));
        } else {
            if before.len() >= min_previous {
                faded_groups.push((before, now.len()));
            }
            now_other.extend(now);
        }
    }
    now_other.sort_unstable();
    kept.sort_by(|a, b| largest_first(&a.0, &b.0));
    faded_groups.sort_by(|a, b| largest_first(&a.0, &b.0));
    let (topics, previous_members) = kept.into_iter().unzip();
    Windowed {
        topics,
        other: now_other,
        previous_members,
        faded_groups,
    }
}

/// Names the joint topics that faded (keywords and a label from their previous-window
/// members, a label no topic of this window carries).
fn faded_topics(
    seg: &Segmenter,
    vectors: &vectorize::Vectors,
    previous: &[Item],
    n: usize,
    groups: &[(Vec<usize>, usize)],
    current_labels: &[String],
    words: label::WordFilter,
) -> Vec<FadedTopic> {
    if groups.is_empty() {
        return Vec::new();
    }
    let lists: Vec<Vec<usize>> = groups.iter().map(|(g, _)| g.clone()).collect();
    let keywords = label::keywords(vectors, &lists, 8, words);
    let phrases = label::title_phrases(seg, previous);
    let mut df: FxHashMap<&str, usize> = FxHashMap::default();
    for ps in &phrases {
        for &p in ps {
            *df.entry(p).or_default() += 1;
        }
    }
    let mut taken: rustc_hash::FxHashSet<String> = current_labels.iter().cloned().collect();
    groups
        .iter()
        .zip(keywords)
        .map(|((members, now), keywords)| {
            let local: Vec<usize> = members.iter().map(|&m| m - n).collect();
            let label = label::label(&phrases, &df, &local, &keywords, words, &taken);
            taken.insert(label.clone());
            FadedTopic {
                label,
                keywords,
                size: members.len(),
                continued_share: *now as f64 / (members.len() + now) as f64,
            }
        })
        .collect()
}

/// An item with its similarity to another.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarItem {
    #[serde(flatten)]
    pub item: ItemRef,
    pub similarity: f32,
}

/// Near-duplicates and related items of one item (what `minyi similar` prints).
#[derive(Debug, Clone, Serialize)]
pub struct Similar {
    pub item: ItemRef,
    /// Its near-duplicate group (cosine ≥ the threshold, transitively): the same problem
    /// reported again, with each one's similarity to this item.
    pub duplicates: Vec<SimilarItem>,
    /// The next most similar items (cosine ≥ the graph's edge threshold).
    pub related: Vec<SimilarItem>,
}

/// Finds the near-duplicates and the `limit` most related items of `items[target]`, with the
/// same features and thresholds as topic mining.
pub fn similar(
    seg: &Segmenter,
    items: &[Item],
    target: usize,
    limit: usize,
    cfg: &TopicConfig,
) -> Similar {
    let refs: Vec<&Item> = items.iter().collect();
    // Features and thresholds as topic mining has them: TF-IDF, or the stored embeddings.
    let vectors;
    let (rows, min_sim, dup_sim) = match &cfg.embeddings {
        Some(store) => (
            Features::embeddings(store, &refs),
            0.5,
            cfg.semantic_duplicate_similarity,
        ),
        None => {
            vectors = vectorize::vectorize(seg, &refs);
            (
                Features::words(&vectors.tfidf, vectors.vocab.len()),
                cfg.min_similarity,
                cfg.duplicate_similarity,
            )
        }
    };
    let mut scored: Vec<(usize, f32)> = (0..rows.len())
        .filter(|&i| i != target)
        .map(|i| (i, rows.similarity(target, i)))
        .filter(|&(_, s)| s >= min_sim)
        .collect();
    scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let as_item = |(i, s): (usize, f32)| SimilarItem {
        item: ItemRef::of(&items[i]),
        similarity: s,
    };
    // Near-duplicate groups are transitive, as in topic mining: grow the group from the item.
    let mut group: Vec<usize> = vec![target];
    let mut k = 0;
    while k < group.len() {
        let g = group[k];
        for i in 0..rows.len() {
            if !group.contains(&i) && rows.similarity(g, i) >= dup_sim {
                group.push(i);
            }
        }
        k += 1;
    }
    let (dups, rest): (Vec<_>, Vec<_>) = scored.into_iter().partition(|(i, _)| group.contains(i));
    Similar {
        item: ItemRef::of(&items[target]),
        duplicates: dups.into_iter().map(as_item).collect(),
        related: rest.into_iter().take(limit).map(as_item).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forced_topics_are_redrawn_around_their_centres() {
        // Two word groups; item 4 is about the first but was merged into the second.
        let rows: Vec<vectorize::Sparse> = vec![
            vec![(0, 1.0)],
            vec![(0, 0.8), (2, 0.6)],
            vec![(1, 1.0)],
            vec![(1, 0.8), (3, 0.6)],
            vec![(0, 0.96), (3, 0.28)],
        ];
        let f = Features::words(&rows, 4);
        let topics = reassign_to_nearest_centre(&f, vec![vec![2, 3, 4], vec![0, 1]]);
        assert_eq!(topics, vec![vec![0, 1, 4], vec![2, 3]]);
        // Already drawn around their centres: nothing moves.
        assert_eq!(reassign_to_nearest_centre(&f, topics.clone()), topics);
    }

    #[test]
    fn representatives_stand_for_distinct_messages_with_their_copies() {
        // Items 0-2 are one near-duplicate group; 3 repeats 0's title with another body (its
        // own group); 4 and 5 stand alone.
        let titles = [
            "能否设立南塘站？",
            "能否设立南塘站？",
            "能否设立南塘站",
            "能否设立南塘站？",
            "南塘站何时开通",
            "站台太窄",
        ];
        let dup: Vec<u32> = vec![0, 0, 0, 3, 4, 5];
        let groups = copy_groups(dup.iter().copied().zip(titles));
        assert_eq!(
            groups,
            vec![0, 0, 0, 0, 4, 5],
            "the same title joins the group"
        );
        let items: Vec<Item> = titles
            .iter()
            .enumerate()
            .map(|(i, t)| Item {
                id: format!("M{i}"),
                title: t.to_string(),
                ..Item::default()
            })
            .collect();
        let mut by_group: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for (i, g) in groups.iter().enumerate() {
            by_group.entry(*g).or_default().push(items[i].id.clone());
        }
        let dups: Vec<Vec<String>> = by_group.into_values().filter(|g| g.len() > 1).collect();
        // Ranked with the copies first: one of them, then the next distinct messages.
        let ranked = [1, 0, 3, 2, 5, 4].map(|i| ItemRef::of(&items[i]));
        let reps = pick_representatives(ranked, &dups, 3);
        let shown: Vec<(&str, usize)> = reps.iter().map(|r| (r.id.as_str(), r.copies)).collect();
        assert_eq!(shown, [("M1", 4), ("M5", 1), ("M4", 1)]);
    }

    /// Items about three problems, worded with some variety.
    fn themed(n: usize) -> Vec<Item> {
        let themes = [
            (
                "电动自行车充电",
                ["楼道充电起火隐患", "充电桩数量不足", "电池改装存在风险"],
            ),
            (
                "老旧小区加装电梯",
                ["一楼住户反对协调难", "审批手续繁琐", "资金分摊意见不一"],
            ),
            (
                "农村饮水安全",
                ["水质检测不达标", "供水管网老化漏水", "水费收缴困难"],
            ),
        ];
        (0..n)
            .map(|i| {
                let (topic, details) = themes[i % 3];
                let d = details[(i / 3) % 3];
                Item {
                    id: format!("T{i:04}"),
                    title: format!("关于{topic}问题的建议"),
                    body: format!("{topic}方面，{d}，群众反映强烈，{topic}亟待解决。"),
                    ..Item::default()
                }
            })
            .collect()
    }

    #[test]
    fn sampled_clustering_assigns_every_item_and_keeps_themes_apart() {
        let seg = Segmenter::embedded();
        let items = themed(600);
        let cfg = TopicConfig {
            sample_size: 120,
            ..TopicConfig::default()
        };
        let r = mine(&seg, &items, &[], None, &cfg);
        let assigned: usize = r.topics.iter().map(|t| t.size).sum::<usize>() + r.other.size;
        assert_eq!(assigned, items.len(), "every item in a topic or in 其他");
        assert!(r.topics.len() >= 3, "{} topics", r.topics.len());
        // No topic mixes the themes.
        for t in &r.topics {
            let theme = |id: &str| id[1..].parse::<usize>().unwrap() % 3;
            let first = theme(&t.item_ids[0]);
            assert!(
                t.item_ids.iter().all(|id| theme(id) == first),
                "{}",
                t.label
            );
        }
        // Deterministic for a seed.
        let again = mine(&seg, &items, &[], None, &cfg);
        let ids = |r: &TopicReport| {
            r.topics
                .iter()
                .map(|t| t.item_ids.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&r), ids(&again));
    }
}
