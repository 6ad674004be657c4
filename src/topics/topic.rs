//! What a topic run returns: topics with their items, signals, scores and representatives,
//! the 其他 bucket, the previous window's faded topics, and how they read back from JSON.

use crate::error::malformed;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::score::{Scores, Signals, TopicClass};
pub use crate::text::shown::{
    pick_representatives, ItemRef, Trend, REPRESENTATIVES, REPRESENTATIVE_CANDIDATES,
};

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
    /// Every member's id (empty in a topics file whose members are in its `assignments`).
    pub item_ids: Vec<String>,
    /// The topic of the engine's model it was described from (a distributed run only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_topic: Option<usize>,
    /// With `--compare previous`: new, rising, steady or fading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub trend_zh: Option<&'static str>,
    /// The theme's problems (问题), hottest first.
    #[serde(default)]
    pub problems: Vec<crate::problems::Problem>,
}

/// What makes a topic, however the run counted it: locally from its members, or from an
/// engine's per-topic sums ([`crate::engine::describe`]).
pub(crate) struct TopicParts {
    pub label: String,
    pub keywords: Vec<String>,
    pub scored: (Scores, TopicClass),
    pub signals: Signals,
    pub size: usize,
    /// Items per sector, in any order.
    pub sectors: Vec<(String, usize)>,
    pub first: Option<String>,
    pub last: Option<String>,
    pub months: BTreeMap<String, usize>,
    /// Candidate representatives, most typical first.
    pub candidates: Vec<ItemRef>,
    pub duplicate_groups: Vec<Vec<String>>,
    pub item_ids: Vec<String>,
    pub model_topic: Option<usize>,
    pub problems: Vec<crate::problems::Problem>,
}

impl Topic {
    /// The topic ranked `id` from its parts: sectors most first (ties by name), the class
    /// named in Chinese, [`REPRESENTATIVES`] representatives picked among the candidates,
    /// one per message. Every run builds its topics here, so the local and the distributed
    /// topics cannot drift apart.
    pub(crate) fn assemble(id: usize, p: TopicParts) -> Topic {
        let mut sectors = p.sectors;
        sectors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let representatives =
            pick_representatives(p.candidates, &p.duplicate_groups, REPRESENTATIVES);
        let (scores, class) = p.scored;
        Topic {
            id,
            label: p.label,
            keywords: p.keywords,
            class,
            class_zh: class.label_zh(),
            scores,
            signals: p.signals,
            size: p.size,
            sectors,
            first: p.first,
            last: p.last,
            months: p.months,
            representatives,
            duplicate_groups: p.duplicate_groups,
            item_ids: p.item_ids,
            model_topic: p.model_topic,
            trend: None,
            trend_zh: None,
            problems: p.problems,
        }
    }
}

/// Items that fit no topic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Other {
    #[serde(skip_deserializing)]
    pub label: &'static str,
    pub size: usize,
    pub item_ids: Vec<String>,
    /// Problems most of whose items are in no theme, hottest first.
    #[serde(default)]
    pub problems: Vec<crate::problems::Problem>,
}

/// The result of a topic run (the JSON that `minyi topics --format json` prints).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TopicReport {
    pub items: usize,
    /// The window growth is measured in, and the one before it.
    #[serde(with = "crate::period::pair")]
    pub recent_window: Option<crate::period::Period>,
    #[serde(with = "crate::period::pair")]
    pub previous_window: Option<crate::period::Period>,
    pub seed: u64,
    pub min_size: usize,
    pub topics: Vec<Topic>,
    /// Where a distributed run wrote each item's theme and problem (Parquet files with the
    /// columns `id`, `theme`, `problem`, relative to the topics file); the topics, 其他 and
    /// problems then list no member ids. See `report::imported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignments: Option<String>,
    pub other: Other,
    /// With `--compare previous`: topics of the previous window that no current topic continues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faded: Option<Vec<FadedTopic>>,
    /// Items of the previous window given with the analysed ones (a window's growth
    /// baseline; 0 without a window). Each is either counted in one topic's
    /// `signals.previous` or in `previous_other`.
    #[serde(default)]
    pub previous_items: usize,
    /// The previous window held too few items to compare with
    /// ([`crate::period::comparable`]): no growth and no trend is claimed (上期数据不足).
    #[serde(default)]
    pub previous_thin: bool,
    /// One person's repeated messages about one object (重复反映, R1, R2 …): not ranked as
    /// hot problems, listed apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeated: Vec<crate::problems::Problem>,
    /// Groups large enough to be problems but below `min_coherence` (mixtures): not listed.
    #[serde(default)]
    pub held_back: usize,
    /// The optional columns the data has (界别, 采用 …): reports leave out the others.
    #[serde(default)]
    pub columns: crate::item::Columns,
    /// Items of the previous window that fall in no topic (其他 of the previous window).
    #[serde(default)]
    pub previous_other: usize,
    /// The previous window's topics that have too few items in this one (listed as `faded`
    /// by [`compare_previous`]).
    #[serde(skip)]
    pub faded_in_window: Vec<FadedTopic>,
}

impl TopicReport {
    /// Every problem of the window, hottest first (the hot list, 热点问题表).
    pub fn problems(&self) -> Vec<&crate::problems::Problem> {
        let mut all: Vec<&crate::problems::Problem> = self
            .topics
            .iter()
            .flat_map(|t| t.problems.iter())
            .chain(self.other.problems.iter())
            .collect();
        all.sort_by_key(|p| p.rank);
        all
    }

    /// Reads back what `minyi topics --format json` wrote — or any engine writing the same
    /// schema, such as the Spark job — and checks that it holds together: topic ids are
    /// unique and no item is in two places.
    pub fn from_json(text: &str) -> crate::Result<TopicReport> {
        let mut r: TopicReport = serde_json::from_str(text).map_err(|e| malformed!("{e}"))?;
        r.other.label = "其他";
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for t in &r.topics {
            if !ids.insert(t.id) {
                return Err(malformed!("topic id {} appears twice", t.id));
            }
        }
        for id in r
            .topics
            .iter()
            .flat_map(|t| &t.item_ids)
            .chain(&r.other.item_ids)
        {
            if !seen.insert(id) {
                return Err(malformed!(
                    "item {id} is in more than one topic (or also in 其他)"
                ));
            }
        }
        let thin = r.previous_thin;
        for t in &mut r.topics {
            t.class_zh = t.class.label_zh();
            t.trend_zh = match t.trend {
                Some(x) => Some(x.label_zh()),
                None if thin && !t.signals.compared => Some(super::trend::THIN_ZH),
                None => None,
            };
        }
        Ok(r)
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
