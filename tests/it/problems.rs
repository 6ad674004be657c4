//! Problems (问题) against the hand-labelled evaluation set of `tests/fixtures/problems`
//! (26 specific problems of the real messages, 321 member ids, 101 one-off ids; ids only).
//! Dataset tier: needs `../shared/datasets`.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::util::{dataset, ids, Workdir};

fn fixture(name: &str) -> Vec<HashMap<String, String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/problems")
        .join(name);
    let mut r = csv::Reader::from_path(&path).expect("fixture");
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The labelled problems (message id → problem id) and the one-off ids.
fn labels() -> (HashMap<String, String>, Vec<String>) {
    let gold = fixture("problems.csv")
        .into_iter()
        .map(|r| (r["message_id"].clone(), r["problem_id"].clone()))
        .collect();
    let ones = fixture("one_offs.csv")
        .into_iter()
        .map(|r| r["message_id"].clone())
        .collect();
    (gold, ones)
}

/// The problems of a topics JSON, hottest first: (id, rank, member ids).
fn problems(v: &serde_json::Value) -> Vec<(String, u64, Vec<String>)> {
    let mut out: Vec<(String, u64, Vec<String>)> = v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["problems"].as_array().unwrap().iter())
        .chain(v["other"]["problems"].as_array().unwrap().iter())
        // One person's repeats (重复反映) are listed too, apart.
        .chain(v["repeated"].as_array().into_iter().flatten())
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["rank"].as_u64().unwrap(),
                p["item_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    out.sort_by_key(|p| p.1);
    out
}

/// B-cubed precision and recall over the labelled messages: each message's predicted
/// cluster is its problem, or itself alone; its gold cluster is its labelled problem, or
/// itself alone for a one-off.
fn bcubed(
    pred: &HashMap<&str, &str>,
    gold: &HashMap<String, String>,
    ones: &[String],
) -> (f64, f64) {
    let labelled: Vec<&str> = gold
        .keys()
        .map(String::as_str)
        .chain(ones.iter().map(String::as_str))
        .collect();
    let g = |m: &str| gold.get(m).map_or(format!("one:{m}"), |p| p.clone());
    let p = |m: &str| pred.get(m).map_or(format!("alone:{m}"), |p| p.to_string());
    let (mut precision, mut recall) = (0.0, 0.0);
    for &m in &labelled {
        let same_pred: Vec<&str> = labelled.iter().copied().filter(|&x| p(x) == p(m)).collect();
        let same_gold = labelled.iter().filter(|&&x| g(x) == g(m)).count();
        let ok = same_pred.iter().filter(|&&x| g(x) == g(m)).count() as f64;
        precision += ok / same_pred.len() as f64;
        recall += ok / same_gold as f64;
    }
    let n = labelled.len() as f64;
    (precision / n, recall / n)
}

/// The problem that holds most of `members` when it holds at least half of them and at
/// least half of its members are of them: its rank.
fn found_as(members: &[&str], found: &[(String, u64, Vec<String>)]) -> Option<u64> {
    let set: HashSet<&str> = members.iter().copied().collect();
    found
        .iter()
        .map(|(_, rank, ids)| {
            (
                rank,
                ids.iter().filter(|i| set.contains(i.as_str())).count(),
                ids.len(),
            )
        })
        .filter(|&(_, hit, size)| 2 * hit >= set.len() && 2 * hit >= size)
        .map(|(rank, _, _)| *rank)
        .min()
}

