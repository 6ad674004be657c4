//! Which words may be keywords and label words: not function words (by part of speech), not
//! fragments of names the segmenter cut, not anonymised codes.

use crate::segment::Segmenter;

/// Part-of-speech filtering for keywords and labels: a word whose tags are all in the dropped
/// set (function words such as 我家 r, 常年 d, 附近 f) is never a keyword, and a label
/// phrase holds no such word. A dropped tag also drops its subtags of one more letter (`r`
/// drops `rr`, `rz`; `e` does not drop `eng`).
#[derive(Clone, Copy)]
pub struct WordFilter<'a> {
    seg: Option<&'a Segmenter>,
    drop: &'a [String],
}

impl<'a> WordFilter<'a> {
    /// Drops the words `seg` tags with one of `drop`'s tags (`[topics] function_word_tags`).
    pub fn new(seg: &'a Segmenter, drop: &'a [String]) -> WordFilter<'a> {
        WordFilter {
            seg: Some(seg),
            drop,
        }
    }

    /// Keeps every word.
    pub fn none() -> WordFilter<'static> {
        WordFilter {
            seg: None,
            drop: &[],
        }
    }

    fn dropped(&self, tag: &str) -> bool {
        self.drop
            .iter()
            .any(|d| tag.starts_with(d.as_str()) && tag.len() <= d.len() + 1)
    }

    /// Whether `word` may be a keyword: not when every piece of it is a function word, nor
    /// when it is a fragment of a name ([`is_fragment`]).
    pub fn keeps_word(&self, word: &str) -> bool {
        match self.seg {
            Some(seg) if !self.drop.is_empty() => {
                if is_code(word) || is_fragment(seg, word) {
                    return false;
                }
                let tags = seg.tags(word);
                tags.is_empty() || !tags.iter().all(|t| self.dropped(t))
            }
            _ => true,
        }
    }

    /// The two terms of a two-term phrase as the segmenter cuts it (老旧小区 | 加装电梯), or
    /// None (one term, more than two, or no segmenter).
    pub(super) fn halves<'p>(&self, phrase: &'p str) -> Option<(&'p str, &'p str)> {
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        self.seg?
            .for_each_term(phrase, |_, from, to| cuts.push((from, to)));
        match cuts.as_slice() {
            &[(0, m), (m2, end)] if m == m2 && end == phrase.len() => {
                Some((&phrase[..m], &phrase[m..]))
            }
            _ => None,
        }
    }

    /// Whether `phrase` may be a label: not when any piece of it is a function word or an
    /// anonymised code (A7), nor when it begins with a fragment of a name or an
    /// administrative prefix (县楚龙…, A7县泉塘).
    pub fn keeps_phrase(&self, phrase: &str) -> bool {
        match self.seg {
            Some(seg) if !self.drop.is_empty() => {
                let mut first = true;
                let mut fragment = false;
                seg.for_each_term(phrase, |t, _, _| {
                    fragment |= is_code(t) || (first && (is_fragment(seg, t) || is_admin(t)));
                    first = false;
                });
                !fragment && !seg.tags(phrase).iter().any(|t| self.dropped(t))
            }
            _ => true,
        }
    }
}

/// Characters that end an administrative name (A7县, A2区, A市 …): a word the segmenter made
/// from one of them and the start of the next name (区丽发 of A2区丽发新城, 县楚龙 of A7县楚龙
/// 街道) is a fragment.
const ADMIN_SUFFIXES: [char; 6] = ['县', '区', '市', '省', '镇', '乡'];

/// An anonymised code as the messages write places (A7, a3, C5, F034): letters then digits.
pub fn is_code(term: &str) -> bool {
    let letters = term.chars().take_while(char::is_ascii_alphabetic).count();
    let rest = &term[letters..];
    (1..=2).contains(&letters) && !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit())
}

/// A lone administrative suffix (县, 区, 市 …).
fn is_admin(term: &str) -> bool {
    let mut cs = term.chars();
    matches!((cs.next(), cs.next()), (Some(c), None) if ADMIN_SUFFIXES.contains(&c))
}

/// A word of the segmenter's own making (not in its dictionary) that begins with an
/// administrative suffix: the end of one name joined to the start of the next (区丽发, 县星沙).
/// Words of the dictionary that begin so (市民, 区域, 县城, 市政府) are whole.
pub fn is_fragment(seg: &Segmenter, term: &str) -> bool {
    let mut cs = term.chars();
    let starts_admin = cs.next().is_some_and(|c| ADMIN_SUFFIXES.contains(&c));
    starts_admin && cs.count() >= 1 && !seg.jieba().has_word(term)
}
