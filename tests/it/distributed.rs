//! Topic mining split as an engine such as Spark runs it (issue 6): the driver clusters a
//! sample (`minyi topics --save-model`), executors assign items (`minyi assign`), the engine
//! sums per topic and `minyi describe` writes the topics JSON.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use minyi::engine::{describe, tally_assignments, Assignment, TopicModel};
use minyi::segment::Segmenter;
use minyi::text::label::WordFilter;
use minyi::topics::{TopicConfig, TopicReport};

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

/// The sample mined locally with its topic model saved: the topics and the model's path.
fn local_with_model(w: &Workdir) -> (TopicReport, std::path::PathBuf) {
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
    (TopicReport::from_json(&local.stdout).unwrap(), model_path)
}

#[test]
fn describe_gives_local_topics_from_the_same_membership() {
    // With every item in the sample and each item in its local topic, the engine's path
    // (assign → sums → describe) must give exactly the descriptions `minyi topics` gives:
    // keywords, labels, signals, scores, classes, representatives, months and sectors.
    let w = Workdir::new();
    let (local, model_path) = local_with_model(&w);
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
        &TopicConfig::default(),
        WordFilter::new(&seg, &tags),
    )
    .unwrap();
    // At scale the engine lists no ids (only each topic's smallest and the count of 其他):
    // the same topics in the same order, with the members left to the assignments.
    let mut slim = tally_assignments(&assignments);
    for t in &mut slim.topics {
        t.first_id = t.item_ids.iter().min().cloned();
        t.item_ids.clear();
    }
    slim.other = std::mem::take(&mut slim.other_ids).len();
    slim.assignments = Some("assignments".into());
    let without_ids = describe(
        &model,
        slim,
        &TopicConfig::default(),
        WordFilter::new(&seg, &tags),
    )
    .unwrap();
    assert_eq!(without_ids.assignments.as_deref(), Some("assignments"));
    assert_eq!(without_ids.other.size, local.other.size);
    assert!(without_ids.other.item_ids.is_empty());
    assert_eq!(without_ids.topics.len(), got.topics.len());
    for (a, b) in without_ids.topics.iter().zip(&got.topics) {
        assert!(a.item_ids.is_empty());
        assert_eq!((a.id, a.size, &a.label), (b.id, b.size, &b.label));
        assert_eq!(a.model_topic, b.model_topic);
    }
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

/// Writes `(id, theme)` rows as one Parquet file, as the Spark job's `assignments/` holds them.
#[cfg(feature = "parquet")]
fn write_assignments(path: &std::path::Path, rows: &[(String, Option<i64>)]) {
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let ids: ArrayRef = Arc::new(StringArray::from_iter_values(rows.iter().map(|r| &r.0)));
    let themes: ArrayRef = Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.1)));
    let batch = RecordBatch::try_from_iter([("id", ids), ("theme", themes)]).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