fn topics(w: &Workdir, from: &str, to: &str) -> serde_json::Value {
    let r = w.run(&["topics", "--from", from, "--to", to, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("topics JSON")
}

/// The well-known problems (15 messages or more): P01 丽发新城 mixing plant, P02 伊景园滨河苑
/// bundled parking, P03 魅力之城 fumes, P06 58车贷.
const WELL_KNOWN: [&str; 4] = ["P01", "P02", "P03", "P06"];

#[test]
#[ignore = "needs ../shared/datasets"]
fn datasets_real_messages_problems_match_the_labelled_ones() {
    let w = Workdir::new();
    w.ingest(&[&dataset("tipdm2020c/messages_with_votes.csv")], &[]);
    let (gold, ones) = labels();
    let mut members: HashMap<&str, Vec<&str>> = HashMap::new();
    for (m, p) in &gold {
        members.entry(p.as_str()).or_default().push(m.as_str());
    }

    // The year: one problem per labelled problem, few mixed.
    let year = topics(&w, "2019-01-01", "2020-01-31");
    let found = problems(&year);
    let ids: HashSet<&str> = found.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(ids.len(), found.len(), "problem ids are unique");
    let mut pred: HashMap<&str, &str> = HashMap::new();
    for (id, _, ms) in &found {
        for m in ms {
            assert!(
                pred.insert(m.as_str(), id.as_str()).is_none(),
                "{m} in two problems"
            );
        }
    }
    let (p, r) = bcubed(&pred, &gold, &ones);
    let f1 = 2.0 * p * r / (p + r);
    eprintln!("year: B-cubed precision {p:.3} recall {r:.3} F1 {f1:.3}");
    assert!(
        p >= 0.9 && f1 >= 0.85,
        "B-cubed P {p:.3} R {r:.3} F1 {f1:.3}"
    );
    let small_found = members
        .iter()
        .filter(|(id, ms)| !WELL_KNOWN.contains(id) && ms.len() <= 11)
        .filter(|(_, ms)| found_as(ms, &found).is_some())
        .count();
    eprintln!("year: {small_found} of the 20 smaller problems found");
    assert!(small_found >= 12, "{small_found} smaller problems found");
    for id in WELL_KNOWN {
        let rank = found_as(&members[id], &found);
        eprintln!("year: {id} rank {rank:?}");
        assert!(
            rank.is_some_and(|r| r <= 10),
            "{id}: rank {rank:?} of the year"
        );
    }

    // Each quarter: a well-known problem is in the top 3 of the quarter it peaked in.
    let quarters = [
        ("2019-01-01", "2019-03-31"),
        ("2019-04-01", "2019-06-30"),
        ("2019-07-01", "2019-09-30"),
        ("2019-10-01", "2019-12-31"),
    ];
    let runs: Vec<serde_json::Value> = quarters.iter().map(|(f, t)| topics(&w, f, t)).collect();
    let in_window = |v: &serde_json::Value, ms: &[&str]| -> usize {
        let all: HashSet<&str> = v["topics"]
            .as_array()
            .unwrap()
            .iter()
            .chain(std::iter::once(&v["other"]))
            .flat_map(|t| {
                t["item_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap())
            })
            .collect();
        ms.iter().filter(|m| all.contains(*m)).count()
    };
    for id in WELL_KNOWN {
        let ms = &members[id];
        let peak = (0..4).max_by_key(|&q| in_window(&runs[q], ms)).unwrap();
        let rank = found_as(ms, &problems(&runs[peak]));
        eprintln!("{id}: peak {}, rank {rank:?}", quarters[peak].0);
        assert!(
            rank.is_some_and(|r| r <= 3),
            "{id}: rank {rank:?} in {}",
            quarters[peak].0
        );
    }
}

/// The truth groups of the second real set (`tests/fixtures/problems_replies/truth.json`):
/// every tier's groups, and the core groups (3+ messages from 2+ people).
fn replies_truth() -> (Vec<HashSet<String>>, Vec<HashSet<String>>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/problems_replies/truth.json");
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let ids = |g: &serde_json::Value| -> HashSet<String> {
        g["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    let mut all: Vec<HashSet<String>> = Vec::new();
    for tier in ["core", "pair", "single_user"] {
        all.extend(t[tier].as_array().unwrap().iter().map(ids));
    }
    for m in t["same_object_mixed"].as_array().unwrap() {
        all.extend(m["parts"].as_array().unwrap().iter().map(ids));
    }
    let core = t["core"].as_array().unwrap().iter().map(ids).collect();
    (all, core)
}

/// On the set nothing was tuned on (2011–2017 messages with replies), the hot list over the
/// whole span holds one object and one complaint per row, as labelled by reading.
#[test]
#[ignore = "needs ../shared/datasets"]
fn datasets_hot_problems_of_the_second_real_set_are_one_object_and_one_complaint() {
    let w = Workdir::new();
    w.ingest(
        &[&dataset("tipdm2020c/messages_with_replies_2011_2017.csv")],
        &[],
    );
    let out = w.run(&["hot", "--limit", "20", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let (all, core) = replies_truth();
    let listed: Vec<HashSet<String>> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| ids(&p["item_ids"]).into_iter().collect())
        .collect();
    // pure: at least 80% of a row's items in one labelled group of any tier.
    let pure = listed
        .iter()
        .filter(|p| {
            all.iter()
                .any(|g| 5 * p.intersection(g).count() >= 4 * p.len())
        })
        .count();
    // found: at least 60% of a core group in one row that is at most 40% other items.
    let found = core
        .iter()
        .filter(|g| {
            listed.iter().any(|p| {
                let both = p.intersection(g).count();
                5 * both >= 3 * g.len() && 5 * (p.len() - both) <= 2 * p.len()
            })
        })
        .count();
    eprintln!(
        "second set: pure {pure}/{} listed, found {found}/{} core groups",
        listed.len(),
        core.len()
    );
    // Held where they stand (issue 43: ≥ 19/20 pure, recall ≥ 0.9 is the target); they
    // were 4/6 pure and 4 found before names without a suffix were read.
    assert!(
        !listed.is_empty() && 4 * pure >= 3 * listed.len(),
        "pure {pure}/{}",
        listed.len()
    );
    assert!(found >= 6, "found {found}/{}", core.len());
}

/// 2019 against a 2018 of 3 messages, and 2011–2020 against an empty 2001–2010: no growth
/// is claimed (was "较上期增加 141300.0%", every theme 热点 "增长 217.0 倍"); the same items
/// give the same problems, ids and heat with no window and with a window over all of them.
#[test]
#[ignore = "needs ../shared/datasets"]
fn datasets_real_messages_claim_no_growth_against_a_thin_window() {
    let w = Workdir::new();
    w.ingest(&[&dataset("tipdm2020c/messages_with_votes.csv")], &[]);
    let md = w.run(&["report", "--period", "2019", "--format", "md"]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(
        !md.stdout.contains("较上期增加") && md.stdout.contains("上期数据不足"),
        "{}",
        md.stdout
    );
    assert!(!md.stdout.contains(" 倍"), "{}", md.stdout);
    let t = w.run(&[
        "topics",
        "--from",
        "2011",
        "--to",
        "2020",
        "--compare",
        "previous",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&t.stdout).unwrap();
    assert_eq!(v["previous_thin"], true);
    assert!(v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["trend"].is_null() && t["signals"]["compared"] == false));
    let hot = |args: &[&str]| -> Vec<(String, Vec<String>, String)> {
        let mut a = vec!["hot", "--format", "json", "--limit", "30"];
        a.extend_from_slice(args);
        let out = w.run(&a);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap().to_string(),
                    ids(&p["item_ids"]),
                    format!("{:.9}", p["heat"]["index"].as_f64().unwrap()),
                )
            })
            .collect()
    };
    let none = hot(&[]);
    assert!(none.len() >= 20);
    assert_eq!(none, hot(&["--from", "2011", "--to", "2020"]));
}
