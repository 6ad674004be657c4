//! Topic mining split as an engine such as Spark runs it (issue 6): the driver clusters a
//! sample (`minyi topics --save-model`), executors assign items (`minyi assign`), the engine
//! sums per topic and `minyi describe` writes the topics JSON.

use std::collections::{BTreeSet, HashMap};

use minyi::segment::Segmenter;
use minyi::topics::distributed::{describe, tally_assignments, Assignment, TopicModel};
use minyi::topics::label::WordFilter;
use minyi::topics::{ScoreConfig, TopicConfig, TopicReport};

use crate::util::{piped, sample, Workdir};

/// The latest submission time among exported lines (RFC 3339).
fn latest(lines: &str) -> String {
    lines
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["submitted_at"].as_str().map(|s| {
                let t = chrono::DateTime::parse_from_rfc3339(s).unwrap();
                (t, s.to_string())
            })
        })
        .max_by_key(|(t, _)| *t)
        .map(|(_, s)| s)
        .expect("dated items")
}

fn assign(model: &std::path::Path, index: &std::path::Path, items: &str) -> Vec<Assignment> {
    let latest = latest(items);
    let (code, out, err) = piped(
        &[
            "assign",
            "--model",
            model.to_str().unwrap(),
            "--latest",
            &latest,
            "--index",
            index.to_str().unwrap(),
        ],
        items,
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("归类完成"), "{err}");
    out.lines()
        .map(|l| serde_json::from_str(l).expect("an assignment per line"))
        .collect()
}

fn read_model(path: &std::path::Path) -> TopicModel {
    TopicModel::from_json(&std::fs::read_to_string(path).unwrap()).expect("a valid model")
}

