//! The bad-input suite: every file under `tests/fixtures/bad/` (plus the huge ones, generated
//! here) is ingested by the real binary. For each: no panic (the helper checks stderr), and no
//! silent loss — either a clear error naming the file, or every row indexed or in the rejects
//! file with its line, field and reason, and read = new + updated + unchanged + rejected.

use std::path::PathBuf;

use crate::util::Workdir;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bad")
        .join(name)
}

/// The rejects file as (location, field, reason) rows.
fn rejects(w: &Workdir) -> Vec<(String, String, String)> {
    let path = w.index().join("rejects.csv");
    let mut r = csv::Reader::from_path(&path).expect("rejects file");
    r.records()
        .map(|rec| {
            let rec = rec.expect("rejects row");
            (rec[1].to_string(), rec[2].to_string(), rec[3].to_string())
        })
        .collect()
}

/// Ingests `name` and checks the counts; returns the summary and the rejects.
fn ingest(name: &str) -> (Workdir, serde_json::Value, Vec<(String, String, String)>) {
    let w = Workdir::new();
    let v = w.ingest(&[&fixture(name)], &[]);
    let rej = rejects(&w);
    assert_eq!(
        (v["rejected"].as_u64().unwrap() + v["cells_rejected"].as_u64().unwrap()) as usize,
        rej.len(),
        "{name}: every rejected row and cell is in the rejects file"
    );
    for (loc, field, reason) in &rej {
        assert!(
            loc.starts_with("line "),
            "{name}: location names the line: {loc}"
        );
        assert!(
            !field.is_empty() && !reason.is_empty(),
            "{name}: field and reason"
        );
    }
    (w, v, rej)
}

/// Ingests `name` expecting a clear error (exit 2) that names the file and says `what`.
fn refused(name: &str, what: &str) {
    let w = Workdir::new();
    let r = w.run(&["ingest", fixture(name).to_str().unwrap()]);
    assert_eq!(r.code, 2, "{name}: {}", r.stderr);
    assert!(
        r.stderr.contains(name),
        "{name}: the error names the file: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains(what),
        "{name}: the error says '{what}': {}",
        r.stderr
    );
}

fn counts(v: &serde_json::Value) -> (u64, u64, u64) {
    (
        v["read"].as_u64().unwrap(),
        v["new"].as_u64().unwrap(),
        v["rejected"].as_u64().unwrap(),
    )
}

#[test]
fn empty_file_is_refused() {
    refused("01_empty.csv", "empty file");
}

#[test]
fn header_only_is_refused() {
    // Nothing to index is a failure the user must see, not a quiet "读取 0 行".
    refused("02_header_only.csv", "没有数据行");
}

#[test]
fn binary_garbage_is_refused() {
    refused("03_binary_garbage.csv", "binary data");
}

#[test]
fn truncated_quoted_field_rejects_its_row() {
    let (_, v, rej) = ingest("04_truncated_quote.csv");
    assert_eq!(counts(&v), (2, 1, 1));
    assert_eq!(rej[0].0, "line 3");
    assert!(rej[0].2.contains("unbalanced quotes"), "{rej:?}");
}

#[test]
fn too_many_columns_rejects_the_row() {
    let (_, v, rej) = ingest("05_too_many_columns.csv");
    assert_eq!(counts(&v), (2, 1, 1));
    assert_eq!(rej[0].0, "line 2");
    assert!(rej[0].2.contains("expected 6 fields, found 7"), "{rej:?}");
}

#[test]
fn too_few_columns_rejects_the_row() {
    let (_, v, rej) = ingest("06_too_few_columns.csv");
    assert_eq!(counts(&v), (2, 1, 1));
    assert!(rej[0].2.contains("found 3"), "{rej:?}");
}

#[test]
fn undeclared_gb18030_is_detected() {
    let (w, v, _) = ingest("07_gb18030_undeclared.csv");
    assert_eq!(counts(&v), (2, 2, 0));
    assert_eq!(v["files"][0]["encoding"], "gb18030");
    let (_, hits, _) = w.search(&["加装电梯"]);
    assert_eq!(hits.len(), 1, "the text decodes to real Chinese");
}

