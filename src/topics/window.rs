//! Topic mining over a selection of the index: the items of a window (and the previous
//! window of equal length, for growth), optionally compared with that previous window.
//! Used by `minyi topics` and by the reports.

use crate::index::query::Filters;
use crate::index::ItemIndex;
use crate::item::Item;
use crate::period::Period;

use super::{compare_previous, mine_counted, vectorize, Stage, TopicConfig, TopicReport};

/// Topics of a selection, with the items they were mined from.
pub struct Analysis {
    pub report: TopicReport,
    /// The analysed items (sorted by id).
    pub items: Vec<Item>,
    /// The items of the previous window of equal length (empty without a full window).
    pub previous: Vec<Item>,
}

/// Mines the topics of the items matching `query` and `filters`. With both `filters.from`
/// and `filters.to`, the previous window of equal length (by calendar months for whole
/// months, [`crate::period::previous_window`]) gives the growth baseline, and
/// `compare` marks each topic new/rising/steady/fading against it.
pub fn analyse(
    index: &ItemIndex,
    query: Option<&str>,
    filters: &Filters,
    cfg: &TopicConfig,
    compare: bool,
    progress: &dyn Fn(Stage),
) -> crate::Result<Analysis> {
    // The window's items, and those of the window of equal length before it, with their
    // term counts read from the index (one snapshot).
    let prev = match (filters.from, filters.to) {
        (Some(f), Some(t)) => {
            let (from, to) = crate::period::previous_window(f, t);
            Some(Filters {
                from: Some(from),
                to: Some(to),
                ..filters.clone()
            })
        }
        _ => None,
    };
    let mut selections = vec![(query, filters)];
    if let Some(p) = &prev {
        selections.push((query, p));
    }
    let (mut lists, counts) = index.collect_counted(&selections, vectorize::COUNTING)?;
    let previous = if prev.is_some() {
        lists.pop().expect("two selections")
    } else {
        Vec::new()
    };
    let items = lists.pop().expect("one selection");
    let window = filters.from.zip(filters.to).map(|(a, b)| Period::new(a, b));
    if let Some(store) = &cfg.embeddings {
        super::require_vectors(store, &items, &index.dir)?;
        super::require_vectors(store, &previous, &index.dir)?;
    }
    let cfg = &TopicConfig {
        columns: Some(match cfg.columns {
            Some(c) => c,
            None => index.columns()?,
        }),
        ..cfg.clone()
    };
    let mut report = mine_counted(
        &index.segmenter,
        &items,
        &previous,
        counts,
        window.as_ref(),
        cfg,
        progress,
    );
    if compare {
        compare_previous(&mut report);
    }
    Ok(Analysis {
        report,
        items,
        previous,
    })
}
