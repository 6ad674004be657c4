//! A workaround for tantivy 0.27: a query evaluated up front into a bit set of its
//! documents, so that exclusion can seek it any way.

use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// A query evaluated up front into a bit set of its documents, per segment. Excluded words
/// (`-X`, `NOT X`) go through it: tantivy 0.27's exclusion seeks its docset with
/// `seek_danger`, and the phrase scorer's debug assertion rejects a seek once it has run out
/// of documents (a contract mismatch inside tantivy that panics in debug builds; found by
/// fuzzing the query builder with `no -is-is`). A bit set can be sought any way.
#[derive(Debug)]
pub(super) struct Materialized(pub(super) Box<dyn Query>);

impl Clone for Materialized {
    fn clone(&self) -> Self {
        Materialized(self.0.box_clone())
    }
}

impl Query for Materialized {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(MaterializedWeight(self.0.weight(enable_scoring)?)))
    }
}

struct MaterializedWeight(Box<dyn Weight>);

impl Weight for MaterializedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut inner = self.0.scorer(reader, boost)?;
        let mut docs = tantivy::BitSet::with_max_value(reader.max_doc().max(1));
        let mut doc = inner.doc();
        while doc != TERMINATED {
            docs.insert(doc);
            doc = inner.advance();
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}
