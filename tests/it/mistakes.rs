//! Mistakes that used to return nothing, silently (issue 33): each is now either accepted with
//! its plain meaning or refused (exit 2) with a message that says what was wrong and what to do.

use crate::util::{sample, Workdir};

/// The commands that take a date window and the sector, submitter and unit filters, with the
/// arguments before them.
const WINDOWED: &[&[&str]] = &[
    &["search", "建议"],
    &["topics"],
    &["report", "--format", "md"],
    &["export"],
    &["bulletin", "--format", "md"],
];

fn sample_index() -> Workdir {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    w
}

fn with(base: &[&str], extra: &[&str]) -> Vec<String> {
    base.iter().chain(extra).map(|s| s.to_string()).collect()
}

fn run(w: &Workdir, args: &[String]) -> crate::util::Run {
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    w.run(&argv)
}

/// Asserts that `minyi ARGS` is refused (exit 2) with a message holding each of `says`.
fn refused(w: &Workdir, args: &[String], says: &[&str]) {
    let r = run(w, args);
    assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    for s in says {
        assert!(r.stderr.contains(s), "{args:?}: no '{s}' in: {}", r.stderr);
    }
}

/// Items exported (the count `export` prints on standard error).
fn exported(w: &Workdir, extra: &[&str]) -> u64 {
    let r = run(w, &with(&["export", "--out", "items.jsonl"], extra));
    let n = std::fs::read_to_string(w.path("items.jsonl"))
        .unwrap()
        .lines()
        .count() as u64;
    // Exit 1 is "nothing found".
    assert_eq!(r.code, i32::from(n == 0), "export {extra:?}: {}", r.stderr);
    n
}