#[test]
fn describe_gives_local_topics_from_the_same_membership() {
    // With every item in the sample and each item in its local topic, the engine's path
    // (assign → sums → describe) must give exactly the descriptions `minyi topics` gives:
    // keywords, labels, signals, scores, classes, representatives, months and sectors.
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let model_path = w.path("model.json");
    let local = w.run(&[
        "topics",
        "--save-model",
        model_path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(local.code, 0, "{}", local.stderr);
    assert!(local.stderr.contains("专题模型已写入"), "{}", local.stderr);
    let local = TopicReport::from_json(&local.stdout).unwrap();
    let model = read_model(&model_path);
    assert_eq!(model.topics.len(), local.topics.len());
    assert_eq!(model.sample, local.items);

    let items = w.run(&["export"]).stdout;
    let mut assignments = assign(&model_path, &w.index(), &items);
    assert_eq!(assignments.len(), local.items);
    let topic_of: HashMap<&str, usize> = local
        .topics
        .iter()
        .flat_map(|t| t.item_ids.iter().map(move |id| (id.as_str(), t.id)))
        .collect();
    // Members of the sample keep their topic.
    for a in &assignments {
        if let Some(&t) = topic_of.get(a.item.id.as_str()) {
            assert_eq!(a.topic, Some(t), "{} left its topic", a.item.id);
        }
    }
    for a in &mut assignments {
        a.topic = topic_of.get(a.item.id.as_str()).copied();
    }
    let seg = Segmenter::embedded();
    let tags = TopicConfig::default().function_word_tags;
    let got = describe(
        &model,
        tally_assignments(&assignments),
        &ScoreConfig::default(),
        WordFilter::new(&seg, &tags),
    )
    .unwrap();
    assert_eq!(got.items, local.items);
    assert_eq!(got.recent_window, local.recent_window);
    assert_eq!(got.other.item_ids, local.other.item_ids);
    assert_eq!(got.topics.len(), local.topics.len());
    for (g, l) in got.topics.iter().zip(&local.topics) {
        assert_eq!(g.item_ids, l.item_ids, "topic {}", l.id);
        assert_eq!(g.keywords, l.keywords, "topic {}", l.id);
        assert_eq!(g.label, l.label, "topic {}", l.id);
        assert_eq!(g.class, l.class, "topic {}", l.id);
        // Equal up to the last bit that JSON's float parsing may round differently.
        let (gs, ls) = (
            serde_json::to_value(&g.signals).unwrap(),
            serde_json::to_value(&l.signals).unwrap(),
        );
        for (k, lv) in ls.as_object().unwrap() {
            let gv = &gs[k];
            match (gv.as_f64(), lv.as_f64()) {
                (Some(a), Some(b)) => {
                    assert!((a - b).abs() < 1e-12, "topic {} {k}: {a} vs {b}", l.id)
                }
                _ => assert_eq!(gv, lv, "topic {} {k}", l.id),
            }
        }
        for (a, b) in [
            (g.scores.hot, l.scores.hot),
            (g.scores.difficult, l.scores.difficult),
            (g.scores.highlight, l.scores.highlight),
        ] {
            assert!((a - b).abs() < 1e-9, "topic {}: {a} vs {b}", l.id);
        }
        let ids = |r: &[minyi::topics::ItemRef]| r.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(&g.representatives),
            ids(&l.representatives),
            "topic {}",
            l.id
        );
        assert_eq!(g.months, l.months);
        assert_eq!(g.sectors, l.sectors);
        assert_eq!((&g.first, &g.last), (&l.first, &l.last));
        assert_eq!(g.duplicate_groups, l.duplicate_groups);
    }
}

#[test]
fn a_sample_model_assigns_every_item_and_the_report_renders() {
    // The driver's path: half of the items, ingested from the exchange format, are the
    // sample; every item is then assigned; the described topics render as a report.
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let items = w.run(&["export"]).stdout;
    let n = items.lines().count();
    let sample_lines: String = items
        .lines()
        .step_by(2)
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let o = v.as_object_mut().unwrap();
            o.remove("title_terms");
            o.remove("body_terms");
            serde_json::to_string(&v).unwrap() + "\n"
        })
        .collect();
    let s = Workdir::new();
    let file = s.write("sample.jsonl", &sample_lines);
    s.ingest(&[&file], &[]);
    let model_path = s.path("model.json");
    let sampled = s.run(&[
        "topics",
        "--save-model",
        model_path.to_str().unwrap(),
        "--sample-of",
        &n.to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(sampled.code, 0, "{}", sampled.stderr);
    let sampled = TopicReport::from_json(&sampled.stdout).unwrap();
    let model = read_model(&model_path);
    assert_eq!((model.sample, model.population), (n.div_ceil(2), n));
    assert_eq!(model.min_size, minyi::topics::default_min_size(n));
    // The sample clustered with its least size scaled down.
    assert_eq!(
        sampled.min_size,
        minyi::topics::sample_min_size(model.min_size, model.sample, n)
    );

    let assignments = assign(&model_path, &w.index(), &items);
    let ids: BTreeSet<&str> = assignments.iter().map(|a| a.item.id.as_str()).collect();
    assert_eq!(ids.len(), n, "one assignment per item");
    let sampled_ids: BTreeSet<&str> = sampled
        .topics
        .iter()
        .flat_map(|t| &t.item_ids)
        .map(String::as_str)
        .collect();
    let joined = assignments
        .iter()
        .filter(|a| a.topic.is_some() && !sampled_ids.contains(a.item.id.as_str()))
        .count();
    assert!(
        joined > n / 4,
        "only {joined} unsampled items joined a topic"
    );

    let tallies = tally_assignments(&assignments);
    let tallies_path = w.write("tallies.json", serde_json::to_string(&tallies).unwrap());
    let topics_path = w.path("topics.json");
    let (code, _, err) = piped(
        &[
            "describe",
            "--model",
            model_path.to_str().unwrap(),
            "--tallies",
            tallies_path.to_str().unwrap(),
            "--out",
            topics_path.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let report = TopicReport::from_json(&std::fs::read_to_string(&topics_path).unwrap()).unwrap();
    let placed: usize = report.topics.iter().map(|t| t.size).sum::<usize>() + report.other.size;
    assert_eq!(placed, n, "every item in a topic or in 其他");
    assert!(report.topics.iter().all(|t| t.size >= model.min_size));
    assert!(report.topics.len() >= 5, "{} topics", report.topics.len());
    let md = w.run(&[
        "report",
        "--topics",
        topics_path.to_str().unwrap(),
        "--format",
        "md",
    ]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(md.stdout.contains(&report.topics[0].label), "{}", md.stdout);

    // Sums that do not add up are refused, naming the file.
    let mut bad = tallies.clone();
    bad.items += 1;
    let bad_path = w.write("bad.json", serde_json::to_string(&bad).unwrap());
    let (code, _, err) = piped(
        &[
            "describe",
            "--model",
            model_path.to_str().unwrap(),
            "--tallies",
            bad_path.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("bad.json") && err.contains("其他"), "{err}");
}

#[test]
fn assign_refuses_rejected_records_and_bad_lines_by_line_number() {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let model_path = w.path("model.json");
    let r = w.run(&["topics", "--save-model", model_path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let items = w.run(&["export"]).stdout;
    let first = items.lines().next().unwrap();
    let m = model_path.to_str().unwrap();
    let input = format!("{first}\n{{\"rejected\":{{\"reason\":\"x\"}}}}\n");
    let (code, _, err) = piped(&["assign", "--model", m], &input);
    assert_eq!(code, 2);
    assert!(err.contains("line 2") && err.contains("rejected"), "{err}");
    let (code, _, err) = piped(&["assign", "--model", m], &format!("{first}\n\nnot json\n"));
    assert_eq!(code, 2);
    assert!(err.contains("line 3"), "{err}");
    let (code, _, err) = piped(&["assign", "--model", "/nonexistent/model.json"], first);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/model.json"), "{err}");
    // An empty partition: nothing out, no error.
    let (code, out, _) = piped(&["assign", "--model", m], "");
    assert_eq!((code, out.as_str()), (0, ""));
}
