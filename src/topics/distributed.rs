//! Topic mining beyond one machine: the pieces an engine such as Spark runs around minyi, so
//! that the topics it writes are the ones minyi computes locally on a large set.
//!
//! Local minyi clusters a set larger than `sample_size` through a sample: the sample is
//! clustered, then every item joins the topic whose centre is most similar when it is as close
//! as the topic's 2% least typical sampled members (else 其他), sampled members keeping their
//! topic. Across machines the steps are the same, split where the data is:
//!
//! 1. the driver clusters the sample with `minyi topics --save-model` and writes a
//!    [`TopicModel`]: the sample's vocabulary and idf, each topic's centre, floor, sampled
//!    members and near-duplicate groups;
//! 2. executors run `minyi assign` ([`Assigner`]) on their partitions of segmented items: each
//!    item's topic, its similarity to the centre, what it adds to the topic's signals
//!    ([`ItemSignals`]), its term counts and title phrases;
//! 3. the engine sums these per topic ([`Tallies`]) and `minyi describe` ([`describe`]) turns
//!    the sums into the topics JSON with the same keyword, label and score definitions as
//!    `minyi topics` — which `minyi report --topics` renders.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::features::{Centre, Features};
use super::label;
use super::score::{self, Cues, ItemSignals, ScoreConfig, Tally, Windows};
use super::vectorize::{self, Sparse};
use super::{ItemRef, Other, Topic, TopicConfig, TopicReport};
use crate::exchange::SegmentedItem;
use crate::item::Item;
use crate::segment::Segmenter;

/// The format tag of a [`TopicModel`] file.
pub const MODEL_FORMAT: &str = "minyi-topic-model/1";

/// A topic of the sample, as the model carries it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelTopic {
    /// The topic's id in the sample's report.
    pub id: usize,
    pub label: String,
    /// L2-normalised TF-IDF centre of its sampled members (term ids of the model's vocabulary).
    pub centre: Sparse,
    /// Least cosine to the centre for an outside item to join (that of its 2% least typical
    /// sampled members).
    pub floor: f32,
    /// Ids of its sampled members (they keep the topic).
    pub members: Vec<String>,
    /// Its near-duplicate groups among the sample (ids).
    pub duplicate_groups: Vec<Vec<String>>,
}

/// What the driver's clustering of a sample hands to the executors.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TopicModel {
    /// [`MODEL_FORMAT`].
    pub format: String,
    pub seed: u64,
    /// Items clustered (the sample).
    pub sample: usize,
    /// Items the sample stands for.
    pub population: usize,
    /// Least size of a topic among the population; smaller ones go to 其他.
    pub min_size: usize,
    /// Most terms kept per item (the highest TF-IDF weights), as locally for this population.
    pub max_terms: usize,
    /// Feature terms, sorted; a term's id is its position.
    pub vocab: Vec<String>,
    /// Inverse document frequency of each feature term.
    pub idf: Vec<f32>,
    pub topics: Vec<ModelTopic>,
}

