//! Conversion between items and tantivy documents.

use chrono::{DateTime, FixedOffset, TimeZone};
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::Fields;
use crate::ingest::dates::shanghai;
use crate::item::{Adoption, Item};

/// Builds the document for an item. Title and body are segmented by the jieba analyser
/// registered on their fields, on tantivy's indexing threads.
/// `hash` is the item's [`Item::content_hash`], computed once by the caller.
pub fn to_document(f: &Fields, item: &Item, hash: u64) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
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

/// Reads an item back from its stored document.
pub fn from_document(f: &Fields, doc: &TantivyDocument) -> Item {
    Item {
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
        likes: number(doc, f.likes),
        dislikes: number(doc, f.dislikes),
        extra: serde_json::from_str(&text(doc, f.extra)).unwrap_or_default(),
        source: text(doc, f.source),
        places: Vec::new(),
    }
}
