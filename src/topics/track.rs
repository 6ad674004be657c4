//! Problems followed over time: the problems of all the items, found as `minyi hot` finds
//! them without a window, matched to the registry ([`crate::problems::registry`]) so that
//! each keeps its id, with the alerts of the latest day.
//!
//! After an ingest only a region is found again ([`region`], [`track_region`]): problems
//! are local to a named object, so the items the ingest added change only the problems of
//! the objects they name. The region is the new items, every item naming one of their
//! objects, and the messages of the registered problems among those; the other registered
//! problems keep what they had.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::index::document::index_keys;
use crate::item::Item;
use crate::problems::follow::TrackingConfig;
use crate::problems::registry::{Registry, Update};
use crate::problems::{name_keys, Problem};
use crate::segment::{Segmenter, TermCounts};
use crate::text::vectorize;

use super::TopicConfig;

/// Updates `registry` with the problems of `items` (all of the index's): the day of the
/// update is the latest item's date. `None` when no item is dated (nothing to follow).
pub fn track(
    seg: &Segmenter,
    items: &[Item],
    registry: &mut Registry,
    cfg: &TopicConfig,
    tracking: &TrackingConfig,
) -> Option<Update> {
    let all: Vec<&Item> = items.iter().collect();
    let counts = TermCounts::segmented(seg, &all, vectorize::COUNTING);
    track_counted(seg, items, counts, registry, cfg, tracking)
}

/// [`track`] on items read from an index, with the term counts the index holds
/// ([`crate::index::ItemIndex::collect_counted`]): no second segmentation.
pub fn track_counted(
    seg: &Segmenter,
    items: &[Item],
    counts: TermCounts,
    registry: &mut Registry,
    cfg: &TopicConfig,
    tracking: &TrackingConfig,
) -> Option<Update> {
    let as_of = latest(items)?;
    let (found, kinds) = find(seg, items, counts, cfg);
    registry.kinds = kinds;
    Some(registry.update(
        &found.iter().collect::<Vec<_>>(),
        items,
        seg,
        as_of,
        tracking,
    ))
}

/// [`track_counted`] over the [`region`] of the items added since the last update only
/// (`region`, with its term counts; `items`: the index's item count). The registered
/// problems with a message in the region are matched to the problems found in it; the others
/// keep what they had. `None` when no item of the region is dated.
pub fn track_region(
    seg: &Segmenter,
    region: &[Item],
    counts: TermCounts,
    registry: &mut Registry,
    cfg: &TopicConfig,
    tracking: &TrackingConfig,
    items: usize,
) -> Option<Update> {
    // "Today" is the latest message's, also where the new items are older.
    let as_of = latest(region)?.max(registry.as_of.unwrap_or_default());
    // The keys that name kinds of object over the whole index, not only over the region.
    let mut cfg = cfg.clone();
    cfg.problems.kinds = Arc::new(registry.kinds.iter().cloned().collect());
    // The kinds a region finds are those of some of their names only: the registry keeps
    // those of the last full update.
    let (found, _) = find(seg, region, counts, &cfg);
    let found: Vec<&Problem> = found.iter().collect();
    Some(registry.update_region(&found, region, seg, as_of, items, tracking))
}

/// The keys the new items' names make objects of ([`name_keys`]), sorted: the index selects
/// the items naming the same objects by them (its `place_keys` field holds every key of
/// every name, [`index_keys`]).
pub fn new_keys<'a>(new: impl IntoIterator<Item = &'a Item>) -> Vec<String> {
    let mut keys: Vec<String> = new
        .into_iter()
        .flat_map(|it| name_keys(it).into_iter().flatten())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The region of an incremental update over `items` (all of the index's), `new` the ids of
/// the items added or changed since the last update: the new items, every item with a name
/// indexed under one of their [`new_keys`], and the other messages of the registered
/// problems holding any of those ([`Registry::members_beside`]). Positions in `items`,
/// ascending. `minyi ingest` selects the same through the index (`src/cli/track.rs`).
pub fn region(items: &[Item], new: &FxHashSet<&str>, registry: &Registry) -> Vec<usize> {
    let keys: FxHashSet<String> = new_keys(items.iter().filter(|it| new.contains(it.id.as_str())))
        .into_iter()
        .collect();
    let inside: Vec<bool> = items
        .par_iter()
        .map(|it| {
            new.contains(it.id.as_str())
                || it
                    .places
                    .iter()
                    .any(|n| index_keys(n).iter().any(|k| keys.contains(k)))
        })
        .collect();
    let mut ids: FxHashSet<&str> = items
        .iter()
        .zip(&inside)
        .filter_map(|(it, &i)| i.then_some(it.id.as_str()))
        .collect();
    let beside = registry.members_beside(&ids);
    ids.extend(beside);
    (0..items.len())
        .filter(|&p| ids.contains(items[p].id.as_str()))
        .collect()
}

/// Whether finding the problems of a region of `region` items pays against finding those of
/// all `items`: when it holds under half of them.
pub fn region_pays(region: usize, items: usize) -> bool {
    2 * region < items
}

/// The latest item's date.
fn latest(items: &[Item]) -> Option<chrono::NaiveDate> {
    items
        .iter()
        .filter_map(|i| i.submitted_at)
        .max()
        .map(|d| d.date_naive())
}

/// The problems and repeated ones of `items`, as `minyi hot` finds them without a window,
/// and the keys found to name kinds of object.
fn find(
    seg: &Segmenter,
    items: &[Item],
    counts: TermCounts,
    cfg: &TopicConfig,
) -> (Vec<Problem>, Vec<String>) {
    let mut found = super::problems_counted(seg, items, counts, cfg);
    found.problems.append(&mut found.repeated);
    (found.problems, found.kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::registry::{Member, Tracked};

    fn item(id: &str, places: &[&str]) -> Item {
        Item {
            id: id.to_string(),
            places: places.iter().map(|p| p.to_string()).collect(),
            ..Item::default()
        }
    }

    #[test]
    fn a_region_holds_the_new_items_those_naming_their_objects_and_their_problems_messages() {
        let items = vec![
            item("A1", &["翠湖花园小区"]),
            item("A2", &["翠湖花园"]),
            item("A3", &["人民公园"]),
            item("B1", &["人民公园"]),
            item("C1", &["星沙大道"]),
            item("N1", &["A区翠湖花园小区"]),
            item("N2", &[]),
        ];
        // A registered problem holds A1 and A3 (its messages need not all name one object).
        let registry = Registry {
            problems: vec![Tracked {
                id: "P1".into(),
                object: "翠湖花园".into(),
                label: String::new(),
                keywords: Vec::new(),
                repeated: false,
                registered: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                found: true,
                merged_into: None,
                members: ["A1", "A3"]
                    .iter()
                    .map(|id| Member {
                        id: id.to_string(),
                        ..Member::default()
                    })
                    .collect(),
            }],
            ..Registry::default()
        };
        let new: FxHashSet<&str> = ["N1", "N2"].into_iter().collect();
        let ids: Vec<&str> = region(&items, &new, &registry)
            .into_iter()
            .map(|p| items[p].id.as_str())
            .collect();
        // Not B1: it names the problem's other object, which no new item names.
        assert_eq!(ids, ["A1", "A2", "A3", "N1", "N2"]);
        assert!(new_keys(&items[5..]).contains(&"翠湖花园".to_string()));
        assert!(region_pays(5, 11) && !region_pays(5, 10));
    }
}
