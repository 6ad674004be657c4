//! Character bigrams over runs of letters, digits and Han characters. Indexed with positions,
//! they make every verbatim substring of two or more characters findable by a phrase query,
//! whatever jieba made of the surrounding text (estate names, unit names, place names).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Calls `f(gram, position, byte_from, byte_to)` for each bigram of `text`. A run of a single
/// character yields that character. Runs are separated by a position gap, so a phrase never
/// spans punctuation or whitespace.
pub fn for_each_gram(text: &str, mut f: impl FnMut(&str, usize, usize, usize)) {
    let mut prev: Option<(char, usize)> = None;
    let mut run_len = 0usize;
    let mut position = 0usize;
    let mut buf = String::with_capacity(8);
    let mut last_single: Option<(char, usize, usize)> = None;
    for (i, c) in text.char_indices() {
        if !c.is_alphanumeric() {
            if run_len == 1 {
                if let Some((ch, from, to)) = last_single.take() {
                    buf.clear();
                    buf.push(ch);
                    f(&buf, position, from, to);
                    position += 1;
                }
            }
            if run_len > 0 {
                position += 1; // gap between runs
            }
            prev = None;
            run_len = 0;
            continue;
        }
        let c_norm = super::normalize_char(c);
        run_len += 1;
        if let Some((p, p_from)) = prev {
            buf.clear();
            buf.push(p);
            buf.push(c_norm);
            f(&buf, position, p_from, i + c.len_utf8());
            position += 1;
        } else {
            last_single = Some((c_norm, i, i + c.len_utf8()));
        }
        prev = Some((c_norm, i));
    }
    if run_len == 1 {
        if let Some((ch, from, to)) = last_single {
            buf.clear();
            buf.push(ch);
            f(&buf, position, from, to);
        }
    }
}

/// The bigrams of `text` with their positions (for building phrase queries).
pub fn grams(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for_each_gram(text, |g, pos, _, _| out.push((pos, g.to_string())));
    out
}

/// tantivy tokenizer emitting [`for_each_gram`]'s bigrams.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

/// Token stream of [`BigramTokenizer`].
pub struct BigramStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream {
        let mut tokens = Vec::with_capacity(text.len() / 2);
        for_each_gram(text, |g, position, from, to| {
            tokens.push(Token { offset_from: from, offset_to: to, position, text: g.to_string(), position_length: 1 })
        });
        BigramStream { tokens, index: 0 }
    }
}

impl TokenStream for BigramStream {
    fn advance(&mut self) -> bool {
        self.index += 1;
        self.index <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
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
        let text = "😀小区Ａ栋🚗停车";
        for_each_gram(text, |_, _, a, b| assert!(text.is_char_boundary(a) && text.is_char_boundary(b)));
    }
}