#[test]
fn utf16_with_bom_is_read() {
    for name in ["08_utf16le_bom.csv", "09_utf16be_bom.csv"] {
        let (w, v, _) = ingest(name);
        assert_eq!(counts(&v), (1, 1, 0), "{name}");
        assert_eq!(w.search(&["加装电梯"]).1.len(), 1, "{name}");
    }
}

#[test]
fn utf8_bom_is_skipped() {
    let (w, v, _) = ingest("10_utf8_bom.csv");
    assert_eq!(counts(&v), (1, 1, 0));
    let r = w.run(&["show", "B1"]);
    assert_eq!(
        r.code, 0,
        "the id column (first, after the BOM) is recognised"
    );
}

#[test]
fn invalid_ambiguous_and_future_dates_are_rejected_with_their_field() {
    for (name, says) in [
        ("11_invalid_date.csv", "unrecognised date '2024-13-45'"),
        ("12_ambiguous_date.csv", "unrecognised date '03/04/2024'"),
        ("13_future_date.csv", "in the future"),
    ] {
        let (_, v, rej) = ingest(name);
        assert_eq!(counts(&v), (2, 1, 1), "{name}");
        assert_eq!(rej[0].0, "line 2", "{name}");
        assert!(rej[0].1.contains("报送时间"), "{name}: {rej:?}");
        assert!(rej[0].2.contains(says), "{name}: {rej:?}");
    }
}

#[test]
fn duplicate_ids_last_wins_and_are_reported() {
    let (w, v, _) = ingest("14_duplicate_ids.csv");
    assert_eq!(v["duplicate_ids"], 1);
    assert_eq!(v["items_in_index"], 2);
    let r = w.run(&["show", "B1", "--format", "json"]);
    assert!(
        r.stdout.contains("新标题"),
        "the later row wins: {}",
        r.stdout
    );
}

#[test]
fn broken_jsonl_lines_are_rejected_one_by_one() {
    let (_, v, rej) = ingest("15_jsonl_broken_lines.jsonl");
    assert_eq!(counts(&v), (4, 2, 2));
    assert_eq!(
        rej.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["line 2", "line 4"]
    );
    assert!(rej.iter().all(|r| r.2.contains("invalid JSON")));
}

#[test]
fn jsonl_values_that_are_not_objects_are_rejected() {
    let (_, v, rej) = ingest("16_jsonl_not_objects.jsonl");
    assert_eq!(counts(&v), (4, 1, 3));
    assert!(rej.iter().all(|r| r.2.contains("not a JSON object")));
}

