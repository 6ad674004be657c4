//! How topic mining scales (a bench binary that prints figures): a corpus of
//! MINYI_SCALE_ITEMS items (default 1,000,000) is built from the real news articles in
//! `../shared/datasets` so that it has topic structure — each item retells one article (its
//! title, two or three of its sentences) with a sentence from another article of the same
//! category, dated uniformly over 2019–2024 — and ingested once. `minyi topics` then runs on
//! date windows holding about 10k, 100k and all items, with 2 threads and with 1, printing
//! wall time, peak RSS (of that process alone) and the NMI of the topics against the 8 news
//! categories (a sanity figure: the items of one category should not scatter). Before that,
//! the problem registry: `track` over all items, and a daily update — an ingest of 1% more
//! items of one day, whose registry step finds again only the region they touch.
//!
//! MINYI_SCALE_DIR=DIR keeps the corpus and its index in DIR between runs (built when absent);
//! MINYI_SCALE_CORPUS_ONLY=1 only writes the corpus (for benches/spark.sh).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use minyi::topics::eval::nmi;

mod common;

use common::{minyi_bin, root, Rng};

struct Article {
    category: String,
    title: String,
    sentences: Vec<String>,
}

fn load_articles() -> Vec<Article> {
    let path = root().join("../shared/datasets/cn_news_articles/cn_news_articles.csv");
    assert!(
        path.exists(),
        "{} missing: this benchmark needs ../shared/datasets",
        path.display()
    );
    let mut r = csv::Reader::from_path(&path).expect("news csv");
    r.records()
        .filter_map(|rec| {
            let rec = rec.expect("record");
            let body = minyi::ingest::clean::clean_text(&rec[3]);
            let sentences: Vec<String> = body
                .split_inclusive(['。', '！', '？'])
                .map(str::trim)
                .filter(|s| (10..=120).contains(&s.chars().count()) && !s.contains('{'))
                .map(str::to_string)
                .collect();
            (sentences.len() >= 3).then(|| Article {
                category: rec[1].trim_start_matches("test").replace("News", ""),
                title: minyi::ingest::clean::clean_text(&rec[2])
                    .chars()
                    .take(24)
                    .collect(),
                sentences,
            })
        })
        .collect()
}

/// Writes the corpus (id, title, body, date, submitter, sector, category); returns its labels.
fn make_corpus(n: usize, path: &Path) -> HashMap<String, String> {
    make_items(0..n, None, path)
}

/// The items `range` of the corpus (the rest drawn but not written), all on `day` when
/// given: a day's new items for the registry's daily update.
fn make_items(
    range: std::ops::Range<usize>,
    day: Option<chrono::NaiveDate>,
    path: &Path,
) -> HashMap<String, String> {
    let n = range.end;
    let articles = load_articles();
    let mut by_cat: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in articles.iter().enumerate() {
        by_cat.entry(a.category.as_str()).or_default().push(i);
    }
    let sectors = [
        "经济界",
        "教育界",
        "医药卫生界",
        "农业界",
        "民盟",
        "民进",
        "九三学社",
        "工会",
        "妇联",
        "科协",
        "无党派人士",
        "文化艺术界",
    ];
    let mut w = csv::Writer::from_path(path).expect("corpus csv");
    w.write_record(["编号", "标题", "正文", "报送时间", "报送人", "界别", "类别"])
        .unwrap();
    let mut rng = Rng(0x5ca1_e000_0000_0001);
    let mut labels = HashMap::with_capacity(n);
    let days = 6 * 365 + 1;
    for i in 0..n {
        let a = &articles[rng.below(articles.len())];
        let mut body = String::new();
        let start = rng.below(a.sentences.len() - 2);
        for s in &a.sentences[start..start + 2 + rng.below(2)] {
            body.push_str(s);
        }
        let same = &by_cat[a.category.as_str()];
        let b = &articles[same[rng.below(same.len())]];
        body.push_str(&b.sentences[rng.below(b.sentences.len())]);
        let date = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap()
            + chrono::Duration::days(rng.below(days) as i64);
        let date = day.unwrap_or(date);
        let id = format!("S{i:07}");
        if i < range.start {
            // Drawn as for the whole corpus, so that the items written are the same.
            let _ = (
                rng.below(24),
                rng.below(60),
                rng.below(5000),
                rng.below(sectors.len()),
            );
            continue;
        }
        w.write_record([
            id.as_str(),
            a.title.as_str(),
            body.as_str(),
            &format!("{date} {:02}:{:02}", rng.below(24), rng.below(60)),
            &format!("信息员{:04}", rng.below(5000)),
            sectors[rng.below(sectors.len())],
            a.category.as_str(),
        ])
        .unwrap();
        labels.insert(id, a.category.clone());
    }
    w.flush().unwrap();
    labels
}

