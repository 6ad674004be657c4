//! Per-item term counts: what topic mining weighs, whether it comes from segmenting the
//! items' texts again or from reading the index's postings back (the same terms either way:
//! the index holds what the segmenter gave at ingest).

use std::collections::HashMap;

use rayon::prelude::*;

use super::Segmenter;
use crate::item::Item;

/// Term counts of a list of items: `rows[i]` holds item `i`'s (term id, count), sorted by
/// term id, each term once; `terms` gives each id's text. Ids are in no particular order
/// and a term may have no item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermCounts {
    pub terms: Vec<String>,
    pub rows: Vec<Vec<(u32, f32)>>,
    /// Where the items are drawn from a larger collection (a region of the index): its size
    /// and each term's document frequency in it, so that their rows are weighed as the whole
    /// collection's are ([`crate::text::vectorize::from_counts`]).
    pub population: Option<Population>,
}

/// The collection the counted items are drawn from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Population {
    /// Its items.
    pub items: usize,
    /// Each term's document frequency in it (`df[id]`, the ids of [`TermCounts::terms`]).
    pub df: Vec<u32>,
}

/// How an item's terms are counted: each occurrence in the title weighs `title`, in the body
/// `body`; only terms passing `keep` count.
#[derive(Clone, Copy)]
pub struct Counting<'a> {
    pub title: f32,
    pub body: f32,
    pub keep: &'a (dyn Fn(&str) -> bool + Sync),
}

impl TermCounts {
    /// The counts of the items `range` (the same term ids).
    pub fn slice(&self, range: std::ops::Range<usize>) -> TermCounts {
        TermCounts {
            terms: self.terms.clone(),
            rows: self.rows[range].to_vec(),
            population: self.population.clone(),
        }
    }

    /// The counts of the items at `positions` (the same term ids), drawn from these.
    pub fn select(&self, positions: &[usize]) -> TermCounts {
        TermCounts {
            terms: self.terms.clone(),
            rows: positions.iter().map(|&p| self.rows[p].clone()).collect(),
            population: self.population.clone(),
        }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Items segmented per batch: large enough to keep every core busy, small enough that the
/// batch's term strings stay a small fraction of memory (terms are interned right after).
pub(crate) const BATCH: usize = 16_384;

impl TermCounts {
    /// The counts of `items` by segmenting their titles and bodies, in parallel.
    pub fn segmented(seg: &Segmenter, items: &[&Item], counting: Counting<'_>) -> TermCounts {
        let mut interner = Interner::default();
        let mut rows = Vec::with_capacity(items.len());
        for batch in items.chunks(BATCH) {
            let counted: Vec<Vec<(String, f32)>> = batch
                .par_iter()
                .map(|it| count_item(seg, it, counting))
                .collect();
            rows.extend(counted.into_iter().map(|c| interner.row(c)));
        }
        TermCounts {
            terms: interner.terms,
            rows,
            population: None,
        }
    }
}

/// One item's term counts by segmenting its title and body.
pub fn count_item(seg: &Segmenter, item: &Item, counting: Counting<'_>) -> Vec<(String, f32)> {
    let mut m: HashMap<String, f32> = HashMap::new();
    // A term's text is copied once, at its first occurrence in the item.
    let mut count = |t: &str, by: f32| {
        if !(counting.keep)(t) {
            return;
        }
        match m.get_mut(t) {
            Some(c) => *c += by,
            None => {
                m.insert(t.to_string(), by);
            }
        }
    };
    seg.for_each_term(&item.title, |t, _, _| count(t, counting.title));
    seg.for_each_term(&item.body, |t, _, _| count(t, counting.body));
    m.into_iter().collect()
}

/// Term ids by text, in order of first appearance.
#[derive(Debug, Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
    /// Each id's text.
    pub terms: Vec<String>,
}

impl Interner {
    /// The id of `term`.
    pub fn id(&mut self, term: String) -> u32 {
        let next = self.terms.len() as u32;
        let terms = &mut self.terms;
        *self.ids.entry(term).or_insert_with_key(|t| {
            terms.push(t.clone());
            next
        })
    }

    /// A row of counted terms (each once) in ids, sorted by id.
    pub fn row(&mut self, counted: Vec<(String, f32)>) -> Vec<(u32, f32)> {
        let mut row: Vec<(u32, f32)> = counted.into_iter().map(|(t, c)| (self.id(t), c)).collect();
        row.sort_unstable_by_key(|&(t, _)| t);
        row
    }
}

/// Sorts `row` by term id and adds up the counts of repeated ids.
pub fn merge_row(row: &mut Vec<(u32, f32)>) {
    row.sort_unstable_by_key(|&(t, _)| t);
    row.dedup_by(|later, kept| {
        if later.0 == kept.0 {
            kept.1 += later.1;
            true
        } else {
            false
        }
    });
    row.shrink_to_fit();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_rows_add_repeated_terms() {
        let mut row = vec![(5, 2.0), (1, 1.0), (5, 1.0), (3, 1.0), (1, 2.0)];
        merge_row(&mut row);
        assert_eq!(row, vec![(1, 3.0), (3, 1.0), (5, 3.0)]);
    }
}
