//! Topic mining over a selection of the index: the items of a window (and the previous
//! window of equal length, for growth), optionally compared with that previous window.
//! Used by `minyi topics` and by the reports.

use crate::index::query::Filters;
use crate::index::ItemIndex;
use crate::item::Item;

use super::{compare_previous, mine, mine_with_progress, Stage, TopicConfig, TopicReport};

/// Topics of a selection, with the items they were mined from.
pub struct Analysis {
    pub report: TopicReport,
    /// The analysed items (sorted by id).
    pub items: Vec<Item>,
    /// The items of the previous window of equal length (empty without a full window).
    pub previous: Vec<Item>,
}

/// Mines the topics of the items matching `query` and `filters`. With both `filters.from`
/// and `filters.to`, the previous window of equal length gives the growth baseline, and
/// `compare` marks each topic new/rising/steady/fading against it.
pub fn analyse(
    index: &ItemIndex,
    query: Option<&str>,
    filters: &Filters,
    cfg: &TopicConfig,
    compare: bool,
    progress: &dyn Fn(Stage),
) -> crate::Result<Analysis> {
    let items = index.collect(query, filters)?;
    let (window, previous) = match (filters.from, filters.to) {
        (Some(f), Some(t)) => {
            let prev = Filters {
                from: Some(f - (t - f)),
                to: Some(f),
                ..filters.clone()
            };
            (Some((f, t)), index.collect(query, &prev)?)
        }
        _ => (None, Vec::new()),
    };
    if let Some(store) = &cfg.embeddings {
        super::require_vectors(store, &items, &index.dir)?;
        super::require_vectors(store, &previous, &index.dir)?;
    }
    let mut report = mine_with_progress(&index.segmenter, &items, &previous, window, cfg, progress);
    if compare {
        // The previous window's own topics (automatic k), to list those that faded away.
        let before = mine(
            &index.segmenter,
            &previous,
            &[],
            None,
            &TopicConfig {
                k: None,
                ..cfg.clone()
            },
        );
        compare_previous(&mut report, &before);
    }
    Ok(Analysis {
        report,
        items,
        previous,
    })
}
