//! Query building. tantivy's QueryParser turns an unspaced Chinese query into one phrase
//! (tantivy issue #2472), so minyi parses the query itself and builds it from the same
//! analysis as the index: each word must match, either through its jieba terms anywhere in
//! the title (weighted ×2) or body, or as a verbatim substring through the phrase of its
//! characters.
//!
//! Syntax: words (all required), `"quoted phrase"` (verbatim), `OR` between clauses,
//! `AND` (the default), `NOT`/`-` (exclude), `+` (require), and `field:value` where field
//! is `title`, `body` (text), `sector`, `submitter`, `unit`, `id` (exact value) or `place`
//! (a named object, see [`QueryBuilder::place`]).

use std::ops::Bound;

use chrono::{DateTime, FixedOffset};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

pub use super::filters::{parse_window, AdoptionFilter, Bounds, Filters};
pub use super::grammar::{parse, Atom, Parsed, Scope};
use super::materialized::Materialized;
use super::Fields;
use crate::error::{Error, Result};
use crate::item::Adoption;
pub use crate::period::{parse_from, parse_period, parse_to};
use crate::segment::places::{names, place_keys};
use crate::segment::Segmenter;

/// Why an index built before named objects were indexed cannot filter by them.
pub const NO_PLACES: &str = "the index was built before minyi indexed named objects (地点/人群), so it cannot select items by place; ingest its files into a new --index";

/// Weight of a title match relative to a body match.
pub const TITLE_BOOST: f32 = 2.0;

/// Builds tantivy queries from parsed syntax, with the index's own analysis.
pub struct QueryBuilder<'a> {
    pub fields: &'a Fields,
    pub segmenter: &'a Segmenter,
}

