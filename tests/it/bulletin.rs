//! The bulletin's rules (issue 33): good items of the year, the per-unit table, the quota's
//! basis, officer counts that agree, and bulletins of data without sectors, units, adoption
//! or instructions.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::util::{ok, sample_index, sample_rows, Workdir};

/// Asserts that `settings` as ./minyi.toml make the bulletin fail with `needle` in the error.
fn refused(w: &Workdir, settings: &str, needle: &str) {
    w.write("minyi.toml", settings);
    let r = w.run(&["bulletin", "--period", "2024"]);
    assert_eq!(r.code, 2, "{settings}");
    assert!(r.stderr.contains(needle), "{}", r.stderr);
}

fn json(w: &Workdir, period: &str) -> serde_json::Value {
    serde_json::from_str(&ok(
        w,
        &["bulletin", "--period", period, "--format", "json"],
    ))
    .unwrap()
}

fn md(w: &Workdir, period: &str) -> String {
    ok(w, &["bulletin", "--period", period, "--format", "md"])
}

/// (year, month) of a sample date in any of its formats.
fn year_month(s: &str) -> (u32, u32) {
    let digits: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    if digits[0].len() == 8 {
        (
            digits[0][..4].parse().unwrap(),
            digits[0][4..6].parse().unwrap(),
        )
    } else {
        (digits[0].parse().unwrap(), digits[1].parse().unwrap())
    }
}