impl TopicModel {
    /// The model of `report`, the topics mined from `items` (a sample standing for
    /// `population` items, whose least topic size is `min_size`).
    pub fn build(
        seg: &Segmenter,
        items: &[Item],
        report: &TopicReport,
        cfg: &TopicConfig,
        population: usize,
        min_size: usize,
    ) -> TopicModel {
        let refs: Vec<&Item> = items.iter().collect();
        let vectors = vectorize::vectorize(seg, &refs);
        let dim = vectors.vocab.len();
        let position: HashMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id.as_str(), i))
            .collect();
        let members: Vec<Vec<usize>> = report
            .topics
            .iter()
            .map(|t| t.item_ids.iter().map(|id| position[id.as_str()]).collect())
            .collect();
        let features = Features::words(&vectors.tfidf, dim);
        let centres: Vec<Centre> = members.iter().map(|m| features.centroid(m)).collect();
        let floors = features.floors(&members, &centres);
        TopicModel {
            format: MODEL_FORMAT.into(),
            seed: cfg.seed,
            sample: items.len(),
            population,
            min_size,
            max_terms: if population > super::vectorize::EXACT_UP_TO {
                vectorize::MAX_TERMS
            } else {
                usize::MAX
            },
            vocab: vectors.vocab,
            idf: vectors.idf,
            topics: report
                .topics
                .iter()
                .zip(centres)
                .zip(floors)
                .map(|((t, centre), floor)| ModelTopic {
                    id: t.id,
                    label: t.label.clone(),
                    centre: centre.into_words(),
                    floor,
                    members: t.item_ids.clone(),
                    duplicate_groups: t.duplicate_groups.clone(),
                })
                .collect(),
        }
    }

    /// Reads a model file's text, checking its format and that it holds together.
    pub fn from_json(text: &str) -> Result<TopicModel, String> {
        let m: TopicModel = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if m.format != MODEL_FORMAT {
            return Err(format!(
                "format is '{}', expected '{MODEL_FORMAT}'",
                m.format
            ));
        }
        if m.idf.len() != m.vocab.len() {
            return Err("vocab and idf differ in length".into());
        }
        let dim = m.vocab.len() as u32;
        if let Some(t) = m
            .topics
            .iter()
            .find(|t| t.centre.iter().any(|&(i, _)| i >= dim))
        {
            return Err(format!("topic {} has a term outside the vocabulary", t.id));
        }
        Ok(m)
    }
}

/// One item's assignment, with what the topic's description is summed from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assignment {
    #[serde(flatten)]
    pub item: ItemRef,
    /// The model topic (its `id`) the item joins; `None`: 其他.
    pub topic: Option<usize>,
    /// Cosine to the nearest topic's centre (what ranks representatives).
    pub similarity: f32,
    /// Submission time (Unix seconds, and as RFC 3339), for the earliest and latest item.
    pub unix: Option<i64>,
    pub time: Option<String>,
    #[serde(flatten)]
    pub signals: ItemSignals,
    /// Raw counts of its feature terms (title counted twice): (term id, count).
    pub terms: Vec<(u32, f32)>,
    /// Its title phrases (for the label).
    pub phrases: Vec<String>,
}

/// Assigns segmented items to the topics of a [`TopicModel`] (what `minyi assign` runs on an
/// executor's partition).
pub struct Assigner {
    model: TopicModel,
    term_ids: HashMap<String, u32>,
    centres: Vec<Centre>,
    member_of: HashMap<String, usize>,
    cues: Cues,
    windows: Option<Windows>,
}

impl Assigner {
    /// `latest`: the latest submission among all analysed items (the growth windows end
    /// there, as locally); `score` gives the cue lexicons.
    pub fn new(
        model: TopicModel,
        latest: Option<DateTime<FixedOffset>>,
        score: &ScoreConfig,
    ) -> Assigner {
        let term_ids = model
            .vocab
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let member_of = model
            .topics
            .iter()
            .enumerate()
            .flat_map(|(t, mt)| mt.members.iter().map(move |id| (id.clone(), t)))
            .collect();
        let centres = model
            .topics
            .iter()
            .map(|t| Centre::Words(t.centre.clone()))
            .collect();
        Assigner {
            term_ids,
            centres,
            member_of,
            cues: Cues::new(score),
            windows: latest.map(Windows::ending_at),
            model,
        }
    }

    /// Raw feature-term counts and the L2-normalised TF-IDF row of an item's terms, weighted
    /// as [`vectorize::vectorize`] weights them.
    fn row(&self, it: &SegmentedItem) -> (Sparse, Sparse) {
        let mut counts: HashMap<u32, f32> = HashMap::new();
        for (terms, weight) in [(&it.title_terms, 2.0), (&it.body_terms, 1.0)] {
            for t in terms {
                if vectorize::keep(t) {
                    if let Some(&id) = self.term_ids.get(t.as_str()) {
                        *counts.entry(id).or_default() += weight;
                    }
                }
            }
        }
        let mut c: Sparse = counts.into_iter().collect();
        c.sort_unstable_by_key(|(i, _)| *i);
        let w = vectorize::weigh(&c, &self.model.idf, self.model.max_terms);
        (c, w)
    }

