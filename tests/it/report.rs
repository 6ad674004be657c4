//! Reports and the bulletin on the sample corpus: what the Markdown and CSV output say,
//! structure and escaping of the HTML, batches, and the settings file.

use crate::util::{ok, sample_index, Workdir};

#[test]
fn report_markdown_and_csv_say_what_the_report_model_holds() {
    let w = sample_index();
    let args = |f: &'static str| ["report", "--period", "2024Q4", "--format", f];
    let v: serde_json::Value = serde_json::from_str(&ok(&w, &args("json"))).unwrap();
    let md = ok(&w, &args("md"));
    let csv = ok(&w, &args("csv"));
    let n = |x: &serde_json::Value| x.as_u64().unwrap();
    // The title names the window; the sections stand in their order.
    assert!(
        md.starts_with("# 社情民意信息专题分析报告（2024年第四季度）"),
        "{md}"
    );
    let sections = [
        "## 一、概览",
        "## 二、本期热点问题",
        "## 三、热点专题",
        "## 四、难点专题",
        "## 五、亮点专题",
        "## 六、新出现、上升与回落",
        "## 七、选题建议",
        "## 八、界别分布",
    ];
    let at: Vec<usize> = sections
        .iter()
        .map(|h| md.find(h).unwrap_or_else(|| panic!("{h} missing:\n{md}")))
        .collect();
    assert!(at.windows(2).all(|p| p[0] < p[1]), "sections out of order");
    // The overview's figures are the model's, this window's and the previous one's.
    let o = &v["overview"];
    for (row, now, then) in [
        ("信息条数", "items", "previous_items"),
        ("报送人数", "submitters", "previous_submitters"),
        ("采用条数", "adopted", "previous_adopted"),
        ("领导批示", "instructed", "previous_instructed"),
    ] {
        let line = format!("| {row} | {} | {} |", n(&o[now]), n(&o[then]));
        assert!(md.contains(&line), "{line} missing");
    }
    assert!(md.contains(&format!(
        "归为 {} 个专题，另有 {} 条归入“其他”",
        n(&o["topics"]),
        n(&o["other"])
    )));
    // Each listed problem is a row of the hot-problem table, in rank order.
    let table = &md[at[1]..at[2]];
    let mut last = 0;
    for p in v["problems"].as_array().unwrap() {
        let row = format!(
            "| {} | {:.1} |",
            n(&p["rank"]),
            p["heat"]["index"].as_f64().unwrap()
        );
        let i = table
            .find(&row)
            .unwrap_or_else(|| panic!("{row} missing:\n{table}"));
        assert!(i > last);
        last = i;
        assert!(table.contains(p["label"].as_str().unwrap()));
    }
    // Every hot, difficult and highlight topic has its card, under its class, with its size.
    let topics = v["topics"]["topics"].as_array().unwrap();
    for (class, zh, section) in [
        ("hot", "热点", 2),
        ("difficult", "难点", 3),
        ("highlight", "亮点", 4),
    ] {
        let part = &md[at[section]..at[section + 1]];
        let cards: Vec<&serde_json::Value> =
            topics.iter().filter(|t| t["class"] == class).collect();
        assert_eq!(part.matches("\n### ").count(), cards.len(), "{part}");
        for t in cards {
            let head = format!(
                "{}（{zh}，{} 条）",
                t["label"].as_str().unwrap(),
                n(&t["size"])
            );
            assert!(part.contains(&head), "{head} missing:\n{part}");
        }
    }
    // Every source item the report cites is one of the window's.
    let window: std::collections::HashSet<&str> = topics
        .iter()
        .flat_map(|t| t["item_ids"].as_array().unwrap())
        .chain(v["topics"]["other"]["item_ids"].as_array().unwrap())
        .map(|i| i.as_str().unwrap())
        .collect();
    assert_eq!(window.len() as u64, n(&o["items"]));
    let cited: Vec<&str> = md
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("SQ"))
        .collect();
    assert!(!cited.is_empty());
    for id in cited {
        assert!(window.contains(id), "{id} cited but not in the window");
    }
    // CSV: a BOM for Excel, its header, and one row per item of the window, each under the
    // topic the model puts it in.
    assert!(
        csv.starts_with('\u{feff}'),
        "CSV starts with a BOM for Excel"
    );
    let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        rows.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "专题编号",
            "专题",
            "类别",
            "走势",
            "关键词",
            "专题条数",
            "热点分",
            "难点分",
            "亮点分",
            "信息编号",
            "代表性"
        ]
    );
    let mut seen = std::collections::HashSet::new();
    for r in rows.records() {
        let r = r.unwrap();
        assert!(seen.insert(r[9].to_string()), "{} twice", &r[9]);
        if let Some(t) = topics
            .iter()
            .find(|t| t["id"].as_u64() == r[0].parse().ok())
        {
            assert_eq!(r[1], *t["label"].as_str().unwrap());
            assert_eq!(r[5], n(&t["size"]).to_string());
            assert!(t["item_ids"].as_array().unwrap().iter().any(|i| i == &r[9]));
        }
    }
    assert_eq!(
        seen.len() as u64,
        n(&o["items"]),
        "every item of the window once"
    );
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
fn persistence_counts_weeks_in_a_quarter_and_months_in_a_year() {
    let w = sample_index();
    let why = |period: &str| -> Vec<String> {
        let v: serde_json::Value =
            serde_json::from_str(&ok(&w, &["report", "--period", period, "--format", "json"]))
                .unwrap();
        v["difficult"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["why"][0].as_str().unwrap().to_string())
            .collect()
    };
    // "N 周中有 M 周出现（持续度 P%）": M of N, and P their share.
    let parse = |s: &str, unit: &str| -> (u32, u32, u32) {
        let num = |t: &str| t.trim().parse::<u32>().unwrap();
        let (span, rest) = s.split_once(&format!("{unit}中有")).unwrap();
        let (active, rest) = rest.split_once(&format!("{unit}出现（持续度")).unwrap();
        (num(span), num(active), num(rest.trim_end_matches("%）")))
    };
    // A quarter spans 13 or 14 ISO weeks; a lasting topic fills some of them, not "3 of 3
    // months" as every topic of a quarter would.
    let quarter = why("2024Q4");
    assert!(!quarter.is_empty(), "the sample's 2024Q4 has 难点");
    for s in &quarter {
        let (span, active, share) = parse(s, " 周");
        assert!((13..=14).contains(&span), "{s}");
        assert!(active <= span, "{s}");
        assert_eq!(
            share,
            (100.0 * active as f64 / span as f64).round() as u32,
            "{s}"
        );
    }
    assert!(
        quarter
            .iter()
            .any(|s| parse(s, " 周").1 < parse(s, " 周").0),
        "{quarter:?}"
    );
    let year = why("2024");
    assert!(!year.is_empty(), "the sample's 2024 has 难点");
    for s in &year {
        let (span, active, _) = parse(s, " 个月");
        assert_eq!(span, 12, "{s}");
        assert!(active <= 12, "{s}");
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
         X1,<script>alert(1)</script><svg onload=alert(1)>电动自行车充电,电动自行车 <img src=x onerror=alert(2)> <svg/onload=alert(2)> 充电难 | *粗体*,2024-12-20,=HYPERLINK(\"http://x\"),@SUM(1),请研究\n",
    );
    w.ingest(&[&evil], &[]);
    let html = ok(&w, &["report", "--period", "2024Q4", "--format", "html"]);
    assert!(
        !html.contains("<script>alert(1)"),
        "script element stripped at ingest"
    );
    assert!(!html.contains("<svg onload"), "unknown tag escaped in HTML");
    assert!(!html.contains("<img src=x"), "img tag stripped");
    let md = ok(&w, &["report", "--period", "2024Q4", "--format", "md"]);
    assert!(
        !md.contains("<script>") && !md.contains("<img") && !md.contains("<svg"),
        "raw HTML escaped in Markdown"
    );
    let bulletin_html = ok(
        &w,
        &["bulletin", "--period", "2024Q4", "--as-of", "2025-01-15"],
    );
    assert!(
        bulletin_html.contains("&lt;svg onload=alert(1)&gt;"),
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

#[test]
fn csv_items_lists_every_item_with_its_columns() {
    let w = sample_index();
    let csv = ok(
        &w,
        &["report", "--period", "2024Q4", "--format", "csv", "--items"],
    );
    let mut r = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "专题编号",
            "专题",
            "类别",
            "信息编号",
            "标题",
            "时间",
            "报送人",
            "界别",
            "点赞数",
            "代表性"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    // One row per item of the quarter (those the JSON report places in a topic or 其他),
    // each with its title and submitter as ingested.
    let json: serde_json::Value = serde_json::from_str(&ok(
        &w,
        &["report", "--period", "2024Q4", "--format", "json"],
    ))
    .unwrap();
    let mut quarter: Vec<String> = json["topics"]["topics"]
        .as_array()
        .unwrap()
        .iter()
        .chain([&json["topics"]["other"]])
        .flat_map(|t| crate::util::ids(&t["item_ids"]))
        .collect();
    quarter.sort();
    let mut ids: Vec<String> = rows.iter().map(|r| r[3].to_string()).collect();
    ids.sort();
    assert_eq!(ids, quarter, "every item of 2024Q4 once");
    let sample = crate::util::sample_rows();
    for row in &rows {
        let src = sample.iter().find(|s| s["编号"] == row[3]).unwrap();
        assert_eq!(src["标题"], row[4].trim(), "title of {}", &row[3]);
        assert_eq!(src["报送人"], &row[6], "submitter of {}", &row[3]);
        assert_eq!(src["界别"], &row[7], "sector of {}", &row[3]);
        assert!(row[5].starts_with("2024-1"), "{:?}", row);
    }
    // --items is for the CSV.
    let r = w.run(&["report", "--period", "2024Q4", "--format", "md", "--items"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--format csv"), "{}", r.stderr);
}

#[test]
fn columns_the_data_lacks_are_left_out() {
    let w = Workdir::new();
    let rows: String = (0..40)
        .map(|i| {
            let (title, body) = if i % 2 == 0 {
                (
                    "小区停车难问题",
                    "小区停车位不足，车辆乱停乱放，居民出行不便",
                )
            } else {
                ("夜间施工噪音扰民", "工地夜间施工噪音很大，影响居民休息")
            };
            format!(
                "M{i},{title},{body},2024-{:02}-{:02},用户{}\n",
                10 + i % 3,
                1 + i % 27,
                i % 17
            )
        })
        .collect();
    let f = w.write("plain.csv", format!("编号,标题,正文,日期,报送人\n{rows}"));
    w.ingest(&[&f], &[]);
    let marker: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.index().join("minyi.json")).unwrap())
            .unwrap();
    assert_eq!(marker["columns"], serde_json::json!([]), "{marker}");
    let stats = ok(&w, &["stats"]);
    assert!(
        !stats.contains("未采用") && !stats.contains("界别 0"),
        "{stats}"
    );
    assert!(
        stats.contains("数据中没有的列：界别、单位、采用级别、领导批示、办理反馈、点赞数"),
        "{stats}"
    );
    let md = ok(&w, &["report", "--period", "2024Q4", "--format", "md"]);
    for absent in ["界别", "采用", "批示", "反馈"] {
        assert!(!md.contains(absent), "{absent} in\n{md}");
    }
    let html = ok(&w, &["report", "--period", "2024Q4", "--format", "html"]);
    assert!(
        !html.contains("id=\"sectors\"") && !html.contains("界别"),
        "sector section"
    );
    let topics = ok(&w, &["topics"]);
    assert!(!topics.contains("界别"), "{topics}");
    // An index with the columns says so, even where every value is 未采用.
    let g = Workdir::new();
    let f = g.write(
        "adopted.csv",
        "编号,标题,正文,日期,报送人,界别,采用情况\nA1,小区停车难,停车位不足,2024-10-01,张三,经济界,未采用\n",
    );
    g.ingest(&[&f], &[]);
    let stats = ok(&g, &["stats"]);
    assert!(stats.contains("未采用 1"), "{stats}");
}
