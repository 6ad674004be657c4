//! Topics on the sample corpus, against the truth designed into it (corpora/sample/truth.json).

use std::collections::{HashMap, HashSet};

use crate::util::{ids, ok, sample, Workdir};

fn truth() -> serde_json::Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/sample/truth.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The sample's last quarter, compared with the quarter before it.
const Q4_AGAINST_THE_QUARTER_BEFORE: &[&str] = &[
    "--from",
    "2024Q4",
    "--to",
    "2024Q4",
    "--compare",
    "previous",
];

fn topics(w: &Workdir, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["topics", "--format", "json"];
    args.extend_from_slice(extra);
    let r = w.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("topics JSON")
}

/// The topics' labels, in order.
fn labels(r: &serde_json::Value) -> Vec<&str> {
    r["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect()
}

#[test]
fn designed_issues_become_topics_with_their_classes() {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let r = topics(&w, &[]);
    let t = truth();
    // Every item is in exactly one topic or in 其他.
    let mut seen: HashSet<String> = ids(&r["other"]["item_ids"]).into_iter().collect();
    for topic in r["topics"].as_array().unwrap() {
        for id in ids(&topic["item_ids"]) {
            assert!(seen.insert(id), "an item is in two topics");
        }
    }
    assert_eq!(seen.len() as u64, r["items"].as_u64().unwrap());
    assert_eq!(seen.len(), 507);

    // Labels are phrases, not cuts across two: the titles say 小微企业 | 轻资产, 外卖骑手 |
    // 建设爱心驿站, 慢性病患者 | 基层用药, and two ways to extend 学校周边 and 婴幼儿 as
    // frequent (these were labels before extensions were checked); an extension that is a
    // phrase still names its topic.
    let labels: HashSet<&str> = labels(&r).into_iter().collect();
    for cut in [
        "小微企业轻",
        "外卖骑手建设",
        "患者基层",
        "缓解学校周边",
        "家庭婴幼儿",
    ] {
        assert!(!labels.contains(cut), "{cut} in {labels:?}");
    }
    assert!(labels.contains("老旧小区加装电梯"), "{labels:?}");

    let topic_of: HashMap<String, usize> = r["topics"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .flat_map(|(i, t)| ids(&t["item_ids"]).into_iter().map(move |id| (id, i)))
        .collect();
    for issue in t["issues"].as_array().unwrap() {
        let members = ids(&issue["ids"]);
        let mut votes: HashMap<usize, usize> = HashMap::new();
        for id in &members {
            if let Some(&ti) = topic_of.get(id) {
                *votes.entry(ti).or_default() += 1;
            }
        }
        let (&best, &hits) = votes
            .iter()
            .max_by_key(|(_, v)| **v)
            .expect("issue items are clustered");
        let topic = &r["topics"][best];
        let size = topic["size"].as_u64().unwrap() as usize;
        let name = issue["name"].as_str().unwrap();
        assert!(
            hits * 10 >= members.len() * 9,
            "{name}: only {hits}/{} items in one topic",
            members.len()
        );
        assert!(
            hits * 10 >= size * 9,
            "{name}: its topic is impure ({hits}/{size})"
        );
        let expected = match issue["cls"].as_str().unwrap() {
            "background" => "general",
            other => other,
        };
        assert_eq!(
            topic["class"].as_str().unwrap(),
            expected,
            "{name}: {}",
            topic["signals"]
        );
        let kw: Vec<String> = ids(&topic["keywords"]);
        assert!((3..=8).contains(&kw.len()));
        let designed: Vec<String> = ids(&issue["keywords"]);
        assert!(
            kw.iter().any(|k| designed
                .iter()
                .any(|d| d.to_lowercase().contains(k.as_str()) || k.contains(&d.to_lowercase()))),
            "{name}: keywords {kw:?} share nothing with {designed:?}"
        );
        assert_eq!(topic["representatives"].as_array().unwrap().len(), 3);
    }
}

#[test]
fn near_duplicate_reports_merge_into_groups() {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let r = topics(&w, &[]);
    let groups: Vec<HashSet<String>> = r["topics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["duplicate_groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| ids(g).into_iter().collect())
        })
        .collect();
    for designed in truth()["near_duplicate_groups"].as_array().unwrap() {
        let want: HashSet<String> = ids(&designed["ids"]).into_iter().collect();
        assert!(
            groups.contains(&want),
            "group {want:?} not found in {groups:?}"
        );
    }
}