#[cfg(feature = "parquet")]
fn a_topics_file_without_member_ids_reads_them_from_its_assignments() {
    // At scale the Spark job lists no member ids: topics.json names its Parquet assignments
    // (`assignments`), and `report --topics` must give the report the listed file gives.
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let listed = w.run(&["topics", "--format", "json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listed_file = w.write("listed.json", &listed.stdout);
    let mut v: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let mut rows: Vec<(String, Option<i64>)> = Vec::new();
    for t in v["topics"].as_array_mut().unwrap() {
        let id = t["id"].as_i64().unwrap();
        for m in t["item_ids"].as_array().unwrap() {
            rows.push((m.as_str().unwrap().to_string(), Some(id)));
        }
        t["item_ids"] = serde_json::json!([]);
        for p in t["problems"].as_array_mut().unwrap() {
            p["item_ids"] = serde_json::json!([]);
        }
    }
    for m in v["other"]["item_ids"].as_array().unwrap() {
        rows.push((m.as_str().unwrap().to_string(), None));
    }
    v["other"]["item_ids"] = serde_json::json!([]);
    v["assignments"] = "assignments".into();
    rows.sort(); // not in topic order, as Spark writes them
    write_assignments(&w.path("spark/assignments/part-00000.parquet"), &rows);
    std::fs::write(w.path("spark/assignments/_SUCCESS"), "").unwrap();
    let slim = w.path("spark/topics.json");
    std::fs::write(&slim, v.to_string()).unwrap();
    let report = |file: &std::path::Path, format: &str| {
        w.run(&[
            "report",
            "--topics",
            file.to_str().unwrap(),
            "--format",
            format,
        ])
    };
    for format in ["md", "csv"] {
        let a = report(&listed_file, format);
        let b = report(&slim, format);
        assert_eq!(a.code, 0, "{}", a.stderr);
        assert_eq!(b.code, 0, "{}", b.stderr);
        assert_eq!(a.stdout, b.stdout, "{format}: the same report either way");
    }
    // An item missing from the assignments is refused, naming the topic.
    write_assignments(&w.path("spark/assignments/part-00000.parquet"), &rows[1..]);
    let r = report(&slim, "md");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("the assignments hold"), "{}", r.stderr);
    // No assignments where the file says: refused, saying what to copy.
    std::fs::remove_dir_all(w.path("spark/assignments")).unwrap();
    let r = report(&slim, "md");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("assignments"), "{}", r.stderr);
}

