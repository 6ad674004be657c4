//! The exchange format with other engines (issue 6): `minyi segment` (JSONL in, items with
//! terms out), `minyi export`, and `minyi report --topics FILE`.

use std::collections::HashMap;

use crate::util::{piped, sample, sample_rows, Workdir};

/// Runs `minyi segment ARGS` with `input` on standard input: (exit code, stdout, stderr).
fn segment(args: &[&str], input: &str) -> (i32, String, String) {
    piped(&[&["segment"], args].concat(), input)
}

/// The sample corpus as JSON lines with its Chinese headers as keys.
fn sample_jsonl() -> String {
    sample_rows()
        .iter()
        .map(|row| serde_json::to_string(row).unwrap() + "\n")
        .collect()
}

fn by_id(lines: &str) -> HashMap<String, serde_json::Value> {
    lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("each line is JSON"))
        .map(|v| (v["id"].as_str().expect("an id").to_string(), v))
        .collect()
}

#[test]
fn segment_gives_what_ingest_indexes_and_export_writes() {
    let w = Workdir::new();
    let jsonl = sample_jsonl();
    let n = jsonl.lines().count();
    let (code, out, err) = segment(&[], &jsonl);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), n, "one line out per line in");
    assert!(err.contains(&format!("读入 {n} 行")), "{err}");

    // Ingest the same lines as a file, then export the index.
    let file = w.write("items.jsonl", &jsonl);
    w.ingest(&[&file], &[]);
    let export = w.run(&["export"]);
    assert_eq!(export.code, 0, "{}", export.stderr);

    let piped = by_id(&out);
    let exported = by_id(&export.stdout);
    assert_eq!(piped.len(), n, "every sample item has its own id");
    assert_eq!(
        piped.keys().collect::<std::collections::BTreeSet<_>>(),
        exported.keys().collect(),
        "the same ids (derived the same way)"
    );
    let mut with_terms = 0;
    for (id, a) in &piped {
        let b = &exported[id];
        for field in [
            "title",
            "body",
            "submitted_at",
            "submitter",
            "sector",
            "unit",
            "adoption",
            "instruction",
            "feedback",
            "title_terms",
            "body_terms",
        ] {
            assert_eq!(a[field], b[field], "item {id}, field {field}");
        }
        if !a["body_terms"].as_array().unwrap().is_empty() {
            with_terms += 1;
        }
    }
    assert_eq!(with_terms, n, "every sample body has terms");

    // Terms are the indexed ones: searching an item's first title term finds it.
    let (id, item) = piped.iter().next().unwrap();
    let term = item["title_terms"][0].as_str().unwrap();
    let (_, hits, _) = w.search(&[&format!("title:{term}")]);
    assert!(
        hits.iter().any(|h| h["id"] == id.as_str()),
        "title:{term} finds {id}"
    );
}

#[test]
fn segment_keeps_every_line_and_names_the_bad_ones() {
    let input = concat!(
        "{\"标题\":\"关于老旧小区加装电梯的建议\",\"正文\":\"居民多次反映加装电梯协调难。\",\"报送时间\":\"2024-03-01\"}\n",
        "\n",
        "not json\n",
        "{\"foo\":1}\n",
        "{\"title\":\"停车难\",\"date\":\"2099-01-01\"}\n",
        "{\"title\":\"APP收费不透明\",\"body\":\"\"}\n",
    );
    let (code, out, err) = segment(&[], input);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "one line per non-blank input line");
    assert_eq!(
        lines[0]["title_terms"],
        serde_json::json!(["老旧小区", "加装电梯"])
    );
    assert_eq!(lines[0]["submitted_at"], "2024-03-01T00:00:00+08:00");
    let rejected: Vec<(&str, &str)> = lines
        .iter()
        .filter_map(|v| {
            let r = &v["rejected"];
            r.is_object().then(|| {
                (
                    r["location"].as_str().unwrap(),
                    r["reason"].as_str().unwrap(),
                )
            })
        })
        .collect();
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    assert_eq!(rejected[0].0, "line 3");
    assert!(rejected[0].1.contains("invalid JSON"));
    assert_eq!(rejected[1].0, "line 4");
    assert!(rejected[1].1.contains("no title or body"));
    assert_eq!(rejected[2].0, "line 5");
    assert!(rejected[2].1.contains("future"));
    // Letters are lower-cased as in ingest.
    assert_eq!(lines[4]["title_terms"][0], "app");
    assert!(err.contains("输出信息 2 条，拒收 3 行"), "{err}");

    // An empty partition: nothing out, success.
    let (code, out, _) = segment(&["--quiet"], "");
    assert_eq!((code, out.as_str()), (0, ""));
    // No title or body key on the first line: a clear error, exit 2.
    let (code, _, err) = segment(&[], "{\"foo\":1}\n");
    assert_eq!(code, 2);
    assert!(err.contains("foo"), "{err}");
}

