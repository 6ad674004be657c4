//! Segment stage: Chinese word segmentation with one shared jieba-rs instance, loaded with the
//! project's user dictionary and Chinese stopwords, plus the character-gram analysis that
//! gives substring-complete search. The same code serves indexing, queries and snippets.

pub mod counts;
pub mod dictionary;
pub mod grams;
pub mod places;
pub mod tokenizer;

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use jieba_rs::Jieba;
use tantivy::tokenizer::{PreTokenizedString, Token};

pub use counts::TermCounts;
pub use dictionary::Dictionary;

use crate::error::Result;

/// Longest term kept, in bytes; longer runs (base64, URLs) are noise for search and topics.
const MAX_TERM_BYTES: usize = 64;

/// The Chinese word segmenter. Cheap to clone: clones share one jieba instance.
#[derive(Clone)]
pub struct Segmenter {
    inner: Arc<Inner>,
}

struct Inner {
    jieba: Loading,
    stopwords: HashSet<String>,
    hmm: bool,
}

/// The jieba instance, built on a thread of its own: loading jieba's dictionary (350,000
/// words into its trie) takes about 0.1 s, which the caller spends opening the index and
/// reading items meanwhile; the first use waits for it.
struct Loading {
    ready: OnceLock<Jieba>,
    building: Mutex<Option<JoinHandle<Jieba>>>,
}

impl Loading {
    fn start(user_dict: String) -> Loading {
        let building = std::thread::spawn(move || {
            let mut jieba = Jieba::new();
            jieba
                .load_dict(&mut user_dict.as_bytes())
                .expect("the user dictionary was checked before loading");
            jieba
        });
        Loading {
            ready: OnceLock::new(),
            building: Mutex::new(Some(building)),
        }
    }

    fn get(&self) -> &Jieba {
        self.ready.get_or_init(|| {
            let building = self
                .building
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .expect("taken once, under the OnceLock");
            building
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
        })
    }
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter")
            .field("stopwords", &self.inner.stopwords.len())
            .finish()
    }
}

impl Segmenter {
    /// Builds a segmenter from jieba's default dictionary plus `dict`'s user words and stopwords.
    pub fn new(dict: &Dictionary) -> Result<Segmenter> {
        dict.validate(std::path::Path::new(""))?;
        let stopwords = dict.stopword_set();
        Ok(Segmenter {
            inner: Arc::new(Inner {
                jieba: Loading::start(dict.user_dict.clone()),
                stopwords,
                hmm: true,
            }),
        })
    }

    /// The segmenter with the dictionary embedded in the binary (from `corpora/dict/`).
    pub fn embedded() -> Segmenter {
        Segmenter::new(&Dictionary::embedded()).expect("the embedded dictionary is valid")
    }

    /// The underlying jieba instance (for keyword extraction in later stages).
    pub fn jieba(&self) -> &Jieba {
        self.inner.jieba.get()
    }

    /// Whether `term` (already normalised) is a stopword.
    pub fn is_stopword(&self, term: &str) -> bool {
        self.inner.stopwords.contains(term)
    }

    /// Calls `f(term, byte_from, byte_to)` for each kept term of `text`, in order. Terms are
    /// normalised (ASCII lower case, full-width folded); punctuation, whitespace and stopwords
    /// are dropped. Offsets are byte offsets into `text`.
    pub fn for_each_term(&self, text: &str, mut f: impl FnMut(&str, usize, usize)) {
        for tok in self.jieba().cut(text, self.inner.hmm) {
            let word = tok.word;
            if word.len() > MAX_TERM_BYTES || !word.chars().any(char::is_alphanumeric) {
                continue;
            }
            let norm = normalize(word);
            if self.inner.stopwords.contains(norm.as_ref()) {
                continue;
            }
            f(&norm, tok.byte_start, tok.byte_end);
        }
    }

    /// The part-of-speech tags (jieba's ICTCLAS set: n noun, v verb, r pronoun, d adverb …)
    /// of `word` cut alone: the dictionary's tag for a dictionary word, the HMM's guess for an
    /// unknown one, one tag per piece when the word cuts into several.
    pub fn tags<'a>(&'a self, word: &'a str) -> Vec<&'a str> {
        self.jieba()
            .tag(word, self.inner.hmm)
            .into_iter()
            .filter(|t| t.word.chars().any(char::is_alphanumeric))
            .map(|t| t.tag)
            .collect()
    }

    /// The kept terms of `text`, in order.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_term(text, |t, _, _| out.push(t.to_string()));
        out
    }

    /// The kept terms of `text` as tantivy tokens (byte offsets, positions are term ordinals).
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let mut tokens = Vec::with_capacity(text.len() / 4);
        self.for_each_term(text, |t, from, to| {
            let position = tokens.len();
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position,
                text: t.to_string(),
                position_length: 1,
            });
        });
        tokens
    }

    /// Segments `text` into a pre-tokenized value (for engines fed tokens rather than text).
    pub fn pre_tokenize(&self, text: &str) -> PreTokenizedString {
        PreTokenizedString {
            text: text.to_string(),
            tokens: self.tokens(text),
        }
    }
}

/// Folds full-width ASCII (ＡＰＰ, １２３４５) to half-width and lower-cases ASCII letters.
pub fn normalize(word: &str) -> Cow<'_, str> {
    if word.bytes().all(|b| !b.is_ascii_uppercase()) && !word.chars().any(is_fullwidth) {
        return Cow::Borrowed(word);
    }
    Cow::Owned(word.chars().map(normalize_char).collect())
}

fn is_fullwidth(c: char) -> bool {
    ('\u{ff01}'..='\u{ff5e}').contains(&c)
}

/// Normalises one character the same way as [`normalize`].
pub fn normalize_char(c: char) -> char {
    let c = if is_fullwidth(c) {
        char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
    } else {
        c
    };
    c.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_on_mixed_text() {
        let seg = Segmenter::embedded();
        let text = "市民拨打12345热线😀反映ＡＰＰ问题，PM2.5超标";
        let mut seen = Vec::new();
        seg.for_each_term(text, |t, a, b| {
            assert!(
                text.is_char_boundary(a) && text.is_char_boundary(b),
                "{t} {a} {b}"
            );
            seen.push((t.to_string(), text[a..b].to_string()));
        });
        // Full-width letters are folded (jieba cuts them one by one; grams keep the word).
        assert!(
            seen.iter().any(|(t, raw)| t == "p" && raw == "Ｐ"),
            "{seen:?}"
        );
        assert!(
            seen.iter().any(|(t, raw)| t == "pm2.5" && raw == "PM2.5"),
            "{seen:?}"
        );
        assert!(seen.iter().all(|(t, _)| t != "，" && t != "😀"));
    }

    #[test]
    fn tags_come_from_the_dictionary() {
        let seg = Segmenter::embedded();
        assert_eq!(seg.tags("我家"), ["r"]);
        assert_eq!(seg.tags("小区"), ["n"]);
        assert_eq!(seg.tags("我家附近"), ["r", "f"]);
        assert_eq!(seg.tags("常年"), ["d"]);
        // Unknown words: the HMM's guess for Han text, `eng` for Latin letters with digits.
        assert_eq!(seg.tags("有何"), ["r"]);
        assert_eq!(seg.tags("a8"), ["eng"]);
    }

    #[test]
    fn stopwords_are_dropped() {
        let seg = Segmenter::embedded();
        let terms = seg.terms("关于小区的停车问题");
        assert!(!terms.iter().any(|t| t == "的"), "{terms:?}");
        assert!(terms.iter().any(|t| t == "停车"), "{terms:?}");
    }
}
