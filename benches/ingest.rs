//! End-to-end ingest and search benchmark on real text (a bench binary that prints figures).
//!
//! Needs `../shared/datasets/cn_news_articles/cn_news_articles.csv` and a release build of the
//! binary (`cargo bench --bench ingest` builds both). Prints, with the same thread count:
//!   1. raw jieba-rs segmentation throughput of the news text (rayon over all threads);
//!   2. a bare tantivy indexer using the tantivy-jieba tokenizer over the same text, alone
//!      and with minyi's positional character field (what substring completeness costs);
//!   3. `minyi ingest` of the same file (MB/s, items/s) and the ratios between them;
//!   4. a synthetic corpus of MINYI_BENCH_ITEMS items (default 1,000,000; title ≈20 chars,
//!      body ≈200–300 chars) made by recombining sentences of the news bodies, dates spread
//!      over 2019–2024: `minyi ingest` wall time and peak RSS (the child's maxrss);
//!   5. search latency p50/p95 over 100 queries on that index.
//!
//! Every stage asserts its result (counts) before its time is reported.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

mod common;

use common::{minyi_bin, Rng};
use rayon::prelude::*;
use tantivy::schema::{Schema, TextFieldIndexing, TextOptions};
use tantivy::{doc, Index};

fn news_path() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets/cn_news_articles/cn_news_articles.csv");
    assert!(
        p.exists(),
        "{} missing: this benchmark needs ../shared/datasets",
        p.display()
    );
    p
}

fn load_news(path: &Path) -> Vec<(String, String)> {
    let mut r = csv::Reader::from_path(path).expect("news csv");
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            (
                minyi::ingest::clean::clean_text(&rec[2]),
                minyi::ingest::clean::clean_text(&rec[3]),
            )
        })
        .collect()
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn child_peak_rss_mb() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we pass; RUSAGE_CHILDREN covers waited-for children.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn run_ingest(bin: &Path, file: &Path, index: &Path, threads: usize) -> (f64, serde_json::Value) {
    let t = Instant::now();
    let out = Command::new(bin)
        .args([
            "ingest",
            file.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
            "--format",
            "json",
            "--threads",
        ])
        .arg(threads.to_string())
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("run minyi");
    let secs = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "minyi ingest failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        secs,
        serde_json::from_slice(&out.stdout).expect("summary json"),
    )
}

