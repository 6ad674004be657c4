//! Reports and the bulletin on the sample corpus: snapshots of the Markdown and CSV output,
//! structure and escaping of the HTML, batches, and the settings file.

use crate::util::{ok, sample_index};

#[test]
fn report_markdown_and_csv_snapshots() {
    let w = sample_index();
    let md = ok(&w, &["report", "--period", "2024Q4", "--format", "md"]);
    insta::assert_snapshot!("report_2024q4_md", md);
    let csv = ok(&w, &["report", "--period", "2024Q4", "--format", "csv"]);
    assert!(
        csv.starts_with('\u{feff}'),
        "CSV starts with a BOM for Excel"
    );
    insta::assert_snapshot!("report_2024q4_csv", csv);
}

#[test]
fn report_finds_the_designed_classes_and_accounts_for_every_item() {
    let w = sample_index();
    let v: serde_json::Value = serde_json::from_str(&ok(
        &w,
        &["report", "--period", "2024Q4", "--format", "json"],
    ))
    .unwrap();
    let items = v["overview"]["items"].as_u64().unwrap();
    // The window's items are all in a topic or in 其他.
    let assigned: u64 = v["topics"]["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["item_ids"].as_array().unwrap().len() as u64)
        .sum::<u64>()
        + v["topics"]["other"]["size"].as_u64().unwrap();
    assert_eq!(assigned, items);
    // The sample's designed hot issues rise at the end of 2024.
    let hot: Vec<&str> = v["hot"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert!(!hot.is_empty(), "2024Q4 has hot topics");
    assert!(
        hot.iter()
            .any(|l| l.contains("电动自行车") || l.contains("预付") || l.contains("内涝")),
        "{hot:?}"
    );
    // Every suggestion names a topic and source items that exist.
    let suggestions = v["suggestions"].as_array().unwrap();
    assert!(!suggestions.is_empty());
    for s in suggestions {
        assert!(!s["items"].as_array().unwrap().is_empty(), "{s}");
        let id = s["items"][0]["id"].as_str().unwrap();
        assert_eq!(w.run(&["show", id]).code, 0, "minyi show accepts {id}");
    }
}

#[test]
fn html_report_is_self_contained_with_sections_and_charts() {
    let w = sample_index();
    let out = w.path("q4.html");
    ok(
        &w,
        &[
            "report",
            "--period",
            "2024Q4",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let html = std::fs::read_to_string(&out).unwrap();
    for id in [
        "overview",
        "hot",
        "difficult",
        "highlight",
        "trends",
        "suggestions",
        "sectors",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
    }
    for h in [
        "概览",
        "热点专题",
        "难点专题",
        "亮点专题",
        "选题建议",
        "界别分布",
    ] {
        assert!(html.contains(h), "heading {h}");
    }
    assert!(
        html.matches("<svg").count() >= 3,
        "trend, sector and sparkline charts"
    );
    assert!(!html.contains("<script"), "no script needed");
    for outside in ["<link", "src=", "url(", "@import"] {
        assert!(
            !html.contains(outside),
            "nothing loaded from outside ({outside})"
        );
    }
    assert!(
        html.contains("@page") && html.contains("A4"),
        "printable on A4"
    );
}

#[test]
fn item_text_is_escaped_in_every_format() {
    let w = sample_index();
    let evil = w.write(
        "evil.csv",
        "编号,标题,正文,报送时间,报送人,界别,领导批示\n\
         X1,<script>alert(1)</script>电动自行车充电,电动自行车 <img src=x onerror=alert(2)> 充电难 | *粗体*,2024-12-20,=HYPERLINK(\"http://x\"),@SUM(1),请研究\n",
    );
    w.ingest(&[&evil], &[]);
    let html = ok(&w, &["report", "--period", "2024Q4", "--format", "html"]);
    assert!(
        !html.contains("<script>alert(1)"),
        "script tag escaped in HTML"
    );
    assert!(!html.contains("<img src=x"), "img tag escaped in HTML");
    let md = ok(&w, &["report", "--period", "2024Q4", "--format", "md"]);
    assert!(
        !md.contains("<script>") && !md.contains("<img"),
        "raw HTML escaped in Markdown"
    );
    let bulletin_html = ok(
        &w,
        &["bulletin", "--period", "2024Q4", "--as-of", "2025-01-15"],
    );
    assert!(
        bulletin_html.contains("&lt;script&gt;alert(1)"),
        "follow-up title escaped"
    );
    assert!(!bulletin_html.contains("<script"), "no live script");
    let csv = ok(&w, &["bulletin", "--period", "2024Q4", "--format", "csv"]);
    assert!(csv.contains("'=HYPERLINK"), "formula neutralised: {csv}");
    assert!(csv.contains("'@SUM"), "formula neutralised");
    assert!(
        !csv.lines().any(|l| l.starts_with("=") || l.contains(",=")),
        "no live formula"
    );
    let rcsv = ok(&w, &["report", "--period", "2024Q4", "--format", "csv"]);
    assert!(
        !rcsv.lines().any(|l| l.contains(",=") || l.contains(",@")),
        "no live formula"
    );
}

#[test]
fn bulletin_snapshots_and_figures_add_up() {
    let w = sample_index();
    let md = ok(
        &w,
        &[
            "bulletin",
            "--period",
            "2024Q3",
            "--as-of",
            "2024-10-15",
            "--format",
            "md",
        ],
    );
    insta::assert_snapshot!("bulletin_2024q3_md", md);
    let csv = ok(
        &w,
        &[
            "bulletin",
            "--period",
            "2024Q3",
            "--as-of",
            "2024-10-15",
            "--format",
            "csv",
        ],
    );
    insta::assert_snapshot!("bulletin_2024q3_csv", csv);
    // Figures recomputed from the sample rows with the default rates.
    let rows = crate::util::sample_rows();
    // The sample writes dates in several formats (2024-07-01 09:00, 2024/7/1, 2024年7月1日,
    // 20240701): compare (year, month, day).
    let ymd = |s: &str| -> (u32, u32, u32) {
        let groups: Vec<&str> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .collect();
        if groups[0].len() == 8 {
            let g = groups[0];
            (
                g[..4].parse().unwrap(),
                g[4..6].parse().unwrap(),
                g[6..].parse().unwrap(),
            )
        } else {
            (
                groups[0].parse().unwrap(),
                groups[1].parse().unwrap(),
                groups[2].parse().unwrap(),
            )
        }
    };
    let in_q3 = |r: &&std::collections::HashMap<String, String>| {
        let d = ymd(&r["报送时间"]);
        ((2024, 7, 1)..(2024, 10, 1)).contains(&d)
    };
    let q3: Vec<_> = rows.iter().filter(in_q3).collect();
    let fee: f64 = q3
        .iter()
        .map(|r| {
            let base = match r["采用级别"].as_str() {
                "县级采用" => 30.0,
                "市级采用" => 100.0,
                "省级采用" => 200.0,
                "全国采用" => 300.0,
                _ => 0.0,
            };
            if r["领导批示"].trim().is_empty() {
                base
            } else {
                base * 2.0
            }
        })
        .sum();
    let v: serde_json::Value = serde_json::from_str(&ok(
        &w,
        &["bulletin", "--period", "2024Q3", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(
        v["totals"]["submitted"].as_u64().unwrap() as usize,
        q3.len()
    );
    assert_eq!(v["totals"]["fee"].as_f64().unwrap(), fee);
    let per_submitter: f64 = v["submitters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["fee"].as_f64().unwrap())
        .sum();
    assert_eq!(per_submitter, fee, "submitters' fees add up to the total");
    let sectors: u64 = v["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["submitted"].as_u64().unwrap())
        .sum();
    assert_eq!(sectors as usize, q3.len(), "sectors add up");
    // Follow-up: oldest first.
    let waits: Vec<i64> = v["follow_up"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["days_waiting"].as_i64().unwrap())
        .collect();
    assert!(waits.windows(2).all(|p| p[0] >= p[1]), "{waits:?}");
}

#[test]
fn settings_file_changes_fees_and_bad_settings_are_refused() {
    let w = sample_index();
    let cfg = w.write("minyi.toml", "[bulletin]\nfee_county = 50\n");
    let base: serde_json::Value = serde_json::from_str(&ok(
        &w,
        &["bulletin", "--period", "2024", "--format", "json"],
    ))
    .unwrap();
    // ./minyi.toml in the working directory is read.
    assert_eq!(base["rates"]["fee_county"].as_f64(), Some(50.0));
    let county = base["totals"]["county"].as_u64().unwrap();
    assert!(county > 0);
    std::fs::write(&cfg, "[bulletin]\nfee_conty = 50\n").unwrap();
    let r = w.run(&["bulletin", "--period", "2024"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("minyi.toml") && r.stderr.contains("fee_conty"),
        "{}",
        r.stderr
    );
    let r = w.run(&["bulletin", "--period", "2024", "--config", "missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
}

#[test]
fn batch_writes_a_report_per_quarter_and_an_index() {
    let w = sample_index();
    let out = w.path("reports");
    let r = w.run(&[
        "report",
        "--batch",
        "quarterly",
        "--from",
        "2024-01",
        "--to",
        "2024-12",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    for q in 1..=4 {
        let f = format!("2024Q{q}.html");
        let page = std::fs::read_to_string(out.join(&f)).unwrap();
        assert!(page.contains(&format!("2024年第{}季度", ["一", "二", "三", "四"][q - 1])));
        assert!(index.contains(&format!("href=\"{f}\"")), "index links {f}");
    }
    assert!(index.contains("<svg"), "chart of the top topics");
    let r = w.run(&["report", "--batch", "monthly", "--period", "2024"]);
    assert_eq!(r.code, 2, "a batch needs --out");
}

#[test]
fn report_needs_a_window() {
    let w = sample_index();
    let r = w.run(&["report"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--period"), "{}", r.stderr);
    let r = w.run(&["report", "--from", "2024-05"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--to"), "{}", r.stderr);
}