impl QueryBuilder<'_> {
    /// The complete query: the text (or all items when `parsed` is `None`) plus filters.
    pub fn build(&self, parsed: Option<&Parsed>, filters: &Filters) -> Result<Box<dyn Query>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut positive = false;
        if let Some(p) = parsed {
            for (occur, alts) in &p.groups {
                let mut subs: Vec<Box<dyn Query>> = Vec::new();
                for atom in alts {
                    subs.push(self.atom(atom)?);
                }
                let q: Box<dyn Query> = if subs.len() == 1 {
                    subs.pop().expect("one")
                } else {
                    Box::new(BooleanQuery::new(
                        subs.into_iter().map(|q| (Occur::Should, q)).collect(),
                    ))
                };
                positive |= *occur == Occur::Must;
                let q: Box<dyn Query> = if *occur == Occur::MustNot {
                    Box::new(Materialized(q))
                } else {
                    q
                };
                clauses.push((*occur, q));
            }
        }
        let f = self.fields;
        for (field, value) in [
            (f.sector, &filters.sector),
            (f.submitter, &filters.submitter),
            (f.unit, &filters.unit),
        ] {
            if let Some(v) = value {
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    )),
                ));
                positive = true;
            }
        }
        if let Some(name) = &filters.place {
            clauses.push((Occur::Must, self.place(name)?));
            positive = true;
        }
        if filters.from.is_some() || filters.to.is_some() {
            // tantivy counts nanoseconds in an i64 (years 1678 to 2262): a bound beyond that
            // is clamped, which keeps every item an unclamped bound would keep.
            let limit = i64::MAX / 1_000_000_000;
            let term = |d: DateTime<FixedOffset>| {
                Term::from_field_date(
                    f.date,
                    tantivy::DateTime::from_timestamp_secs(d.timestamp().clamp(-limit, limit)),
                )
            };
            let lo = filters
                .from
                .map(|d| Bound::Included(term(d)))
                .unwrap_or(Bound::Unbounded);
            let hi = filters
                .to
                .map(|d| Bound::Excluded(term(d)))
                .unwrap_or(Bound::Unbounded);
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
            positive = true;
        }
        if let Some(a) = filters.adoption {
            let (lo, hi) = match a {
                AdoptionFilter::Level(l) => (l.rank(), l.rank()),
                AdoptionFilter::Adopted => (1, Adoption::National.rank()),
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_u64(f.adoption, lo)),
                    Bound::Included(Term::from_field_u64(f.adoption, hi)),
                )),
            ));
            positive = true;
        }
        if filters.instructed {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.instructed, 1),
                    IndexRecordOption::Basic,
                )),
            ));
            positive = true;
        }
        if !positive {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    fn atom(&self, atom: &Atom) -> Result<Box<dyn Query>> {
        let f = self.fields;
        match atom {
            Atom::Keyword("place", value) => self.place(value),
            Atom::Keyword(name, value) => {
                let field = match *name {
                    "sector" => f.sector,
                    "submitter" => f.submitter,
                    "unit" => f.unit,
                    _ => f.id,
                };
                Ok(Box::new(TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                )))
            }
            Atom::Phrase(p) => self.gram_phrase(p).ok_or_else(|| {
                Error::Query(format!("phrase \"{p}\" has no searchable characters"))
            }),
            Atom::Text(w, scope) => {
                let terms = self.segmenter.terms(w);
                let mut alts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                if !terms.is_empty() {
                    let all: Vec<(Occur, Box<dyn Query>)> = terms
                        .iter()
                        .map(|t| (Occur::Must, self.term_anywhere(t, *scope)))
                        .collect();
                    alts.push((Occur::Should, Box::new(BooleanQuery::new(all))));
                }
                if *scope == Scope::All {
                    if let Some(q) = self.gram_phrase(w) {
                        alts.push((Occur::Should, q));
                    }
                }
                if alts.is_empty() {
                    return Err(Error::Query(format!("'{w}' has no searchable characters")));
                }
                Ok(Box::new(BooleanQuery::new(alts)))
            }
        }
    }

    /// The items with the named object (地点/人群) `name`: one of their names is `name`, or
    /// ends with `name`, or with its core (`name` less a trailing 小区/社区/片区 or building,
    /// phase or group number, when three characters remain; see [`place_keys`]) after the
    /// same is stripped from the name. So 丽发新城 finds 丽发新城小区 and A2区丽发新城, 丽发新城小区
    /// finds 丽发新城, 中茂城 finds 星沙中茂城 (not the other way round). A `name` of fewer than
    /// three characters matches whole names only. A `name` written with more around it (A2区丽发
    /// 新城: a coded district) also matches as the names found in it (丽发新城). Read
    /// through the `place_keys` field (see [`super::document::index_keys`]). An index without
    /// place fields refuses it ([`NO_PLACES`]).
    pub fn place(&self, name: &str) -> Result<Box<dyn Query>> {
        let Some(p) = self.fields.places else {
            return Err(Error::Usage(NO_PLACES.into()));
        };
        let name = name.trim();
        let mut alts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for found in names(self.segmenter, name) {
            if found != name {
                alts.push((Occur::Should, one_place(p, &found)));
            }
        }
        if alts.is_empty() {
            return Ok(one_place(p, name));
        }
        alts.push((Occur::Should, one_place(p, name)));
        Ok(Box::new(BooleanQuery::new(alts)))
    }

    /// One jieba term in the title (boosted) or the body.
    fn term_anywhere(&self, t: &str, scope: Scope) -> Box<dyn Query> {
        let f = self.fields;
        let tq = |field: Field| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, t),
                IndexRecordOption::WithFreqs,
            ))
        };
        match scope {
            Scope::Title => tq(f.title),
            Scope::Body => tq(f.body),
            Scope::All => Box::new(BooleanQuery::new(vec![
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(tq(f.title), TITLE_BOOST)),
                ),
                (Occur::Should, tq(f.body)),
            ])),
        }
    }

    /// The verbatim-substring query for `text` over the gram field.
    pub fn gram_phrase(&self, text: &str) -> Option<Box<dyn Query>> {
        let grams = self.fields.gram_kind.grams(text);
        let field = self.fields.grams;
        match grams.len() {
            0 => None,
            1 => Some(Box::new(TermQuery::new(
                Term::from_field_text(field, &grams[0].1),
                IndexRecordOption::WithFreqs,
            ))),
            _ => Some(Box::new(PhraseQuery::new_with_offset(
                grams
                    .into_iter()
                    .map(|(p, g)| (p, Term::from_field_text(field, &g)))
                    .collect(),
            ))),
        }
    }
}