#[test]
fn any_calendar_date_bounds_a_window() {
    let w = sample_index();
    let all = exported(&w, &[]);
    assert!(all > 400, "the sample is ingested: {all}");
    // Far-future and far-past bounds were refused as "invalid date" (the plausibility rule of
    // item dates); they are valid bounds that keep every item.
    for bounds in [
        &["--to", "2099-12-31"][..],
        &["--to", "2026-12-31"],
        &["--from", "1900-01-01", "--to", "9999-12-31"],
        &["--from", "1949-10-01"],
    ] {
        assert_eq!(exported(&w, bounds), all, "{bounds:?}");
    }
    // Everything after the sample's last item: nothing, and no error.
    assert_eq!(exported(&w, &["--from", "2099-01-01"]), 0);
    let (code, hits, _) = w.search(&["建议", "--to", "2099-12-31"]);
    let (_, all_hits, _) = w.search(&["建议"]);
    assert_eq!((code, hits.len()), (0, all_hits.len()));
    let r = w.run(&[
        "report",
        "--from",
        "2024-10-01",
        "--to",
        "2030-12-31",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A date that is not on the calendar is still refused.
    let args = with(&["search", "建议", "--to", "2024-02-30"], &[]);
    refused(&w, &args, &["invalid date '2024-02-30'"]);
}

#[test]
fn from_after_to_is_refused_by_every_command() {
    let w = Workdir::new();
    for base in WINDOWED {
        let args = with(base, &["--from", "2024-12-01", "--to", "2024-01-31"]);
        refused(&w, &args, &["--from 2024-12-01 is after --to 2024-01-31"]);
    }
    // The same period on both sides is one period, not an empty window.
    let w = sample_index();
    let r = w.run(&["search", "建议", "--from", "2024Q4", "--to", "2024Q4"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn limit_zero_is_refused() {
    let w = sample_index();
    for args in [
        &["search", "建议", "--limit", "0"][..],
        &["similar", "SQ2023-0001", "--limit", "0"],
    ] {
        refused(&w, &with(args, &[]), &["--limit", "at least 1"]);
    }
    let r = w.run(&["search", "建议", "--limit", "1", "--format", "json"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.matches("\"kind\":\"hit\"").count(), 1);
}

#[test]
fn a_filter_value_no_item_has_is_refused_with_the_closest_values() {
    let w = sample_index();
    // 教育 is not a sector of the sample; 教育界 is.
    for base in WINDOWED {
        let mut args = with(base, &["--sector", "教育"]);
        if matches!(base[0], "report" | "bulletin") {
            args.extend(["--period".into(), "2024Q4".into()]);
        }
        let says = [
            "--sector '教育': no item in",
            "closest sector values: 教育界",
        ];
        refused(&w, &args, &says);
    }
    let args = with(&["search", "建议", "--submitter", "宋建"], &[]);
    refused(&w, &args, &["closest submitter values: 宋建华"]);
    let args = with(&["topics", "--unit", "A市中医"], &[]);
    refused(&w, &args, &["closest unit values: A市中医院"]);
    // At most five suggestions.
    let r = w.run(&["search", "建议", "--sector", "界"]);
    assert_eq!(r.code, 2);
    let listed = r.stderr.rsplit("values: ").next().unwrap();
    assert_eq!(listed.trim().split(", ").count(), 5, "{}", r.stderr);
    // A value that exists filters as before.
    let (code, hits, _) = w.search(&["建议", "--sector", "教育界"]);
    assert_eq!(code, 0);
    assert!(!hits.is_empty() && hits.iter().all(|h| h["sector"] == "教育界"));
}

#[test]
fn a_filter_on_a_field_no_item_has_says_so() {
    let w = Workdir::new();
    let f = w.write(
        "items.csv",
        "标题,正文,报送时间\n关于停车难的建议,小区停车位不足,2024-07-01\n",
    );
    w.ingest(&[&f], &[]);
    let args = with(&["search", "停车", "--sector", "教育界"], &[]);
    let says = [
        "--sector '教育界': no item in",
        "has a sector at all",
        "leave out --sector",
    ];
    refused(&w, &args, &says);
}

#[test]
fn an_index_that_is_a_file_is_explained() {
    let w = Workdir::new();
    // Workdir passes --index <dir>/index: make that a plain file.
    w.write("index", "编号,标题\n1,x\n");
    for args in [
        &["search", "建议"][..],
        &["stats"],
        &["ingest", "items.csv"],
    ] {
        if args[0] == "ingest" {
            w.write("items.csv", "标题,正文\n关于停车难的建议,小区停车位不足\n");
        }
        let says = ["is a file, not an index", "minyi ingest FILE --index DIR"];
        refused(&w, &with(args, &[]), &says);
    }
}

#[test]
fn window_and_subset_flags_agree_across_commands() {
    let w = sample_index();
    // topics takes --period like report and bulletin.
    let items = |args: &[&str]| -> u64 {
        let r = w.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        v["items"].as_u64().unwrap()
    };
    let by_period = items(&["topics", "--period", "2024Q4", "--format", "json"]);
    let by_bounds = items(&[
        "topics", "--from", "2024Q4", "--to", "2024Q4", "--format", "json",
    ]);
    assert_eq!(by_period, by_bounds);
    assert!(by_period > 0 && by_period < items(&["topics", "--format", "json"]));
    // bulletin takes --sector: only that sector's items, and the title says which.
    let r = w.run(&[
        "bulletin",
        "--period",
        "2024",
        "--sector",
        "教育界",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let sectors: Vec<&str> = v["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(sectors, ["教育界"]);
    assert!(
        v["title"].as_str().unwrap().starts_with("教育界"),
        "{}",
        v["title"]
    );
    // The window and subset flags exist with the same help wherever they are taken.
    let help_line = |cmd: &str, flag: &str| -> String {
        let r = w.run(&[cmd, "--help"]);
        let mut lines = r
            .stdout
            .lines()
            .skip_while(|l| !l.trim_start().starts_with(flag));
        let first = lines
            .next()
            .unwrap_or_else(|| panic!("`{cmd} --help` has no {flag}:\n{}", r.stdout));
        // The flag's block runs to the next flag.
        let rest = lines.take_while(|l| !l.trim_start().starts_with('-'));
        std::iter::once(first)
            .chain(rest)
            .collect::<Vec<_>>()
            .join("\n")
            .trim_end()
            .to_string()
    };
    for flag in [
        "--period",
        "--from",
        "--to",
        "--sector",
        "--submitter",
        "--unit",
    ] {
        let reference = help_line("search", flag);
        for cmd in ["topics", "report", "export", "bulletin"] {
            assert_eq!(help_line(cmd, flag), reference, "{cmd} {flag}");
        }
    }
    let as_of = help_line("bulletin", "--as-of");
    assert!(!as_of.contains("later than today"), "{as_of}");
}

#[test]
fn help_lists_the_editors_commands_and_leaves_the_engines_out() {
    let w = Workdir::new();
    let r = w.run(&["--help"]);
    assert_eq!(r.code, 0);
    let commands: Vec<&str> = r
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for editor in [
        "ingest", "search", "topics", "hot", "report", "bulletin", "export",
    ] {
        assert!(commands.contains(&editor), "{editor} in {commands:?}");
    }
    for engine in ["segment", "assign", "describe", "problems"] {
        assert!(!commands.contains(&engine), "{engine} in {commands:?}");
        // Hidden, not gone: the Spark job runs them.
        let h = w.run(&[engine, "--help"]);
        assert_eq!(h.code, 0, "{engine} --help: {}", h.stderr);
    }
    assert!(r.stdout.contains("src/spark/README.md"), "{}", r.stdout);
}
