//! Query builder: any query text is parsed and run against a small index — it returns hits
//! or a clear error, never a panic, and highlights fall on character boundaries.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use minyi::index::search::SearchRequest;
use minyi::index::ItemIndex;
use minyi::pipeline::{ingest, IngestConfig};

fn index() -> &'static ItemIndex {
    static INDEX: OnceLock<(tempfile::TempDir, ItemIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let csv = dir.path().join("items.csv");
            std::fs::write(
                &csv,
                "编号,标题,正文,界别\nQ1,关于老旧小区加装电梯的建议,一楼住户反对，协调难,经济界\n\
                 Q2,电动自行车充电难,小区充电桩不足，楼道充电有隐患,民盟\n\
                 Q3,\"A市\"道路施工噪音扰民,夜间施工 noise 影响休息,教育界\n",
            )
            .expect("write");
            let ix = dir.path().join("ix");
            ingest(&IngestConfig::new(ix.clone(), vec![csv]), &|_, _, _| {}).expect("ingest");
            let index = ItemIndex::open(&ix).expect("open");
            (dir, index)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    let req = SearchRequest {
        query: Some(q.to_string()),
        limit: 10,
        ..Default::default()
    };
    if let Ok(res) = index().search(&req) {
        for h in &res.hits {
            for hl in [&h.title, &h.snippet] {
                for r in &hl.highlights {
                    assert!(hl.text.is_char_boundary(r.start) && hl.text.is_char_boundary(r.end));
                }
            }
        }
    }
});
