//! Topic mining end to end against the Python peer, in one run (a bench binary that prints
//! figures). For each labelled corpus in `../shared/datasets`: `minyi ingest` + `minyi topics`
//! (release binary, k forced to the label count, then automatic) with NMI/ARI against the
//! labels, and `../shared/bench/py_baseline.py` (jieba → TF-IDF → KMeans, LSA where it helps)
//! on the same file, when MINYI_PEER_PYTHON names a Python with jieba, scikit-learn, numpy.
//! Every figure is checked (all items assigned) before it is printed.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use minyi::topics::eval::{ari, nmi};

mod common;

use common::{minyi_bin, root};

struct Corpus {
    name: &'static str,
    file: &'static str,
    /// Columns holding the text, mapped by minyi's header synonyms or `--map`.
    map: &'static [&'static str],
    peer_text: &'static str,
    label: &'static str,
    k: usize,
    lsa: Option<usize>,
}

const CORPORA: &[Corpus] = &[
    Corpus {
        name: "THUCNews titles 20k",
        file: "thucnews_titles/thucnews_titles_20k.csv",
        map: &[],
        peer_text: "title",
        label: "label_name",
        k: 10,
        lsa: Some(100),
    },
    Corpus {
        name: "news articles 12,461",
        file: "cn_news_articles/cn_news_articles.csv",
        map: &[],
        peer_text: "title,body",
        label: "source_folder",
        k: 8,
        lsa: None,
    },
    Corpus {
        name: "shopping reviews 62,774",
        file: "online_shopping_10_cats/online_shopping_10_cats.csv",
        map: &[],
        peer_text: "review",
        label: "cat",
        k: 10,
        lsa: None,
    },
];

