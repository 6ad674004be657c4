//! Property tests (proptest): counts add up for any mix of good and bad rows; any substring of
//! an indexed item finds it; highlight ranges fall on character boundaries.

use proptest::prelude::*;

use minyi::index::search::SearchRequest;
use minyi::index::ItemIndex;
use minyi::pipeline::{ingest, IngestConfig};

/// Chinese-looking text from a small alphabet (so substrings repeat across items), with
/// some ASCII, digits and punctuation.
fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            8 => proptest::sample::select("小区停车充电桩电梯加装老旧物业垃圾分类噪音扰民道路施工学校医院".chars().collect::<Vec<_>>()),
            1 => proptest::sample::select("，。、！？ABCxyz0123".chars().collect::<Vec<_>>()),
        ],
        min..max,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// One CSV row: good, or broken in one of several ways. Returns (line, is_good).
fn row() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        4 => (text(2, 12), text(0, 60)).prop_map(|(t, b)| (format!("{t},{b},2024-03-01"), true)),
        1 => (text(2, 12),).prop_map(|(t,)| (format!("{t},缺列"), false)),
        1 => (text(2, 12),).prop_map(|(t,)| (format!("{t},正文,2024-13-40"), false)),
        1 => (text(2, 12),).prop_map(|(t,)| (format!("{t},正文,2099-01-01"), false)),
        1 => Just((",,2024-03-01".to_string(), false)),
        1 => (text(2, 12),).prop_map(|(t,)| (format!("{t},多,余,列"), false)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn counts_add_up_for_any_mix_of_rows(rows in proptest::collection::vec(row(), 0..40)) {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("mix.csv");
        let mut content = String::from("标题,正文,报送时间\n");
        for (line, _) in &rows {
            content.push_str(line);
            content.push('\n');
        }
        std::fs::write(&csv, content).unwrap();
        let s = ingest(&IngestConfig::new(dir.path().join("ix"), vec![csv]), &|_, _, _| {}).unwrap();
        prop_assert_eq!(s.read, rows.len() as u64);
        prop_assert_eq!(s.read, s.new + s.updated + s.unchanged + s.rejected);
        let bad = rows.iter().filter(|(_, good)| !good).count() as u64;
        prop_assert_eq!(s.rejected, bad, "exactly the broken rows are rejected");
        let rejects = std::fs::read_to_string(dir.path().join("ix/rejects.csv")).unwrap();
        prop_assert_eq!(csv::Reader::from_reader(rejects.as_bytes()).records().count() as u64, bad);
    }

    #[test]
    fn any_substring_of_an_item_finds_it(
        items in proptest::collection::vec((text(4, 16), text(10, 80)), 1..12),
        pick in any::<prop::sample::Index>(),
        start in any::<prop::sample::Index>(),
        len in 2usize..8,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("items.csv");
        let mut content = String::from("编号,标题,正文\n");
        for (i, (t, b)) in items.iter().enumerate() {
            content.push_str(&format!("P{i},{t},{b}\n"));
        }
        std::fs::write(&csv, content).unwrap();
        let ix = dir.path().join("ix");
        ingest(&IngestConfig::new(ix.clone(), vec![csv]), &|_, _, _| {}).unwrap();
        let index = ItemIndex::open(&ix).unwrap();
        let k = pick.index(items.len());
        let body: Vec<char> = items[k].1.chars().collect();
        let len = len.min(body.len());
        let from = start.index(body.len() - len + 1);
        let needle: String = body[from..from + len].iter().collect();
        // Only substrings a person would search for: two or more letters, no punctuation.
        prop_assume!(needle.chars().all(|c| c.is_alphanumeric()) && needle.chars().count() >= 2);
        let res = index
            .search(&SearchRequest {
                query: Some(format!("\"{needle}\"")),
                limit: 100,
                ..Default::default()
            })
            .unwrap();
        let id = format!("P{k}");
        prop_assert!(
            res.hits.iter().any(|h| h.item.id == id),
            "'{}' is in {} but not found", needle, id
        );
        // Highlights fall on character boundaries of the text they mark.
        for h in &res.hits {
            for hl in [&h.title, &h.snippet] {
                for r in &hl.highlights {
                    prop_assert!(r.start <= r.end && r.end <= hl.text.len());
                    prop_assert!(hl.text.is_char_boundary(r.start) && hl.text.is_char_boundary(r.end));
                }
            }
        }
    }
}
