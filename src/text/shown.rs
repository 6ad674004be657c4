//! What an editor is shown of a group of items (a theme or a problem): the items listed
//! for it, its representatives, and its course against the previous window.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::item::Item;
use crate::util::{find, union};

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
pub(crate) fn copy_groups<'a>(members: impl Iterator<Item = (u32, &'a str)>) -> Vec<u32> {
    let members: Vec<(u32, &str)> = members.collect();
    // The groups, numbered densely in their order (so the lower number is the lower group).
    let mut ids: Vec<u32> = members.iter().map(|&(g, _)| g).collect();
    ids.sort_unstable();
    ids.dedup();
    let dense = |g: u32| ids.binary_search(&g).expect("a member's group") as u32;
    let mut parent: Vec<u32> = (0..ids.len() as u32).collect();
    let mut by_title: HashMap<String, u32> = HashMap::new();
    for &(g, title) in &members {
        let key = title_key(title);
        if key.is_empty() {
            continue;
        }
        let other = *by_title.entry(key).or_insert(g);
        union(&mut parent, dense(g), dense(other));
    }
    members
        .iter()
        .map(|&(g, _)| ids[find(&mut parent, dense(g)) as usize])
        .collect()
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
