//! Index statistics: item count, date range, top sectors and submitters, adoption and
//! instruction counts, read from fast fields.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};

use super::{document::date_from_secs, schema::names, ItemIndex};
use crate::error::Result;
use crate::item::{Adoption, Columns};

/// What `minyi stats` reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stats {
    pub items: u64,
    pub dated: u64,
    pub undated: u64,
    pub first: Option<DateTime<FixedOffset>>,
    pub last: Option<DateTime<FixedOffset>>,
    /// Items per adoption level, lowest first.
    pub adoption: Vec<(String, u64)>,
    pub instructed: u64,
    pub sectors: usize,
    pub submitters: usize,
    pub top_sectors: Vec<(String, u64)>,
    pub top_submitters: Vec<(String, u64)>,
    /// The optional columns the index has (see [`ItemIndex::columns`]).
    pub columns: Columns,
}

fn count_str(
    seg: &tantivy::SegmentReader,
    field: &str,
    alive: &dyn Fn(u32) -> bool,
    into: &mut HashMap<String, u64>,
) -> Result<()> {
    let Some(col) = seg.fast_fields().str(field)? else {
        return Ok(());
    };
    let mut per_ord = vec![0u64; col.num_terms()];
    for doc in 0..seg.max_doc() {
        if alive(doc) {
            if let Some(o) = col.ords().first(doc) {
                per_ord[o as usize] += 1;
            }
        }
    }
    let mut s = String::new();
    for (ord, n) in per_ord.into_iter().enumerate().filter(|(_, n)| *n > 0) {
        s.clear();
        col.ord_to_str(ord as u64, &mut s)?;
        *into.entry(s.clone()).or_default() += n;
    }
    Ok(())
}

fn top(map: &HashMap<String, u64>, n: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = map
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

impl ItemIndex {
    /// The optional columns that hold a value in at least one item, read from fast fields
    /// (办理反馈 is stored only, so it is reported absent here).
    pub fn data_columns(&self) -> Result<Columns> {
        let searcher = self.reader()?.searcher();
        let mut c = Columns::NONE;
        for seg in searcher.segment_readers() {
            let alive_set = seg.alive_bitset();
            let alive = |d: u32| alive_set.is_none_or(|a| a.is_alive(d));
            let fast = seg.fast_fields();
            let has_text = |field: &str| -> Result<bool> {
                let mut found = HashMap::new();
                count_str(seg, field, &alive, &mut found)?;
                Ok(found.keys().any(|k| !k.is_empty()))
            };
            c.sector |= has_text(names::SECTOR)?;
            c.unit |= has_text(names::UNIT)?;
            let adopt = fast.u64(names::ADOPTION)?;
            let instr = fast.u64(names::INSTRUCTED)?;
            let likes = fast.u64(names::LIKES)?;
            for doc in (0..seg.max_doc()).filter(|&d| alive(d)) {
                c.adoption |= adopt.first(doc).unwrap_or(0) > 0;
                c.instruction |= instr.first(doc).unwrap_or(0) > 0;
                c.likes |= likes.first(doc).is_some();
            }
        }
        Ok(c)
    }

    /// Computes statistics over the whole index.
    pub fn stats(&self, top_n: usize) -> Result<Stats> {
        let searcher = self.reader()?.searcher();
        let mut items = 0u64;
        let mut dated = 0u64;
        let (mut first, mut last): (Option<i64>, Option<i64>) = (None, None);
        let mut adoption = [0u64; 5];
        let mut instructed = 0u64;
        let mut sectors = HashMap::new();
        let mut submitters = HashMap::new();
        for seg in searcher.segment_readers() {
            let alive_set = seg.alive_bitset();
            let alive = |d: u32| alive_set.is_none_or(|a| a.is_alive(d));
            let fast = seg.fast_fields();
            let dates = fast.date(names::DATE)?;
            let adopt = fast.u64(names::ADOPTION)?;
            let instr = fast.u64(names::INSTRUCTED)?;
            for doc in 0..seg.max_doc() {
                if !alive(doc) {
                    continue;
                }
                items += 1;
                if let Some(d) = dates.first(doc) {
                    let s = d.into_timestamp_secs();
                    dated += 1;
                    first = Some(first.map_or(s, |f| f.min(s)));
                    last = Some(last.map_or(s, |l| l.max(s)));
                }
                adoption[adopt.first(doc).unwrap_or(0).min(4) as usize] += 1;
                instructed += instr.first(doc).unwrap_or(0);
            }
            count_str(seg, names::SECTOR, &alive, &mut sectors)?;
            count_str(seg, names::SUBMITTER, &alive, &mut submitters)?;
        }
        Ok(Stats {
            items,
            dated,
            undated: items - dated,
            first: first.and_then(date_from_secs),
            last: last.and_then(date_from_secs),
            adoption: Adoption::ALL
                .iter()
                .map(|a| (a.as_str().to_string(), adoption[a.rank() as usize]))
                .collect(),
            instructed,
            sectors: sectors.keys().filter(|k| !k.is_empty()).count(),
            submitters: submitters.keys().filter(|k| !k.is_empty()).count(),
            top_sectors: top(&sectors, top_n),
            top_submitters: top(&submitters, top_n),
            columns: self.columns()?,
        })
    }
}
