//! tantivy glue for the [`Segmenter`]: the analyser registered on the title and body fields,
//! so tantivy's indexing threads (one per core) segment in parallel over one shared jieba
//! instance, and snippets segment exactly like ingest does.
//!
//! Why not `tantivy_jieba::JiebaTokenizer`: it owns its `Jieba` by value, and tantivy clones
//! a tokenizer for every segment writer, query and snippet, so a custom dictionary would be
//! copied (tens of MB) each time; its defaults are also search mode with character positions.
//! This tokenizer shares one instance through the `Segmenter`'s `Arc` and applies the same
//! normalisation and stopwords as queries. (Pre-tokenizing in rayon and handing tantivy
//! `PreTokenizedString`s was measured slower: tantivy round-trips them through JSON.)

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::Segmenter;

/// Name under which the jieba analyser is registered in the index (the gram analysers'
/// names: [`super::grams::GramKind::tokenizer_name`]).
pub const JIEBA: &str = "minyi_jieba";

/// tantivy tokenizer backed by a shared [`Segmenter`].
#[derive(Clone)]
pub struct SegmenterTokenizer(pub Segmenter);

/// Token stream of [`SegmenterTokenizer`]: the kept terms' byte ranges, turned into tokens
/// one at a time (one reused token, no allocation per term).
pub struct SegmenterStream<'a> {
    text: &'a str,
    spans: Vec<(usize, usize)>,
    index: usize,
    token: Token,
}

impl Tokenizer for SegmenterTokenizer {
    type TokenStream<'a> = SegmenterStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SegmenterStream<'a> {
        let mut spans = Vec::with_capacity(text.len() / 4);
        self.0
            .for_each_term(text, |_, from, to| spans.push((from, to)));
        SegmenterStream {
            text,
            spans,
            index: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for SegmenterStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(&(from, to)) = self.spans.get(self.index) else {
            return false;
        };
        self.token.text.clear();
        self.token
            .text
            .push_str(&super::normalize(&self.text[from..to]));
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.index;
        self.token.position_length = 1;
        self.index += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}