fn strs(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn counts(v: &serde_json::Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

fn level(zh: &str) -> usize {
    ["未采用", "县级采用", "市级采用", "省级采用", "全国采用"]
        .iter()
        .position(|l| *l == zh)
        .unwrap()
}

#[test]
fn annual_bulletin_lists_good_items_from_solved_feedback() {
    let w = sample_index();
    let v = json(&w, "2024");
    assert_eq!(v["period"]["label"], "2024年");
    assert_eq!(v["annual"], true);
    let rows: HashMap<String, HashMap<String, String>> = sample_rows()
        .into_iter()
        .map(|r| (r["编号"].clone(), r))
        .collect();
    let good = v["good"].as_array().unwrap();
    assert!(good.len() >= 4, "the sample has solved feedback: {good:?}");
    for g in good {
        let row = &rows[g["id"].as_str().unwrap()];
        assert!(row["编号"].starts_with("SQ2024-"), "items of the year only");
        let cue = g["cue"].as_str().unwrap();
        assert!(
            row["办理反馈"].contains(cue),
            "{cue} in {}",
            row["办理反馈"]
        );
        assert_eq!(g["instructed"], !row["领导批示"].trim().is_empty());
        assert_eq!(g["adoption_zh"], row["采用级别"].as_str());
    }
    // Instructed items first, then higher adoption levels.
    let keys: Vec<(bool, usize)> = good
        .iter()
        .map(|g| {
            (
                g["instructed"].as_bool().unwrap(),
                level(g["adoption_zh"].as_str().unwrap()),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|p| p[0] >= p[1]),
        "instructed and higher first: {keys:?}"
    );
    assert!(keys.first().unwrap().0 && !keys.last().unwrap().0);
    // Planned or pending measures are not solved problems.
    for pending in ["SQ2024-0227", "SQ2024-0250"] {
        assert!(
            !good.iter().any(|g| g["id"] == pending),
            "{pending}: {}",
            rows[pending]["办理反馈"]
        );
    }
    let text = md(&w, "2024");
    assert!(text.contains("年度好信息（候选）"), "{text}");
    let first = good[0]["id"].as_str().unwrap();
    assert!(text.contains(&format!("| `{first}` |")));
    // A quarter is no annual bulletin.
    let q4 = json(&w, "2024Q4");
    assert_eq!(q4["annual"], false);
    assert!(q4["good"].as_array().unwrap().is_empty());
    assert!(!md(&w, "2024Q4").contains("好信息"));
}

#[test]
fn solved_lexicon_is_configurable_and_negations_do_not_count() {
    let w = Workdir::new();
    let csv = w.write(
        "fb.csv",
        "编号,标题,正文,报送时间,报送人,办理反馈\n\
         F1,关于路灯的建议,路灯不亮,2024-03-01,甲,经市城管局办理，问题已解决。\n\
         F2,关于积水的建议,路口积水,2024-04-01,乙,该问题尚未解决，正在协调。\n\
         F3,关于停车的建议,停车难,2024-05-01,丙,已增设泊位200个。\n\
         F4,关于噪音的建议,夜间施工,2024-06-01,丁,问题仍未得到解决。\n",
    );
    w.ingest(&[&csv], &[]);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["good"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&json(&w, "2024")), ["F1"]);
    w.write("cues.txt", "# ours\n已增设\n得到解决\n");
    w.write("minyi.toml", "[bulletin]\nsolved_lexicon = \"cues.txt\"\n");
    let v = json(&w, "2024");
    assert_eq!(ids(&v), ["F3"], "F4 says 仍未得到解决");
    assert_eq!(v["good"][0]["cue"], "已增设");
    refused(
        &w,
        "[bulletin]\nsolved_lexicon = \"missing.txt\"\n",
        "missing.txt",
    );
}

#[test]
fn per_unit_table_stands_beside_the_sector_table() {
    let w = sample_index();
    let v = json(&w, "2024Q4");
    let units = v["units"].as_array().unwrap();
    assert!(units.len() > 5, "{units:?}");
    let sum = |key: &str| -> u64 { units.iter().map(|u| u[key].as_u64().unwrap()).sum() };
    assert_eq!(sum("submitted"), v["totals"]["submitted"].as_u64().unwrap());
    assert_eq!(sum("adopted"), v["totals"]["adopted"].as_u64().unwrap());
    // Recompute each unit's officers and those who met the quota every month.
    let rows = sample_rows();
    let mut people: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in rows.iter().filter(|r| {
        let (y, m) = year_month(&r["报送时间"]);
        y == 2024 && m >= 10
    }) {
        people
            .entry(r["单位"].clone())
            .or_default()
            .insert(r["报送人"].clone());
    }
    let every_month: BTreeSet<String> = v["quota"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["met"].as_array().unwrap().iter().all(|m| m == true))
        .map(|q| q["submitter"].as_str().unwrap().to_string())
        .collect();
    assert!(!every_month.is_empty());
    for u in units {
        let who = &people[u["name"].as_str().unwrap()];
        assert_eq!(u["submitters"].as_u64().unwrap() as usize, who.len());
        assert_eq!(
            u["quota_met"].as_u64().unwrap() as usize,
            who.intersection(&every_month).count(),
            "{u}"
        );
    }
    let text = md(&w, "2024Q4");
    let sectors = text.find("、各界别情况").expect("sector table");
    let unit_table = text.find("、各单位（联委会）情况").expect("unit table");
    assert!(sectors < unit_table);
    assert!(text.contains("| 单位 | 信息员 | 报送 | 采用 | 批示 | 稿酬（元） | 每月均完成任务 |"));
}

#[test]
fn quota_basis_is_configurable_and_stated() {
    let w = sample_index();
    let v = json(&w, "2024Q4");
    assert_eq!(v["rates"]["quota_basis"], "submitted");
    // By submissions: everyone who submitted in a month met the quota of 1 that month.
    let rows = sample_rows();
    let months = strs(&v["months"]);
    let per_month: Vec<u64> = months
        .iter()
        .map(|m| {
            let (y, mo) = (m[..4].parse().unwrap(), m[5..].parse().unwrap());
            rows.iter()
                .filter(|r| year_month(&r["报送时间"]) == (y, mo))
                .map(|r| r["报送人"].as_str())
                .collect::<BTreeSet<_>>()
                .len() as u64
        })
        .collect();
    assert_eq!(counts(&v["quota_met_per_month"]), per_month);
    let text = md(&w, "2024Q4");
    assert!(text.contains("按报送条数计：每位信息员每月报送信息不少于 1 条"));
    assert!(text.contains("| 采用条数 |"), "adoption beside the quota");
    // By adoptions: fewer officers meet it, and the bulletin says so.
    w.write("minyi.toml", "[bulletin]\nquota_basis = \"adopted\"\n");
    let a = json(&w, "2024Q4");
    let by_adoption = counts(&a["quota_met_per_month"]);
    assert!(
        by_adoption.iter().zip(&per_month).all(|(a, s)| a <= s)
            && by_adoption.iter().sum::<u64>() < per_month.iter().sum::<u64>(),
        "{by_adoption:?} against {per_month:?}"
    );
    let text = md(&w, "2024Q4");
    assert!(text.contains("按采用条数计：每位信息员每月报送的信息中获县级采用及以上的不少于 1 条"));
    refused(&w, "[bulletin]\nquota_basis = \"liked\"\n", "quota_basis");
}

#[test]
fn officer_counts_agree_and_are_labelled() {
    let w = sample_index();
    let v = json(&w, "2024Q4");
    let quota = v["quota"].as_array().unwrap();
    // Submitters of the period: roster rows with items in it (the quota counts submissions).
    let active = quota
        .iter()
        .filter(|q| counts(&q["per_month"]).iter().sum::<u64>() > 0)
        .count() as u64;
    let period_submitters = v["submitter_count"].as_u64().unwrap();
    assert_eq!(period_submitters, active);
    // The roster: everyone who submitted in 2024 up to the period's end.
    let rows = sample_rows();
    let roster: BTreeSet<&str> = rows
        .iter()
        .filter(|r| year_month(&r["报送时间"]).0 == 2024)
        .map(|r| r["报送人"].as_str())
        .collect();
    assert_eq!(quota.len(), roster.len());
    assert_eq!(v["roster_from"], "2024-01-01");
    let q4: BTreeSet<&str> = rows
        .iter()
        .filter(|r| year_month(&r["报送时间"]) >= (2024, 10))
        .map(|r| r["报送人"].as_str())
        .collect();
    assert_eq!(period_submitters as usize, q4.len());
    let text = md(&w, "2024Q4");
    assert!(text.contains(&format!("本期 {period_submitters} 位信息员共报送")));
    assert!(text.contains(&format!(
        "在册信息员 {} 人（2024-01-01 以来报送过信息的信息员，含本期未报送的），本期报送 {period_submitters} 人",
        roster.len()
    )));
    assert!(text.contains(&format!(" / {} |", roster.len())));
}

#[test]
fn data_without_optional_columns_gets_no_empty_sections() {
    let w = Workdir::new();
    let csv = w.write(
        "bare.csv",
        "标题,正文,报送时间,报送人\n\
         关于路灯的建议,夜间路灯不亮,2024-10-08,甲\n\
         关于积水的建议,路口积水严重,2024-11-12,乙\n\
         关于停车的建议,小区停车难,2024-11-20,甲\n\
         关于噪音的建议,夜间施工扰民,2024-12-03,丙\n",
    );
    w.ingest(&[&csv], &[]);
    for period in ["2024Q4", "2024"] {
        let text = md(&w, period);
        // One line says which columns are absent; nothing else speaks of them.
        let note = "> 数据中没有界别、单位、采用级别、领导批示、办理反馈、点赞数列，相关内容从略。";
        assert!(text.contains(note), "{text}");
        let text = text.replace(note, "");
        // Good items are those whose 办理反馈 says solved: no such section without it (was
        // "本年度暂无办理反馈显示问题已解决的信息").
        assert!(
            !text.contains("好信息") && !text.contains("办理反馈"),
            "{text}"
        );
        for absent in [
            "界别",
            "单位",
            "采用",
            "稿酬",
            "批示",
            "排行榜",
            "跟踪反馈",
            "优秀信息员",
        ] {
            assert!(!text.contains(absent), "{period}: {absent} in\n{text}");
        }
        assert!(text.contains("本期 3 位信息员共报送信息 4 条。"), "{text}");
        assert!(text.contains("## 二、信息员报送情况"));
        assert!(text.contains("## 三、月度报送任务完成情况"));
        let html = ok(&w, &["bulletin", "--period", period, "--format", "html"]);
        let html = html.replace(
            "数据中没有界别、单位、采用级别、领导批示、办理反馈、点赞数列",
            "",
        );
        for absent in ["界别", "单位", "采用", "稿酬", "批示", "id=\"rankings\""] {
            assert!(!html.contains(absent), "{period}: {absent} in the HTML");
        }
    }
    let v = json(&w, "2024");
    assert_eq!(
        v["columns"],
        serde_json::json!({"sector": false, "unit": false, "adoption": false, "instruction": false, "feedback": false, "likes": false})
    );
    // Good items are read from 办理反馈: without it there is no such section.
    assert!(v["headings"]["good"].is_null(), "{}", v["headings"]);
    // The sample has every column: all sections are there.
    let s = sample_index();
    let text = md(&s, "2024");
    for heading in [
        "## 一、总体情况",
        "## 三、各界别情况",
        "## 四、各单位（联委会）情况",
        "## 五、排行榜",
        "## 七、2024 年度优秀信息员资格",
        "## 九、跟踪反馈",
    ] {
        assert!(text.contains(heading), "{heading}");
    }
}

/// A long list is not printed whole (a Q4 table of 827 officers): the bulletin shows the
/// first 30 and the count, the CSV has them all.
#[test]
fn long_lists_print_their_top_and_count() {
    let w = Workdir::new();
    let mut csv = String::from("标题,正文,报送时间,报送人\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "关于第{i}号路灯的建议,夜间路灯不亮,2024-10-{:02},信息员{i:02}\n",
            i % 28 + 1
        ));
    }
    let f = w.write("many.csv", csv);
    w.ingest(&[&f], &[]);
    let text = md(&w, "2024Q4");
    assert!(text.contains("共 40 位信息员，此处列出前 30 位"), "{text}");
    let rows = text.lines().filter(|l| l.starts_with("| 信息员")).count();
    assert_eq!(rows, 30, "{text}");
    let all = ok(&w, &["bulletin", "--period", "2024Q4", "--format", "csv"]);
    assert!(all.contains("信息员39"), "the CSV has every officer");
}
