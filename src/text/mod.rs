//! Text as vectors, shared by the two pipelines (themes in [`crate::topics`], problems in
//! [`crate::problems`]): TF-IDF vectors of jieba terms and their nearest neighbours, the
//! words that may stand as keywords, keywords and labels from title phrases, and what an
//! editor is shown of a group of items.

pub mod graph;
pub mod label;
pub mod shown;
pub mod vectorize;
pub mod words;

/// Function words by part of speech: pronouns, adverbs, prepositions, conjunctions,
/// particles, modal words, interjections, onomatopoeia, numerals, quantifiers and locatives
/// (我家, 有何, 常年, 多次, 附近 …). Place words (s) stay: 路口, 门口 name where a problem is.
pub const FUNCTION_WORD_TAGS: [&str; 11] = ["r", "d", "p", "c", "u", "y", "e", "o", "m", "q", "f"];
