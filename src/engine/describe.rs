//! The engine's side returns per-topic sums ([`Tallies`]); [`describe`] turns them into the
//! topics local minyi would give for the same membership.

use crate::error::malformed;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{Assignment, ModelTopic, TopicModel};
use crate::text::label;
use crate::topics::score::{self, Windows};
use crate::topics::tally::{self, Tally};
use crate::topics::topic::TopicParts;
use crate::topics::{ItemRef, Other, Topic, TopicReport};

/// One topic's sums over its assigned items, as an engine aggregates [`Assignment`]s.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TopicTally {
    /// The model topic (its `id`).
    pub topic: usize,
    /// Sums of the members' [`crate::topics::tally::ItemSignals`]; `submitters` is the distinct count. Its `sectors`
    /// `months_active` and `weeks_active` are recounted from the maps below.
    pub tally: Tally,
    /// Members per non-empty sector.
    pub sectors: BTreeMap<String, usize>,
    /// Members per month (`YYYY-MM`).
    pub months: BTreeMap<String, usize>,
    /// Members per ISO week (`YYYY-Www`).
    #[serde(default)]
    pub weeks: BTreeMap<String, usize>,
    /// Earliest and latest submission date (`YYYY-MM-DD`).
    pub first: Option<String>,
    pub last: Option<String>,
    /// Term id → summed count (the members' `terms`).
    pub terms: HashMap<u32, f32>,
    /// Title phrase → members holding it (phrases held by fewer than 2 may be left out).
    pub phrases: HashMap<String, usize>,
    /// The members most similar to the centre, most first ([`crate::topics::REPRESENTATIVE_CANDIDATES`]
    /// of them; [`describe`] shows three from different near-duplicate groups).
    pub representatives: Vec<ItemRef>,
    /// Every member's id; empty when the engine wrote them to its assignments instead
    /// ([`Tallies::assignments`]).
    #[serde(default)]
    pub item_ids: Vec<String>,
    /// The smallest member id (orders topics of equal size when `item_ids` is empty).
    #[serde(default)]
    pub first_id: Option<String>,
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
    /// Ids of the items no topic took (empty with [`Tallies::assignments`]).
    #[serde(default)]
    pub other_ids: Vec<String>,
    /// How many items no topic took, when their ids are not listed.
    #[serde(default)]
    pub other: usize,
    /// Where the engine wrote each item's topic (Parquet: `id`, `theme`, …; a path relative
    /// to the topics file). Given, no member id is listed here nor in the topics file, which
    /// does not grow with the input; `minyi report --topics` reads the members from there.
    #[serde(default)]
    pub assignments: Option<String>,
    /// The engine's hottest problems, ranked by heat across the whole input (hottest first),
    /// each with its model topic as `theme` ([`super::problems::find`]).
    #[serde(default)]
    pub problems: Vec<crate::problems::Problem>,
    /// Term id → count over all the engine's problems (not only those listed), and how
    /// many problems there are: the listed problems' keywords are weighed against these,
    /// as locally against every problem.
    #[serde(default)]
    pub problem_terms: HashMap<u32, f32>,
    #[serde(default)]
    pub problem_count: usize,
    /// Title phrase → analysed items holding it, for the phrases in the topics' `phrases`.
    pub phrase_df: HashMap<String, usize>,
}

fn parse_time(what: &str, s: &Option<String>) -> crate::Result<Option<DateTime<FixedOffset>>> {
    s.as_deref()
        .map(|t| {
            DateTime::parse_from_rfc3339(t)
                .map_err(|e| malformed!("{what} '{t}' is not RFC 3339: {e}"))
        })
        .transpose()
}