/// Writes `n` synthetic items built from the news sentences; returns the file size.
fn make_synthetic(news: &[(String, String)], n: usize, path: &Path) -> u64 {
    let sentences: Vec<&str> = news
        .iter()
        .flat_map(|(_, b)| b.split_inclusive(['。', '！', '？']))
        .map(str::trim)
        .filter(|s| {
            (12..=90).contains(&s.chars().count()) && !s.contains("function") && !s.contains('{')
        })
        .collect();
    let titles: Vec<&str> = news
        .iter()
        .map(|(t, _)| t.as_str())
        .filter(|t| (6..=40).contains(&t.chars().count()))
        .collect();
    assert!(
        sentences.len() > 10_000 && titles.len() > 5_000,
        "enough material"
    );
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
        "共青团",
        "科协",
        "无党派人士",
        "社会福利和社会保障界",
        "文化艺术界",
        "新闻出版界",
        "特邀人士",
        "民建",
    ];
    let mut w = csv::Writer::from_path(path).expect("synthetic csv");
    w.write_record([
        "编号",
        "标题",
        "正文",
        "报送时间",
        "报送人",
        "界别",
        "采用级别",
        "点赞数",
    ])
    .unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let levels = ["未采用", "未采用", "未采用", "县级", "市级", "省级"];
    for i in 0..n {
        let title: String = titles[rng.below(titles.len())].chars().take(22).collect();
        let mut body = String::new();
        let target = 200 + rng.below(100);
        while body.chars().count() < target {
            body.push_str(sentences[rng.below(sentences.len())]);
        }
        let day = rng.below(6 * 365);
        let date = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap()
            + chrono::Duration::days(day as i64);
        let rec = [
            format!("S{i:07}"),
            title,
            body,
            format!("{} {:02}:{:02}", date, rng.below(24), rng.below(60)),
            format!("信息员{:04}", rng.below(5000)),
            sectors[rng.below(sectors.len())].to_string(),
            levels[rng.below(levels.len())].to_string(),
            rng.below(300).to_string(),
        ];
        w.write_record(&rec).unwrap();
    }
    w.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let threads = rayon::current_num_threads();
    let news_file = news_path();
    let news = load_news(&news_file);
    let bytes: usize = news.iter().map(|(t, b)| t.len() + b.len()).sum();
    println!("# minyi ingest benchmark — {} threads, cn_news_articles: {} items, {:.1} MB of title+body text", threads, news.len(), mb(bytes));

    // 1. Raw jieba-rs segmentation (same dictionary, HMM on, rayon over all threads).
    let seg = minyi::segment::Segmenter::embedded();
    let t = Instant::now();
    let tokens: usize = news
        .par_iter()
        .map(|(a, b)| seg.jieba().cut(a, true).len() + seg.jieba().cut(b, true).len())
        .sum();
    let jieba_s = t.elapsed().as_secs_f64();
    assert!(tokens > bytes / 20, "segmentation produced tokens");
    let jieba_mbs = mb(bytes) / jieba_s;
    println!(
        "raw jieba-rs cut            : {:7.2} s  {:7.1} MB/s  ({} tokens)",
        jieba_s, jieba_mbs, tokens
    );

    // 2. Bare tantivy indexer with the tantivy-jieba tokenizer (its defaults).
    let dir = tempfile::tempdir().unwrap();
    let mut sb = Schema::builder();
    let opts = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer("jieba"));
    let title_f = sb.add_text_field("title", opts.clone());
    let body_f = sb.add_text_field("body", opts);
    let index = Index::create_in_dir(dir.path(), sb.build()).unwrap();
    index
        .tokenizers()
        .register("jieba", tantivy_jieba::JiebaTokenizer::new());
    let t = Instant::now();
    let mut writer: tantivy::IndexWriter =
        index.writer_with_num_threads(threads, 384 << 20).unwrap();
    for (a, b) in &news {
        writer
            .add_document(doc!(title_f => a.as_str(), body_f => b.as_str()))
            .unwrap();
    }
    writer.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    let bare_s = t.elapsed().as_secs_f64();
    assert_eq!(
        index.reader().unwrap().searcher().num_docs() as usize,
        news.len()
    );
    let bare_mbs = mb(bytes) / bare_s;
    println!(
        "bare tantivy + tantivy-jieba: {:7.2} s  {:7.1} MB/s  {:8.0} items/s",
        bare_s,
        bare_mbs,
        news.len() as f64 / bare_s
    );

    // 2b. The same bare indexer plus minyi's positional character field: the engine work that
    // substring-complete search needs, without reading, cleaning or stored fields.
    let dir2 = tempfile::tempdir().unwrap();
    let mut sb = Schema::builder();
    let opts = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer("jieba"));
    let grams_opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("grams")
            .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions),
    );
    let title_f = sb.add_text_field("title", opts.clone());
    let body_f = sb.add_text_field("body", opts);
    let grams_f = sb.add_text_field("grams", grams_opts);
    let index = Index::create_in_dir(dir2.path(), sb.build()).unwrap();
    index
        .tokenizers()
        .register("jieba", tantivy_jieba::JiebaTokenizer::new());
    index
        .tokenizers()
        .register("grams", minyi::segment::grams::GramKind::Chars.tokenizer());
    let t = Instant::now();
    let mut writer: tantivy::IndexWriter =
        index.writer_with_num_threads(threads, 384 << 20).unwrap();
    for (a, b) in &news {
        writer.add_document(doc!(title_f => a.as_str(), body_f => b.as_str(), grams_f => a.as_str(), grams_f => b.as_str())).unwrap();
    }
    writer.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    let bare_grams_s = t.elapsed().as_secs_f64();
    assert_eq!(
        index.reader().unwrap().searcher().num_docs() as usize,
        news.len()
    );
    let bare_grams_mbs = mb(bytes) / bare_grams_s;
    println!(
        "bare tantivy-jieba + chars  : {:7.2} s  {:7.1} MB/s  {:8.0} items/s",
        bare_grams_s,
        bare_grams_mbs,
        news.len() as f64 / bare_grams_s
    );

    // 3. minyi ingest of the same file (reading, cleaning, segmenting, characters, stored fields).
    let bin = minyi_bin();
    let ix = dir.path().join("minyi-news");
    let (secs, summary) = run_ingest(&bin, &news_file, &ix, threads);
    assert_eq!(summary["read"].as_u64(), Some(news.len() as u64));
    let file_mb = mb(std::fs::metadata(&news_file).unwrap().len() as usize);
    let ingest_mbs = mb(bytes) / secs;
    println!(
        "minyi ingest               : {:7.2} s  {:7.1} MB/s  {:8.0} items/s  (file {:.1} MB, new {}, rejected {})",
        secs, ingest_mbs, news.len() as f64 / secs, file_mb, summary["new"], summary["rejected"]
    );
    println!(
        "ratios: minyi/bare indexer = {:.2}x, minyi/bare indexer with characters = {:.2}x, minyi/raw jieba = {:.2}x",
        ingest_mbs / bare_mbs,
        ingest_mbs / bare_grams_mbs,
        ingest_mbs / jieba_mbs
    );
    // 3b. The named-object pass (地点/人群) alone, in process on the same threads over the
    // same texts: its share of the whole ingest (target: at most 15%).
    let t = Instant::now();
    let named: usize = news
        .par_iter()
        .map(|(a, b)| minyi::segment::places::places(&seg, a, b).len())
        .sum();
    let places_s = t.elapsed().as_secs_f64();
    assert!(named > 0, "the articles name places");
    println!(
        "named-object pass alone    : {:7.2} s  ({} names) = {:.1}% of minyi ingest",
        places_s,
        named,
        100.0 * places_s / secs
    );
    peer(&news_file, secs);

    // 4. Synthetic information items at scale.
    let n: usize = std::env::var("MINYI_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let big = dir.path().join("synthetic.csv");
    let t = Instant::now();
    let size = make_synthetic(&news, n, &big);
    println!("\nsynthetic corpus: {} items, {:.0} MB CSV (made in {:.1} s by recombining news sentences)", n, mb(size as usize), t.elapsed().as_secs_f64());
    let big_ix = dir.path().join("minyi-big");
    let (secs, summary) = run_ingest(&bin, &big, &big_ix, threads);
    assert_eq!(
        (summary["read"].as_u64(), summary["new"].as_u64()),
        (Some(n as u64), Some(n as u64)),
        "{summary}"
    );
    let du: u64 = walk_size(&big_ix);
    println!(
        "minyi ingest {} items      : {:7.1} s  {:7.1} MB/s  {:8.0} items/s  peak RSS {:.0} MB  index {:.0} MB",
        n, secs, mb(size as usize) / secs, n as f64 / secs, child_peak_rss_mb(), mb(du as usize)
    );

    // 5. Search latency on that index: words and verbatim substrings drawn from the corpus.
    let index = minyi::index::ItemIndex::open(&big_ix).unwrap();
    let mut rng = Rng(42);
    let mut queries = Vec::new();
    while queries.len() < 100 {
        let (_, body) = &news[rng.below(news.len())];
        let chars: Vec<char> = body
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .collect();
        if chars.len() < 20 {
            continue;
        }
        let len = 2 + rng.below(4);
        let start = rng.below(chars.len() - len);
        queries.push(chars[start..start + len].iter().collect::<String>());
    }
    let _ = index.search(&minyi::index::search::SearchRequest {
        query: Some("发展".into()),
        limit: 20,
        ..Default::default()
    });
    let mut lat = Vec::new();
    let mut nonempty = 0;
    for q in &queries {
        let req = minyi::index::search::SearchRequest {
            query: Some(q.clone()),
            limit: 20,
            ..Default::default()
        };
        let t = Instant::now();
        let res = index.search(&req).unwrap();
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        nonempty += (res.total > 0) as usize;
    }
    assert!(
        nonempty > 50,
        "most sampled queries find items ({nonempty}/100)"
    );
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "search latency over 100 queries (top 20 with snippets): p50 {:.1} ms  p95 {:.1} ms  max {:.1} ms  ({} with hits)",
        percentile(&lat, 0.5), percentile(&lat, 0.95), lat[lat.len() - 1], nonempty
    );
}

