//! The query grammar: words (all required), `"quoted phrase"` (verbatim), `OR` between
//! clauses, `AND` (the default), `NOT`/`-` (exclude), `+` (require), and `field:value` where
//! field is `title`, `body` (text), `sector`, `submitter`, `unit`, `id` (exact value) or
//! `place` (a named object). Parsed here into clauses; [`super::query::QueryBuilder`] turns
//! them into tantivy queries.

use tantivy::query::Occur;

use crate::error::{Error, Result};

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
    /// An exact keyword field value (`sector:教育界`), or a named object (`place:丽发新城`).
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
        "place" | "地点" => "place",
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
                        "unknown field '{f}' (fields: title, body, sector, submitter, unit, id, place)"
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
