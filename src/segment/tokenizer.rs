//! tantivy glue for the [`Segmenter`]: registered on every index so snippets and any
//! tantivy-side analysis segment exactly like ingest does.
//!
//! Why not `tantivy_jieba::JiebaTokenizer`: it owns its `Jieba` by value, and tantivy clones
//! a tokenizer for every segment writer, query and snippet, so a custom dictionary would be
//! copied (tens of MB) each time; its defaults are also search mode with character positions.
//! This tokenizer shares one instance through the `Segmenter`'s `Arc` and applies the same
//! normalisation and stopwords as ingest.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::Segmenter;

/// Name under which the jieba analyser is registered in the index.
pub const JIEBA: &str = "minyi_jieba";
/// Name under which the bigram analyser is registered in the index.
pub const BIGRAM: &str = "minyi_bigram";

/// tantivy tokenizer backed by a shared [`Segmenter`].
#[derive(Clone)]
pub struct SegmenterTokenizer(pub Segmenter);

/// Token stream of [`SegmenterTokenizer`].
pub struct SegmenterStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for SegmenterTokenizer {
    type TokenStream<'a> = SegmenterStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SegmenterStream {
        SegmenterStream { tokens: self.0.tokens(text), index: 0 }
    }
}

impl TokenStream for SegmenterStream {
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
