//! Running searches: the query with filters, BM25 or date order, total count, sector and
//! place facets, and snippets whose highlights mark the query's characters (so substring matches that
//! cross jieba's word boundaries are highlighted too).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use rayon::prelude::*;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::AggregationCollector;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use super::query::{self, Atom, Filters, Parsed, QueryBuilder};
use super::{document, ItemIndex};
use crate::error::Result;
use crate::item::Item;
use crate::segment::grams::GramKind;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// BM25 relevance, title weighted above body.
    #[default]
    Relevance,
    /// Most recent first (undated items last).
    Newest,
    /// Oldest first (undated items last).
    Oldest,
}

/// A search to run.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// Query text (`None`: every item passing the filters).
    pub query: Option<String>,
    pub filters: Filters,
    pub limit: usize,
    pub sort: SortBy,
    pub facets: bool,
}

/// Text with the byte ranges to highlight.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Highlighted {
    pub text: String,
    pub highlights: Vec<Range<usize>>,
}

/// One search hit.
#[derive(Debug, Clone)]
pub struct Hit {
    pub item: Item,
    /// BM25 score (relevance order only).
    pub score: Option<f32>,
    pub title: Highlighted,
    pub snippet: Highlighted,
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Number of matching items (not just those returned).
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Matching items per sector, most first (when asked for).
    pub facets: Option<Vec<(String, u64)>>,
    /// Matching items per named object (地点/人群), most first, the [`PLACE_FACETS`] most
    /// frequent (when asked for).
    pub place_facets: Option<Vec<(String, u64)>>,
}

/// How many named objects the place facets list.
pub const PLACE_FACETS: usize = 20;

/// Snippet length in bytes (about 80 Chinese characters).
const SNIPPET_BYTES: usize = 240;

