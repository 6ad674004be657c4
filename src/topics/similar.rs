//! `minyi similar`: an item's near-duplicates and most related items, with the features and
//! thresholds of topic mining.

use serde::Serialize;

use super::features::Features;
use super::topic::ItemRef;
use super::{vectorize, TopicConfig};
use crate::item::Item;
use crate::segment::Segmenter;

/// An item with its similarity to another.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarItem {
    #[serde(flatten)]
    pub item: ItemRef,
    pub similarity: f32,
}

/// Near-duplicates and related items of one item (what `minyi similar` prints).
#[derive(Debug, Clone, Serialize)]
pub struct Similar {
    pub item: ItemRef,
    /// Its near-duplicate group (cosine ≥ the threshold, transitively): the same problem
    /// reported again, with each one's similarity to this item.
    pub duplicates: Vec<SimilarItem>,
    /// The next most similar items (cosine ≥ the graph's edge threshold).
    pub related: Vec<SimilarItem>,
}

/// Finds the near-duplicates and the `limit` most related items of `items[target]`, with the
/// same features and thresholds as topic mining.
pub fn similar(
    seg: &Segmenter,
    items: &[Item],
    target: usize,
    limit: usize,
    cfg: &TopicConfig,
) -> Similar {
    let refs: Vec<&Item> = items.iter().collect();
    // Features and thresholds as topic mining has them: TF-IDF, or the stored embeddings.
    let vectors;
    let (rows, min_sim, dup_sim) = match &cfg.embeddings {
        Some(store) => (
            Features::embeddings(store, &refs),
            0.5,
            cfg.semantic_duplicate_similarity,
        ),
        None => {
            vectors = vectorize::vectorize(seg, &refs);
            (
                Features::words(&vectors.tfidf, vectors.vocab.len()),
                cfg.min_similarity,
                cfg.duplicate_similarity,
            )
        }
    };
    let mut scored: Vec<(usize, f32)> = (0..rows.len())
        .filter(|&i| i != target)
        .map(|i| (i, rows.similarity(target, i)))
        .filter(|&(_, s)| s >= min_sim)
        .collect();
    scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let as_item = |(i, s): (usize, f32)| SimilarItem {
        item: ItemRef::of(&items[i]),
        similarity: s,
    };
    // Near-duplicate groups are transitive, as in topic mining: grow the group from the item.
    let mut group: Vec<usize> = vec![target];
    let mut k = 0;
    while k < group.len() {
        let g = group[k];
        for i in 0..rows.len() {
            if !group.contains(&i) && rows.similarity(g, i) >= dup_sim {
                group.push(i);
            }
        }
        k += 1;
    }
    let (dups, rest): (Vec<_>, Vec<_>) = scored.into_iter().partition(|(i, _)| group.contains(i));
    Similar {
        item: ItemRef::of(&items[target]),
        duplicates: dups.into_iter().map(as_item).collect(),
        related: rest.into_iter().take(limit).map(as_item).collect(),
    }
}