/// Turns the engine's sums into the topics report, with the definitions of [`crate::topics::mine`]:
/// topics below the model's least size go to 其他, keywords by c-TF-IDF, the label from
/// title phrases, signals and scores from the tallies.
pub fn describe(
    model: &TopicModel,
    tallies: Tallies,
    cfg: &crate::topics::TopicConfig,
    words: label::WordFilter,
) -> crate::Result<TopicReport> {
    let score_cfg = &cfg.score;
    let first = parse_time("first", &tallies.first)?;
    let latest = parse_time("latest", &tallies.latest)?;
    let by_id: HashMap<usize, &ModelTopic> = model.topics.iter().map(|t| (t.id, t)).collect();
    let listed = tallies.assignments.is_none();
    let mut assigned = 0;
    for t in &tallies.topics {
        if !by_id.contains_key(&t.topic) {
            return Err(malformed!("topic {} is not in the model", t.topic));
        }
        if listed && t.item_ids.len() != t.tally.size {
            return Err(malformed!(
                "topic {}: size {} but {} item ids",
                t.topic,
                t.tally.size,
                t.item_ids.len()
            ));
        }
        assigned += t.tally.size;
    }
    let other_count = if listed {
        tallies.other_ids.len()
    } else {
        tallies.other
    };
    if assigned + other_count != tallies.items {
        return Err(malformed!(
            "{} items, but {assigned} in topics and {other_count} in 其他",
            tallies.items
        ));
    }
    let mut other = tallies.other_ids;
    let mut other_size = other_count;
    let (mut kept, dropped): (Vec<TopicTally>, Vec<TopicTally>) = tallies
        .topics
        .into_iter()
        .partition(|t| t.tally.size >= model.min_size && t.tally.size > 0);
    other_size += dropped.iter().map(|t| t.tally.size).sum::<usize>();
    other.extend(dropped.into_iter().flat_map(|t| t.item_ids));
    other.sort_unstable();
    for t in &mut kept {
        t.item_ids.sort_unstable();
        t.tally.sectors = t.sectors.len();
        t.tally.months_active = t.months.len();
        t.tally.weeks_active = t.weeks.len();
    }
    let first_id = |t: &TopicTally| t.item_ids.first().or(t.first_id.as_ref()).cloned();
    kept.sort_by(|a, b| {
        b.tally
            .size
            .cmp(&a.tally.size)
            .then(first_id(a).cmp(&first_id(b)))
    });
    let span = score::Span::of(first.as_ref(), latest.as_ref());
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
        return Err(malformed!(
            "term id {bad} is outside the model's vocabulary"
        ));
    }
    let keywords = label::keywords_of_counts(&term_counts, &model.vocab, label::KEYWORDS, words);
    let signals: Vec<score::Signals> = kept
        .iter()
        .map(|t| tally::signals_of(&t.tally, 0, span))
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
            let model_topic = by_id[&t.topic];
            Topic::assemble(
                i + 1,
                TopicParts {
                    label,
                    keywords: keywords[i].clone(),
                    scored: scored[i],
                    signals: signals[i].clone(),
                    size: t.tally.size,
                    sectors: t.sectors.into_iter().collect(),
                    first: t.first,
                    last: t.last,
                    months: t.months,
                    candidates: t.representatives,
                    duplicate_groups: model_topic.duplicate_groups.clone(),
                    item_ids: t.item_ids,
                    model_topic: Some(t.topic),
                    // Placed below from the engine's ranked problems.
                    problems: Vec::new(),
                },
            )
        })
        .collect();
    // The engine's problems in its heat order, numbered P1… and placed in their themes.
    let mut topics = topics;
    let mut other_problems = Vec::new();
    let theme_of: HashMap<usize, usize> = topics
        .iter()
        .enumerate()
        .filter_map(|(i, t)| Some((t.model_topic?, i)))
        .collect();
    let heats: Vec<f64> = tallies.problems.iter().map(|p| p.heat.index).collect();
    let flags = crate::problems::heat::hot_flags(&cfg.problems.heat, &heats);
    let a = tallies.problem_terms.values().sum::<f32>() / tallies.problem_count.max(1) as f32;
    for (i, (mut p, hot)) in tallies.problems.into_iter().zip(flags).enumerate() {
        if !p.terms.is_empty() {
            let tf: HashMap<u32, f32> = std::mem::take(&mut p.terms).into_iter().collect();
            if let Some(&bad) = tf.keys().find(|t| {
                !tallies.problem_terms.contains_key(t) || **t as usize >= model.vocab.len()
            }) {
                return Err(malformed!(
                    "problem term {bad} is not among the problems' terms or the vocabulary"
                ));
            }
            let keywords = label::keywords_against(
                &tf,
                &tallies.problem_terms,
                a,
                &model.vocab,
                label::KEYWORDS,
                words,
            );
            // The keywords are weighed against all problems; the 问题描述 (a title) stays.
            p.keywords = crate::problems::words_and_label(&p.object, keywords).0;
        }
        p.rank = i + 1;
        p.id = format!("P{}", i + 1);
        p.hot = hot;
        match p.theme.and_then(|m| theme_of.get(&m)) {
            Some(&t) => {
                p.theme = Some(topics[t].id);
                topics[t].problems.push(p);
            }
            None => {
                p.theme = None;
                other_problems.push(p);
            }
        }
    }
    let (recent_window, previous_window) = windows.map(|w| (w.recent, w.previous)).unzip();
    Ok(TopicReport {
        items: tallies.items,
        recent_window,
        previous_window,
        seed: model.seed,
        min_size: model.min_size,
        topics,
        assignments: tallies.assignments,
        other: Other {
            label: "其他",
            size: other_size,
            item_ids: other,
            problems: other_problems,
        },
        faded: None,
        columns,
        previous_items: 0,
        previous_thin: false,
        repeated: Vec::new(),
        held_back: 0,
        previous_other: 0,
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
            let mut weeks = BTreeMap::new();
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
                if let Some(w) = &a.signals.week {
                    *weeks.entry(w.clone()).or_default() += 1;
                }
                for &(t, c) in &a.terms {
                    *terms.entry(t).or_default() += c;
                }
                for p in &a.phrases {
                    *phrases.entry(p.clone()).or_default() += 1;
                }
            }
            tally.submitters = tally::distinct(members.iter().map(|a| a.item.submitter.as_str()));
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
                weeks,
                first: dates.iter().min().map(|d| d.to_string()),
                last: dates.iter().max().map(|d| d.to_string()),
                terms,
                phrases,
                representatives: reps
                    .iter()
                    .take(crate::topics::REPRESENTATIVE_CANDIDATES)
                    .map(|a| a.item.clone())
                    .collect(),
                item_ids: members.iter().map(|a| a.item.id.clone()).collect(),
                first_id: None,
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
        other: 0,
        assignments: None,
        problems: Vec::new(),
        problem_terms: HashMap::new(),
        problem_count: 0,
        phrase_df,
    }
}
