//! `minyi similar`: an item's near-duplicates and most related items, with the features and
//! thresholds of topic mining.

use serde::Serialize;

use super::features::Features;
use super::topic::ItemRef;
use super::{vectorize, TopicConfig};
use crate::item::Item;
use crate::segment::places::place_keys;
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
            if !group.contains(&i)
                && rows.similarity(g, i) >= dup_sim
                && same_object(&items[g], &items[i])
            {
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

/// Whether two items may be about one object: items that name objects sharing no key
/// (楚都职业技术学校 and 经济学院) are not the same report, however alike their words; an
/// item naming none may be about either (issue 44: 262477 was a likely duplicate of 195917).
fn same_object(a: &Item, b: &Item) -> bool {
    if a.places.is_empty() || b.places.is_empty() {
        return true;
    }
    let keys =
        |it: &Item| -> Vec<String> { it.places.iter().flat_map(|n| place_keys(n)).collect() };
    let theirs = keys(b);
    keys(a).iter().any(|k| theirs.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_naming_different_objects_are_not_duplicates() {
        let seg = Segmenter::embedded();
        let body = "物业强制收取停车管理费，每月三百元，不交就不让车辆进入，业主意见很大。";
        let mut items: Vec<Item> = [
            ("丽发新城小区物业乱收停车费", body),
            ("魅力之城小区物业乱收停车费", body),
            ("丽发新城小区物业乱收停车费", body),
            ("小区停车难", "晚上回家找不到车位，希望增加停车位。"),
            ("道路积水", "下雨后路面积水严重，行人无法通过。"),
            ("噪音扰民", "工地夜间施工噪音很大，影响休息。"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (t, b))| Item {
            id: format!("S{i}"),
            title: t.to_string(),
            body: b.to_string(),
            ..Item::default()
        })
        .collect();
        for it in &mut items {
            it.places = crate::segment::places::places(&seg, &it.title, &it.body);
        }
        assert_ne!(items[0].places, items[1].places, "{:?}", items[1].places);
        let s = similar(&seg, &items, 0, 5, &TopicConfig::default());
        let dups: Vec<&str> = s.duplicates.iter().map(|d| d.item.id.as_str()).collect();
        assert!(dups.contains(&"S2"), "{dups:?}");
        assert!(!dups.contains(&"S1"), "{dups:?}");
    }
}