    /// Assigns a batch of items (in parallel; output in input order).
    pub fn assign(&self, seg: &Segmenter, items: &[SegmentedItem]) -> Vec<Assignment> {
        use rayon::prelude::*;
        let (counts, weights): (Vec<Sparse>, Vec<Sparse>) =
            items.par_iter().map(|it| self.row(it)).unzip();
        let nearest = Features::words(&weights, self.model.vocab.len()).nearest(&self.centres);
        items
            .par_iter()
            .zip(counts)
            .zip(nearest)
            .map(|((it, counts), best)| {
                // When the sample was the whole set, local minyi keeps its 其他 as found.
                let whole = self.model.sample >= self.model.population;
                let topic = match self.member_of.get(&it.item.id) {
                    Some(&t) => Some(t),
                    None if whole => None,
                    None => best
                        .filter(|&(t, s)| s >= self.model.topics[t].floor)
                        .map(|(t, _)| t),
                };
                Assignment {
                    item: ItemRef::of(&it.item),
                    topic: topic.map(|t| self.model.topics[t].id),
                    similarity: best.map(|(_, s)| s).unwrap_or(0.0),
                    unix: it.item.submitted_at.map(|d| d.timestamp()),
                    time: it.item.submitted_at.map(|d| d.to_rfc3339()),
                    signals: ItemSignals::of(&self.cues, &it.item, self.windows.as_ref()),
                    terms: counts,
                    phrases: label::phrases_of(seg, &it.item.title),
                }
            })
            .collect()
    }
}

/// One topic's sums over its assigned items, as an engine aggregates [`Assignment`]s.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TopicTally {
    /// The model topic (its `id`).
    pub topic: usize,
    /// Sums of the members' [`ItemSignals`]; `submitters` is the distinct count. Its `sectors`
    /// and `months_active` are recounted from the maps below.
    pub tally: Tally,
    /// Members per non-empty sector.
    pub sectors: BTreeMap<String, usize>,
    /// Members per month (`YYYY-MM`).
    pub months: BTreeMap<String, usize>,
    /// Earliest and latest submission date (`YYYY-MM-DD`).
    pub first: Option<String>,
    pub last: Option<String>,
    /// Term id → summed count (the members' `terms`).
    pub terms: HashMap<u32, f32>,
    /// Title phrase → members holding it (phrases held by fewer than 2 may be left out).
    pub phrases: HashMap<String, usize>,
    /// The members most similar to the centre, most first ([`super::REPRESENTATIVE_CANDIDATES`]
    /// of them; [`describe`] shows three from different near-duplicate groups).
    pub representatives: Vec<ItemRef>,
    /// Every member's id.
    pub item_ids: Vec<String>,
}

/// What the engine hands to [`describe`]: per-topic sums and the set's totals.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tallies {
    /// Items analysed (assigned or not).
    pub items: usize,
    /// Earliest and latest submission among them (RFC 3339).
    pub first: Option<String>,
    pub latest: Option<String>,
    pub topics: Vec<TopicTally>,
    /// Ids of the items no topic took.
    pub other_ids: Vec<String>,
    /// Title phrase → analysed items holding it, for the phrases in the topics' `phrases`.
    pub phrase_df: HashMap<String, usize>,
}

fn parse_time(what: &str, s: &Option<String>) -> Result<Option<DateTime<FixedOffset>>, String> {
    s.as_deref()
        .map(|t| {
            DateTime::parse_from_rfc3339(t)
                .map_err(|e| format!("{what} '{t}' is not RFC 3339: {e}"))
        })
        .transpose()
}