#[test]
fn deterministic_forced_k_and_subsets() {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let a = w.run(&["topics", "--format", "json", "--seed", "7"]).stdout;
    let b = w.run(&["topics", "--format", "json", "--seed", "7"]).stdout;
    assert_eq!(a, b, "same seed, same topics");
    let counts: Vec<usize> = [1u64, 2, 3, 4, 5]
        .iter()
        .map(|s| {
            topics(&w, &["--seed", &s.to_string()])["topics"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    let (lo, hi) = (
        *counts.iter().min().unwrap() as f64,
        *counts.iter().max().unwrap() as f64,
    );
    assert!(
        hi <= lo * 1.1 + 0.5,
        "topic counts vary too much across seeds: {counts:?}"
    );

    let forced = topics(&w, &["--k", "10"]);
    assert_eq!(forced["topics"].as_array().unwrap().len(), 10);
    // Many topics split the designed issues: each part still has a label of its own (two
    // topics were named 老旧小区加装电梯, and two 外卖骑手建设, before labels were made distinct).
    let fine = topics(&w, &["--k", "40"]);
    let labels = labels(&fine);
    let distinct: std::collections::HashSet<&&str> = labels.iter().collect();
    assert_eq!(distinct.len(), labels.len(), "{labels:?}");

    let sub = topics(&w, &["--query", "电梯"]);
    assert!(sub["items"].as_u64().unwrap() < 100);
    let window = topics(&w, &["--from", "2024Q4", "--to", "2024Q4"]);
    assert!(window["previous_window"][0]
        .as_str()
        .unwrap()
        .starts_with("2024-07-01"));
    // The table names each window by its first and last day (至 includes the last).
    let table = ok(&w, &["topics", "--period", "2024Q4"]);
    assert!(
        table.contains("近期：2024-10-01 至 2024-12-31；前期：2024-07-01 至 2024-09-30"),
        "{table}"
    );
    let hot = window["topics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["class"] == "hot")
        .count();
    assert!(
        hot >= 3,
        "the last quarter's surges are hot against the quarter before"
    );

    assert_eq!(w.run(&["topics", "--k", "zero"]).code, 2);
    let csv = w.run(&["topics", "--format", "csv"]).stdout;
    assert!(
        csv.starts_with('\u{feff}') && csv.lines().count() == 508,
        "one row per item plus the header"
    );
}

#[test]
fn similar_lists_the_near_duplicates_of_an_item() {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    for designed in truth()["near_duplicate_groups"].as_array().unwrap() {
        let group = ids(&designed["ids"]);
        let r = w.run(&["similar", &group[0], "--format", "json"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let dups: HashSet<String> = v["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect();
        let want: HashSet<String> = group[1..].iter().cloned().collect();
        assert_eq!(dups, want, "near-duplicates of {}", group[0]);
        assert!(!v["related"].as_array().unwrap().is_empty());
    }
    assert_eq!(w.run(&["similar", "no-such-id"]).code, 1);
}

#[test]
fn compare_previous_marks_trends_and_faded_topics() {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let r = topics(&w, Q4_AGAINST_THE_QUARTER_BEFORE);
    let t = truth();
    let hot_ids: HashSet<String> = t["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["cls"] == "hot")
        .flat_map(|i| ids(&i["ids"]))
        .collect();
    let rising_hot = r["topics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["trend"] == "rising"
                && ids(&t["item_ids"])
                    .iter()
                    .filter(|id| hot_ids.contains(*id))
                    .count()
                    * 2
                    > t["size"].as_u64().unwrap() as usize
        })
        .count();
    assert_eq!(
        rising_hot, 3,
        "the three designed surges rise against 2024Q3"
    );
    for topic in r["topics"].as_array().unwrap() {
        assert!(["new", "rising", "steady", "fading"].contains(&topic["trend"].as_str().unwrap()));
    }
    assert!(
        r["faded"].is_array(),
        "faded topics are listed (possibly none)"
    );
    let bad = w.run(&["topics", "--compare", "previous"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("needs a window"), "{}", bad.stderr);
}

/// One item's counts as term → count, for comparing rows of different term id spaces.
fn by_term(
    counts: &minyi::segment::TermCounts,
    row: usize,
) -> std::collections::BTreeMap<String, f32> {
    counts.rows[row]
        .iter()
        .map(|&(t, c)| (counts.terms[t as usize].clone(), c))
        .collect()
}

#[test]
fn term_counts_read_from_the_index_equal_segmenting_the_items() {
    use minyi::index::query::{parse_from, parse_to, Filters};
    use minyi::segment::TermCounts;
    use minyi::text::vectorize::COUNTING;
    let w = Workdir::new();
    // Several segments (a commit every 50 items), and deleted documents: a second file
    // rewrites every tenth item, so its old document is deleted and a new one indexed.
    w.ingest(&[&sample()], &["--commit-every", "50"]);
    let text = std::fs::read_to_string(sample()).unwrap();
    let mut changed = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 || i % 10 == 0 {
            changed.push_str(&line.replacen("。", "。另据反映，情况属实。", 1));
            changed.push('\n');
        }
    }
    let v = w.ingest(&[&w.write("changed.csv", changed)], &[]);
    assert!(v["updated"].as_u64().unwrap() > 40, "{v}");
    let index = minyi::index::ItemIndex::open(&w.index()).unwrap();
    let all = Filters::default();
    let q4 = Filters {
        from: Some(parse_from("2024Q4").unwrap()),
        to: Some(parse_to("2024Q4").unwrap()),
        ..Filters::default()
    };
    let q3 = Filters {
        from: Some(parse_from("2024Q3").unwrap()),
        to: Some(parse_to("2024Q3").unwrap()),
        ..Filters::default()
    };
    // Every item (postings read), two windows at once, a window overlapping itself (items
    // selected twice), and a search's few hits (their segments are segmented instead).
    let selections: Vec<Vec<(Option<&str>, &Filters)>> = vec![
        vec![(None, &all)],
        vec![(None, &q4), (None, &q3)],
        vec![(None, &q4), (None, &q4)],
        vec![(Some("加装电梯"), &all)],
    ];
    for sel in selections {
        let (lists, counts) = index.collect_counted(&sel, COUNTING).unwrap();
        let items: Vec<&minyi::Item> = lists.iter().flatten().collect();
        assert!(!items.is_empty());
        assert_eq!(counts.rows.len(), items.len());
        let segmented = TermCounts::segmented(&index.segmenter, &items, COUNTING);
        for (i, it) in items.iter().enumerate() {
            assert!(!counts.rows[i].is_empty(), "{} has terms", it.id);
            assert!(
                counts.rows[i].windows(2).all(|p| p[0].0 < p[1].0),
                "sorted, each term once"
            );
            assert_eq!(
                by_term(&counts, i),
                by_term(&segmented, i),
                "{} in {sel:?}",
                it.id
            );
        }
    }
}

#[test]
fn the_topics_table_has_a_header_for_every_column() {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    for extra in [&[][..], Q4_AGAINST_THE_QUARTER_BEFORE] {
        let mut args = vec!["topics"];
        args.extend_from_slice(extra);
        let r = w.run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let columns = |line: &str| line.matches('┆').count() + 1;
        let header = r
            .stdout
            .lines()
            .find(|l| l.contains("序号"))
            .expect("a header");
        let first = r
            .stdout
            .lines()
            .find(|l| l.starts_with("│ 1 "))
            .expect("a first row");
        assert_eq!(columns(header), columns(first), "{header}\n{first}");
        assert!(header.contains("趋势"), "{header}");
        if !extra.is_empty() {
            assert!(
                ["新出现", "上升", "平稳", "回落"]
                    .iter()
                    .any(|t| first.contains(t)),
                "{first}"
            );
        }
    }
}