#[test]
fn a_report_of_all_items_is_headed_by_their_span_not_the_growth_window() {
    // A topics file of every item (no --period) carries the last 91 days as its growth
    // window; its report counts every item, so it must be headed by their span, with no
    // previous window's counts set against them (it was "507 条，较上期增加 838.9%").
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let all = w.run(&["topics", "--format", "json"]);
    let file = w.write("all.json", &all.stdout);
    let items = w.run(&["export"]).stdout;
    let days: BTreeSet<String> = items
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["submitted_at"].as_str().map(|s| s[..10].to_string())
        })
        .collect();
    let (first, last) = (days.first().unwrap(), days.last().unwrap());
    let r = w.run(&[
        "report",
        "--topics",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let text = r.stdout.as_str();
    assert!(
        text.contains(&format!("{first} 至 {last}")),
        "headed {first} 至 {last}: {}",
        &v["period"]
    );
    let n = items.lines().count() as u64;
    assert_eq!(
        v["overview"]["items"].as_u64(),
        Some(n),
        "{}",
        v["overview"]
    );
    // A file of one window keeps that window (all its items fall in it).
    let q = w.run(&["topics", "--period", "2024Q4", "--format", "json"]);
    let qf = w.write("q.json", &q.stdout);
    let r = w.run(&["report", "--topics", qf.to_str().unwrap(), "--format", "md"]);
    assert!(
        r.stdout.contains("2024-10-01 至 2024-12-31") || r.stdout.contains("2024年第四季度"),
        "{}",
        &r.stdout[..300.min(r.stdout.len())]
    );
}

#[test]
fn problems_found_by_object_keys_on_an_engine_are_the_local_problems() {
    // The engine's path (issue 36): `problems keys` per item, the object keys decided over
    // the whole input (here by the rule the Spark job applies), `problems pairs` per key,
    // every item with its pairs routed to one `problems find` — the problems must be those
    // `minyi topics` finds.
    let w = Workdir::new();
    let (local, model_path) = local_with_model(&w);
    let model = model_path.to_str().unwrap();
    let items = w.run(&["export"]).stdout;
    let (code, keys_out, err) = piped(&["problems", "keys", "--model", model], &items);
    assert_eq!(code, 0, "{err}");
    // Keys: a name's core, or a tail some item names whole; not one ending more than 5
    // different names with fewer than 3 items each ([problems] max_names_per_key).
    assert!(
        keys_out.contains("\"copies\":[\"~0:"),
        "copy keys are written"
    );
    let keyed: Vec<serde_json::Value> = keys_out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        keyed.iter().all(|v| v["row"].is_array()),
        "each keyed item has its TF-IDF row"
    );
    let named: Vec<(String, Vec<Vec<String>>)> = keyed
        .iter()
        .map(|v| {
            let names = serde_json::from_value(v["names"].clone()).unwrap();
            (v["id"].as_str().unwrap().to_string(), names)
        })
        .collect();
    assert!(named.len() > 50, "{} items name something", named.len());
    let cores: BTreeSet<&str> = named
        .iter()
        .flat_map(|(_, ns)| ns.iter().map(|k| k[0].as_str()))
        .collect();
    let mut per_item: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (id, ns) in &named {
        let keys = per_item.entry(id).or_default();
        for ks in ns {
            for k in ks {
                if (k == &ks[0] || cores.contains(k.as_str())) && !keys.iter().any(|(x, _)| x == k)
                {
                    keys.push((k, &ks[0]));
                }
            }
        }
    }
    let mut key_cores: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut key_items: HashMap<&str, usize> = HashMap::new();
    for keys in per_item.values() {
        for (k, c) in keys {
            key_cores.entry(k).or_default().insert(c);
            *key_items.entry(k).or_default() += 1;
        }
    }
    let generic = |k: &str| key_cores[k].len() > 5 && key_items[k] < 3 * key_cores[k].len();
    let object_keys = |id: &str| -> Vec<&str> {
        per_item
            .get(id)
            .map(|ks| ks.iter().map(|(k, _)| *k).filter(|k| !generic(k)).collect())
            .unwrap_or_default()
    };
    // Each key's items together (object keys and copy keys alike), in no particular order
    // within the key: `problems pairs` orders them.
    let mut by_key: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for v in &keyed {
        let id = v["id"].as_str().unwrap();
        let copies = v["copies"].as_array().unwrap().iter();
        let keys = object_keys(id)
            .into_iter()
            .map(str::to_string)
            .chain(copies.map(|c| c.as_str().unwrap().to_string()));
        for key in keys {
            let mut r = serde_json::json!({"key": key, "id": id, "row": v["row"]});
            if let Some(at) = v.get("at") {
                r["at"] = at.clone();
            }
            by_key.entry(key).or_default().push(r);
        }
    }
    let records: String = by_key
        .values()
        .filter(|rs| rs.len() > 1)
        .flat_map(|rs| rs.iter().rev().map(|r| r.to_string() + "\n"))
        .collect();
    let (code, pairs_out, err) = piped(&["problems", "pairs"], &records);
    assert_eq!(code, 0, "{err}");
    let mut pairs: HashMap<String, Vec<String>> = HashMap::new();
    let mut dups: HashMap<String, Vec<String>> = HashMap::new();
    let mut stars: HashMap<String, String> = HashMap::new();
    for l in pairs_out.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let (a, b) = (v["a"].as_str().unwrap(), v["b"].as_str().unwrap());
        if v["star"] == true {
            assert!(stars.insert(a.to_string(), b.to_string()).is_none(), "{l}");
            continue;
        }
        assert!(a < b, "{l}");
        let to = if v["dup"] == true {
            &mut dups
        } else {
            &mut pairs
        };
        to.entry(a.to_string()).or_default().push(b.to_string());
    }
    assert!(pairs.len() > 10 && !dups.is_empty(), "{pairs_out}");
    // The stars connect what the pairs connect: both items of a pair lead to one item.
    let centre = |id: &str| stars.get(id).map_or(id.to_string(), |c| c.clone());
    for (a, bs) in pairs.iter().chain(&dups) {
        for b in bs {
            assert_eq!(centre(a), centre(b), "{a} {b}");
            assert!(
                !stars.contains_key(&centre(a)),
                "a star's centre is no one's member"
            );
        }
    }
    // A key's lines apart is refused.
    let mut apart: Vec<&str> = records.lines().collect();
    let last = apart.len() - 1;
    apart.swap(0, last);
    let (code, _, err) = piped(&["problems", "pairs"], &(apart.join("\n") + "\n"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("must come together"), "{err}");
    let lines: HashMap<String, &str> = items
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), l)
        })
        .collect();
    // Every item in one task (copies that name no object included), with its links.
    let mut ids: Vec<&String> = lines.keys().collect();
    ids.sort();
    let mut routed = String::new();
    for id in ids {
        let line: &str = lines[id];
        let r = serde_json::json!({"line": line, "keys": object_keys(id), "group": "all",
            "pairs": pairs.get(id.as_str()).cloned().unwrap_or_default(),
            "dups": dups.get(id.as_str()).cloned().unwrap_or_default()});
        routed.push_str(&(r.to_string() + "\n"));
    }
    let latest = latest(&items);
    let (code, found, err) = piped(
        &[
            "problems",
            "find",
            "--model",
            model_path.to_str().unwrap(),
            "--latest",
            &latest,
            "--columns",
            "submitter,likes,feedback",
            "--members",
        ],
        &routed,
    );
    assert_eq!(code, 0, "{err}");
    let mut found: Vec<(minyi::topics::Problem, &str)> = found
        .lines()
        .map(|l| (serde_json::from_str(l).unwrap(), l))
        .collect();
    found.sort_by(|(a, _), (b, _)| {
        b.heat
            .index
            .total_cmp(&a.heat.index)
            .then(b.size.cmp(&a.size))
    });
    // The engine's problems, hottest first, update a registry file as `minyi track` updates
    // the index's: the same problems under the same ids (one person's repeats aside, which
    // the engine leaves to the local run), with the same messages, dates and replies.
    let ranked: String = found.iter().map(|(_, l)| format!("{l}\n")).collect();
    let file = w.path("engine_problems.json");
    let register = || {
        let (code, out, err) = piped(
            &[
                "problems",
                "register",
                "--registry",
                file.to_str().unwrap(),
                "--latest",
                &latest,
            ],
            &ranked,
        );
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let first = register();
    let engine = minyi::problems::registry::Registry::load_file(&file)
        .unwrap()
        .unwrap();
    let local_registry = minyi::problems::registry::Registry::load(&w.index())
        .unwrap()
        .expect("the ingest registered the sample's problems");
    assert_eq!(first["update"]["found"], found.len());
    assert_eq!(first["ids"].as_array().unwrap().len(), found.len());
    let registered: Vec<_> = local_registry
        .problems
        .iter()
        .filter(|p| !p.repeated)
        .collect();
    assert_eq!(engine.problems.len(), registered.len());
    for (e, l) in engine.problems.iter().zip(&registered) {
        assert_eq!((&e.id, &e.label, &e.members), (&l.id, &l.label, &l.members));
    }
    assert_eq!(engine.as_of, local_registry.as_of);
    // A second run of the job keeps every id and opens none.
    let second = register();
    assert_eq!(second["ids"], first["ids"]);
    assert_eq!(second["update"]["opened"], 0);
    let found: Vec<minyi::topics::Problem> = found.into_iter().map(|(p, _)| p).collect();
    let want = local.problems();
    assert!(want.len() >= 3, "the sample has designed problems");
    let brief = |p: &minyi::topics::Problem| (p.label.clone(), p.size, p.item_ids.clone());
    assert_eq!(
        found.iter().map(brief).collect::<Vec<_>>(),
        want.iter().map(|p| brief(p)).collect::<Vec<_>>()
    );
    // Each problem's theme is the model topic of most of its items (the local topic ids).
    for (f, l) in found.iter().zip(&want) {
        assert_eq!(f.theme, l.theme, "{}", l.label);
    }
    // A task given a pair whose other item it lacks (not a whole component) says so.
    let (id, line) = lines.iter().next().unwrap();
    let lone = serde_json::json!({"line": line, "keys": object_keys(id), "group": "x",
        "pairs": ["no-such-item"]});
    let (code, _, err) = piped(
        &["problems", "find", "--model", model],
        &(lone.to_string() + "\n"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no-such-item"), "{err}");
}
