//! Query building. tantivy's QueryParser turns an unspaced Chinese query into one phrase
//! (tantivy issue #2472), so minyi parses the query itself and builds it from the same
//! analysis as the index: each word must match, either through its jieba terms anywhere in
//! the title (weighted ×2) or body, or as a verbatim substring through the phrase of its
//! characters.
//!
//! Syntax: words (all required), `"quoted phrase"` (verbatim), `OR` between clauses,
//! `AND` (the default), `NOT`/`-` (exclude), `+` (require), and `field:value` where field
//! is `title`, `body` (text) or `sector`, `submitter`, `unit`, `id` (exact value).

use std::ops::Bound;

use chrono::{DateTime, FixedOffset};
use tantivy::query::{
    AllQuery, BitSetDocSet, BooleanQuery, BoostQuery, ConstScorer, EnableScoring, Explanation,
    Occur, PhraseQuery, Query, RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use super::Fields;
use crate::error::{Error, Result};
use crate::item::Adoption;
pub use crate::period::{parse_from, parse_period, parse_to};
use crate::segment::Segmenter;

/// Weight of a title match relative to a body match.
pub const TITLE_BOOST: f32 = 2.0;

/// Where a text clause looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Title,
    Body,
}

/// One clause of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// Words: each jieba term must match, or the whole text as a substring.
    Text(String, Scope),
    /// A quoted phrase: must appear verbatim.
    Phrase(String),
    /// An exact keyword field value (`sector:教育界`).
    Keyword(&'static str, String),
}

/// A parsed query: groups of alternatives (joined by OR), each required or excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub groups: Vec<(Occur, Vec<Atom>)>,
}

#[derive(Debug, PartialEq)]
enum Lexeme {
    Word(String),
    Quoted(String),
    FieldQuoted(String, String),
}

fn lex(q: &str) -> Result<Vec<Lexeme>> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Lexeme>| {
        if !word.is_empty() {
            out.push(Lexeme::Word(std::mem::take(word)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' | '“' | '”' => {
                let close = if c == '“' { '”' } else { c };
                let mut phrase = String::new();
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == close || (close == '"' && d == '”') || (close == '”' && d == '"') {
                        closed = true;
                        break;
                    }
                    phrase.push(d);
                }
                if !closed {
                    return Err(Error::Query(format!("unbalanced quote in '{q}'")));
                }
                if word.ends_with(':') && word.len() > 1 {
                    let field = word.trim_end_matches(':').to_string();
                    word.clear();
                    out.push(Lexeme::FieldQuoted(field, phrase));
                } else {
                    let prefix = std::mem::take(&mut word);
                    if !prefix.is_empty() && prefix != "+" && prefix != "-" {
                        out.push(Lexeme::Word(prefix));
                        out.push(Lexeme::Quoted(phrase));
                    } else {
                        if !prefix.is_empty() {
                            out.push(Lexeme::Word(prefix));
                        }
                        out.push(Lexeme::Quoted(phrase));
                    }
                }
            }
            c if c.is_whitespace() || c == '\u{3000}' => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    Ok(out)
}

fn keyword_field(name: &str) -> Option<&'static str> {
    Some(match name {
        "sector" | "界别" => "sector",
        "submitter" | "报送人" => "submitter",
        "unit" | "单位" => "unit",
        "id" | "编号" => "id",
        _ => return None,
    })
}

fn text_scope(name: &str) -> Option<Scope> {
    Some(match name {
        "title" | "标题" => Scope::Title,
        "body" | "正文" => Scope::Body,
        _ => return None,
    })
}

fn field_atom(field: &str, value: String, quoted: bool) -> Option<Atom> {
    if let Some(k) = keyword_field(field) {
        return Some(Atom::Keyword(k, value));
    }
    text_scope(field).map(|s| {
        if quoted && s == Scope::All {
            Atom::Phrase(value)
        } else {
            Atom::Text(value, s)
        }
    })
}