/// Runs minyi, returning wall seconds, peak RSS in MB of that process, and stdout.
fn run_measured(args: &[&str], threads: usize) -> (f64, f64, Vec<u8>) {
    let t = Instant::now();
    let child = Command::new(minyi_bin())
        .args(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run minyi");
    let pid = child.id() as libc::pid_t;
    // Read the output on threads so the child never blocks on a full pipe.
    let mut child = child;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).unwrap();
        v
    });
    let e = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).unwrap();
        v
    });
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, writing into the structs we pass.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let secs = t.elapsed().as_secs_f64();
    let stdout = o.join().unwrap();
    let stderr = e.join().unwrap();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "minyi {args:?} failed: {}",
        String::from_utf8_lossy(&stderr)
    );
    (secs, usage.ru_maxrss as f64 / 1024.0, stdout)
}

fn main() {
    let n: usize = std::env::var("MINYI_SCALE_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let keep = std::env::var_os("MINYI_SCALE_DIR").map(PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let dir = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let csv_path = dir.join(format!("scale_{n}.csv"));
    let index = dir.join(format!("index_{n}"));
    let ix = index.to_str().unwrap();
    println!(
        "# minyi topics scaling — corpus of {n} items built from the news articles; {} cores here",
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );
    let t = Instant::now();
    let labels = make_corpus(n, &csv_path);
    println!(
        "corpus: {:.0} MB CSV written in {:.1} s",
        std::fs::metadata(&csv_path).unwrap().len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    // The Spark bench (benches/spark.sh) only needs the corpus.
    if std::env::var_os("MINYI_SCALE_CORPUS_ONLY").is_some() {
        return;
    }
    if !index.join("minyi.json").exists() {
        let (s, rss, out) = run_measured(
            &[
                "ingest",
                csv_path.to_str().unwrap(),
                "--index",
                ix,
                "--format",
                "json",
                // The registry update is measured on its own below.
                "--no-track",
            ],
            2,
        );
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v["new"].as_u64(),
            Some(n as u64),
            "every item ingested: {v}"
        );
        println!("ingest: {s:.1} s, peak RSS {rss:.0} MB");
    }
    // The problem registry (issue 46): the first update registers every problem; `track`
    // again finds the problems of all items again (what an ingest after a --no-track one
    // costs).
    for (what, extra) in [("first, --rebuild", "--rebuild"), ("again", "")] {
        let mut args = vec!["track", "--index", ix, "--format", "json"];
        if !extra.is_empty() {
            args.push(extra);
        }
        let (s, rss, out) = run_measured(&args, 2);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap_or_default();
        println!(
            "track ({what}), {n} items: {s:.1} s, peak RSS {rss:.0} MB, {} problems",
            v["found"]
        );
    }
    // A daily update: 1% more items, all of the day after the corpus's last, ingested into a
    // copy of the index; the registry step finds again only the region they touch.
    let day_n = (n / 100).max(1);
    let day_csv = dir.join(format!("scale_{n}_day.csv"));
    make_items(
        n..n + day_n,
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1),
        &day_csv,
    );
    let copy = dir.join(format!("index_{n}_daily"));
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(&index, &copy);
    let (s, rss, out) = run_measured(
        &[
            "ingest",
            day_csv.to_str().unwrap(),
            "--index",
            copy.to_str().unwrap(),
            "--format",
            "json",
        ],
        2,
    );
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap_or_default();
    println!(
        "daily update (ingest {day_n} items + registry), {n} items: {s:.1} s, peak RSS {rss:.0} MB; ingest alone {:.1} s; region found again {} items; {} problems",
        v["seconds"].as_f64().unwrap_or(f64::NAN),
        v["tracking"]["region"],
        v["tracking"]["found"]
    );
    std::fs::remove_dir_all(&copy).unwrap();

    // Windows ending 2024-12-31 holding about 10k, 100k and all items.
    let mut sizes: Vec<usize> = [10_000, 100_000].into_iter().filter(|&m| m < n).collect();
    sizes.push(n);
    windows(ix, n, &sizes, &labels, &[]);

    // The static embedding path (issue 7) at the same scale, when a model and a dictionary
    // word list are given: distil the table once (kept in MINYI_SCALE_DIR), embed every item,
    // then cluster the same windows with --semantic.
    let (Some(model), Some(words)) = (
        std::env::var_os("MINYI_MODEL").map(PathBuf::from),
        std::env::var_os("MINYI_DICT_WORDS"),
    ) else {
        println!("\nsemantic: not run (set MINYI_MODEL and MINYI_DICT_WORDS)");
        return;
    };
    let table_dir = dir.join("model");
    if !table_dir.join("minyi-static.bin").exists() {
        std::fs::create_dir_all(&table_dir).unwrap();
        for f in std::fs::read_dir(&model).unwrap() {
            let f = f.unwrap();
            if f.file_type().unwrap().is_file() {
                std::fs::copy(f.path(), table_dir.join(f.file_name())).unwrap();
            }
        }
        let max = std::env::var("MINYI_DICT_MAX").unwrap_or_else(|_| "50000".into());
        let (s, rss, _) = run_measured(
            &[
                "model",
                "distill",
                "--model",
                table_dir.to_str().unwrap(),
                "--words",
                words.to_str().unwrap(),
                "--max-words",
                &max,
                "--index",
                ix,
            ],
            2,
        );
        println!("\nmodel distill (dictionary and corpus words): {s:.1} s, peak RSS {rss:.0} MB");
    }
    let (s, rss, _) = run_measured(
        &[
            "embed",
            "--index",
            ix,
            "--model",
            table_dir.to_str().unwrap(),
            "--embed-mode",
            "static",
        ],
        2,
    );
    println!(
        "embed --embed-mode static, {n} items: {s:.1} s ({:.0} items/s), peak RSS {rss:.0} MB",
        n as f64 / s
    );
    windows(ix, n, &sizes, &labels, &["--semantic"]);
}

