//! Named objects (地点/人群) against messages labelled by reading (`tests/fixtures/objects`):
//! 160 messages drawn at random from each real set, the object of each (or none) as an
//! offset span into its title or body, with the other spellings that count. The object
//! minyi gives an item is its first named object (the title's first, else the body's), as
//! `minyi segment` writes it. A wrong boundary is an error.

use std::collections::HashMap;

use crate::util::{dataset, piped};

/// Precision and recall of the items' first objects against the labels of `set`.
fn score(set: &str, file: &str) -> (f64, f64, Vec<String>) {
    let path = dataset(file);
    // `minyi segment` reads JSON lines: each CSV row as one object, keyed by its header.
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let mut lines = String::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let row: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .zip(r.iter())
            .map(|(h, v)| (h.to_string(), serde_json::Value::from(v)))
            .collect();
        lines.push_str(&serde_json::to_string(&row).unwrap());
        lines.push('\n');
    }
    let (code, out, err) = piped(&["segment"], &lines);
    assert_eq!(code, 0, "{err}");
    let mut first: HashMap<String, Option<String>> = HashMap::new();
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(id) = v["id"].as_str() {
            let p = v["places"].as_array().and_then(|a| a.first());
            first.insert(id.to_string(), p.map(|x| x.as_str().unwrap().to_string()));
        }
    }
    let mut rows: HashMap<String, (String, String)> = HashMap::new();
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, title, body) = (col("留言编号"), col("留言主题"), col("留言详情"));
    for r in rdr.records() {
        let r = r.unwrap();
        rows.insert(
            r[id].to_string(),
            (r[title].to_string(), r[body].to_string()),
        );
    }
    let labels = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/objects/{set}.csv")),
    )
    .unwrap();
    let mut rdr = csv::Reader::from_reader(labels.as_bytes());
    let (mut predicted, mut labelled, mut correct, mut wrong) = (0, 0, 0, Vec::new());
    for l in rdr.records() {
        let l = l.unwrap();
        let (title, body) = &rows[&l[0]];
        let span = |field: &str, s: &str, e: &str| -> String {
            let text = if field == "title" { title } else { body };
            let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
            text.chars().skip(s).take(e - s).collect()
        };
        let mut ok: Vec<String> = Vec::new();
        if !l[1].is_empty() {
            ok.push(span(&l[1], &l[2], &l[3]));
            for alt in l[5].split(';').filter(|a| !a.is_empty()) {
                let p: Vec<&str> = alt.split(':').collect();
                ok.push(span(p[0], p[1], p[2]));
            }
        }
        let got = first.get(&l[0]).cloned().flatten();
        predicted += got.is_some() as usize;
        labelled += !ok.is_empty() as usize;
        match &got {
            Some(g) if ok.contains(g) => correct += 1,
            _ => wrong.push(format!("{} {:?} / {:?}", &l[0], got, ok.first())),
        }
    }
    let p = correct as f64 / predicted.max(1) as f64;
    let r = correct as f64 / labelled.max(1) as f64;
    eprintln!("objects {set}: predicted {predicted}, labelled {labelled}, correct {correct}: precision {p:.3}, recall {r:.3}");
    (p, r, wrong)
}

/// What the rules reach now (precision, recall), held so they do not slip back: before
/// issue 43's rules they were 0.546/0.504 and 0.345/0.369, after its first session
/// 0.606/0.546 and 0.453/0.417; the target is 0.9/0.85 on both.
const VOTES_FLOOR: (f64, f64) = (0.64, 0.64);
const REPLIES_FLOOR: (f64, f64) = (0.48, 0.50);

#[test]
#[ignore = "needs ../shared/datasets"]
fn datasets_objects_of_real_messages_match_the_labelled_ones() {
    for (set, file, least) in [
        ("votes", "tipdm2020c/messages_with_votes.csv", VOTES_FLOOR),
        (
            "replies",
            "tipdm2020c/messages_with_replies_2011_2017.csv",
            REPLIES_FLOOR,
        ),
    ] {
        let (p, r, wrong) = score(set, file);
        assert!(
            p >= least.0 && r >= least.1,
            "{set}: precision {p:.3} recall {r:.3} under {least:?}; wrong:\n{}",
            wrong.join("\n")
        );
    }
}
