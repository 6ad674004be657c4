//! Conversion between items and tantivy documents.

use chrono::{DateTime, FixedOffset, TimeZone};
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::Fields;
use crate::ingest::dates::shanghai;
use crate::item::{Adoption, Item};
use crate::segment::places::{place_keys, places};
use crate::segment::Segmenter;

/// Builds the document for an item. Title and body are segmented by the jieba analyser
/// registered on their fields, on tantivy's indexing threads.
/// `hash` is the item's [`Item::content_hash`], computed once by the caller. The item's named
/// objects are its [`Item::places`], or when it has none those `seg` finds in its title and
/// body; an index without place fields gets none.
pub fn to_document(f: &Fields, item: &Item, hash: u64, seg: &Segmenter) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    if let Some(p) = f.places {
        let found;
        let names = if item.places.is_empty() {
            found = places(seg, &item.title, &item.body);
            &found
        } else {
            &item.places
        };
        let mut keys: Vec<String> = Vec::new();
        for name in names {
            doc.add_text(p.names, name);
            for k in index_keys(name) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        for k in &keys {
            doc.add_text(p.keys, k);
        }
    }
    doc.add_text(f.id, &item.id);
    doc.add_u64(f.hash, hash);
    doc.add_text(f.grams, &item.title);
    doc.add_text(f.grams, &item.body);
    doc.add_text(f.title, &item.title);
    doc.add_text(f.body, &item.body);
    if let Some(d) = item.submitted_at {
        doc.add_date(
            f.date,
            tantivy::DateTime::from_timestamp_secs(d.timestamp()),
        );
    }
    doc.add_text(f.submitter, &item.submitter);
    doc.add_text(f.sector, &item.sector);
    doc.add_text(f.unit, &item.unit);
    doc.add_u64(f.adoption, item.adoption.rank());
    doc.add_u64(f.instructed, item.instructed() as u64);
    doc.add_text(f.instruction, &item.instruction);
    doc.add_text(f.feedback, &item.feedback);
    if let (Some(field), Some(d)) = (f.replied_at, item.replied_at) {
        doc.add_date(field, tantivy::DateTime::from_timestamp_secs(d.timestamp()));
    }
    if let Some(l) = item.likes {
        doc.add_u64(f.likes, l);
    }
    if let Some(d) = item.dislikes {
        doc.add_u64(f.dislikes, d);
    }
    if !item.extra.is_empty() {
        doc.add_text(
            f.extra,
            serde_json::to_string(&item.extra).expect("extra serialises"),
        );
    }
    doc.add_text(f.source, &item.source);
    doc
}

/// Shortest key, in characters (as [`place_keys`] makes them).
const KEY_CHARS: usize = 3;

/// The keys a name is indexed under: its [`place_keys`] (the tails of its core, less a trailing
/// 小区/社区/片区 or number) and the tails of the whole name, so that a query meets the name
/// whether or not its core could be stripped (老旧小区 cannot: 老旧 is too short; 解决老旧小区 can).
pub fn index_keys(name: &str) -> Vec<String> {
    let mut keys = place_keys(name);
    let chars: Vec<char> = name.chars().collect();
    for i in 0..chars.len().saturating_sub(KEY_CHARS - 1) {
        let tail: String = chars[i..].iter().collect();
        if !keys.contains(&tail) {
            keys.push(tail);
        }
    }
    keys
}

fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn number(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<u64> {
    doc.get_first(field).and_then(|v| v.as_u64())
}

/// Converts a stored timestamp back to Asia/Shanghai time.
pub fn date_from_secs(secs: i64) -> Option<DateTime<FixedOffset>> {
    shanghai().timestamp_opt(secs, 0).single()
}

/// Reads an item back from its stored document. Its named objects are the stored ones, or
/// in an index built before they were stored, those `seg` finds in its title and body.
pub fn from_document(f: &Fields, doc: &TantivyDocument, seg: &Segmenter) -> Item {
    let mut item = Item {
        id: text(doc, f.id),
        title: text(doc, f.title),
        body: text(doc, f.body),
        submitted_at: doc
            .get_first(f.date)
            .and_then(|v| v.as_datetime())
            .and_then(|d| date_from_secs(d.into_timestamp_secs())),
        submitter: text(doc, f.submitter),
        sector: text(doc, f.sector),
        unit: text(doc, f.unit),
        adoption: Adoption::from_rank(number(doc, f.adoption).unwrap_or(0)),
        instruction: text(doc, f.instruction),
        feedback: text(doc, f.feedback),
        replied_at: f
            .replied_at
            .and_then(|field| doc.get_first(field))
            .and_then(|v| v.as_datetime())
            .and_then(|d| date_from_secs(d.into_timestamp_secs())),
        likes: number(doc, f.likes),
        dislikes: number(doc, f.dislikes),
        extra: serde_json::from_str(&text(doc, f.extra)).unwrap_or_default(),
        source: text(doc, f.source),
        places: Vec::new(),
        bad_cells: Vec::new(),
    };
    item.places = match f.places {
        Some(p) => doc
            .get_all(p.names)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        None => places(seg, &item.title, &item.body),
    };
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_keyed_by_the_tails_of_its_core_and_of_itself() {
        let keys = index_keys("A2区丽发新城小区");
        for k in ["丽发新城", "发新城", "丽发新城小区", "新城小区"] {
            assert!(keys.contains(&k.to_string()), "{k}: {keys:?}");
        }
        assert!(
            !keys.iter().any(|k| k.chars().count() < KEY_CHARS),
            "{keys:?}"
        );
        let keys = index_keys("解决老旧小区");
        assert!(keys.contains(&"老旧小区".to_string()), "{keys:?}");
    }
}
