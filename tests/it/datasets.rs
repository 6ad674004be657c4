//! The dataset tier: real citizen messages from `../shared/datasets` (CI runs these with
//! `--ignored`; they fail, not skip, when the data is missing).

use crate::util::{dataset, Workdir};

const NEEDS: &str = "needs ../shared/datasets";

#[test]
#[ignore = "needs ../shared/datasets"]
fn real_messages_csv_and_xlsx_yield_4326_items_each() {
    let _ = NEEDS;
    for file in [
        "tipdm2020c/messages_with_votes.csv",
        "tipdm2020c/messages_with_votes.xlsx",
    ] {
        let w = Workdir::new();
        let s = w.ingest(&[&dataset(file)], &[]);
        assert_eq!(
            (s["new"].as_u64(), s["rejected"].as_u64()),
            (Some(4326), Some(0)),
            "{file}"
        );
        let (code, hits, summary) = w.search(&["市民出行"]);
        assert_eq!(code, 0);
        assert!(
            summary["total"].as_u64().unwrap() >= 10 && !hits.is_empty(),
            "{file}: {summary}"
        );
    }
}

/// Substring completeness: strings of 2–8 Han characters cut from real titles and bodies
/// find their item, whatever jieba makes of the surrounding text.
#[test]
#[ignore = "needs ../shared/datasets"]
fn substring_recall_on_real_messages() {
    use minyi::index::search::SearchRequest;

    let w = Workdir::new();
    let path = dataset("tipdm2020c/messages_with_votes.csv");
    w.ingest(&[&path], &[]);
    let index = minyi::index::ItemIndex::open(&w.index()).unwrap();
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let rows: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                format!(
                    "{} {}",
                    minyi::ingest::clean::clean_text(&r[2]),
                    minyi::ingest::clean::clean_text(&r[4])
                ),
            )
        })
        .collect();
    // Deterministic sampling (xorshift), 300 substrings of Han characters only.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let is_han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let (mut tried, mut found, mut misses) = (0, 0, Vec::new());
    while tried < 300 {
        let (id, text) = &rows[(next() % rows.len() as u64) as usize];
        let chars: Vec<char> = text.chars().collect();
        let len = 2 + (next() % 7) as usize;
        if chars.len() <= len {
            continue;
        }
        let start = (next() % (chars.len() - len) as u64) as usize;
        let sub: String = chars[start..start + len].iter().collect();
        if !sub.chars().all(is_han) {
            continue;
        }
        tried += 1;
        let req = SearchRequest {
            query: Some(format!("{sub} id:{id}")),
            limit: 1,
            ..Default::default()
        };
        if index.search(&req).unwrap().total == 1 {
            found += 1;
        } else {
            misses.push(sub);
        }
    }
    let recall = found as f64 / tried as f64;
    println!("substring recall {recall:.4} over {tried} substrings; misses: {misses:?}");
    assert!(recall >= 0.99, "recall {recall} < 0.99; misses {misses:?}");
}
