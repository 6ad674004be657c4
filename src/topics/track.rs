//! Problems followed over time: the problems of all the items, found as `minyi hot` finds
//! them without a window, matched to the registry ([`crate::problems::registry`]) so that
//! each keeps its id, with the alerts of the latest day.

use crate::item::Item;
use crate::problems::follow::TrackingConfig;
use crate::problems::registry::{Registry, Update};
use crate::problems::Problem;
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
    let as_of = items
        .iter()
        .filter_map(|i| i.submitted_at)
        .max()?
        .date_naive();
    // The themes only name a problem's theme, which the registry does not keep: one run of
    // the clustering is enough (the problems and near-duplicates do not depend on it).
    let cfg = TopicConfig {
        consensus_runs: 1,
        ..cfg.clone()
    };
    let report = super::mine_counted(seg, items, &[], counts, None, &cfg, &|_| {});
    let found: Vec<&Problem> = report
        .problems()
        .into_iter()
        .chain(report.repeated.iter())
        .collect();
    Some(registry.update(&found, items, seg, as_of, tracking))
}