/// Parses the query syntax.
pub fn parse(q: &str) -> Result<Parsed> {
    let lexemes = lex(q)?;
    if lexemes.is_empty() {
        return Err(Error::Query("empty query".into()));
    }
    let mut groups: Vec<(Occur, Vec<Atom>)> = Vec::new();
    let mut join_or = false;
    let mut negate = false;
    let mut pending_or_at_start = true;
    for lx in lexemes {
        let (occur_prefix, atom) = match lx {
            Lexeme::Word(w) if w == "OR" || w == "||" => {
                if pending_or_at_start || join_or {
                    return Err(Error::Query("OR needs a clause on each side".into()));
                }
                join_or = true;
                continue;
            }
            Lexeme::Word(w) if w == "AND" || w == "&&" => continue,
            Lexeme::Word(w) if w == "NOT" => {
                negate = true;
                continue;
            }
            Lexeme::Word(w) if w == "+" || w == "-" => {
                return Err(Error::Query(format!("'{w}' needs a term after it")));
            }
            Lexeme::Word(w) => {
                let (occ, rest) = match w.chars().next() {
                    Some('+') => (Some(Occur::Must), w[1..].to_string()),
                    Some('-') if w.len() > 1 => (Some(Occur::MustNot), w[1..].to_string()),
                    _ => (None, w),
                };
                if rest.is_empty() {
                    return Err(Error::Query(format!(
                        "'{}' needs a term after it",
                        if occ == Some(Occur::Must) { "+" } else { "-" }
                    )));
                }
                let atom = match rest.split_once(':') {
                    Some((f, v))
                        if !f.is_empty()
                            && (keyword_field(f).is_some() || text_scope(f).is_some()) =>
                    {
                        if v.is_empty() {
                            return Err(Error::Query(format!("'{f}:' needs a value")));
                        }
                        field_atom(f, v.to_string(), false).expect("known field")
                    }
                    _ => Atom::Text(rest, Scope::All),
                };
                (occ, atom)
            }
            Lexeme::Quoted(p) => (None, Atom::Phrase(p)),
            Lexeme::FieldQuoted(f, v) => {
                let (occ, f) = match f.chars().next() {
                    Some('+') => (Some(Occur::Must), f[1..].to_string()),
                    Some('-') => (Some(Occur::MustNot), f[1..].to_string()),
                    _ => (None, f),
                };
                let atom = field_atom(&f, v.clone(), true).ok_or_else(|| {
                    Error::Query(format!(
                        "unknown field '{f}' (fields: title, body, sector, submitter, unit, id)"
                    ))
                })?;
                (occ, atom)
            }
        };
        let occur = if negate {
            Occur::MustNot
        } else {
            occur_prefix.unwrap_or(Occur::Must)
        };
        negate = false;
        pending_or_at_start = false;
        if join_or {
            join_or = false;
            match groups.last_mut() {
                Some((Occur::Must, alts)) if occur == Occur::Must => {
                    alts.push(atom);
                    continue;
                }
                _ => {
                    return Err(Error::Query(
                        "OR joins two positive clauses (not NOT/-)".into(),
                    ))
                }
            }
        }
        groups.push((occur, vec![atom]));
    }
    if join_or {
        return Err(Error::Query("OR needs a clause on each side".into()));
    }
    if negate {
        return Err(Error::Query("NOT needs a term after it".into()));
    }
    Ok(Parsed { groups })
}

/// Filters applied on top of the text query.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub sector: Option<String>,
    pub submitter: Option<String>,
    pub unit: Option<String>,
    /// Inclusive start.
    pub from: Option<DateTime<FixedOffset>>,
    /// Exclusive end.
    pub to: Option<DateTime<FixedOffset>>,
    pub adoption: Option<AdoptionFilter>,
    pub instructed: bool,
}

/// Which adoption levels to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdoptionFilter {
    /// Exactly this level.
    Level(Adoption),
    /// Any level above none.
    Adopted,
}

impl AdoptionFilter {
    /// Parses `none|county|city|province|national|adopted` (or Chinese labels).
    pub fn parse(s: &str) -> Result<AdoptionFilter> {
        if matches!(s.trim(), "adopted" | "any" | "已采用") {
            return Ok(AdoptionFilter::Adopted);
        }
        Adoption::parse(s).filter(|_| !s.trim().is_empty()).map(AdoptionFilter::Level).ok_or_else(|| {
            Error::Usage(format!("unknown adoption level '{s}' (none, county, city, province, national, adopted)"))
        })
    }
}

/// A window's bounds `[start, end)`, either open.
pub type Bounds = (Option<DateTime<FixedOffset>>, Option<DateTime<FixedOffset>>);

/// Parses `--from` and `--to` (either may be absent) into `[start, end)` bounds, refusing a
/// window that ends before it starts: such a window would silently match nothing.
pub fn parse_window(from: Option<&str>, to: Option<&str>) -> Result<Bounds> {
    let start = from.map(parse_from).transpose()?;
    let end = to.map(parse_to).transpose()?;
    if let (Some(a), Some(b), Some(f), Some(t)) = (start, end, from, to) {
        if b <= a {
            return Err(Error::Usage(format!(
                "--from {f} is after --to {t}: the window would be empty; give the earlier date to --from"
            )));
        }
    }
    Ok((start, end))
}

/// A query evaluated up front into a bit set of its documents, per segment. Excluded words
/// (`-X`, `NOT X`) go through it: tantivy 0.27's exclusion seeks its docset with
/// `seek_danger`, and the phrase scorer's debug assertion rejects a seek once it has run out
/// of documents (a contract mismatch inside tantivy that panics in debug builds; found by
/// fuzzing the query builder with `no -is-is`). A bit set can be sought any way.
#[derive(Debug)]
struct Materialized(Box<dyn Query>);

impl Clone for Materialized {
    fn clone(&self) -> Self {
        Materialized(self.0.box_clone())
    }
}

impl Query for Materialized {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(MaterializedWeight(self.0.weight(enable_scoring)?)))
    }
}

struct MaterializedWeight(Box<dyn Weight>);

impl Weight for MaterializedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut inner = self.0.scorer(reader, boost)?;
        let mut docs = tantivy::BitSet::with_max_value(reader.max_doc().max(1));
        let mut doc = inner.doc();
        while doc != TERMINATED {
            docs.insert(doc);
            doc = inner.advance();
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

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
