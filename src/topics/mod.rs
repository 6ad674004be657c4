//! Topics stage: groups items into topics and classifies them for topic planning (选题策划):
//! hot (热点), difficult (难点), highlight (亮点).
//!
//! vectorize (TF-IDF of jieba terms; or with `--semantic` the stored embeddings, see
//! [`features`]) → graph (nearest neighbours, near-duplicate groups) →
//! cluster (Louvain communities: the number of topics is found, not guessed) → label
//! (c-TF-IDF keywords, a key phrase, representative items) → score (signals and classes).
//! Items in communities below the minimum size go to an explicit 其他 bucket.

pub mod cluster;
pub mod eval;
pub mod features;
pub mod partition;
pub mod score;
pub mod similar;
pub mod tally;
pub mod topic;
pub mod track;
pub mod trend;
pub mod window;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::period::Period;
use chrono::{DateTime, Datelike, FixedOffset};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::embed::Store;
pub use crate::item::sample_key;
use crate::item::Item;
use crate::problems;
pub use crate::problems::heat::{Heat, HeatConfig};
pub use crate::problems::{Problem, ProblemConfig};
use crate::segment::{Segmenter, TermCounts};
use crate::text::shown::copy_groups;
use crate::text::{graph, label, vectorize};
use features::features_of;
pub use features::require_vectors;
use partition::{cluster_rows, cluster_sampled};
pub use partition::{default_min_size, sample_min_size};
pub use score::{ScoreConfig, Scores, Signals, TopicClass};
pub use similar::{similar, Similar, SimilarItem};
use topic::TopicParts;
pub use topic::{
    pick_representatives, FadedTopic, ItemRef, Other, Topic, TopicReport, Trend, REPRESENTATIVES,
    REPRESENTATIVE_CANDIDATES,
};
pub use trend::compare_previous;
use trend::{faded_topics, split_windows, Windowed};

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
    /// Problems (问题) inside the themes, and their heat.
    pub problems: ProblemConfig,
}

pub use crate::text::FUNCTION_WORD_TAGS;

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
            problems: ProblemConfig::default(),
        }
    }
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
    window: Option<&Period>,
    cfg: &TopicConfig,
) -> TopicReport {
    mine_with_progress(seg, items, previous, window, cfg, &|_| {})
}

