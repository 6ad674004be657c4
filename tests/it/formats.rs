//! Input formats and encodings: GB18030, UTF-16, TSV, JSONL, Excel.

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use crate::util::Workdir;

#[test]
fn gb18030_csv_is_detected_and_decoded() {
    let w = Workdir::new();
    let text = "留言编号,留言主题,留言详情,留言时间\nG1,关于A市城区停车难的建议,\"\n\t\t\t\t\t\u{3000}\u{3000}市民反映，停车位紧张\n\t\t\t\",2019/2/28 11:25:05\n";
    let (bytes, _, bad) = encoding_rs::GB18030.encode(text);
    assert!(!bad);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture really is not UTF-8"
    );
    let f = w.write("gbk.csv", &bytes);
    let s = w.ingest(&[&f], &[]);
    assert_eq!(s["new"], 1);
    assert_eq!(s["files"][0]["encoding"], "gb18030");
    let show = w.run(&["show", "G1", "--format", "json"]);
    let item: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(item["title"], "关于A市城区停车难的建议");
    assert_eq!(
        item["body"], "市民反映，停车位紧张",
        "padding and \\u3000 stripped"
    );
    assert_eq!(item["submitted_at"], "2019-02-28T11:25:05+08:00");
    // Forcing UTF-8 on GB18030 bytes is a clear error, not garbage.
    let r = w.run(&["ingest", f.to_str().unwrap(), "--encoding", "utf-8"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not valid UTF-8"), "{}", r.stderr);
}

#[test]
fn utf16_with_bom_tsv_and_utf8_bom_are_read() {
    let w = Workdir::new();
    let mut utf16 = vec![0xff, 0xfe];
    for u in "标题\t正文\n电梯加装\t老旧小区居民盼电梯\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let f16 = w.write("u16.tsv", utf16);
    let bom = w.write("bom.csv", "\u{feff}标题,正文\n路灯维修,夜间路灯不亮\n");
    let s = w.ingest(&[&f16, &bom], &[]);
    assert_eq!(
        (s["new"].as_u64(), s["rejected"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(w.search(&["电梯"]).1.len(), 1);
    assert_eq!(w.search(&["路灯"]).1.len(), 1);
}

#[test]
fn jsonl_with_broken_lines() {
    let w = Workdir::new();
    let f = w.write(
        "items.jsonl",
        "{\"id\": \"J1\", \"title\": \"外卖骑手权益保障\", \"likes\": 5, \"备注\": \"x\"}\n\
         {\"id\": \"J2\", \"title\": \"断了的行\n\
         \n\
         [1, 2]\n\
         {\"id\": 3, \"body\": \"网约车司机社保问题\", \"date\": \"2024-05-01\"}\n",
    );
    let s = w.ingest(&[&f], &[]);
    assert_eq!(
        (
            s["read"].as_u64(),
            s["new"].as_u64(),
            s["rejected"].as_u64()
        ),
        (Some(4), Some(2), Some(2))
    );
    let rejects = std::fs::read_to_string(s["rejects_path"].as_str().unwrap()).unwrap();
    assert!(
        rejects.contains("line 2") && rejects.contains("invalid JSON"),
        "{rejects}"
    );
    assert!(
        rejects.contains("line 4") && rejects.contains("not a JSON object"),
        "{rejects}"
    );
    let show: serde_json::Value =
        serde_json::from_str(&w.run(&["show", "J1", "--format", "json"]).stdout).unwrap();
    assert_eq!(
        (show["likes"].as_u64(), show["extra"]["备注"].as_str()),
        (Some(5), Some("x"))
    );
    assert_eq!(
        w.search(&["社保", "--from", "2024-05-01", "--to", "2024-05-01"])
            .1
            .len(),
        1
    );
}

#[test]
fn xlsx_with_dates_blank_rows_merged_cells_and_formulas() {
    let w = Workdir::new();
    let path = w.path("items.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("信息").unwrap();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (c, h) in ["编号", "标题", "正文", "报送时间", "界别"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 101.0).unwrap();
    ws.write_string(1, 1, "社区长者食堂获好评").unwrap();
    ws.write_string(1, 2, "某街道长者食堂运营成效显著").unwrap();
    ws.write_datetime_with_format(
        1,
        3,
        ExcelDateTime::parse_from_str("2024-03-05 10:30:00").unwrap(),
        &date_fmt,
    )
    .unwrap();
    // Row 3 is blank. Rows 4-5 share a merged sector cell.
    ws.write_number(3, 0, 102.0).unwrap();
    ws.write_formula(
        3,
        1,
        Formula::new("=\"网格化\"&\"治理经验\"").set_result("网格化治理经验"),
    )
    .unwrap();
    ws.write_string(3, 2, "网格员走访入户").unwrap();
    ws.write_string(3, 3, "2024年3月6日").unwrap();
    ws.merge_range(3, 4, 4, 4, "社会福利和社会保障界", &Format::new())
        .unwrap();
    ws.write_number(4, 0, 103.0).unwrap();
    ws.write_string(4, 1, "托育服务供给不足").unwrap();
    ws.write_string(4, 3, "不是日期").unwrap();
    wb.save(&path).unwrap();

    let s = w.ingest(&[&path], &[]);
    assert_eq!(
        (
            s["read"].as_u64(),
            s["new"].as_u64(),
            s["rejected"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    let rejects = std::fs::read_to_string(s["rejects_path"].as_str().unwrap()).unwrap();
    assert!(
        rejects.contains("信息!row 5") && rejects.contains("submitted_at"),
        "{rejects}"
    );
    let a: serde_json::Value =
        serde_json::from_str(&w.run(&["show", "101", "--format", "json"]).stdout).unwrap();
    assert_eq!(a["submitted_at"], "2024-03-05T10:30:00+08:00");
    let b: serde_json::Value =
        serde_json::from_str(&w.run(&["show", "102", "--format", "json"]).stdout).unwrap();
    assert_eq!(
        (b["title"].as_str(), b["sector"].as_str()),
        (Some("网格化治理经验"), Some("社会福利和社会保障界"))
    );
    let r = w.run(&["ingest", path.to_str().unwrap(), "--sheet", "无此表"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no sheet named") && r.stderr.contains("信息"),
        "{}",
        r.stderr
    );
}

#[test]
fn invalid_bytes_reject_only_their_row_and_literal_replacement_chars_are_kept() {
    let w = Workdir::new();
    let mut bytes = "编号,标题\nV1,正常的标题\nV2,坏字节".as_bytes().to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice("的标题\nV3,原文就有\u{fffd}替换符\nV4,最后一行\n".as_bytes());
    // The first 256 KB decide the encoding, so pad the sample with valid rows.
    let mut padded = Vec::new();
    padded.extend_from_slice("编号,标题\n".as_bytes());
    for i in 0..20_000 {
        padded.extend_from_slice(format!("P{i},填充行{i}\n").as_bytes());
    }
    padded.extend_from_slice(&bytes["编号,标题\n".len()..]);
    let f = w.write("mixed.csv", &padded);
    let s = w.ingest(&[&f], &[]);
    assert_eq!(
        (s["read"].as_u64(), s["rejected"].as_u64()),
        (Some(20_004), Some(1))
    );
    let rejects = std::fs::read_to_string(s["rejects_path"].as_str().unwrap()).unwrap();
    assert!(
        rejects.contains("line 20003") && rejects.contains("invalid UTF-8"),
        "{rejects}"
    );
    let v3: serde_json::Value =
        serde_json::from_str(&w.run(&["show", "V3", "--format", "json"]).stdout).unwrap();
    assert_eq!(v3["title"], "原文就有\u{fffd}替换符");
}