/// Runs `minyi topics` (plus `extra` arguments) on windows ending 2024-12-31 that hold about
/// `sizes` items, with 2 threads and 1, and prints time, peak RSS and NMI per run, then the
/// speed-up per thread and the growth of time with the items.
fn windows(ix: &str, n: usize, sizes: &[usize], labels: &HashMap<String, String>, extra: &[&str]) {
    let total_days = 6.0 * 365.0 + 1.0;
    println!("\n## topics {}", extra.join(" "));
    println!("\n| items | threads | topics | 其他 | wall | peak RSS | NMI vs categories |");
    println!("|---|---|---|---|---|---|---|");
    let mut times: HashMap<(usize, usize), f64> = HashMap::new();
    for &m in sizes {
        let mut args: Vec<String> = ["topics", "--index", ix, "--format", "json"]
            .map(String::from)
            .to_vec();
        args.extend(extra.iter().map(|a| a.to_string()));
        if m < n {
            let days = (total_days * m as f64 / n as f64).round() as i64;
            let from = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()
                - chrono::Duration::days(days - 1);
            args.extend([
                "--from".into(),
                from.to_string(),
                "--to".into(),
                "2024-12-31".into(),
            ]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        for threads in [2, 1] {
            // The 1-thread run on the largest corpus only when asked (it takes long).
            if threads == 1
                && m == n
                && n > 100_000
                && std::env::var_os("MINYI_SCALE_ONE_THREAD_ALL").is_none()
            {
                continue;
            }
            let (s, rss, out) = run_measured(&args, threads);
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let mut y = Vec::new();
            let mut p = Vec::new();
            for t in v["topics"].as_array().unwrap() {
                for id in t["item_ids"].as_array().unwrap() {
                    y.push(labels[id.as_str().unwrap()].clone());
                    p.push(t["id"].to_string());
                }
            }
            for id in v["other"]["item_ids"].as_array().unwrap() {
                y.push(labels[id.as_str().unwrap()].clone());
                p.push("other".to_string());
            }
            assert_eq!(
                y.len() as u64,
                v["items"].as_u64().unwrap(),
                "every item in a topic or in 其他"
            );
            times.insert((m, threads), s);
            println!(
                "| {} | {threads} | {} | {} | {s:.1} s | {rss:.0} MB | {:.3} |",
                y.len(),
                v["topics"].as_array().unwrap().len(),
                v["other"]["size"],
                nmi(&y, &p)
            );
        }
    }
    // What problems and heat (issue 34) add: the largest window again without them.
    if extra.is_empty() {
        let off = std::env::temp_dir().join("minyi-scale-problems-off.toml");
        std::fs::write(&off, "[problems]\nenabled = false\n").unwrap();
        let off = off.to_str().unwrap().to_string();
        // The largest window holds every item: no --from/--to.
        let args = [
            "--config", &off, "topics", "--index", ix, "--format", "json",
        ];
        let last = *sizes.last().unwrap();
        let (s, rss, _) = run_measured(&args, 2);
        if let Some(&with) = times.get(&(last, 2)) {
            println!(
                "topics without problems, {last} items, 2 threads: {s:.1} s, peak RSS {rss:.0} MB; problems and heat add {:.1} s ({:+.0}%)",
                with - s,
                100.0 * (with - s) / s
            );
        }
    }
    for &m in sizes {
        if let (Some(a), Some(b)) = (times.get(&(m, 1)), times.get(&(m, 2))) {
            println!("speed-up from 1 to 2 threads at ~{m} items: {:.2}x", a / b);
        }
    }
    for w in sizes.windows(2) {
        if let (Some(a), Some(b)) = (times.get(&(w[0], 2)), times.get(&(w[1], 2))) {
            println!(
                "~{} → ~{} items ({:.0}x): time {:.1}x",
                w[0],
                w[1],
                w[1] as f64 / w[0] as f64,
                b / a
            );
        }
    }
}

/// Copies a directory (an index: files only, no subdirectories deeper than one level).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