/// [`mine`], calling `progress` as each [`Stage`] begins (the items are segmented first).
pub fn mine_with_progress(
    seg: &Segmenter,
    items: &[Item],
    previous: &[Item],
    window: Option<&Period>,
    cfg: &TopicConfig,
    progress: &dyn Fn(Stage),
) -> TopicReport {
    let all: Vec<&Item> = items.iter().chain(previous.iter()).collect();
    let counts = TermCounts::segmented(seg, &all, vectorize::COUNTING);
    // Items made in memory rather than read from an index carry no places yet.
    let with_places = |its: &[Item]| -> Vec<Item> {
        its.par_iter()
            .map(|it| {
                let mut it = it.clone();
                if it.places.is_empty() {
                    it.places = crate::segment::places::places(seg, &it.title, &it.body);
                }
                it
            })
            .collect()
    };
    let (items, previous) = (with_places(items), with_places(previous));
    mine_counted(seg, &items, &previous, counts, window, cfg, progress)
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
    window: Option<&Period>,
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
    // A previous window too thin to compare with (3 items in 2018 against 4,000 in 2019) is
    // left out: the window alone is mined, as without a window, and no growth is claimed.
    let thin_previous = window.is_some() && !crate::period::comparable(n, previous.len());
    let (previous, counts) = if thin_previous && !previous.is_empty() {
        (&previous[..0], counts.slice(0..n))
    } else {
        (previous, counts)
    };
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
        Some(w) => Some(score::Windows::of(w)),
        None => items
            .iter()
            .filter_map(|i| i.submitted_at)
            .max()
            .map(score::Windows::ending_at),
    };
    let dated: Vec<DateTime<FixedOffset>> = items.iter().filter_map(|i| i.submitted_at).collect();
    // Growth is measured only against a previous window holding enough items: the one
    // given, or without one the 91 days before the last 91 days of the items.
    let compared = match (window, &windows) {
        (Some(_), _) => !thin_previous,
        (None, Some(w)) => {
            let (recent, before) = dated.iter().fold((0, 0), |(r, b), &d| {
                let (now, then) = w.side(d);
                (r + now as usize, b + then as usize)
            });
            crate::period::comparable(recent, before)
        }
        (None, None) => false,
    };
    let span = score::Span::of(dated.iter().min(), dated.iter().max());

    let words = label::WordFilter::new(seg, &cfg.function_word_tags);
    let keywords = label::keywords(&vectors, &topics, label::KEYWORDS, words);
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
    let previous_other = previous.len() - previous_counts.iter().sum::<usize>();
    let cues = tally::Cues::new(&cfg.score);
    let signals: Vec<Signals> = topics
        .par_iter()
        .enumerate()
        .map(|(t, members)| {
            let its: Vec<&Item> = members.iter().map(|&m| &items[m]).collect();
            let s = tally::signals(&cues, &its, windows.as_ref(), previous_counts[t], span);
            if compared {
                s
            } else {
                s.uncompared()
            }
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
    // Each item's theme by its id: topics are numbered from 1, as `Topic::assemble` below
    // numbers them, so that the problems name their theme as the report does.
    let mut theme_of: Vec<Option<usize>> = vec![None; n];
    for (t, members) in topics.iter().enumerate() {
        for &m in members {
            theme_of[m] = Some(t + 1);
        }
    }
    let problem_window = dated
        .iter()
        .max()
        .map(|&latest| crate::period::recent_stretch(latest, window));
    // The problems of each theme by its id; those of 其他 at 0.
    let mut problems_of_theme: Vec<Vec<Problem>> = vec![Vec::new(); topics.len() + 1];
    let (mut repeated, mut held_back) = (Vec::new(), 0);
    if let Some(problem_window) = problem_window.filter(|_| cfg.problems.enabled) {
        let groups = problems::group(&all, &vectors, &dup, &cfg.problems);
        let cx = problems::Context {
            items: &all,
            n,
            vectors: &vectors,
            words,
            theme_of: &theme_of,
            span: window.cloned().unwrap_or_else(|| problem_window.clone()),
            window: problem_window,
            // Problems are counted in a previous window only when its items were given.
            compared: joint && compared,
            has_submitters: items.iter().any(|i| !i.submitter.is_empty()),
            has_likes: columns.likes,
            has_feedback: columns.feedback,
            dup: &dup,
        };
        let described = problems::describe(groups, &cx, &cfg.problems);
        repeated = described.repeated;
        held_back = described.held_back;
        for p in described.problems {
            problems_of_theme[p.theme.unwrap_or(0)].push(p);
        }
    }
    let other_problems = std::mem::take(&mut problems_of_theme[0]);
    let out_topics: Vec<Topic> = topics
        .par_iter()
        .zip(labels)
        .zip(problems_of_theme.into_par_iter().skip(1))
        .enumerate()
        .map(|(t, ((members, label), problems))| {
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
            let dates: Vec<DateTime<FixedOffset>> = members
                .iter()
                .filter_map(|&m| items[m].submitted_at)
                .collect();
            Topic::assemble(
                t + 1,
                TopicParts {
                    label,
                    keywords: keywords[t].clone(),
                    scored: scored[t],
                    signals: signals[t].clone(),
                    size: members.len(),
                    sectors: sectors
                        .into_iter()
                        .map(|(s, c)| (s.to_string(), c))
                        .collect(),
                    first: dates.iter().min().map(|d| d.format("%Y-%m-%d").to_string()),
                    last: dates.iter().max().map(|d| d.format("%Y-%m-%d").to_string()),
                    months: months
                        .into_iter()
                        .map(|((y, m), c)| (format!("{y:04}-{m:02}"), c))
                        .collect(),
                    candidates: reps[t].iter().map(|&m| ItemRef::of(&items[m])).collect(),
                    duplicate_groups: dup_groups.into_values().filter(|g| g.len() > 1).collect(),
                    item_ids: members.iter().map(|&m| items[m].id.clone()).collect(),
                    model_topic: None,
                    problems,
                },
            )
        })
        .collect();
    let previous_thin = !compared && windows.is_some();
    let (recent_window, previous_window) = windows.map(|w| (w.recent, w.previous)).unzip();
    TopicReport {
        items: n,
        recent_window,
        previous_window,
        seed: cfg.seed,
        min_size,
        topics: out_topics,
        assignments: None,
        other: Other {
            label: "其他",
            size: other.len(),
            item_ids: other.iter().map(|&m| items[m].id.clone()).collect(),
            problems: other_problems,
        },
        faded: None,
        columns,
        previous_items: previous.len(),
        previous_thin,
        repeated,
        held_back,
        previous_other,
        faded_in_window: faded,
    }
}

/// What [`problems_counted`] found.
#[derive(Debug, Default)]
pub struct FoundProblems {
    pub problems: Vec<Problem>,
    /// One person's repeated messages (重复反映).
    pub repeated: Vec<Problem>,
    /// The object keys found to name kinds of object (路, 国际城 …), sorted.
    pub kinds: Vec<String>,
}

/// The problems and one person's repeated messages of `items`, as [`mine_counted`] finds them
/// without a window, without the themes: near-duplicates are found as the clustering finds
/// them, but nothing is clustered or described (each problem's `theme` is `None`). The
/// problem registry ([`track`]) keeps no theme.
pub fn problems_counted(
    seg: &Segmenter,
    items: &[Item],
    counts: TermCounts,
    cfg: &TopicConfig,
) -> FoundProblems {
    let n = items.len();
    assert_eq!(counts.len(), n, "one row of counts per item");
    let latest = items.iter().filter_map(|i| i.submitted_at).max();
    let Some(latest) = latest.filter(|_| cfg.problems.enabled) else {
        return FoundProblems::default();
    };
    let all: Vec<&Item> = items.iter().collect();
    // Items of a region of the index find their near-duplicates as the whole index would.
    let population = counts.population.as_ref().map_or(n, |p| p.items);
    let vectors = vectorize::from_counts(counts, cfg.embeddings.is_none());
    let features = features_of(&vectors, &all, cfg);
    let dup = partition::near_duplicates(&all, &features.range(0..n), cfg, population);
    let columns = cfg
        .columns
        .unwrap_or_else(|| crate::item::Columns::from_items(items));
    let window = crate::period::recent_stretch(latest, None);
    let theme_of: Vec<Option<usize>> = vec![None; n];
    let mut groups = problems::group(&all, &vectors, &dup, &cfg.problems);
    let kinds = std::mem::take(&mut groups.kinds);
    let cx = problems::Context {
        items: &all,
        n,
        vectors: &vectors,
        words: label::WordFilter::new(seg, &cfg.function_word_tags),
        theme_of: &theme_of,
        span: window.clone(),
        window,
        compared: false,
        has_submitters: items.iter().any(|i| !i.submitter.is_empty()),
        has_likes: columns.likes,
        has_feedback: columns.feedback,
        dup: &dup,
    };
    let described = problems::describe(groups, &cx, &cfg.problems);
    FoundProblems {
        problems: described.problems,
        repeated: described.repeated,
        kinds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
