//! What a topic run returns: topics with their items, signals, scores and representatives,
//! the 其他 bucket, the previous window's faded topics, and how they read back from JSON.

use crate::error::malformed;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::score::{Scores, Signals, TopicClass};
use crate::item::Item;

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
pub(super) fn copy_groups<'a>(members: impl Iterator<Item = (u32, &'a str)>) -> Vec<u32> {
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
    pub problems: Vec<super::Problem>,
}

/// What makes a topic, however the run counted it: locally from its members, or from an
/// engine's per-topic sums ([`super::distributed::describe`]).
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
    pub problems: Vec<super::Problem>,
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
    pub problems: Vec<super::Problem>,
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
    pub repeated: Vec<super::Problem>,
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
    pub fn problems(&self) -> Vec<&super::Problem> {
        let mut all: Vec<&super::Problem> = self
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
    /// The trend of something with `previous` items in the previous window that grew by
    /// `growth` (this window ÷ the previous one, however smoothed).
    pub fn of(previous: usize, growth: f64) -> Trend {
        if previous == 0 {
            Trend::New
        } else if growth >= 1.5 {
            Trend::Rising
        } else if growth <= 2.0 / 3.0 {
            Trend::Fading
        } else {
            Trend::Steady
        }
    }

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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

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
}
