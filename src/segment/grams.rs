//! Character grams over runs of letters, digits and Han characters, indexed with positions:
//! every verbatim substring of an item is then findable by a phrase query over them, whatever
//! jieba made of the surrounding text (estate names, unit names, place names).
//!
//! New indexes hold single characters ([`GramKind::Chars`]); indexes built before hold
//! bigrams ([`GramKind::Bigrams`]), which the same code still reads and queries. Measured in
//! one run of `cargo bench --bench ingest` (2 cores): single characters make `minyi ingest`
//! of the 12,461 news articles 3.45 s → 2.38 s and of 1,000,000 items 101 s → 62 s (a few
//! thousand distinct characters keep tantivy's term table in cache, where bigrams are
//! millions of terms), the index 18% smaller, and search slower but within its target: p50
//! 4.5 → 5.6 ms, p95 6.9 → 30.3 ms on the 1M index (a phrase of common characters reads
//! longer postings than one of rarer bigrams).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Which grams the substring field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GramKind {
    /// One gram per character (new indexes).
    Chars,
    /// One gram per pair of adjacent characters; a run of one character yields it (indexes
    /// built before single characters).
    Bigrams,
}

impl GramKind {
    /// Name under which this kind's tokenizer is registered in an index.
    pub fn tokenizer_name(self) -> &'static str {
        match self {
            GramKind::Chars => "minyi_chars",
            GramKind::Bigrams => "minyi_bigram",
        }
    }

    /// The kind whose tokenizer is registered as `name`.
    pub fn from_tokenizer_name(name: &str) -> Option<GramKind> {
        [GramKind::Chars, GramKind::Bigrams]
            .into_iter()
            .find(|k| k.tokenizer_name() == name)
    }

    /// The tokenizer of this kind.
    pub fn tokenizer(self) -> GramTokenizer {
        GramTokenizer { kind: self }
    }

    /// Calls `f(gram, position, byte_from, byte_to)` for each gram of `text`. Runs are
    /// separated by a position gap, so a phrase never spans punctuation or whitespace.
    pub fn for_each_gram(self, text: &str, mut f: impl FnMut(&str, usize, usize, usize)) {
        let mut stream = GramStream::new(self, text);
        while stream.advance() {
            let t = stream.token();
            f(&t.text, t.position, t.offset_from, t.offset_to);
        }
    }

    /// The grams of `text` with their positions (for building phrase queries).
    pub fn grams(self, text: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        self.for_each_gram(text, |g, pos, _, _| out.push((pos, g.to_string())));
        out
    }
}

/// Letters, digits and Han characters; the common Han block is checked first because
/// `char::is_alphanumeric` takes a slow table lookup for it.
#[inline]
fn is_word_char(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || c.is_alphanumeric()
}

/// tantivy tokenizer emitting the grams of one [`GramKind`].
#[derive(Clone, Copy, Debug)]
pub struct GramTokenizer {
    kind: GramKind,
}

/// Token stream of [`GramTokenizer`]: walks the text once, reusing one token (no allocation
/// per gram, which matters: there is one gram per character of every item).
pub struct GramStream<'a> {
    kind: GramKind,
    chars: std::str::CharIndices<'a>,
    /// Previous character of the current run (bigrams): normalised, and its byte range.
    prev: Option<(char, usize, usize)>,
    run_len: usize,
    next_position: usize,
    token: Token,
}

impl<'a> GramStream<'a> {
    fn new(kind: GramKind, text: &'a str) -> GramStream<'a> {
        GramStream {
            kind,
            chars: text.char_indices(),
            prev: None,
            run_len: 0,
            next_position: 0,
            token: Token::default(),
        }
    }

    fn emit(&mut self, a: char, b: Option<char>, from: usize, to: usize) {
        self.token.text.clear();
        self.token.text.push(a);
        if let Some(b) = b {
            self.token.text.push(b);
        }
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.next_position;
        self.token.position_length = 1;
        self.next_position += 1;
    }

    /// Ends the current run; with bigrams, a one-character run yields its character.
    /// Returns whether a token was emitted.
    fn end_run(&mut self) -> bool {
        let single = match self.kind {
            GramKind::Bigrams if self.run_len == 1 => self.prev,
            _ => None,
        };
        if let Some((c, from, to)) = single {
            self.emit(c, None, from, to);
        }
        if self.run_len > 0 {
            self.next_position += 1; // gap between runs
        }
        self.prev = None;
        self.run_len = 0;
        single.is_some()
    }
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramStream<'a> {
        GramStream::new(self.kind, text)
    }
}

impl TokenStream for GramStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((i, c)) = self.chars.next() {
            if !is_word_char(c) {
                if self.end_run() {
                    return true;
                }
                continue;
            }
            let norm = super::normalize_char(c);
            let end = i + c.len_utf8();
            self.run_len += 1;
            match self.kind {
                GramKind::Chars => {
                    self.emit(norm, None, i, end);
                    return true;
                }
                GramKind::Bigrams => {
                    if let Some((p, p_from, _)) = self.prev.replace((norm, i, end)) {
                        self.emit(p, Some(norm), p_from, end);
                        return true;
                    }
                }
            }
        }
        self.end_run()
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(kind: GramKind, text: &str) -> Vec<String> {
        kind.grams(text)
            .iter()
            .map(|(p, t)| format!("{p}:{t}"))
            .collect()
    }

    #[test]
    fn grams_with_gaps() {
        assert_eq!(
            shown(GramKind::Bigrams, "市民出行，A3区"),
            ["0:市民", "1:民出", "2:出行", "4:a3", "5:3区"]
        );
        assert_eq!(shown(GramKind::Bigrams, "停 水"), ["0:停", "2:水"]);
        assert_eq!(
            shown(GramKind::Chars, "市民出行，A3区"),
            ["0:市", "1:民", "2:出", "3:行", "5:a", "6:3", "7:区"]
        );
        assert_eq!(shown(GramKind::Chars, "停 水"), ["0:停", "2:水"]);
        assert!(GramKind::Chars.grams("，。 ").is_empty());
    }

    #[test]
    fn kinds_round_trip_through_their_tokenizer_names() {
        for kind in [GramKind::Chars, GramKind::Bigrams] {
            assert_eq!(
                GramKind::from_tokenizer_name(kind.tokenizer_name()),
                Some(kind)
            );
        }
        assert_eq!(GramKind::from_tokenizer_name("minyi_jieba"), None);
    }

    #[test]
    fn offsets_are_char_boundaries() {
        let text = "😀小区Ａ栋🚗停车，Ｐ";
        let check = |kind: GramKind| {
            let mut seen = Vec::new();
            kind.for_each_gram(text, |g, _, a, b| {
                assert!(text.is_char_boundary(a) && text.is_char_boundary(b));
                seen.push(format!("{g}={}", &text[a..b]));
            });
            seen
        };
        assert_eq!(
            check(GramKind::Bigrams),
            ["小区=小区", "区a=区Ａ", "a栋=Ａ栋", "停车=停车", "p=Ｐ"]
        );
        assert_eq!(
            check(GramKind::Chars),
            ["小=小", "区=区", "a=Ａ", "栋=栋", "停=停", "车=车", "p=Ｐ"]
        );
    }
}
