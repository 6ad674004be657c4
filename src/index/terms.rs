//! Items with their term counts read back from the index. The title and body postings hold
//! every item's jieba terms with their frequencies, exactly as the segmenter gave them at
//! ingest, so topic mining over indexed items needs no second segmentation: a segment's
//! postings are read when a fair share of its documents is selected, and the few selected
//! items of other segments are segmented as before.

use std::collections::HashMap;

use rayon::prelude::*;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Searcher, SegmentReader, TantivyDocument};

use super::query::{self, Filters, QueryBuilder};
use super::{document, ItemIndex};
use crate::error::Result;
use crate::item::Item;
use crate::segment::counts::{count_item, merge_row, Counting, Interner, TermCounts};

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
        let mut addresses: Vec<DocAddress> = searcher
            .search(&q, &tantivy::collector::DocSetCollector)?
            .into_iter()
            .collect();
        addresses.sort();
        let mut items = addresses
            .into_par_iter()
            .map(|a| {
                let doc: TantivyDocument = searcher.doc(a)?;
                Ok((document::from_document(&self.fields, &doc), a))
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
        // One term id space: segments' terms in segment order, then the segmented items'.
        let mut interner = Interner::default();
        let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); addresses.len()];
        for seg in per_segment {
            let global: Vec<u32> = seg.terms.into_iter().map(|t| interner.id(t)).collect();
            let remapped: Vec<(u32, Vec<(u32, f32)>)> = seg
                .rows
                .into_par_iter()
                .map(|(p, mut row)| {
                    row.iter_mut().for_each(|e| e.0 = global[e.0 as usize]);
                    row.sort_unstable_by_key(|&(t, _)| t);
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
        let segmented: Vec<Vec<(String, f32)>> = rest
            .par_iter()
            .map(|&p| count_item(&self.segmenter, items[p], counting))
            .collect();
        for (p, counted) in rest.into_iter().zip(segmented) {
            rows[p] = interner.row(counted);
        }
        for (p, from) in copies {
            rows[p] = rows[from].clone();
        }
        Ok(TermCounts {
            terms: interner.terms,
            rows,
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
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); positions.len()];
    let mut ids: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut terms: Vec<String> = Vec::new();
    for &(field, weight) in fields {
        let inverted = reader.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            let Ok(text) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if !keep(text) {
                continue;
            }
            let id = match ids.get(stream.key()) {
                Some(&id) => id,
                None => {
                    let id = terms.len() as u32;
                    ids.insert(stream.key().to_vec(), id);
                    terms.push(text.to_string());
                    id
                }
            };
            let mut postings = inverted
                .read_block_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)?;
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