/// Turns the engine's sums into the topics report, with the definitions of [`super::mine`]:
/// topics below the model's least size go to 其他, keywords by c-TF-IDF, the label from
/// title phrases, signals and scores from the tallies.
pub fn describe(
    model: &TopicModel,
    tallies: Tallies,
    score_cfg: &ScoreConfig,
    words: label::WordFilter,
) -> Result<TopicReport, String> {
    let first = parse_time("first", &tallies.first)?;
    let latest = parse_time("latest", &tallies.latest)?;
    let by_id: HashMap<usize, &ModelTopic> = model.topics.iter().map(|t| (t.id, t)).collect();
    let mut assigned = 0;
    for t in &tallies.topics {
        if !by_id.contains_key(&t.topic) {
            return Err(format!("topic {} is not in the model", t.topic));
        }
        if t.item_ids.len() != t.tally.size {
            return Err(format!(
                "topic {}: size {} but {} item ids",
                t.topic,
                t.tally.size,
                t.item_ids.len()
            ));
        }
        assigned += t.tally.size;
    }
    if assigned + tallies.other_ids.len() != tallies.items {
        return Err(format!(
            "{} items, but {assigned} in topics and {} in 其他",
            tallies.items,
            tallies.other_ids.len()
        ));
    }
    let mut other = tallies.other_ids;
    let (mut kept, dropped): (Vec<TopicTally>, Vec<TopicTally>) = tallies
        .topics
        .into_iter()
        .partition(|t| t.tally.size >= model.min_size && t.tally.size > 0);
    other.extend(dropped.into_iter().flat_map(|t| t.item_ids));
    other.sort_unstable();
    for t in &mut kept {
        t.item_ids.sort_unstable();
        t.tally.sectors = t.sectors.len();
        t.tally.months_active = t.months.len();
    }
    kept.sort_by(|a, b| {
        b.tally
            .size
            .cmp(&a.tally.size)
            .then(a.item_ids[0].cmp(&b.item_ids[0]))
    });
    let span = match (first, latest) {
        (Some(a), Some(b)) => score::span_months(&a, &b),
        _ => 0,
    };
    let windows = latest.map(Windows::ending_at);
    let term_counts: Vec<HashMap<u32, f32>> = kept
        .iter_mut()
        .map(|t| std::mem::take(&mut t.terms))
        .collect();
    if let Some(bad) = term_counts
        .iter()
        .flat_map(|m| m.keys())
        .find(|&&k| k as usize >= model.vocab.len())
    {
        return Err(format!("term id {bad} is outside the model's vocabulary"));
    }
    let keywords = label::keywords_of_counts(&term_counts, &model.vocab, 8, words);
    let signals: Vec<score::Signals> = kept
        .iter()
        .map(|t| score::signals_of(&t.tally, 0, span))
        .collect();
    // The columns the data has, as far as the tallies tell.
    let columns = crate::item::Columns {
        sector: kept.iter().any(|t| t.tally.sectors > 0),
        unit: true,
        adoption: kept.iter().any(|t| t.tally.adopted > 0),
        instruction: kept.iter().any(|t| t.tally.instructed > 0),
        feedback: kept.iter().any(|t| t.tally.without_feedback < t.tally.size),
        likes: kept.iter().any(|t| t.tally.likes_count > 0),
    };
    let scored = score::scores(score_cfg, &signals, columns);
    let labels = label::distinct_labels(kept.len(), |i, taken| {
        label::label_of_counts(
            &kept[i].phrases,
            kept[i].tally.size,
            tallies.items,
            &tallies.phrase_df,
            &keywords[i],
            words,
            taken,
        )
    });
    let topics: Vec<Topic> = kept
        .into_iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (t, label))| {
            let (sc, class) = scored[i];
            let mut sectors: Vec<(String, usize)> = t.sectors.into_iter().collect();
            sectors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Topic {
                id: i + 1,
                label,
                keywords: keywords[i].clone(),
                class,
                class_zh: class.label_zh(),
                scores: sc,
                signals: signals[i].clone(),
                size: t.tally.size,
                sectors,
                first: t.first,
                last: t.last,
                months: t.months,
                representatives: super::pick_representatives(
                    t.representatives,
                    &by_id[&t.topic].duplicate_groups,
                    super::REPRESENTATIVES,
                ),
                duplicate_groups: by_id[&t.topic].duplicate_groups.clone(),
                item_ids: t.item_ids,
                trend: None,
                trend_zh: None,
            }
        })
        .collect();
    let (recent_window, previous_window) = windows.map(|w| w.report_form()).unzip();
    Ok(TopicReport {
        items: tallies.items,
        recent_window,
        previous_window,
        seed: model.seed,
        min_size: model.min_size,
        topics,
        other: Other {
            label: "其他",
            size: other.len(),
            item_ids: other,
        },
        faded: None,
        columns,
        previous_items: 0,
        previous_other: 0,
        previous_topic_of: HashMap::new(),
        faded_in_window: Vec::new(),
    })
}

