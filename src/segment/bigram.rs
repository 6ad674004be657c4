//! Character bigrams over runs of letters, digits and Han characters. Indexed with positions,
//! they make every verbatim substring of two or more characters findable by a phrase query,
//! whatever jieba made of the surrounding text (estate names, unit names, place names).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Calls `f(gram, position, byte_from, byte_to)` for each bigram of `text`. A run of a single
/// character yields that character. Runs are separated by a position gap, so a phrase never
/// spans punctuation or whitespace.
pub fn for_each_gram(text: &str, mut f: impl FnMut(&str, usize, usize, usize)) {
    let mut stream = BigramStream::new(text);
    while stream.advance() {
        let t = stream.token();
        f(&t.text, t.position, t.offset_from, t.offset_to);
    }
}

/// The bigrams of `text` with their positions (for building phrase queries).
pub fn grams(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for_each_gram(text, |g, pos, _, _| out.push((pos, g.to_string())));
    out
}

/// Letters, digits and Han characters; the common Han block is checked first because
/// `char::is_alphanumeric` takes a slow table lookup for it.
#[inline]
fn is_word_char(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || c.is_alphanumeric()
}

/// tantivy tokenizer emitting [`for_each_gram`]'s bigrams.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

/// Token stream of [`BigramTokenizer`]: walks the text once, reusing one token (no
/// allocation per gram, which matters: there is one gram per character of every item).
pub struct BigramStream<'a> {
    chars: std::str::CharIndices<'a>,
    /// Previous character of the current run: normalised, and its original byte range.
    prev: Option<(char, usize, usize)>,
    run_len: usize,
    next_position: usize,
    token: Token,
}

impl<'a> BigramStream<'a> {
    fn new(text: &'a str) -> BigramStream<'a> {
        BigramStream {
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

    /// Ends the current run; a one-character run yields its character. Returns whether a
    /// token was emitted.
    fn end_run(&mut self) -> bool {
        let single = if self.run_len == 1 { self.prev } else { None };
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

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BigramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream<'a> {
        BigramStream::new(text)
    }
}

impl TokenStream for BigramStream<'_> {
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
            if let Some((p, p_from, _)) = self.prev.replace((norm, i, end)) {
                self.emit(p, Some(norm), p_from, end);
                return true;
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

    #[test]
    fn bigrams_with_gaps() {
        let g = grams("市民出行，A3区");
        let texts: Vec<_> = g.iter().map(|(p, t)| format!("{p}:{t}")).collect();
        assert_eq!(texts, vec!["0:市民", "1:民出", "2:出行", "4:a3", "5:3区"]);
        let g = grams("停 水");
        assert_eq!(g, vec![(0, "停".to_string()), (2, "水".to_string())]);
    }

    #[test]
    fn offsets_are_char_boundaries() {
        let text = "😀小区Ａ栋🚗停车，Ｐ";
        let mut seen = Vec::new();
        for_each_gram(text, |g, _, a, b| {
            assert!(text.is_char_boundary(a) && text.is_char_boundary(b));
            seen.push((g.to_string(), text[a..b].to_string()));
        });
        let want: Vec<(String, String)> = [
            ("小区", "小区"),
            ("区a", "区Ａ"),
            ("a栋", "Ａ栋"),
            ("停车", "停车"),
            ("p", "Ｐ"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(seen, want);
    }
}