#[test]
fn html_elements_are_stripped_and_other_markup_escaped_in_output() {
    let (w, v, _) = ingest("17_html_script_title.csv");
    assert_eq!(counts(&v), (1, 1, 0));
    let (_, hits, _) = w.search(&["停车"]);
    // Known HTML elements copied from web pages go at ingest, <script> with its content;
    // angle-bracketed text that is no known element stays as data.
    assert_eq!(hits[0]["title"], "<svg onload=alert(3)>关于停车");
    let (_, none, _) = w.search(&["stealCookie"]);
    assert!(none.is_empty(), "script content indexed: {none:?}");
    // The HTML forms escape what stays.
    let html = format!("{} {}", hits[0]["title_html"], hits[0]["snippet"]);
    assert!(html.contains("&lt;svg"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("<img") && !html.contains("<svg"),
        "{html}"
    );
}

#[test]
fn formula_payloads_are_kept_and_neutralised_in_csv_output() {
    let (w, v, _) = ingest("18_formula_payloads.csv");
    assert_eq!(counts(&v), (1, 1, 0));
    let r = w.run(&["search", "停车", "--format", "csv"]);
    assert_eq!(r.code, 0);
    for line in r.stdout.lines().skip(1) {
        for cell in line.split(',') {
            let c = cell.trim_start_matches('"');
            assert!(
                !c.starts_with(['=', '+', '-', '@']),
                "live formula in {line}"
            );
        }
    }
    assert!(r.stdout.contains("'=HYPERLINK"), "{}", r.stdout);
}

#[test]
fn a_file_holding_only_a_bom_is_refused() {
    refused("19_bom_only.csv", "empty file");
}

#[test]
fn missing_title_and_body_columns_list_the_headers() {
    refused(
        "20_no_title_or_body_column.csv",
        "headers seen: [编号, 日期, 作者]",
    );
}

#[test]
fn rows_without_title_or_body_are_rejected() {
    let (_, v, rej) = ingest("21_empty_title_and_body.csv");
    assert_eq!(counts(&v), (3, 1, 2));
    assert!(rej
        .iter()
        .all(|r| r.2.contains("neither a title nor a body")));
}

#[test]
fn invalid_utf8_bytes_reject_only_their_row() {
    let (_, v, rej) = ingest("22_invalid_utf8_bytes.csv");
    assert_eq!(counts(&v), (3, 2, 1));
    assert_eq!(rej[0].0, "line 3");
    assert!(rej[0].2.contains("invalid UTF-8"), "{rej:?}");
}

#[test]
fn crlf_line_endings_and_quoted_line_breaks_are_read() {
    let (w, v, _) = ingest("23_crlf_line_endings.csv");
    assert_eq!(counts(&v), (1, 1, 0));
    assert_eq!(
        w.search(&["夜间乱停"]).1.len(),
        1,
        "the quoted second line is kept"
    );
}

#[test]
fn a_stray_nul_byte_is_dropped_not_fatal() {
    let (w, v, _) = ingest("24_nul_in_field.csv");
    assert_eq!(counts(&v), (1, 1, 0));
    assert_eq!(
        w.search(&["\"停车位不足\""]).1.len(),
        1,
        "NUL removed from the text"
    );
}

#[test]
fn bad_numbers_lose_the_count_not_the_item() {
    // 很多 and -5 are no counts: the items are kept with no 点赞数, each bad cell is in the
    // rejects file with its field and reason.
    let (w, v, rej) = ingest("25_bad_likes_number.csv");
    assert_eq!(counts(&v), (3, 3, 0));
    assert_eq!(v["cells_rejected"], 2);
    assert_eq!(rej.len(), 2);
    assert!(
        rej.iter()
            .all(|r| r.1.contains("点赞数") && r.2.contains("item kept")),
        "{rej:?}"
    );
    let show = w.run(&["show", "B1", "--format", "json"]);
    let item: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
    assert!(item["likes"].is_null(), "{item}");
}

#[test]
fn unknown_adoption_levels_are_rejected_with_the_accepted_values() {
    let (_, v, rej) = ingest("26_unknown_adoption_level.csv");
    assert_eq!(counts(&v), (2, 1, 1));
    assert!(
        rej[0].1.contains("采用级别") && rej[0].2.contains("特别好"),
        "{rej:?}"
    );
}

#[test]
fn duplicate_header_names_keep_the_row() {
    let (w, v, _) = ingest("27_duplicate_header_names.csv");
    assert_eq!(counts(&v), (1, 1, 0));
    assert_eq!(w.search(&["停车位"]).1.len(), 1);
}

#[test]
fn csv_content_with_another_extension_is_recognised() {
    let (_, v, _) = ingest("28_text_extension_csv_content.txt");
    assert_eq!(counts(&v), (1, 1, 0));
}

#[test]
fn tsv_fields_may_hold_commas() {
    let (w, v, _) = ingest("29_tsv_with_commas.tsv");
    assert_eq!(counts(&v), (1, 1, 0));
    assert_eq!(w.search(&["\"车位不足的建议\""]).1.len(), 1);
}

#[test]
fn export_padding_is_cleaned() {
    let (w, v, _) = ingest("30_whitespace_and_padding.csv");
    assert_eq!(counts(&v), (1, 1, 0));
    let r = w.run(&["show", "B1", "--format", "json"]);
    let item: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(item["title"], "关于停车难的建议");
    assert_eq!(item["body"], "小区停车位不足");
}

#[test]
fn jsonl_blank_lines_and_bom_are_skipped() {
    let (_, v, _) = ingest("31_jsonl_blank_lines_and_bom.jsonl");
    assert_eq!(counts(&v), (2, 2, 0));
}

#[test]
fn an_unknown_delimiter_gets_a_clear_error() {
    refused("32_semicolon_delimited.csv", "no title or body column");
}

#[test]
fn mixed_date_formats_are_parsed_and_a_zero_date_rejected() {
    let (_, v, rej) = ingest("33_date_formats_mixed.csv");
    assert_eq!(counts(&v), (4, 3, 1));
    assert!(rej[0].2.contains("0000-00-00"), "{rej:?}");
}

#[test]
fn a_lone_quote_inside_an_unquoted_field_is_kept() {
    let (w, v, _) = ingest("34_lone_quote_in_unquoted_field.csv");
    assert_eq!(counts(&v), (1, 1, 0));
    let r = w.run(&["show", "B1", "--format", "json"]);
    assert!(r.stdout.contains("停车"), "{}", r.stdout);
}

#[test]
fn undecodable_gb18030_bytes_reject_only_their_row() {
    let (_, v, rej) = ingest("35_gb18030_with_invalid_sequence.csv");
    assert_eq!(counts(&v), (2, 1, 1));
    assert_eq!(rej[0].0, "line 3");
    assert!(rej[0].2.contains("not valid gb18030"), "{rej:?}");
}

#[test]
fn a_10_mb_field_is_indexed() {
    let w = Workdir::new();
    let body = "停车难问题反映。".repeat(10 * 1024 * 1024 / 24);
    let f = w.write(
        "big_field.csv",
        format!("编号,标题,正文\nB1,关于停车的建议,{body}\nB2,关于充电桩的建议,充电桩不足\n"),
    );
    let v = w.ingest(&[&f], &[]);
    assert_eq!(counts(&v), (2, 2, 0));
    assert_eq!(w.search(&["充电桩"]).1.len(), 1);
    assert_eq!(w.search(&["停车难问题"]).1.len(), 1);
}

#[test]
fn a_million_character_line_is_indexed() {
    let w = Workdir::new();
    let title: String = "长".repeat(1_000_000);
    let f = w.write(
        "long_line.jsonl",
        format!(
            "{{\"标题\":\"{title}\",\"正文\":\"超长标题\"}}\n{{\"标题\":\"关于充电桩的建议\",\"正文\":\"充电桩不足\"}}\n"
        ),
    );
    let v = w.ingest(&[&f], &[]);
    assert_eq!(counts(&v), (2, 2, 0));
    assert_eq!(w.search(&["超长标题"]).1.len(), 1);
}

#[test]
fn xlsx_with_blank_rows_merged_cells_formulas_and_date_serials() {
    use rust_xlsxwriter::{Format, Formula, Workbook};
    let w = Workdir::new();
    let path = w.path("messy.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["编号", "标题", "正文", "报送时间", "界别"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "X1").unwrap();
    sheet.write_string(1, 1, "关于停车难的建议").unwrap();
    sheet.write_string(1, 2, "停车位不足").unwrap();
    sheet
        .write_number_with_format(1, 3, 45383.0, &date)
        .unwrap(); // 2024-04-01
                   // Row 3 blank; rows 4-5 share a merged sector cell.
    sheet.write_string(3, 0, "X2").unwrap();
    sheet.write_string(3, 1, "关于充电桩的建议").unwrap();
    sheet
        .write_formula(
            3,
            2,
            Formula::new("=\"充电\"&\"桩不足\"").set_result("充电桩不足"),
        )
        .unwrap();
    sheet
        .write_number_with_format(3, 3, 45384.0, &date)
        .unwrap();
    sheet.write_string(4, 0, "X3").unwrap();
    sheet.write_string(4, 1, "关于垃圾分类的建议").unwrap();
    sheet.write_string(4, 2, "投放点少").unwrap();
    sheet
        .merge_range(3, 4, 4, 4, "经济界", &Format::new())
        .unwrap();
    book.save(&path).unwrap();
    let v = w.ingest(&[&path], &[]);
    assert_eq!(counts(&v), (3, 3, 0), "blank row skipped, three items");
    assert_eq!(w.search(&["充电桩不足"]).1.len(), 1, "formula's value read");
    let (_, hits, _) = w.search(&["建议", "--sector", "经济界"]);
    assert_eq!(hits.len(), 2, "merged cell fills both rows");
    let r = w.run(&["show", "X1", "--format", "json"]);
    assert!(
        r.stdout.contains("2024-04-01"),
        "date serial read: {}",
        r.stdout
    );
}

#[test]
fn the_suite_has_at_least_30_fixtures() {
    let n = std::fs::read_dir(fixture(""))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_file())
        .count();
    assert!(n >= 30, "{n} fixtures");
}