/// Sums assignments into [`Tallies`] on one machine — what the engine's aggregation computes,
/// used to check that path end to end without a cluster.
pub fn tally_assignments(assignments: &[Assignment]) -> Tallies {
    let mut by_topic: BTreeMap<usize, Vec<&Assignment>> = BTreeMap::new();
    let mut other_ids = Vec::new();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for a in assignments {
        for p in &a.phrases {
            *df.entry(p.as_str()).or_default() += 1;
        }
        match a.topic {
            Some(t) => by_topic.entry(t).or_default().push(a),
            None => other_ids.push(a.item.id.clone()),
        }
    }
    let mut phrase_df = HashMap::new();
    let topics = by_topic
        .into_iter()
        .map(|(topic, members)| {
            let mut tally = Tally::default();
            let mut sectors = BTreeMap::new();
            let mut months = BTreeMap::new();
            let mut terms: HashMap<u32, f32> = HashMap::new();
            let mut phrases: HashMap<String, usize> = HashMap::new();
            for a in &members {
                tally.add(&a.signals);
                if !a.item.sector.is_empty() {
                    *sectors.entry(a.item.sector.clone()).or_default() += 1;
                }
                if let Some(m) = &a.signals.month {
                    *months.entry(m.clone()).or_default() += 1;
                }
                for &(t, c) in &a.terms {
                    *terms.entry(t).or_default() += c;
                }
                for p in &a.phrases {
                    *phrases.entry(p.clone()).or_default() += 1;
                }
            }
            tally.submitters = score::distinct(members.iter().map(|a| a.item.submitter.as_str()));
            phrases.retain(|_, c| *c >= 2);
            for p in phrases.keys() {
                phrase_df.insert(p.clone(), df[p.as_str()]);
            }
            let mut reps = members.clone();
            reps.sort_by(|a, b| {
                b.similarity
                    .total_cmp(&a.similarity)
                    .then(a.item.id.cmp(&b.item.id))
            });
            let dates: Vec<&String> = members
                .iter()
                .filter_map(|a| a.item.submitted_at.as_ref())
                .collect();
            TopicTally {
                topic,
                tally,
                sectors,
                months,
                first: dates.iter().min().map(|d| d.to_string()),
                last: dates.iter().max().map(|d| d.to_string()),
                terms,
                phrases,
                representatives: reps
                    .iter()
                    .take(super::REPRESENTATIVE_CANDIDATES)
                    .map(|a| a.item.clone())
                    .collect(),
                item_ids: members.iter().map(|a| a.item.id.clone()).collect(),
            }
        })
        .collect();
    let dated = || assignments.iter().filter(|a| a.unix.is_some());
    Tallies {
        items: assignments.len(),
        first: dated().min_by_key(|a| a.unix).and_then(|a| a.time.clone()),
        latest: dated().max_by_key(|a| a.unix).and_then(|a| a.time.clone()),
        topics,
        other_ids,
        phrase_df,
    }
}