impl ItemIndex {
    /// Runs a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let parsed = req.query.as_deref().map(query::parse).transpose()?;
        let builder = QueryBuilder {
            fields: &self.fields,
            segmenter: &self.segmenter,
        };
        let q = builder.build(parsed.as_ref(), &req.filters)?;
        let searcher = self.reader()?.searcher();
        let limit = req.limit.max(1);
        let (total, addresses): (usize, Vec<(Option<f32>, DocAddress)>) = match req.sort {
            SortBy::Relevance => {
                let (count, top) =
                    searcher.search(&q, &(Count, TopDocs::with_limit(limit).order_by_score()))?;
                (count, top.into_iter().map(|(s, a)| (Some(s), a)).collect())
            }
            SortBy::Newest | SortBy::Oldest => {
                let order = if req.sort == SortBy::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let by_date = TopDocs::with_limit(limit)
                    .order_by_fast_field::<tantivy::DateTime>(super::schema::names::DATE, order);
                let (count, top) = searcher.search(&q, &(Count, by_date))?;
                let (mut dated, undated): (Vec<_>, Vec<_>) =
                    top.into_iter().partition(|(d, _)| d.is_some());
                dated.extend(undated);
                (count, dated.into_iter().map(|(_, a)| (None, a)).collect())
            }
        };
        let highlighter = Highlighter::new(&searcher, &self.fields, parsed.as_ref())?;
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, addr) in addresses {
            hits.push(self.hit(&searcher, &highlighter, addr, score)?);
        }
        self.results(&searcher, &q, req.facets, total, hits)
    }

    /// A hit: the stored item at `addr`, its title and body snippet highlighted.
    fn hit(
        &self,
        searcher: &Searcher,
        highlighter: &Highlighter,
        addr: DocAddress,
        score: Option<f32>,
    ) -> Result<Hit> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let item = document::from_document(&self.fields, &doc, &self.segmenter);
        let title = highlighter.whole(&item.title);
        let snippet = highlighter.snippet(&item.body);
        Ok(Hit {
            item,
            score,
            title,
            snippet,
        })
    }

    /// The results, with sector and place facets of `q` when asked for.
    fn results(
        &self,
        searcher: &Searcher,
        q: &dyn Query,
        facets: bool,
        total: usize,
        hits: Vec<Hit>,
    ) -> Result<SearchResults> {
        let (facets, place_facets) = if facets {
            (
                Some(sector_facets(searcher, q)?),
                Some(self.place_facets(searcher, q)?),
            )
        } else {
            (None, None)
        };
        Ok(SearchResults {
            total,
            hits,
            facets,
            place_facets,
        })
    }

    /// Counts the items matching `q` per named object, most first, the [`PLACE_FACETS`] most
    /// frequent: from the `places` fast field, or in an index built before it from the names
    /// found in the stored items.
    fn place_facets(&self, searcher: &Searcher, q: &dyn Query) -> Result<Vec<(String, u64)>> {
        let docs = searcher.search(q, &DocSetCollector)?;
        let mut counts: HashMap<String, u64> = HashMap::new();
        if self.fields.places.is_some() {
            let readers = searcher.segment_readers();
            let mut per_segment: Vec<Vec<u32>> = vec![Vec::new(); readers.len()];
            for a in docs {
                per_segment[a.segment_ord as usize].push(a.doc_id);
            }
            for (reader, docs) in readers.iter().zip(per_segment) {
                let Some(col) = reader.fast_fields().str(super::schema::names::PLACES)? else {
                    continue;
                };
                let mut per_ord: HashMap<u64, u64> = HashMap::new();
                for d in docs {
                    for o in col.term_ords(d) {
                        *per_ord.entry(o).or_default() += 1;
                    }
                }
                let mut name = String::new();
                for (o, n) in per_ord {
                    name.clear();
                    col.ord_to_str(o, &mut name)?;
                    *counts.entry(name.clone()).or_default() += n;
                }
            }
        } else {
            let addresses: Vec<DocAddress> = docs.into_iter().collect();
            let lists = addresses
                .into_par_iter()
                .map(|a| {
                    let doc: TantivyDocument = searcher.doc(a)?;
                    Ok(document::from_document(&self.fields, &doc, &self.segmenter).places)
                })
                .collect::<Result<Vec<_>>>()?;
            for name in lists.into_iter().flatten() {
                *counts.entry(name).or_default() += 1;
            }
        }
        let mut out: Vec<(String, u64)> = counts.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(PLACE_FACETS);
        Ok(out)
    }

    /// Every item matching an optional query and the filters, ordered by id (for topic
    /// mining over a subset: a window, a sector, or a search's hits).
    pub fn collect(&self, query: Option<&str>, filters: &Filters) -> Result<Vec<Item>> {
        let searcher = self.reader()?.searcher();
        Ok(self
            .addressed(&searcher, query, filters)?
            .into_iter()
            .map(|(item, _)| item)
            .collect())
    }

    /// Fetches one item by id.
    pub fn get(&self, id: &str) -> Result<Option<Item>> {
        self.fetch(&self.reader()?.searcher(), id)
    }

    /// Fetches items by id with one searcher, in the order given; ids not in the index are
    /// left out.
    pub fn get_many<S: AsRef<str>>(&self, ids: &[S]) -> Result<Vec<Item>> {
        let searcher = self.reader()?.searcher();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.fetch(&searcher, id.as_ref())?);
        }
        Ok(out)
    }

    /// The item `id` as `searcher` sees it.
    fn fetch(&self, searcher: &Searcher, id: &str) -> Result<Option<Item>> {
        let q = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, addr)) => {
                let doc: TantivyDocument = searcher.doc(*addr)?;
                Ok(Some(document::from_document(
                    &self.fields,
                    &doc,
                    &self.segmenter,
                )))
            }
            None => Ok(None),
        }
    }
}

