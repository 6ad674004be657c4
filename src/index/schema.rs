//! The index schema: stored item fields, jieba-segmented text for ranking, character grams
//! for substring-complete search, and fast fields for filters, sorting and facets.
//!
//! Named objects (地点/人群, see [`crate::segment::places`]) take two fields: `places` holds
//! each name whole (one raw token, stored and fast, for exact matches and facets) and
//! `place_keys` every key of every name ([`crate::segment::places::place_keys`]: the name less
//! a trailing 小区/社区/number, and its tails), so `--place 丽发新城` meets 丽发新城小区. Indexes
//! built before these fields existed have neither: [`Fields::places`] is then `None`.

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};

use crate::segment::grams::GramKind;
use crate::segment::tokenizer::JIEBA;

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    pub body: Field,
    pub grams: Field,
    /// What the `grams` field holds (single characters, or bigrams in older indexes).
    pub gram_kind: GramKind,
    pub date: Field,
    pub submitter: Field,
    pub sector: Field,
    pub unit: Field,
    pub adoption: Field,
    pub instructed: Field,
    pub instruction: Field,
    pub feedback: Field,
    pub likes: Field,
    pub dislikes: Field,
    pub extra: Field,
    pub source: Field,
    pub hash: Field,
    /// The named-object fields; `None` in an index built before they existed.
    pub places: Option<PlaceFields>,
    /// When the reply was given (答复时间); `None` in an index built before it existed.
    pub replied_at: Option<Field>,
}

/// The two fields of named objects (地点/人群).
#[derive(Debug, Clone, Copy)]
pub struct PlaceFields {
    /// Each name whole, one raw token per name (stored, indexed, fast).
    pub names: Field,
    /// Each key of each name (indexed only).
    pub keys: Field,
}

/// Field names, shared by schema building and lookup.
pub mod names {
    pub const ID: &str = "id";
    pub const DATE: &str = "submitted_at";
    pub const SECTOR: &str = "sector";
    pub const SUBMITTER: &str = "submitter";
    pub const UNIT: &str = "unit";
    pub const ADOPTION: &str = "adoption";
    pub const INSTRUCTED: &str = "instructed";
    pub const LIKES: &str = "likes";
    pub const HASH: &str = "hash";
    pub const PLACES: &str = "places";
    pub const PLACE_KEYS: &str = "place_keys";
    pub const REPLIED_AT: &str = "replied_at";
}

/// Builds the schema.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let stored_text = TextOptions::default().set_stored();
    let jieba = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(JIEBA)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
        .set_stored();
    let grams = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(GramKind::Chars.tokenizer_name())
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let keyword = STRING | STORED | FAST;
    let number = NumericOptions::default()
        .set_indexed()
        .set_fast()
        .set_stored();
    let fields = Fields {
        id: b.add_text_field(names::ID, keyword.clone()),
        title: b.add_text_field("title", jieba.clone()),
        body: b.add_text_field("body", jieba),
        grams: b.add_text_field("grams", grams),
        gram_kind: GramKind::Chars,
        date: b.add_date_field(
            names::DATE,
            DateOptions::default()
                .set_indexed()
                .set_fast()
                .set_stored()
                .set_precision(DateTimePrecision::Seconds),
        ),
        submitter: b.add_text_field(names::SUBMITTER, keyword.clone()),
        sector: b.add_text_field(names::SECTOR, keyword.clone()),
        unit: b.add_text_field(names::UNIT, keyword),
        adoption: b.add_u64_field(names::ADOPTION, number.clone()),
        instructed: b.add_u64_field(names::INSTRUCTED, number.clone()),
        instruction: b.add_text_field("instruction", stored_text.clone()),
        feedback: b.add_text_field("feedback", stored_text.clone()),
        likes: b.add_u64_field(names::LIKES, number.clone()),
        dislikes: b.add_u64_field("dislikes", number),
        extra: b.add_text_field("extra", stored_text.clone()),
        source: b.add_text_field("source", stored_text),
        hash: b.add_u64_field(
            names::HASH,
            NumericOptions::default().set_fast().set_stored(),
        ),
        places: None,
        replied_at: None,
    };
    let fields = Fields {
        places: Some(PlaceFields {
            names: b.add_text_field(names::PLACES, STRING | STORED | FAST),
            keys: b.add_text_field(names::PLACE_KEYS, STRING),
        }),
        replied_at: Some(
            b.add_date_field(
                names::REPLIED_AT,
                DateOptions::default()
                    .set_stored()
                    .set_precision(DateTimePrecision::Seconds),
            ),
        ),
        ..fields
    };
    (b.build(), fields)
}

/// Looks the fields up in an existing index's schema. The place fields are optional (an
/// index built before them opens with [`Fields::places`] `None`); every other is required.
pub fn lookup(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |name: &str| schema.get_field(name);
    let grams = f("grams")?;
    let gram_kind = match schema.get_field_entry(grams).field_type() {
        tantivy::schema::FieldType::Str(options) => options
            .get_indexing_options()
            .and_then(|i| GramKind::from_tokenizer_name(i.tokenizer())),
        _ => None,
    }
    .ok_or_else(|| {
        tantivy::TantivyError::SchemaError("the grams field has no known gram tokenizer".into())
    })?;
    Ok(Fields {
        id: f(names::ID)?,
        title: f("title")?,
        body: f("body")?,
        grams,
        gram_kind,
        date: f(names::DATE)?,
        submitter: f(names::SUBMITTER)?,
        sector: f(names::SECTOR)?,
        unit: f(names::UNIT)?,
        adoption: f(names::ADOPTION)?,
        instructed: f(names::INSTRUCTED)?,
        instruction: f("instruction")?,
        feedback: f("feedback")?,
        likes: f(names::LIKES)?,
        dislikes: f("dislikes")?,
        extra: f("extra")?,
        source: f("source")?,
        hash: f(names::HASH)?,
        places: match (f(names::PLACES), f(names::PLACE_KEYS)) {
            (Ok(names), Ok(keys)) => Some(PlaceFields { names, keys }),
            _ => None,
        },
        replied_at: f(names::REPLIED_AT).ok(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_without_place_fields_is_looked_up_without_them() {
        let (full, fields) = build();
        assert!(fields.places.is_some());
        assert!(lookup(&full).unwrap().places.is_some());
        // The schema of an index built before the place fields: every other field.
        let mut old = Schema::builder();
        for (_, entry) in full.fields() {
            if ![names::PLACES, names::PLACE_KEYS].contains(&entry.name()) {
                old.add_field(entry.clone());
            }
        }
        let looked = lookup(&old.build()).unwrap();
        assert!(looked.places.is_none());
        assert_eq!(looked.hash, fields.hash);
    }
}