#[test]
fn export_filters_by_window() {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let all = w.run(&["export"]);
    let q4 = w.run(&["export", "--from", "2024-10-01", "--to", "2024-12-31"]);
    let topics = w.run(&[
        "topics",
        "--from",
        "2024-10-01",
        "--to",
        "2024-12-31",
        "--format",
        "json",
    ]);
    let t: serde_json::Value = serde_json::from_str(&topics.stdout).unwrap();
    assert_eq!(all.stdout.lines().count(), sample_rows().len());
    assert_eq!(
        q4.stdout.lines().count() as u64,
        t["items"].as_u64().unwrap()
    );
    assert!(q4.stdout.lines().count() < all.stdout.lines().count());
    let out = w.path("q4.jsonl");
    let r = w.run(&[
        "export",
        "--from",
        "2024-10-01",
        "--to",
        "2024-12-31",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0);
    assert_eq!(std::fs::read_to_string(out).unwrap(), q4.stdout);
}

#[test]
fn report_renders_from_a_topics_file_as_from_the_index() {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let direct = w.run(&["report", "--period", "2024Q4", "--format", "md"]);
    assert_eq!(direct.code, 0, "{}", direct.stderr);
    let topics = w.run(&[
        "topics",
        "--from",
        "2024-10-01",
        "--to",
        "2024-12-31",
        "--compare",
        "previous",
        "--format",
        "json",
    ]);
    let file = w.write("topics.json", &topics.stdout);
    let f = file.to_str().unwrap();
    let from_file = w.run(&["report", "--topics", f, "--format", "md"]);
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    assert_eq!(
        from_file.stdout, direct.stdout,
        "the same report either way"
    );
    let html = w.run(&["report", "--topics", f, "--format", "html"]);
    assert_eq!(html.code, 0);
    assert!(html.stdout.contains("热点") && html.stdout.contains("<svg"));

    // A file naming items the index lacks, and a file with an item in two topics: each is
    // refused (exit 2) with the reason.
    let refused = |edit: &dyn Fn(&mut serde_json::Value), expect: &[&str]| {
        let mut v: serde_json::Value = serde_json::from_str(&topics.stdout).unwrap();
        edit(&mut v);
        let bad = w.write("bad.json", v.to_string());
        let r = w.run(&[
            "report",
            "--topics",
            bad.to_str().unwrap(),
            "--format",
            "md",
        ]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        for e in expect {
            assert!(r.stderr.contains(e), "{e}: {}", r.stderr);
        }
    };
    refused(
        &|v| {
            v["topics"][0]["item_ids"]
                .as_array_mut()
                .unwrap()
                .push("no-such-item".into())
        },
        &["no-such-item", "not in the index"],
    );
    refused(
        &|v| {
            let first = v["topics"][0]["item_ids"][0].clone();
            v["topics"][1]["item_ids"]
                .as_array_mut()
                .unwrap()
                .push(first);
        },
        &["more than one topic"],
    );
}

#[test]
#[cfg(feature = "parquet")]
fn export_parquet_holds_what_the_json_lines_hold() {
    use arrow_array::{Array, ListArray, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let jsonl = by_id(&w.run(&["export"]).stdout);
    let path = w.path("items.parquet");
    let r = w.run(&[
        "export",
        "--format",
        "parquet",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut rows = 0;
    let mut last_id = String::new();
    for batch in reader {
        let batch = batch.unwrap();
        let text = |name: &str| {
            batch
                .column_by_name(name)
                .unwrap()
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap()
                .clone()
        };
        let (ids, titles, dates) = (text("id"), text("title"), text("submitted_at"));
        let terms = batch
            .column_by_name("body_terms")
            .unwrap()
            .as_any()
            .downcast_ref::<ListArray>()
            .unwrap()
            .clone();
        for i in 0..batch.num_rows() {
            let id = ids.value(i).to_string();
            assert!(id > last_id, "ordered by id");
            let j = &jsonl[&id];
            assert_eq!(titles.value(i), j["title"].as_str().unwrap());
            assert_eq!(dates.is_null(i), j["submitted_at"].is_null());
            let t = terms.value(i);
            let t = t.as_any().downcast_ref::<StringArray>().unwrap();
            let got: Vec<&str> = (0..t.len()).map(|k| t.value(k)).collect();
            let want: Vec<&str> = j["body_terms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(got, want, "{id}");
            last_id = id;
            rows += 1;
        }
    }
    assert_eq!(rows, jsonl.len());
    // A Parquet file is not written to standard output.
    let r = w.run(&["export", "--format", "parquet"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--out"), "{}", r.stderr);
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `minyi export | head -1`: the closed pipe ends the command quietly, exit 0.
    use std::io::BufRead;
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    for args in [
        &["export"][..],
        &["search", "物业", "--limit", "400", "--format", "csv"][..],
    ] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("minyi"))
            .args(args)
            .arg("--index")
            .arg(w.index())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run minyi");
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "{args:?}: no first line");
        // The reader is dropped here: the rest (far over a pipe's buffer) has nowhere to go.
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
    // `minyi topics --format json | head -c 10`: one line of 76 KB, read for 10 bytes.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("minyi"))
        .args(["topics", "--format", "json", "--index"])
        .arg(w.index())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run minyi");
    let mut start = [0u8; 10];
    std::io::Read::read_exact(&mut child.stdout.take().unwrap(), &mut start).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "topics: {stderr}");
    assert!(!stderr.contains("panicked"), "topics: {stderr}");
}