fn run(args: &[&str]) -> (f64, Vec<u8>) {
    let t = Instant::now();
    let out = Command::new(minyi_bin())
        .args(args)
        .output()
        .expect("run minyi");
    assert!(
        out.status.success(),
        "minyi {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (t.elapsed().as_secs_f64(), out.stdout)
}

/// Scores a topics JSON against the labels (by the extra label column each item keeps).
fn score(index: &Path, topics: &serde_json::Value, label: &str) -> (f64, f64, usize) {
    let idx = minyi::index::ItemIndex::open(index).unwrap();
    let items = idx.collect(None, &Default::default()).unwrap();
    let mut assign: HashMap<&str, String> = HashMap::new();
    for t in topics["topics"].as_array().unwrap() {
        for id in t["item_ids"].as_array().unwrap() {
            assign.insert(id.as_str().unwrap(), t["id"].to_string());
        }
    }
    for id in topics["other"]["item_ids"].as_array().unwrap() {
        assign.insert(id.as_str().unwrap(), "other".into());
    }
    assert_eq!(
        assign.len(),
        items.len(),
        "every item is in a topic or in 其他"
    );
    let y: Vec<String> = items
        .iter()
        .map(|i| {
            i.extra
                .iter()
                .find(|(k, _)| k == label)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    let p: Vec<String> = items
        .iter()
        .map(|i| assign[i.id.as_str()].clone())
        .collect();
    (
        nmi(&y, &p),
        ari(&y, &p),
        topics["topics"].as_array().unwrap().len(),
    )
}

/// Semantic runs on one corpus (issue 7): the full model (only where `full` is set: it runs
/// every text through the model) and the static table distilled over a dictionary and the
/// corpus's words, each followed by `topics --semantic` with k forced and automatic.
fn semantic(c: &Corpus, index: &Path, model: &Path, words: Option<&Path>, full: bool) {
    let ix = index.to_str().unwrap();
    let items = minyi::index::ItemIndex::open(index)
        .unwrap()
        .collect(None, &Default::default())
        .unwrap()
        .len();
    let k = c.k.to_string();
    let mut paths: Vec<&str> = vec!["static"];
    if full {
        paths.insert(0, "full");
    }
    // The table goes next to the model: distil into a private copy of the model directory.
    let copy = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(model).unwrap() {
        let f = f.unwrap();
        std::os::unix::fs::symlink(f.path(), copy.path().join(f.file_name())).unwrap();
    }
    let _ = std::fs::remove_file(copy.path().join(minyi::embed::statics::FILE));
    let m = copy.path().to_str().unwrap();
    for path in paths {
        if path == "static" {
            let max = std::env::var("MINYI_DICT_MAX").unwrap_or_else(|_| "50000".into());
            let mut args = vec!["model", "distill", "--model", m, "--index", ix];
            if let Some(w) = words {
                args.extend_from_slice(&["--words", w.to_str().unwrap(), "--max-words", &max]);
            }
            let (s, _) = run(&args);
            println!(
                "minyi model distill ({} dictionary words at most + the corpus's words): {s:.1} s",
                if words.is_some() { max.as_str() } else { "no" }
            );
        }
        let (embed_s, _) = run(&[
            "embed",
            "--index",
            ix,
            "--model",
            m,
            "--embed-mode",
            path,
            "--rebuild",
        ]);
        // The embedding rate alone, in process (no start-up, no index reading).
        let rate = {
            let idx = minyi::index::ItemIndex::open(index).unwrap();
            let all = idx.collect(None, &Default::default()).unwrap();
            let refs: Vec<&minyi::Item> = all.iter().collect();
            let mode = if path == "static" {
                minyi::embed::Mode::Static
            } else {
                minyi::embed::Mode::Full
            };
            let model = minyi::embed::Model::open(copy.path(), mode).unwrap();
            let take = if path == "static" {
                refs.len()
            } else {
                refs.len().min(2000)
            };
            let t = Instant::now();
            let v = model
                .embed_items(&idx.segmenter, &refs[..take], &|_| {})
                .unwrap();
            assert_eq!(v.len(), take);
            take as f64 / t.elapsed().as_secs_f64()
        };
        println!("semantic {path}: embedding alone {rate:.0} items/s (in process)");
        let (forced_s, out) = run(&[
            "topics",
            "--index",
            ix,
            "--semantic",
            "--k",
            &k,
            "--format",
            "json",
        ]);
        let (f_nmi, f_ari, _) = score(index, &serde_json::from_slice(&out).unwrap(), c.label);
        let (auto_s, out) = run(&["topics", "--index", ix, "--semantic", "--format", "json"]);
        let (a_nmi, a_ari, a_k) = score(index, &serde_json::from_slice(&out).unwrap(), c.label);
        println!(
            "semantic {path}: embed {embed_s:.1} s ({:.0} items/s); topics k={} {forced_s:.1} s NMI {f_nmi:.3} ARI {f_ari:.3}; automatic {auto_s:.1} s, {a_k} topics, NMI {a_nmi:.3} ARI {a_ari:.3}",
            items as f64 / embed_s,
            c.k
        );
    }
}

fn main() {
    let peer_python = std::env::var_os("MINYI_PEER_PYTHON");
    // MINYI_BENCH_CORPORA=thuc,news runs only the corpora whose names contain one of these.
    let only: Option<Vec<String>> = std::env::var("MINYI_BENCH_CORPORA")
        .ok()
        .map(|s| s.split(',').map(|x| x.trim().to_lowercase()).collect());
    // The sentence-embedding model (`.ci/fetch-model`), and a dictionary word list for the
    // static table (jieba's dict.txt; MINYI_DICT_WORDS).
    let model = std::env::var_os("MINYI_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root().join("corpora/models/m3e-small"));
    let words = std::env::var_os("MINYI_DICT_WORDS").map(std::path::PathBuf::from);
    println!(
        "# minyi topics vs the Python peer — {} threads",
        rayon::current_num_threads()
    );
    for c in CORPORA {
        if let Some(only) = &only {
            if !only.iter().any(|o| c.name.to_lowercase().contains(o)) {
                continue;
            }
        }
        let file = root().join("../shared/datasets").join(c.file);
        assert!(
            file.exists(),
            "{} missing: this benchmark needs ../shared/datasets",
            file.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        let ix = index.to_str().unwrap();
        let mut args = vec![
            "ingest",
            file.to_str().unwrap(),
            "--index",
            ix,
            "--format",
            "json",
        ];
        for m in c.map {
            args.extend_from_slice(&["--map", m]);
        }
        let (ingest_s, _) = run(&args);
        let k = c.k.to_string();
        let (forced_s, out) = run(&["topics", "--index", ix, "--k", &k, "--format", "json"]);
        let (f_nmi, f_ari, _) = score(&index, &serde_json::from_slice(&out).unwrap(), c.label);
        let (auto_s, out) = run(&["topics", "--index", ix, "--format", "json"]);
        let (a_nmi, a_ari, a_k) = score(&index, &serde_json::from_slice(&out).unwrap(), c.label);
        let minyi_total = ingest_s + forced_s;
        println!("\n## {}", c.name);
        println!("minyi ingest {ingest_s:.1} s + topics k={} {forced_s:.1} s = {minyi_total:.1} s; NMI {f_nmi:.3} ARI {f_ari:.3}", c.k);
        println!(
            "minyi topics automatic k: {auto_s:.1} s, {a_k} topics; NMI {a_nmi:.3} ARI {a_ari:.3}"
        );
        if model.join("config.json").exists() {
            // The full model runs on the titles only (bodies make it minutes per corpus).
            semantic(
                c,
                &index,
                &model,
                words.as_deref(),
                c.name.contains("THUCNews"),
            );
        } else {
            println!(
                "semantic: not run (no model at {}; run .ci/fetch-model)",
                model.display()
            );
        }
        let Some(py) = &peer_python else {
            println!("python peer: not run (set MINYI_PEER_PYTHON)");
            continue;
        };
        let mut cmd = Command::new(py);
        cmd.arg(root().join("../shared/bench/py_baseline.py"))
            .arg(&file)
            .args(["--text", c.peer_text, "--label", c.label, "--k", &k]);
        if let Some(l) = c.lsa {
            cmd.args(["--lsa", &l.to_string()]);
        }
        let out = cmd.output().expect("run the peer");
        assert!(
            out.status.success(),
            "peer: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(out.stdout.trim_ascii()).unwrap();
        let peer_total = v["total_s"].as_f64().unwrap();
        let best = v["kmeans_nmi"]
            .as_f64()
            .unwrap()
            .max(v["lsa_nmi"].as_f64().unwrap_or(0.0));
        println!(
            "python peer: {peer_total:.1} s; KMeans NMI {:.3}{}; best {best:.3}",
            v["kmeans_nmi"].as_f64().unwrap(),
            v["lsa_nmi"]
                .as_f64()
                .map(|x| format!(", LSA NMI {x:.3}"))
                .unwrap_or_default()
        );
        println!(
            "ratio: minyi {:.1}x faster end to end; NMI minus best peer: k forced {:+.3}, automatic {:+.3}",
            peer_total / minyi_total,
            f_nmi - best,
            a_nmi - best
        );
    }
}
