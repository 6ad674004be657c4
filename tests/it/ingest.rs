//! Ingest: counts, idempotence, upserts, rejects, locking.

use crate::util::{sample, sample_rows, Workdir};

#[test]
fn sample_ingest_counts_and_idempotent_reingest() {
    let w = Workdir::new();
    let rows = sample_rows().len() as u64;
    assert!(rows >= 400, "sample has {rows} rows");
    let first = w.ingest(&[&sample()], &[]);
    assert_eq!(
        (
            first["read"].as_u64(),
            first["new"].as_u64(),
            first["rejected"].as_u64()
        ),
        (Some(rows), Some(rows), Some(0))
    );
    let again = w.ingest(&[&sample()], &[]);
    assert_eq!(
        (again["new"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(rows))
    );
    let stats = w.run(&["stats", "--format", "json"]);
    let s: serde_json::Value = serde_json::from_str(&stats.stdout).unwrap();
    assert_eq!(s["items"].as_u64(), Some(rows));
    let sectors: std::collections::HashSet<_> =
        sample_rows().iter().map(|r| r["界别"].clone()).collect();
    assert_eq!(s["sectors"].as_u64(), Some(sectors.len() as u64));
}

#[test]
fn changed_row_replaces_old_one_and_rows_without_id_get_stable_ids() {
    let w = Workdir::new();
    let v1 = w.write(
        "a.csv",
        "编号,标题,正文\nX1,停车难问题,小区停车位严重不足\nX2,垃圾分类,分类投放点太少\n",
    );
    w.ingest(&[&v1], &[]);
    let v2 = w.write(
        "b.csv",
        "编号,标题,正文\nX1,停车难问题,小区停车位严重不足，夜间乱停\nX2,垃圾分类,分类投放点太少\n",
    );
    let s = w.ingest(&[&v2], &[]);
    assert_eq!(
        (
            s["updated"].as_u64(),
            s["unchanged"].as_u64(),
            s["items_in_index"].as_u64()
        ),
        (Some(1), Some(1), Some(2))
    );
    let (_, hits, _) = w.search(&["夜间乱停"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["id"], "X1");
    let (_, hits, _) = w.search(&["停车位"]);
    assert_eq!(hits.len(), 1, "the old version is gone");

    let noid = w.write("c.csv", "标题,正文\n路灯不亮,某路段路灯长期不亮\n");
    let s1 = w.ingest(&[&noid], &[]);
    let s2 = w.ingest(&[&noid], &[]);
    assert_eq!(
        (s1["new"].as_u64(), s2["unchanged"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn duplicate_ids_in_one_file_last_wins() {
    let w = Workdir::new();
    let f = w.write("d.csv", "编号,标题\nD1,第一版标题\nD1,第二版标题\n");
    let s = w.ingest(&[&f], &[]);
    assert_eq!(
        (
            s["read"].as_u64(),
            s["new"].as_u64(),
            s["updated"].as_u64(),
            s["duplicate_ids"].as_u64()
        ),
        (Some(2), Some(1), Some(1), Some(1))
    );
    let show = w.run(&["show", "D1", "--format", "json"]);
    let item: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(item["title"], "第二版标题");
    let stats: serde_json::Value =
        serde_json::from_str(&w.run(&["stats", "--format", "json"]).stdout).unwrap();
    assert_eq!(stats["items"], 1);
}

#[test]
fn malformed_rows_go_to_rejects_with_reasons_and_counts_add_up() {
    let w = Workdir::new();
    let f = w.write(
        "bad.csv",
        "编号,标题,正文,报送时间,采用级别,点赞数\n\
         B1,正常一条,内容,2024-01-02,市级,3\n\
         B2,日期坏了,内容,明天上午,,\n\
         B3,,,2024-01-02,,\n\
         B4,列太少,内容\n\
         B5,级别不对,内容,2024-01-02,特级,\n\
         B6,点赞不是数,内容,2024-01-02,,很多\n\
         B7,多了一列,内容,2024-01-02,,1,多余\n\
         B8,未来日期,内容,2099-01-01,,\n",
    );
    let rejects = w.path("rej.csv");
    let s = w.ingest(&[&f], &["--rejects", rejects.to_str().unwrap()]);
    assert_eq!(
        (
            s["read"].as_u64(),
            s["new"].as_u64(),
            s["rejected"].as_u64()
        ),
        (Some(8), Some(2), Some(6))
    );
    // B6's 很多 is no count: the item is kept without it, the cell goes to the rejects.
    assert_eq!(s["cells_rejected"], 1);
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "rejects CSV has a BOM for Excel"
    );
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7, "six rows and one cell");
    let find = |loc: &str| {
        rows.iter()
            .find(|r| &r[1] == loc)
            .unwrap_or_else(|| panic!("no reject at {loc}: {rows:?}"))
    };
    assert!(
        find("line 3")[2].starts_with("submitted_at")
            && find("line 3")[3].contains("unrecognised date")
    );
    assert!(find("line 4")[3].contains("neither a title nor a body"));
    assert!(find("line 5")[3].contains("expected 6 fields, found 3"));
    assert!(find("line 6")[3].contains("unknown adoption level"));
    assert!(find("line 7")[2].starts_with("likes"));
    assert!(find("line 8")[3].contains("found 7"));
    assert!(find("line 9")[3].contains("future"));
    assert!(
        find("line 3")[4].contains("明天上午"),
        "original fields are kept"
    );
    assert!(find("line 3")[0].ends_with("bad.csv"));
}

#[test]
fn a_file_whose_every_row_is_rejected_fails() {
    let w = Workdir::new();
    let f = w.write(
        "allbad.csv",
        "编号,标题,正文,报送时间\nA1,,,2024-01-02\nA2,标题,内容,明天\n",
    );
    let r = w.run(&["ingest", f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("全部 2 行都被拒收"), "{}", r.stderr);
    // The reasons are still written.
    let rejects = std::fs::read_to_string(w.index().join("rejects.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 3, "{rejects}");
}

#[test]
fn excel_escapes_in_csv_are_decoded_not_indexed() {
    let w = Workdir::new();
    let f = w.write(
        "x.csv",
        "编号,标题,正文\nX1,停车难,\"晚上没有车位_x000D_\n希望增加\"\n",
    );
    w.ingest(&[&f], &[]);
    let show = w.run(&["show", "X1", "--format", "json"]);
    let item: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(item["body"], "晚上没有车位\n希望增加");
    assert_eq!(w.search(&["x000d"]).1.len(), 0);
}

#[test]
fn file_without_text_columns_is_a_clear_error() {
    let w = Workdir::new();
    let f = w.write("x.csv", "名称,数量\n甲,1\n");
    let r = w.run(&["ingest", f.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no title or body column")
            && r.stderr.contains("名称, 数量")
            && r.stderr.contains("留言主题"),
        "{}",
        r.stderr
    );
    let mapped = w.ingest(&[&f], &["--map", "title=名称"]);
    assert_eq!(mapped["new"], 1);
}

#[test]
fn missing_file_empty_file_and_binary_file_are_errors() {
    let w = Workdir::new();
    let r = w.run(&["ingest", "nope.csv"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.csv"), "{}", r.stderr);
    let empty = w.write("empty.csv", "");
    let r = w.run(&["ingest", empty.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("empty file"), "{}", r.stderr);
    let bin = w.write(
        "bin.csv",
        [0u8, 1, 2, 3, 0, 0, 0xff, 0xfe, 7, 0].repeat(100),
    );
    let r = w.run(&["ingest", bin.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("binary"), "{}", r.stderr);
}

#[test]
fn second_writer_gets_a_lock_error() {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let index = minyi::index::ItemIndex::open(&w.index()).unwrap();
    let _writer = minyi::index::writer::ItemWriter::new(&index, 1, 50_000_000).unwrap();
    let r = w.run(&["ingest", sample().to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("index is locked"), "{}", r.stderr);
}

#[test]
fn undated_items_are_kept_and_left_out_of_time_windows() {
    let w = Workdir::new();
    let f = w.write(
        "u.csv",
        "标题,报送时间\n有日期的停车问题,2024-03-05\n没有日期的停车问题,\n",
    );
    let s = w.ingest(&[&f], &[]);
    assert_eq!(s["new"], 2);
    let (_, hits, _) = w.search(&["停车"]);
    assert_eq!(hits.len(), 2);
    let (_, hits, _) = w.search(&["停车", "--from", "2024-01", "--to", "2024-12"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["title"], "有日期的停车问题");
}
