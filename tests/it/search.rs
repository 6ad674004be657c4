//! Search: filters against counts computed from the sample itself, query syntax, output
//! formats and exit codes.

use std::collections::HashSet;

use crate::util::{sample, sample_index, sample_rows, Workdir};

fn ids(hits: &[serde_json::Value]) -> HashSet<String> {
    hits.iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// Ids of sample rows whose title or body contains `needle`.
fn containing(needle: &str) -> HashSet<String> {
    sample_rows()
        .into_iter()
        .filter(|r| r["标题"].contains(needle) || r["正文"].contains(needle))
        .map(|r| r["编号"].clone())
        .collect()
}

#[test]
fn verbatim_substrings_and_unspaced_queries_match() {
    let w = sample_index();
    for needle in ["加装电梯", "长者食堂", "充电", "退费", "黑臭水体", "梯协"] {
        let expected = containing(needle);
        assert!(!expected.is_empty(), "{needle} occurs in the sample");
        let (_, hits, summary) = w.search(&[needle]);
        let found = ids(&hits);
        assert!(
            expected.is_subset(&found),
            "{needle}: missing {:?}",
            expected.difference(&found).collect::<Vec<_>>()
        );
        assert!(summary["total"].as_u64().unwrap() as usize >= expected.len());
        // Quoted: exactly the items holding the string verbatim.
        let (_, hits, _) = w.search(&[&format!("\"{needle}\"")]);
        assert_eq!(ids(&hits), expected, "phrase {needle}");
    }
}

#[test]
fn boolean_operators() {
    let w = sample_index();
    let a = ids(&w.search(&["\"长者食堂\""]).1);
    let b = ids(&w.search(&["\"加装电梯\""]).1);
    let or = ids(&w.search(&["\"长者食堂\" OR \"加装电梯\""]).1);
    assert_eq!(or, a.union(&b).cloned().collect());
    let not = ids(&w.search(&["\"加装电梯\" -推诿"]).1);
    let with = containing("推诿");
    assert_eq!(not, b.difference(&with).cloned().collect::<HashSet<_>>());
    assert!(!not.is_empty() && not.len() < b.len());
    let not2 = ids(&w.search(&["\"加装电梯\" NOT 推诿"]).1);
    assert_eq!(not, not2);
    let and = ids(&w.search(&["\"加装电梯\" AND 推诿"]).1);
    assert_eq!(and, b.intersection(&with).cloned().collect());
}

#[test]
fn filters_match_the_sample() {
    let w = sample_index();
    let rows = sample_rows();
    let all = |extra: &[&str]| {
        let mut args = vec!["\"建议\" OR 的"];
        args.extend_from_slice(extra);
        ids(&w.search(&args).1)
    };
    let base = all(&[]);
    let sector = rows[0]["界别"].clone();
    let expected: HashSet<String> = rows
        .iter()
        .filter(|r| r["界别"] == sector && base.contains(&r["编号"]))
        .map(|r| r["编号"].clone())
        .collect();
    assert_eq!(all(&["--sector", &sector]), expected);

    let instructed: HashSet<String> = rows
        .iter()
        .filter(|r| !r["领导批示"].trim().is_empty() && base.contains(&r["编号"]))
        .map(|r| r["编号"].clone())
        .collect();
    assert!(!instructed.is_empty());
    assert_eq!(all(&["--instructed"]), instructed);

    let city: HashSet<String> = rows
        .iter()
        .filter(|r| r["采用级别"] == "市级采用" && base.contains(&r["编号"]))
        .map(|r| r["编号"].clone())
        .collect();
    assert_eq!(all(&["--adoption", "city"]), city);

    // Dates in the window 2024Q4, parsed from the CSV in every format it uses.
    let (lo, hi) = minyi::index::query::parse_period("2024Q4").unwrap();
    let q4: HashSet<String> = rows
        .iter()
        .filter(|r| {
            minyi::ingest::dates::parse_date(&r["报送时间"])
                .unwrap()
                .is_some_and(|d| d >= lo && d < hi)
        })
        .filter(|r| base.contains(&r["编号"]))
        .map(|r| r["编号"].clone())
        .collect();
    assert!(q4.len() > 50, "the sample's hot quarter");
    assert_eq!(all(&["--from", "2024Q4", "--to", "2024-12-31"]), q4);
}

#[test]
fn sort_facets_and_title_weighting() {
    let w = sample_index();
    let (_, hits, summary) = w.search(&["电梯", "--sort", "newest", "--facets"]);
    let dates: Vec<&str> = hits
        .iter()
        .map(|h| h["submitted_at"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    let facet_total: u64 = summary["facets"]["sector"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert_eq!(facet_total, summary["total"].as_u64().unwrap());
    // Relevance: the best hit for a title word has it in its title.
    let (_, hits, _) = w.search(&["长者食堂"]);
    assert!(
        hits[0]["title"].as_str().unwrap().contains("食堂"),
        "{}",
        hits[0]
    );
    assert!(
        hits[0]["snippet"].as_str().unwrap().contains("<b>")
            || hits[0]["title_html"].as_str().unwrap().contains("<b>")
    );
}

#[test]
fn table_and_csv_outputs() {
    let w = sample_index();
    let r = w.run(&["search", "长者食堂", "--limit", "3"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("共找到") && r.stdout.contains("编号") && r.stdout.contains("长者食堂"),
        "{}",
        r.stdout
    );
    let r = w.run(&["search", "长者食堂", "--format", "csv"]);
    assert!(r.stdout.starts_with('\u{feff}'));
    let mut rd = csv::Reader::from_reader(r.stdout.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(&rd.headers().unwrap()[0], "编号");
    assert!(rd.records().count() > 0);
    let show = w.run(&["show", "SQ2023-0001"]);
    assert_eq!(show.code, 0);
    assert!(show.stdout.contains("报送人") && show.stdout.contains("正文"));
}

#[test]
fn exit_codes() {
    let w = sample_index();
    assert_eq!(
        w.run(&["search", "量子纠缠火星殖民"]).code,
        1,
        "no hits exits 1"
    );
    let bad = w.run(&["search", "\"未闭合"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("malformed query"), "{}", bad.stderr);
    assert_eq!(w.run(&["search", "停车", "--from", "明年"]).code, 2);
    assert_eq!(w.run(&["show", "no-such-id"]).code, 1);
    let missing = Workdir::new();
    let r = missing.run(&["search", "停车"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no index at"), "{}", r.stderr);
}

#[test]
fn excluding_a_word_whose_phrase_never_matches_does_not_panic() {
    // Found by fuzzing: tantivy's phrase scorer asserted on the exclusion's seek once it had
    // run out of documents; excluded words are now evaluated into a bit set first.
    let w = Workdir::new();
    let f = w.write(
        "q.csv",
        "编号,标题,正文\nQ1,关于加装电梯的建议,协调难\nQ3,道路施工噪音扰民,夜间施工 noise 影响休息\n",
    );
    w.ingest(&[&f], &[]);
    let (code, hits, _) = w.search(&["no -is-is"]);
    assert_eq!(code, 0);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["id"], "Q3");
    let (_, hits, _) = w.search(&["施工 -noise"]);
    assert!(hits.is_empty(), "the excluded word still excludes");
    let (_, hits, _) = w.search(&["施工 NOT \"加装电梯\""]);
    assert_eq!(hits.len(), 1);
}

/// Copies a directory tree (a fixture index into a test's work directory).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// An index made before single-character grams holds bigrams (tests/fixtures/index-bigrams:
/// the first 12 sample items, ingested by minyi at 92f4660). It is still searched by
/// substring, takes new items with its own grams, and mines topics.
#[test]
fn an_index_of_bigrams_is_still_read_and_written() {
    use minyi::segment::grams::GramKind;
    let w = Workdir::new();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/index-bigrams");
    copy_tree(&fixture, &w.index());
    let kind = || {
        minyi::index::ItemIndex::open(&w.index())
            .unwrap()
            .fields
            .gram_kind
    };
    assert_eq!(kind(), GramKind::Bigrams);
    let first12: HashSet<String> = (1..=12).map(|i| format!("SQ2023-{i:04}")).collect();
    let rows = sample_rows();
    let expect = |needle: &str, within: &HashSet<String>| -> HashSet<String> {
        rows.iter()
            .filter(|r| within.contains(&r["编号"]))
            .filter(|r| r["标题"].contains(needle) || r["正文"].contains(needle))
            .map(|r| r["编号"].clone())
            .collect()
    };
    // Substrings that start or end inside jieba's words.
    for needle in ["中村污水", "梯低层住", "婴幼儿照"] {
        let want = expect(needle, &first12);
        assert!(!want.is_empty(), "{needle}");
        assert_eq!(
            ids(&w.search(&[&format!("\"{needle}\"")]).1),
            want,
            "{needle}"
        );
    }
    // Seventeen more items, written with the index's bigrams.
    let text = std::fs::read_to_string(sample()).unwrap();
    let more: Vec<&str> = text.lines().take(30).collect();
    let v = w.ingest(&[&w.write("more.csv", more.join("\n"))], &[]);
    assert_eq!(
        (v["new"].as_u64(), v["unchanged"].as_u64()),
        (Some(17), Some(12)),
        "{v}"
    );
    assert_eq!(kind(), GramKind::Bigrams);
    let first29: HashSet<String> = (1..=29).map(|i| format!("SQ2023-{i:04}")).collect();
    for needle in ["中村污水", "车司机收", "签而不"] {
        let want = expect(needle, &first29);
        assert!(
            want.iter().any(|id| !first12.contains(id)),
            "{needle} is in a new item"
        );
        assert_eq!(
            ids(&w.search(&[&format!("\"{needle}\"")]).1),
            want,
            "{needle}"
        );
    }
    let r = w.run(&["topics", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let topics: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(topics["items"], 29);
}
