//! Sentence embeddings (model tier): need the m3e-small model that `.ci/fetch-model` puts in
//! corpora/models/m3e-small (or MINYI_MODEL). `#[ignore]`d with that reason; `.ci/run`
//! fetches the model and runs them; they fail, not skip, when it is missing.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use minyi::index::query::Filters;
use minyi::topics::{mine, TopicConfig};

use crate::util::{dataset, ids, sample, Workdir};

const NEEDS: &str = "needs the m3e-small model (.ci/fetch-model)";

fn model() -> PathBuf {
    let p = std::env::var_os("MINYI_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/models/m3e-small")
        });
    assert!(p.join("config.json").exists(), "{}: {NEEDS}", p.display());
    p
}

fn json(w: &Workdir, args: &[&str]) -> serde_json::Value {
    let r = w.run(args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    serde_json::from_str(r.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

#[test]
#[cfg(feature = "semantic")]
#[ignore = "needs the m3e-small model (.ci/fetch-model)"]
fn model_fast_encoder_computes_what_candle_transformers_computes() {
    use minyi::embed::bert::Bert;
    let m = model();
    // Titles alone and titles with bodies: batches of very different lengths, with padding,
    // and bodies past the token limit (truncated).
    let rows = crate::util::sample_rows();
    let mut texts: Vec<String> = rows.iter().take(120).map(|r| r["标题"].clone()).collect();
    texts.extend(
        rows.iter()
            .skip(120)
            .take(60)
            .map(|r| format!("{}。{}", r["标题"], r["正文"])),
    );
    texts.push("停车难".to_string());
    texts.push("A".to_string());
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let fast = Bert::load(&m, 128).unwrap().embed(&refs, &|_| {}).unwrap();
    let reference = Bert::load_reference(&m, 128)
        .unwrap()
        .embed(&refs, &|_| {})
        .unwrap();
    assert_eq!(fast.len(), texts.len());
    let mut worst_cos = 1.0f32;
    let mut worst_diff = 0.0f32;
    for (a, b) in fast.iter().zip(&reference) {
        assert_eq!(a.len(), 512);
        worst_cos = worst_cos.min(minyi::embed::dot(a, b));
        for (x, y) in a.iter().zip(b) {
            worst_diff = worst_diff.max((x - y).abs());
        }
    }
    eprintln!("fast against reference: lowest cosine {worst_cos}, largest difference {worst_diff}");
    assert!(
        worst_cos > 0.999_99 && worst_diff < 1e-5,
        "cosine {worst_cos}, largest difference {worst_diff}"
    );
    // And the vectors tell texts apart (not all equal): two unrelated titles are not twins.
    assert!(minyi::embed::dot(&fast[0], &fast[texts.len() - 1]) < 0.95);
}

#[test]
#[ignore = "needs the m3e-small model (.ci/fetch-model)"]
fn model_vectors_are_computed_once_and_follow_upserts() {
    let m = model();
    let m = m.to_str().unwrap();
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let first = json(&w, &["embed", "--model", m, "--format", "json"]);
    assert_eq!(first["computed"], 507);
    let again = json(&w, &["embed", "--model", m, "--format", "json"]);
    assert_eq!(
        (again["computed"].as_u64(), again["reused"].as_u64()),
        (Some(0), Some(507))
    );
    // One item changes its text; an ingest with the model embeds only that one.
    let changed = w.write(
        "changed.csv",
        "编号,标题,正文,报送时间\nSQ2024-0138,关于缓解老城区停车难的建议,老城区车位缺口大，建议建设立体停车库。,2024-09-05\n",
    );
    let r = w.run(&[
        "ingest",
        changed.to_str().unwrap(),
        "--model",
        m,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let embed_line = r.stdout.lines().last().unwrap();
    let s: serde_json::Value = serde_json::from_str(embed_line).unwrap();
    assert_eq!(
        (s["computed"].as_u64(), s["reused"].as_u64()),
        (Some(1), Some(506))
    );
    // Another model's vectors are not mixed in.
    let r = w.run(&["embed", "--model", m, "--embed-mode", "static"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("minyi model distill"), "{}", r.stderr);
}

#[test]
#[ignore = "needs the m3e-small model (.ci/fetch-model)"]
fn model_semantic_search_finds_other_wordings_and_topics_use_the_vectors() {
    let m = model();
    let m = m.to_str().unwrap();
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    // Without vectors, --semantic says what to do.
    let r = w.run(&["topics", "--semantic"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("minyi embed"), "{}", r.stderr);
    json(&w, &["embed", "--model", m, "--format", "json"]);

    let (_, lexical, _) = w.search(&["停车难"]);
    let (code, hybrid, _) = w.search(&["停车难", "--semantic"]);
    assert_eq!(code, 0);
    assert!(
        !lexical.is_empty() && lexical.len() < 10,
        "{} word hits",
        lexical.len()
    );
    let lexical: HashSet<String> = lexical
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    // The ten best of the fused ranking.
    let found: Vec<&serde_json::Value> = hybrid.iter().take(10).collect();
    assert_eq!(found.len(), 10);
    // Every word hit is still among the hybrid hits, and at least one more item about
    // parking that never says 停车难 is found.
    let hybrid_ids: HashSet<String> = found
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        lexical.is_subset(&hybrid_ids),
        "{lexical:?} ⊄ {hybrid_ids:?}"
    );
    let extra: Vec<String> = found
        .iter()
        .filter(|h| !lexical.contains(h["id"].as_str().unwrap()))
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect();
    assert!(
        extra
            .iter()
            .any(|t| !t.contains("停车难") && (t.contains("车位") || t.contains("停车"))),
        "{extra:?}"
    );

    // Topics on the vectors: every item once, the designed issues recovered.
    let r = json(&w, &["topics", "--semantic", "--format", "json"]);
    let again = json(&w, &["topics", "--semantic", "--format", "json"]);
    assert_eq!(r, again, "same seed, same topics");
    let mut seen: HashSet<String> = ids(&r["other"]["item_ids"]).into_iter().collect();
    let mut topic_of: HashMap<String, usize> = HashMap::new();
    for (i, t) in r["topics"].as_array().unwrap().iter().enumerate() {
        for id in ids(&t["item_ids"]) {
            assert!(seen.insert(id.clone()), "an item is in two topics");
            topic_of.insert(id, i);
        }
    }
    assert_eq!(seen.len(), 507);
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/sample/truth.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut recovered = 0;
    let issues = truth["issues"].as_array().unwrap();
    for issue in issues {
        let members = ids(&issue["ids"]);
        let mut votes: HashMap<usize, usize> = HashMap::new();
        for id in &members {
            if let Some(&t) = topic_of.get(id) {
                *votes.entry(t).or_default() += 1;
            }
        }
        let best = votes.values().max().copied().unwrap_or(0);
        if best * 10 >= members.len() * 7 {
            recovered += 1;
        }
    }
    assert!(
        recovered * 10 >= issues.len() * 8,
        "{recovered} of {} designed issues have 70% of their items in one topic",
        issues.len()
    );

    // similar --semantic: the designed near-duplicate groups come back as duplicates.
    let group = ids(&truth["near_duplicate_groups"][0]["ids"]);
    let s = json(
        &w,
        &["similar", &group[0], "--semantic", "--format", "json"],
    );
    let dups: HashSet<String> = s["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    for id in &group[1..] {
        assert!(
            dups.contains(id),
            "{id} not a duplicate of {}: {s}",
            group[0]
        );
    }
}

#[test]
#[ignore = "needs the m3e-small model (.ci/fetch-model)"]
fn model_static_table_is_distilled_and_clusters_the_sample() {
    let m = model();
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    // The table is written next to the model: distil into a private copy.
    let copy = w.path("model");
    std::fs::create_dir_all(&copy).unwrap();
    for f in std::fs::read_dir(&m).unwrap() {
        let f = f.unwrap();
        if f.file_name() != minyi::embed::statics::FILE {
            std::os::unix::fs::symlink(f.path(), copy.join(f.file_name())).unwrap();
        }
    }
    let c = copy.to_str().unwrap();
    // `run` adds --index: the words of the sample's index.
    let r = w.run(&["model", "distill", "--model", c, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert!(d["words"].as_u64().unwrap() > 1000, "{d}");
    assert!(d["characters"].as_u64().unwrap() > 5000, "{d}");
    let e = json(
        &w,
        &[
            "embed",
            "--model",
            c,
            "--embed-mode",
            "static",
            "--format",
            "json",
        ],
    );
    assert_eq!(e["computed"], 507);
    let r = json(&w, &["topics", "--semantic", "--format", "json"]);
    let n: u64 = r["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["size"].as_u64().unwrap())
        .sum::<u64>()
        + r["other"]["size"].as_u64().unwrap();
    assert_eq!(n, 507);
    assert!(
        r["topics"].as_array().unwrap().len() >= 8,
        "{} topics",
        r["topics"].as_array().unwrap().len()
    );
}

/// The hot-topic checks of the topics issue, with --semantic on the real citizen messages:
/// the representatives of the largest topics hold one of their topic's keywords, and those
/// of the hottest one of its top three.
#[test]
#[ignore = "needs ../shared/datasets and the m3e-small model (.ci/fetch-model)"]
fn model_real_messages_semantic_topics_are_coherent() {
    let m = model();
    let w = Workdir::new();
    w.ingest(&[&dataset("tipdm2020c/messages_with_votes.csv")], &[]);
    let r = w.run(&["embed", "--model", m.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let index = minyi::index::ItemIndex::open(&w.index()).unwrap();
    let items = index.collect(None, &Filters::default()).unwrap();
    let store = minyi::embed::Store::open(&w.index()).unwrap();
    let cfg = TopicConfig {
        embeddings: Some(std::sync::Arc::new(store)),
        ..TopicConfig::default()
    };
    let r = mine(&index.segmenter, &items, &[], None, &cfg);
    crate::quality::assert_coherent(&r, &items, &index.segmenter);
}