/// The Python peer (`../shared/bench/py_baseline.py --seg-only`): Python jieba segmentation of
/// the same text, in this run. Needs MINYI_PEER_PYTHON (a python with jieba, scikit-learn, numpy).
fn peer(news_file: &Path, minyi_ingest_s: f64) {
    let Some(python) = std::env::var_os("MINYI_PEER_PYTHON") else {
        println!("python peer: not run (set MINYI_PEER_PYTHON to a python with jieba, scikit-learn and numpy)");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/py_baseline.py");
    let out = Command::new(python)
        .arg(script)
        .arg(news_file)
        .args([
            "--text",
            "title,body",
            "--label",
            "source_folder",
            "--k",
            "8",
            "--seg-only",
        ])
        .output()
        .expect("run the python peer");
    assert!(
        out.status.success(),
        "peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(out.stdout.trim_ascii()).expect("peer json");
    let seg = v["stages_s"]["seg_s"].as_f64().expect("seg_s");
    println!(
        "python peer jieba (seg only): {:7.2} s  {:7.2} MB/s  → minyi ingest (all stages) is {:.1}x faster than the peer's segmentation alone",
        seg, v["seg_mb_s"].as_f64().unwrap_or(0.0), seg / minyi_ingest_s
    );
}

fn walk_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    let m = e.metadata().unwrap();
                    if m.is_dir() {
                        walk_size(&e.path())
                    } else {
                        m.len()
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
