//! Named objects (地点/人群): indexed at ingest, selected with `--place` (whole name or its
//! ending), counted by `--facets`, shown by `show`, exchanged by `export`/`segment`; and an
//! index built before they were indexed still opens and finds them on reading.

use std::collections::BTreeSet;

use crate::util::{ok, piped, Workdir};

/// One estate written three ways (with its district and 小区, with its district only), and
/// a name with and without a prefix.
const ITEMS: &str = "编号,标题,正文,报送时间
P1,A2区丽发新城小区旁边新建搅拌站噪音扰民,我们是A2区丽发新城小区的业主，小区旁边新建的搅拌站每天夜里施工，噪音很大。,2024-07-01
P2,A2区丽发新城停车位不足,A2区丽发新城的车位不足，业主停车难。,2024-07-02
P3,星沙中茂城停车难,星沙中茂城车位不足，车辆乱停乱放。,2024-07-03
P4,中茂城垃圾清运不及时,中茂城的垃圾清运不及时，气味难闻。,2024-07-04
P5,关于食品安全的建议,近期食品安全问题频发，建议加强监管。,2024-07-05
";

fn ids(w: &Workdir, args: &[&str]) -> BTreeSet<String> {
    let (_, hits, _) = w.search(args);
    hits.iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn places(v: &serde_json::Value) -> Vec<String> {
    v["places"]
        .as_array()
        .unwrap_or_else(|| panic!("no places in {v}"))
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn place_finds_a_name_whole_or_by_its_ending() {
    let w = Workdir::new();
    w.ingest(&[&w.write("items.csv", ITEMS)], &[]);
    let estate = set(&["P1", "P2"]);
    // Whole names, the name less 小区, with its coded district: the same two items.
    assert_eq!(ids(&w, &["--place", "丽发新城小区"]), estate);
    assert_eq!(ids(&w, &["--place", "丽发新城"]), estate);
    assert_eq!(ids(&w, &["--place", "A2区丽发新城"]), estate);
    // An ending finds the longer name; the longer name does not find the shorter.
    assert_eq!(ids(&w, &["--place", "中茂城"]), set(&["P3", "P4"]));
    assert_eq!(ids(&w, &["--place", "星沙中茂城"]), set(&["P3"]));
    // With a query, and as `place:` in the query.
    assert_eq!(ids(&w, &["停车", "--place", "丽发新城"]), set(&["P2"]));
    assert_eq!(ids(&w, &["停车 place:中茂城"]), set(&["P3"]));
    assert_eq!(ids(&w, &["停车 -place:中茂城"]), set(&["P2"]));
    // A name no item has is refused with the closest ones.
    let r = w.run(&["search", "--place", "新城"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("closest places") && r.stderr.contains("丽发新城"),
        "{}",
        r.stderr
    );

    // Hits and facets carry the names.
    let (_, hits, summary) = w.search(&["--place", "丽发新城", "--facets"]);
    for h in &hits {
        assert!(places(h).iter().any(|p| p.starts_with("丽发新城")), "{h}");
    }
    let facets = summary["facets"]["places"].as_array().unwrap();
    let count = |name: &str| {
        facets
            .iter()
            .find(|f| f["place"] == name)
            .and_then(|f| f["count"].as_u64())
    };
    assert_eq!(count("丽发新城小区"), Some(1), "{summary}");
    assert_eq!(count("丽发新城"), Some(1), "{summary}");
    let table = ok(&w, &["search", "停车", "--facets"]);
    assert!(table.contains("按地点/人群统计"), "{table}");

    // show: a line of names, and the list in JSON (empty for an item without one).
    let show = ok(&w, &["show", "P1"]);
    let line = show.lines().find(|l| l.contains("地点/人群")).unwrap();
    assert!(line.contains("丽发新城小区"), "{show}");
    let p1: serde_json::Value =
        serde_json::from_str(&ok(&w, &["show", "P1", "--format", "json"])).expect("json");
    assert!(places(&p1).contains(&"丽发新城小区".to_string()), "{p1}");
    let p5: serde_json::Value =
        serde_json::from_str(&ok(&w, &["show", "P5", "--format", "json"])).expect("json");
    assert!(places(&p5).is_empty(), "{p5}");

    // export and segment: every line has its places, the same either way.
    let exported: Vec<serde_json::Value> = ok(&w, &["export"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(exported.len(), 5);
    let jsonl: String = exported
        .iter()
        .map(|v| {
            serde_json::json!({"id": v["id"], "title": v["title"], "body": v["body"]}).to_string()
                + "\n"
        })
        .collect();
    let (code, out, err) = piped(&["segment", "-q"], &jsonl);
    assert_eq!(code, 0, "{err}");
    let segmented: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (e, s) in exported.iter().zip(&segmented) {
        assert_eq!(e["id"], s["id"]);
        assert_eq!(places(e), places(s), "{}", e["id"]);
    }
    assert!(places(&segmented[2]).contains(&"星沙中茂城".to_string()));
}

/// An index as minyi made it before named objects were indexed: the schema less the place
/// fields, the marker and the dictionary.
fn old_index(dir: &std::path::Path) {
    use minyi::index::schema;
    std::fs::create_dir_all(dir.join("tantivy")).unwrap();
    minyi::segment::Dictionary::embedded()
        .save(&dir.join("dict"))
        .unwrap();
    std::fs::write(dir.join("minyi.json"), r#"{ "format": 1 }"#).unwrap();
    let (full, _) = schema::build();
    let mut old = tantivy::schema::Schema::builder();
    for (_, entry) in full.fields() {
        if ![schema::names::PLACES, schema::names::PLACE_KEYS].contains(&entry.name()) {
            old.add_field(entry.clone());
        }
    }
    tantivy::Index::create_in_dir(dir.join("tantivy"), old.build()).unwrap();
}

#[test]
fn an_index_without_place_fields_opens_and_finds_names_on_reading() {
    let w = Workdir::new();
    old_index(&w.index());
    let index = minyi::index::ItemIndex::open(&w.index()).unwrap();
    assert!(index.fields.places.is_none());
    drop(index);
    // Ingesting into it writes documents of its own schema.
    w.ingest(&[&w.write("items.csv", ITEMS)], &[]);
    let show = ok(&w, &["show", "P1"]);
    assert!(show.contains("丽发新城小区"), "{show}");
    let (_, hits, summary) = w.search(&["停车", "--facets"]);
    assert_eq!(hits.len(), 2);
    let p3 = hits.iter().find(|h| h["id"] == "P3").unwrap();
    assert_eq!(places(p3), vec!["星沙中茂城"]);
    assert!(
        summary["facets"]["places"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["place"] == "丽发新城"),
        "{summary}"
    );
    // Selecting by place needs the indexed names: a clear error, not an empty result.
    let r = w.run(&["search", "--place", "丽发新城"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("new --index"), "{}", r.stderr);
    assert_eq!(ok(&w, &["export"]).lines().count(), 5);
}