/// Counts matching items per sector with a terms aggregation on the sector fast field.
fn sector_facets(searcher: &Searcher, q: &dyn Query) -> Result<Vec<(String, u64)>> {
    let req: Aggregations = serde_json::from_value(serde_json::json!({
        "sectors": { "terms": { "field": super::schema::names::SECTOR, "size": 1000 } }
    }))
    .expect("static aggregation request");
    let collector = AggregationCollector::from_aggs(req, Default::default());
    let res = searcher.search(q, &collector)?;
    let json = serde_json::to_value(&res)
        .map_err(|e| crate::error::Error::Io(std::io::Error::other(e)))?;
    let mut out: Vec<(String, u64)> = json["sectors"]["buckets"]
        .as_array()
        .map(|b| {
            b.iter()
                .map(|b| {
                    (
                        b["key"].as_str().unwrap_or_default().to_string(),
                        b["doc_count"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(out)
}

/// Marks the query's characters in titles and bodies, as bigrams (so that 小区 marks the
/// word, not every 小 and 区), whichever grams the index holds.
struct Highlighter {
    generator: Option<SnippetGenerator>,
    whole: Option<SnippetGenerator>,
}

impl Highlighter {
    fn new(
        searcher: &Searcher,
        fields: &super::Fields,
        parsed: Option<&Parsed>,
    ) -> Result<Highlighter> {
        let mut terms: BTreeMap<String, f32> = BTreeMap::new();
        for (occur, atoms) in parsed.map(|p| p.groups.as_slice()).unwrap_or_default() {
            if *occur == tantivy::query::Occur::MustNot {
                continue;
            }
            for atom in atoms {
                let (Atom::Text(t, _) | Atom::Phrase(t)) = atom else {
                    continue;
                };
                for (_, g) in GramKind::Bigrams.grams(t) {
                    // Rarer grams weigh more in choosing the fragment; a single-character
                    // index bounds a bigram's frequency by its rarer character's.
                    let df = match fields.gram_kind {
                        GramKind::Bigrams => {
                            searcher.doc_freq(&Term::from_field_text(fields.grams, &g))?
                        }
                        GramKind::Chars => {
                            let mut least = u64::MAX;
                            for c in g.chars() {
                                let term =
                                    Term::from_field_text(fields.grams, c.encode_utf8(&mut [0; 4]));
                                least = least.min(searcher.doc_freq(&term)?);
                            }
                            least
                        }
                    };
                    terms.insert(g, 1.0 / (1.0 + df as f32));
                }
            }
        }
        if terms.is_empty() {
            return Ok(Highlighter {
                generator: None,
                whole: None,
            });
        }
        let make = |max| {
            SnippetGenerator::new(
                terms.clone(),
                TextAnalyzer::from(GramKind::Bigrams.tokenizer()),
                fields.body,
                max,
            )
        };
        Ok(Highlighter {
            generator: Some(make(SNIPPET_BYTES)),
            whole: Some(make(usize::MAX / 2)),
        })
    }

    /// The best fragment of `text`, or its beginning when nothing matches.
    fn snippet(&self, text: &str) -> Highlighted {
        if let Some(g) = &self.generator {
            let s = g.snippet(text);
            if !s.is_empty() {
                return Highlighted {
                    text: s.fragment().to_string(),
                    highlights: s.highlighted().to_vec(),
                };
            }
        }
        let mut end = SNIPPET_BYTES.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Highlighted {
            text: text[..end].to_string(),
            highlights: Vec::new(),
        }
    }

    /// All of `text` with its matches marked.
    fn whole(&self, text: &str) -> Highlighted {
        let highlights = match &self.whole {
            Some(g) => {
                let s = g.snippet(text);
                let start = s.fragment_range().start;
                s.highlighted()
                    .iter()
                    .map(|r| r.start + start..r.end + start)
                    .collect()
            }
            None => Vec::new(),
        };
        Highlighted {
            text: text.to_string(),
            highlights,
        }
    }
}

/// Candidates each leg of a hybrid search contributes before fusion.
const HYBRID_POOL: usize = 100;
/// Reciprocal rank fusion constant (the usual 60).
const RRF_K: f32 = 60.0;

impl ItemIndex {
    /// The item id of every document matching `q`, with its address.
    pub(super) fn ids_of(
        &self,
        searcher: &tantivy::Searcher,
        addresses: impl Iterator<Item = DocAddress>,
    ) -> Result<Vec<(String, DocAddress)>> {
        let mut columns = Vec::new();
        for seg in searcher.segment_readers() {
            columns.push(seg.fast_fields().str(super::schema::names::ID)?);
        }
        let mut out = Vec::new();
        let mut buf = String::new();
        for a in addresses {
            let Some(col) = &columns[a.segment_ord as usize] else {
                continue;
            };
            if let Some(ord) = col.term_ords(a.doc_id).next() {
                buf.clear();
                if col.ord_to_str(ord, &mut buf)? {
                    out.push((buf.clone(), a));
                }
            }
        }
        Ok(out)
    }

    /// Hybrid search: the BM25 ranking of the query and the ranking by `similarity` (an
    /// item id's closeness to the query, `None` for an item without a vector: the cosine of
    /// sentence vectors, which the caller computes, so that the index knows nothing of
    /// embeddings) among the items passing the filters are fused by reciprocal rank fusion,
    /// so that an item worded differently from the query (车位不足 for 停车难) is found too.
    /// Each leg contributes its best 100; `total` counts the fused candidates.
    pub fn search_hybrid(
        &self,
        req: &SearchRequest,
        similarity: &dyn Fn(&str) -> Option<f32>,
    ) -> Result<SearchResults> {
        use std::collections::HashMap;
        let parsed = req.query.as_deref().map(query::parse).transpose()?;
        let builder = QueryBuilder {
            fields: &self.fields,
            segmenter: &self.segmenter,
        };
        let lexical = builder.build(parsed.as_ref(), &req.filters)?;
        let filtered = builder.build(None, &req.filters)?;
        let searcher = self.reader()?.searcher();
        let top = searcher.search(&lexical, &TopDocs::with_limit(HYBRID_POOL).order_by_score())?;
        let lexical_ids = self.ids_of(&searcher, top.into_iter().map(|(_, a)| a))?;
        let mut allowed: Vec<DocAddress> = searcher
            .search(&filtered, &tantivy::collector::DocSetCollector)?
            .into_iter()
            .collect();
        allowed.sort();
        let mut semantic: Vec<(String, DocAddress, f32)> = self
            .ids_of(&searcher, allowed.into_iter())?
            .into_iter()
            .filter_map(|(id, a)| {
                let s = similarity(&id)?;
                Some((id, a, s))
            })
            .collect();
        semantic.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        semantic.truncate(HYBRID_POOL);
        let mut fused: HashMap<String, (f32, DocAddress)> = HashMap::new();
        for (rank, (id, a)) in lexical_ids.into_iter().enumerate() {
            fused.entry(id).or_insert((0.0, a)).0 += 1.0 / (RRF_K + rank as f32 + 1.0);
        }
        for (rank, (id, a, _)) in semantic.into_iter().enumerate() {
            fused.entry(id).or_insert((0.0, a)).0 += 1.0 / (RRF_K + rank as f32 + 1.0);
        }
        let mut ranked: Vec<(String, f32, DocAddress)> =
            fused.into_iter().map(|(id, (s, a))| (id, s, a)).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let total = ranked.len();
        let highlighter = Highlighter::new(&searcher, &self.fields, parsed.as_ref())?;
        let mut hits = Vec::new();
        for (_, score, addr) in ranked.into_iter().take(req.limit.max(1)) {
            hits.push(self.hit(&searcher, &highlighter, addr, Some(score))?);
        }
        self.results(&searcher, &filtered, req.facets, total, hits)
    }
}
