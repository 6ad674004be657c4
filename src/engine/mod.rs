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
//!
//! These are the pieces minyi provides; the Spark job's own steps around them are described
//! once, in `src/spark/README.md`.

use crate::error::malformed;
use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::item::Item;
use crate::segment::Segmenter;
use crate::text::label;
use crate::text::vectorize::{self, Sparse};
use crate::topics::features::{Centre, Features};
use crate::topics::score::{ScoreConfig, Windows};
use crate::topics::tally::{Cues, ItemSignals};
use crate::topics::{ItemRef, TopicConfig, TopicReport};
use exchange::SegmentedItem;

mod describe;
pub mod exchange;
pub mod problems;
pub use describe::{describe, tally_assignments, Tallies, TopicTally};

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
    /// The rules an engine applies in its own sums, named once here and read by the engine
    /// from this file instead of retyped (a model written before them reads the defaults).
    #[serde(default)]
    pub rules: EngineRules,
}

/// Bounds and rules that an engine's own steps apply exactly as local minyi does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineRules {
    /// Most typical members kept per topic and per problem, among which the shown
    /// representatives are picked ([`crate::text::shown::REPRESENTATIVE_CANDIDATES`]).
    pub representative_candidates: usize,
    /// Most frequent title phrases kept per topic for its label ([`PHRASES_PER_TOPIC`]).
    pub phrases_per_topic: usize,
    /// A key named by more than `max_names_per_key` names is generic unless it has at least
    /// this many items per name ([`crate::problems::ITEMS_PER_NAME_OF_A_BUSY_KEY`]).
    pub items_per_name_of_a_busy_key: usize,
}

impl Default for EngineRules {
    fn default() -> Self {
        EngineRules {
            representative_candidates: crate::text::shown::REPRESENTATIVE_CANDIDATES,
            phrases_per_topic: PHRASES_PER_TOPIC,
            items_per_name_of_a_busy_key: crate::problems::ITEMS_PER_NAME_OF_A_BUSY_KEY,
        }
    }
}

/// Most frequent title phrases (held by two members or more) that an engine sums per topic:
/// a label is named from a topic's frequent phrases, and the bound keeps what reaches the
/// driver independent of the number of items.
pub const PHRASES_PER_TOPIC: usize = 2000;

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
            max_terms: if population > vectorize::EXACT_UP_TO {
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
            rules: EngineRules::default(),
        }
    }

    /// Reads a model file's text, checking its format and that it holds together.
    pub fn from_json(text: &str) -> crate::Result<TopicModel> {
        let m: TopicModel = serde_json::from_str(text).map_err(|e| malformed!("{e}"))?;
        if m.format != MODEL_FORMAT {
            return Err(malformed!(
                "format is '{}', expected '{MODEL_FORMAT}'",
                m.format
            ));
        }
        if m.idf.len() != m.vocab.len() {
            return Err(malformed!("vocab and idf differ in length"));
        }
        let dim = m.vocab.len() as u32;
        if let Some(t) = m
            .topics
            .iter()
            .find(|t| t.centre.iter().any(|&(i, _)| i >= dim))
        {
            return Err(malformed!(
                "topic {} has a term outside the vocabulary",
                t.id
            ));
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
        let counting = vectorize::COUNTING;
        for (terms, weight) in [
            (&it.title_terms, counting.title),
            (&it.body_terms, counting.body),
        ] {
            for t in terms {
                if (counting.keep)(t) {
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

    /// An item's L2-normalised TF-IDF row with the model's vocabulary and idf.
    pub fn tfidf(&self, it: &SegmentedItem) -> Sparse {
        self.row(it).1
    }

    /// The model items are assigned with.
    pub fn model(&self) -> &TopicModel {
        &self.model
    }

    /// Each item's term counts, topic (an index into the model's topics; `None`: 其他) and
    /// cosine to its nearest centre (in parallel; in input order).
    fn place(&self, items: &[SegmentedItem]) -> Vec<(Sparse, Option<usize>, f32)> {
        use rayon::prelude::*;
        let (counts, weights): (Vec<Sparse>, Vec<Sparse>) =
            items.par_iter().map(|it| self.row(it)).unzip();
        let nearest = Features::words(&weights, self.model.vocab.len()).nearest(&self.centres);
        // When the sample was the whole set, local minyi keeps its 其他 as found.
        let whole = self.model.sample >= self.model.population;
        items
            .par_iter()
            .zip(counts)
            .zip(nearest)
            .map(|((it, counts), best)| {
                let topic = match self.member_of.get(&it.item.id) {
                    Some(&t) => Some(t),
                    None if whole => None,
                    None => best
                        .filter(|&(t, s)| s >= self.model.topics[t].floor)
                        .map(|(t, _)| t),
                };
                (counts, topic, best.map(|(_, s)| s).unwrap_or(0.0))
            })
            .collect()
    }

    /// Each item's model topic id (`None`: 其他) and term counts, as [`Assigner::assign`]
    /// finds them, without the rest of an assignment (in input order).
    pub fn topics_and_counts(&self, items: &[SegmentedItem]) -> Vec<(Option<usize>, Sparse)> {
        self.place(items)
            .into_iter()
            .map(|(counts, topic, _)| (topic.map(|t| self.model.topics[t].id), counts))
            .collect()
    }

    /// Assigns a batch of items (in parallel; output in input order).
    pub fn assign(&self, seg: &Segmenter, items: &[SegmentedItem]) -> Vec<Assignment> {
        use rayon::prelude::*;
        items
            .par_iter()
            .zip(self.place(items))
            .map(|(it, (counts, topic, similarity))| Assignment {
                item: ItemRef::of(&it.item),
                topic: topic.map(|t| self.model.topics[t].id),
                similarity,
                unix: it.item.submitted_at.map(|d| d.timestamp()),
                time: it.item.submitted_at.map(|d| d.to_rfc3339()),
                signals: ItemSignals::of(&self.cues, &it.item, self.windows.as_ref()),
                terms: counts,
                phrases: label::phrases_of(seg, &it.item.title),
            })
            .collect()
    }
}