/// The items with a name that is `name` or ends with it or its core (see
/// [`QueryBuilder::place`]).
fn one_place(p: super::schema::PlaceFields, name: &str) -> Box<dyn Query> {
    let term = |field: Field, text: &str| -> (Occur, Box<dyn Query>) {
        (
            Occur::Should,
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::Basic,
            )),
        )
    };
    let mut alts = vec![term(p.names, name)];
    if name.chars().count() >= 3 {
        alts.push(term(p.keys, name));
    }
    if let Some(core) = place_keys(name).into_iter().next().filter(|c| c != name) {
        alts.push(term(p.keys, &core));
    }
    Box::new(BooleanQuery::new(alts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn text(s: &str) -> Atom {
        Atom::Text(s.into(), Scope::All)
    }

    #[test]
    fn parses_boolean_syntax() {
        let p = parse("停车 OR 车位 -收费 \"加装 电梯\" sector:教育界").unwrap();
        assert_eq!(
            p.groups,
            vec![
                (Occur::Must, vec![text("停车"), text("车位")]),
                (Occur::MustNot, vec![text("收费")]),
                (Occur::Must, vec![Atom::Phrase("加装 电梯".into())]),
                (Occur::Must, vec![Atom::Keyword("sector", "教育界".into())]),
            ]
        );
        let p = parse("油烟 place:魅力之城").unwrap();
        assert_eq!(
            p.groups[1],
            (Occur::Must, vec![Atom::Keyword("place", "魅力之城".into())])
        );
        let p = parse("NOT 收费 title:电梯").unwrap();
        assert_eq!(p.groups[0], (Occur::MustNot, vec![text("收费")]));
        assert_eq!(
            p.groups[1],
            (Occur::Must, vec![Atom::Text("电梯".into(), Scope::Title)])
        );
    }

    #[test]
    fn rejects_malformed_queries() {
        for bad in [
            "",
            "\"未闭合",
            "OR 停车",
            "停车 OR",
            "停车 NOT",
            "-",
            "sector:",
            "x:\"y\"",
        ] {
            assert!(matches!(parse(bad), Err(Error::Query(_))), "{bad}");
        }
        // An unknown field prefix is plain text, not an error.
        assert_eq!(
            parse("12:30").unwrap().groups,
            vec![(Occur::Must, vec![text("12:30")])]
        );
    }

    #[test]
    fn periods() {
        let (a, b) = parse_period("2024Q3").unwrap();
        assert_eq!(
            (a.to_rfc3339().as_str(), b.to_rfc3339().as_str()),
            ("2024-07-01T00:00:00+08:00", "2024-10-01T00:00:00+08:00")
        );
        let (a, b) = parse_period("2024-12").unwrap();
        assert_eq!((a.month(), b.year(), b.month()), (12, 2025, 1));
        let (_, b) = parse_period("2024-02-28").unwrap();
        assert_eq!(b.to_rfc3339(), "2024-02-29T00:00:00+08:00");
        assert!(parse_period("2024Q5").is_err());
        assert!(parse_period("soon").is_err());
        assert!(parse_period("2024-02-30").is_err());
    }

    #[test]
    fn any_calendar_date_bounds_a_window() {
        // Item dates must be plausible (not in the future); query bounds need not be.
        assert_eq!(
            parse_to("2099-12-31").unwrap().to_rfc3339(),
            "2100-01-01T00:00:00+08:00"
        );
        assert_eq!(
            parse_from("1900-01-01").unwrap().to_rfc3339(),
            "1900-01-01T00:00:00+08:00"
        );
        assert!(parse_to("9999-12-31").is_ok());
    }

    #[test]
    fn a_window_that_ends_before_it_starts_is_refused() {
        let err = parse_window(Some("2024-12"), Some("2024-01")).unwrap_err();
        assert!(matches!(err, Error::Usage(_)));
        assert!(
            err.to_string()
                .contains("--from 2024-12 is after --to 2024-01"),
            "{err}"
        );
        // One day, one month: not empty.
        assert!(parse_window(Some("2024-07-15"), Some("2024-07-15")).is_ok());
        assert!(parse_window(Some("2024-07"), Some("2024-07-01")).is_ok());
        assert!(parse_window(Some("2024-07"), None).is_ok());
    }
}
