//! Index statistics: item count, date range, top sectors and submitters, adoption and
//! instruction counts, read from fast fields.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use tantivy::collector::Count;

use super::query::{Filters, QueryBuilder, NO_PLACES};
use super::{document::date_from_secs, schema::names, ItemIndex};
use crate::error::{Error, Result};
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
    // Each value of a document counts once for it (several for `places`, one elsewhere).
    let mut per_ord = vec![0u64; col.num_terms()];
    for doc in 0..seg.max_doc() {
        if alive(doc) {
            for o in col.term_ords(doc) {
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

/// How many of the closest existing values a refused filter value lists.
const SUGGESTIONS: usize = 5;

/// Edit distance in characters (insertions, deletions, substitutions).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The existing values closest to `given`: first those containing it or contained in it, then
/// by edit distance, then the most frequent; at most [`SUGGESTIONS`].
pub fn closest<'a>(given: &str, values: &'a HashMap<String, u64>) -> Vec<&'a str> {
    let given = given.trim();
    let mut ranked: Vec<(bool, usize, std::cmp::Reverse<u64>, &str)> = values
        .iter()
        .filter(|(v, _)| !v.is_empty())
        .map(|(v, n)| {
            let related = v.contains(given) || given.contains(v.as_str());
            (
                !related,
                edit_distance(given, v),
                std::cmp::Reverse(*n),
                v.as_str(),
            )
        })
        .collect();
    ranked.sort();
    ranked
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(.., v)| v)
        .collect()
}

impl ItemIndex {
    /// The optional columns that hold a value in at least one item, read from fast fields
    /// (办理反馈 is stored only, so it is reported absent here).
    pub fn data_columns(&self) -> Result<Columns> {
        let has_text =
            |field: &str| -> Result<bool> { Ok(self.values(field)?.keys().any(|k| !k.is_empty())) };
        let mut c = Columns {
            sector: has_text(names::SECTOR)?,
            unit: has_text(names::UNIT)?,
            ..Columns::NONE
        };
        let searcher = self.reader()?.searcher();
        for seg in searcher.segment_readers() {
            let alive_set = seg.alive_bitset();
            let alive = |d: u32| alive_set.is_none_or(|a| a.is_alive(d));
            let fast = seg.fast_fields();
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

    /// The distinct values of a keyword field (`sector`, `submitter`, `unit`, `places`) among
    /// the items in the index, each with its number of items; the empty value is items without
    /// one (not for `places`, where an item without a name has no value at all).
    pub fn values(&self, field: &str) -> Result<HashMap<String, u64>> {
        let searcher = self.reader()?.searcher();
        let mut values = HashMap::new();
        for seg in searcher.segment_readers() {
            let alive_set = seg.alive_bitset();
            let alive = |d: u32| alive_set.is_none_or(|a| a.is_alive(d));
            count_str(seg, field, &alive, &mut values)?;
        }
        Ok(values)
    }

    /// Refuses a `--sector`, `--submitter` or `--unit` value that no item in the index has
    /// (they match whole values exactly, so 教育 finds nothing where the data says 教育界),
    /// and a `--place` no item matches: the error names the closest existing values instead
    /// of an empty result.
    pub fn check_filters(&self, filters: &Filters) -> Result<()> {
        for (field, flag, value) in [
            (names::SECTOR, "--sector", &filters.sector),
            (names::SUBMITTER, "--submitter", &filters.submitter),
            (names::UNIT, "--unit", &filters.unit),
        ] {
            let Some(value) = value else { continue };
            let values = self.values(field)?;
            if values.get(value.as_str()).is_some_and(|n| *n > 0) {
                continue;
            }
            let near = closest(value, &values);
            let dir = self.dir.display();
            return Err(Error::Usage(if near.is_empty() {
                format!("{flag} '{value}': no item in {dir} has a {field} at all (the ingested files had no such column); leave out {flag}")
            } else {
                format!(
                    "{flag} '{value}': no item in {dir} has this {field} ({flag} matches the whole value); closest {field} values: {}",
                    near.join(", ")
                )
            }));
        }
        if let Some(name) = &filters.place {
            self.check_place(name)?;
        }
        Ok(())
    }

    /// Refuses a `--place` value that matches no item (see [`QueryBuilder::place`]), naming
    /// the closest names the items have; and any `--place` on an index without place fields.
    fn check_place(&self, name: &str) -> Result<()> {
        let dir = self.dir.display();
        if self.fields.places.is_none() {
            return Err(Error::Usage(format!(
                "--place '{name}' in {dir}: {NO_PLACES}"
            )));
        }
        let q = QueryBuilder {
            fields: &self.fields,
            segmenter: &self.segmenter,
        }
        .place(name)?;
        if self.reader()?.searcher().search(&q, &Count)? > 0 {
            return Ok(());
        }
        let values = self.values(names::PLACES)?;
        let near = closest(name, &values);
        Err(Error::Usage(if near.is_empty() {
            format!("--place '{name}': no item in {dir} names a place or group (地点/人群); leave out --place")
        } else {
            format!(
                "--place '{name}': no item in {dir} names this place (--place matches a whole name, or its ending: 丽发新城 finds 丽发新城小区); closest places: {}",
                near.join(", ")
            )
        }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("教育", "教育界"), 1);
        assert_eq!(edit_distance("科技界", "教育界"), 2);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_values_contain_the_given_text_first() {
        let values: HashMap<String, u64> = [
            ("教育界", 3),
            ("科技界", 9),
            ("经济界", 1),
            ("高等教育界", 1),
            ("", 4),
        ]
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
        let near = closest("教育", &values);
        assert_eq!(&near[..2], &["教育界", "高等教育界"]);
        assert!(!near.contains(&""));
        assert_eq!(near.len(), 4);
    }
}
