//! Items with their term counts read back from the index. The title and body postings hold
//! every item's jieba terms with their frequencies, exactly as the segmenter gave them at
//! ingest, so topic mining over indexed items needs no second segmentation: a segment's
//! postings are read when a fair share of its documents is selected, and the few selected
//! items of other segments are segmented as before.

use rayon::prelude::*;
use tantivy::query::{Query, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Searcher, SegmentReader, TantivyDocument, Term};

use super::query::{self, Filters, QueryBuilder};
use super::{document, ItemIndex};
use crate::error::Result;
use crate::item::Item;
use crate::segment::counts::{
    count_item, merge_row, Counting, Interner, Population, TermCounts, BATCH,
};

/// A segment's postings are read when at least 1 in this many of its documents is selected;
/// below, segmenting the selected items' texts costs less than walking every posting (a
/// posting costs about 5 ns, segmenting an item of 300 characters about 16 µs).
const READ_POSTINGS_FROM_ONE_IN: u32 = 20;

/// No item at this document.
const NONE: u32 = u32::MAX;

impl ItemIndex {
    /// The items matching each selection (query and filters), each list ordered by id, all
    /// read from one snapshot of the index, with the term counts of all of them (the first
    /// selection's items, then the second's …) as `counting` weighs them.
    pub fn collect_counted(
        &self,
        selections: &[(Option<&str>, &Filters)],
        counting: Counting<'_>,
    ) -> Result<(Vec<Vec<Item>>, TermCounts)> {
        let searcher = self.reader()?.searcher();
        let mut lists = Vec::with_capacity(selections.len());
        let mut addresses = Vec::new();
        for (q, filters) in selections {
            let (items, addrs): (Vec<Item>, Vec<DocAddress>) =
                self.addressed(&searcher, *q, filters)?.into_iter().unzip();
            lists.push(items);
            addresses.extend(addrs);
        }
        let all: Vec<&Item> = lists.iter().flatten().collect();
        let counts = self.term_counts(&searcher, &addresses, &all, counting)?;
        Ok((lists, counts))
    }

    /// The items with `ids`, ordered by id, with their term counts as `counting` weighs them,
    /// weighed as over the whole index ([`Population`]): the region of an incremental
    /// registry update ([`crate::topics::track::region`]).
    pub fn region_counted(
        &self,
        ids: &[String],
        counting: Counting<'_>,
    ) -> Result<(Vec<Item>, TermCounts)> {
        let searcher = self.reader()?.searcher();
        let q = self.with_ids(ids);
        let (items, addresses): (Vec<Item>, Vec<DocAddress>) =
            self.addressed_by(&searcher, &*q)?.into_iter().unzip();
        let all: Vec<&Item> = items.iter().collect();
        let mut counts = self.term_counts(&searcher, &addresses, &all, counting)?;
        // Weighed as over the whole index: a term's document frequency is the larger of its
        // title's and its body's (an item's title mostly repeats its body's words).
        let df = counts
            .terms
            .par_iter()
            .map(|t| {
                let df = |f: Field| searcher.doc_freq(&Term::from_field_text(f, t));
                Ok(df(self.fields.title)?.max(df(self.fields.body)?) as u32)
            })
            .collect::<tantivy::Result<Vec<u32>>>()?;
        counts.population = Some(Population {
            items: searcher.num_docs() as usize,
            df,
        });
        Ok((items, counts))
    }

    /// The ids of the items with `ids` and of every item with a name indexed under one of
    /// their object keys (`keys_of` gives the keys of some items,
    /// [`crate::topics::track::new_keys`]), read from the fast fields: only the items with
    /// `ids` are read whole.
    pub fn naming(
        &self,
        ids: &[String],
        keys_of: impl Fn(&[Item]) -> Vec<String>,
    ) -> Result<Vec<String>> {
        let searcher = self.reader()?.searcher();
        let items: Vec<Item> = self
            .addressed_by(&searcher, &*self.with_ids(ids))?
            .into_iter()
            .map(|(it, _)| it)
            .collect();
        let keys = keys_of(&items);
        let mut terms: Vec<Term> = ids
            .iter()
            .map(|id| Term::from_field_text(self.fields.id, id))
            .collect();
        if let Some(p) = self.fields.places {
            terms.extend(keys.iter().map(|k| Term::from_field_text(p.keys, k)));
        }
        let docs = searcher.search(
            &TermSetQuery::new(terms),
            &tantivy::collector::DocSetCollector,
        )?;
        let mut docs: Vec<DocAddress> = docs.into_iter().collect();
        docs.sort_unstable();
        Ok(self
            .ids_of(&searcher, docs.into_iter())?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// The items with one of `ids`.
    fn with_ids(&self, ids: &[String]) -> Box<dyn Query> {
        let terms = ids
            .iter()
            .map(|id| Term::from_field_text(self.fields.id, id));
        Box::new(TermSetQuery::new(terms))
    }

    /// The items matching a query and filters with their addresses in `searcher`, ordered by
    /// id (not by index layout, which depends on indexing threads and merges, so that topic
    /// mining with a given seed gives the same result after any re-ingest).
    pub(crate) fn addressed(
        &self,
        searcher: &Searcher,
        query: Option<&str>,
        filters: &Filters,
    ) -> Result<Vec<(Item, DocAddress)>> {
        let parsed = query.map(query::parse).transpose()?;
        let builder = QueryBuilder {
            fields: &self.fields,
            segmenter: &self.segmenter,
        };
        let q = builder.build(parsed.as_ref(), filters)?;
        self.addressed_by(searcher, &*q)
    }

    /// The items matching `q` with their addresses in `searcher`, ordered by id.
    fn addressed_by(&self, searcher: &Searcher, q: &dyn Query) -> Result<Vec<(Item, DocAddress)>> {
        let mut addresses: Vec<DocAddress> = searcher
            .search(q, &tantivy::collector::DocSetCollector)?
            .into_iter()
            .collect();
        addresses.sort();
        let mut items = addresses
            .into_par_iter()
            .map(|a| {
                let doc: TantivyDocument = searcher.doc(a)?;
                Ok((
                    document::from_document(&self.fields, &doc, &self.segmenter),
                    a,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        items.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        Ok(items)
    }

    /// The term counts of the documents at `addresses` (whose items are `items`, in the same
    /// order).
    fn term_counts(
        &self,
        searcher: &Searcher,
        addresses: &[DocAddress],
        items: &[&Item],
        counting: Counting<'_>,
    ) -> Result<TermCounts> {
        let readers = searcher.segment_readers();
        // Each segment's selected documents: the position of their item, and for a document
        // selected twice (two selections may overlap) the later positions, which copy it.
        let mut slot: Vec<Vec<u32>> = readers
            .iter()
            .map(|r| vec![NONE; r.max_doc() as usize])
            .collect();
        let mut selected = vec![0u32; readers.len()];
        let mut copies: Vec<(usize, usize)> = Vec::new();
        for (p, a) in addresses.iter().enumerate() {
            let s = &mut slot[a.segment_ord as usize][a.doc_id as usize];
            if *s == NONE {
                *s = p as u32;
                selected[a.segment_ord as usize] += 1;
            } else {
                copies.push((p, *s as usize));
            }
        }
        let read: Vec<bool> = readers
            .iter()
            .zip(&selected)
            .map(|(r, &k)| k > 0 && k.saturating_mul(READ_POSTINGS_FROM_ONE_IN) >= r.max_doc())
            .collect();
        let fields = [
            (self.fields.title, counting.title),
            (self.fields.body, counting.body),
        ];
        let per_segment: Vec<SegmentCounts> = readers
            .par_iter()
            .zip(slot.par_iter())
            .zip(read.par_iter())
            .filter(|(_, &read)| read)
            .map(|((reader, slot), _)| read_segment(reader, slot, &fields, counting.keep))
            .collect::<tantivy::Result<_>>()?;
        // One term id space: the union of the segments' (sorted) vocabularies, then the
        // terms only segmented items have.
        let (terms, ids) = union_sorted(per_segment.iter().map(|s| s.terms.as_slice()));
        let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); addresses.len()];
        for (seg, ids) in per_segment.into_iter().zip(ids) {
            let remapped: Vec<(u32, Vec<(u32, f32)>)> = seg
                .rows
                .into_par_iter()
                .map(|(p, mut row)| {
                    // Both vocabularies are sorted: the ids keep their order.
                    row.iter_mut().for_each(|e| e.0 = ids[e.0 as usize]);
                    (p, row)
                })
                .collect();
            for (p, row) in remapped {
                rows[p as usize] = row;
            }
        }
        // Items of the segments not read: segmented again.
        let rest: Vec<usize> = addresses
            .iter()
            .enumerate()
            .filter(|(p, a)| {
                !read[a.segment_ord as usize]
                    && slot[a.segment_ord as usize][a.doc_id as usize] == *p as u32
            })
            .map(|(p, _)| p)
            .collect();
        // A batch at a time: the term strings of a batch are interned before the next, as
        // when segmenting (at 50,000 items they would take hundreds of MB at once).
        let mut extra = Interner::default();
        for batch in rest.chunks(BATCH) {
            let segmented: Vec<Vec<(String, f32)>> = batch
                .par_iter()
                .map(|&p| count_item(&self.segmenter, items[p], counting))
                .collect();
            for (&p, counted) in batch.iter().zip(segmented) {
                let mut row: Vec<(u32, f32)> = counted
                    .into_iter()
                    .map(|(t, c)| match terms.binary_search(&t) {
                        Ok(id) => (id as u32, c),
                        Err(_) => (terms.len() as u32 + extra.id(t), c),
                    })
                    .collect();
                row.sort_unstable_by_key(|&(t, _)| t);
                rows[p] = row;
            }
        }
        let mut terms = terms;
        terms.extend(extra.terms);
        for (p, from) in copies {
            rows[p] = rows[from].clone();
        }
        Ok(TermCounts {
            terms,
            rows,
            population: None,
        })
    }
}

/// The terms and rows (item position, (segment term id, count)) of one segment.
struct SegmentCounts {
    terms: Vec<String>,
    rows: Vec<(u32, Vec<(u32, f32)>)>,
}

/// Reads the counts of the selected documents of one segment from the postings of `fields`
/// (each with its weight per occurrence).
fn read_segment(
    reader: &SegmentReader,
    slot: &[u32],
    fields: &[(Field, f32)],
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> tantivy::Result<SegmentCounts> {
    // Documents of this segment by their place among the selected ones.
    let mut local = vec![NONE; slot.len()];
    let mut positions = Vec::new();
    for (d, &p) in slot.iter().enumerate() {
        if p != NONE {
            local[d] = positions.len() as u32;
            positions.push(p);
        }
    }
    // Each field's kept terms (its dictionary is sorted), then their union: a term's id is
    // its place in the union, so the segment's vocabulary comes out sorted.
    let mut inverted = Vec::with_capacity(fields.len());
    let mut kept: Vec<(Vec<String>, Vec<tantivy::postings::TermInfo>)> = Vec::new();
    for &(field, _) in fields {
        let index = reader.inverted_index(field)?;
        let mut stream = index.terms().stream()?;
        let (mut texts, mut infos) = (Vec::new(), Vec::new());
        while stream.advance() {
            if let Ok(text) = std::str::from_utf8(stream.key()) {
                if keep(text) {
                    texts.push(text.to_string());
                    infos.push(stream.value().clone());
                }
            }
        }
        inverted.push(index);
        kept.push((texts, infos));
    }
    let (terms, ids) = union_sorted(kept.iter().map(|(texts, _)| texts.as_slice()));
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); positions.len()];
    for (((&(_, weight), index), (_, infos)), ids) in
        fields.iter().zip(&inverted).zip(&kept).zip(&ids)
    {
        for (info, &id) in infos.iter().zip(ids) {
            let mut postings =
                index.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
            loop {
                let docs = postings.docs();
                if docs.is_empty() {
                    break;
                }
                for (i, &d) in docs.iter().enumerate() {
                    let l = local[d as usize];
                    if l != NONE {
                        rows[l as usize].push((id, postings.freq(i) as f32 * weight));
                    }
                }
                postings.advance();
            }
        }
    }
    let rows = positions
        .into_par_iter()
        .zip(rows)
        .map(|(p, mut row)| {
            merge_row(&mut row);
            (p, row)
        })
        .collect();
    Ok(SegmentCounts { terms, rows })
}

/// The sorted union of sorted, duplicate-free lists of terms, and for each list the id (place
/// in the union) of each of its terms. A k-way merge: no hashing of the hundreds of
/// thousands of terms of a large index's segments.
fn union_sorted<'a>(lists: impl Iterator<Item = &'a [String]>) -> (Vec<String>, Vec<Vec<u32>>) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let lists: Vec<&[String]> = lists.collect();
    let mut ids: Vec<Vec<u32>> = lists.iter().map(|l| Vec::with_capacity(l.len())).collect();
    let mut union: Vec<String> = Vec::new();
    let mut heap: BinaryHeap<Reverse<(&str, usize)>> = lists
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.first().map(|t| Reverse((t.as_str(), i))))
        .collect();
    while let Some(Reverse((term, i))) = heap.pop() {
        if union.last().map(String::as_str) != Some(term) {
            union.push(term.to_string());
        }
        ids[i].push(union.len() as u32 - 1);
        if let Some(next) = lists[i].get(ids[i].len()) {
            heap.push(Reverse((next.as_str(), i)));
        }
    }
    (union, ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_lists_unite_with_each_term_once() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (a, b, c) = (l(&["停车", "小区", "电梯"]), l(&["加装", "小区"]), l(&[]));
        let (union, ids) = union_sorted([a.as_slice(), b.as_slice(), c.as_slice()].into_iter());
        let mut want = l(&["停车", "小区", "电梯", "加装"]);
        want.sort();
        assert_eq!(union, want);
        for (list, ids) in [&a, &b, &c].into_iter().zip(&ids) {
            assert_eq!(list.len(), ids.len());
            for (t, &id) in list.iter().zip(ids) {
                assert_eq!(&union[id as usize], t);
            }
        }
    }
}
