//! Unit tests of the bulletin: fees, quota, follow-up, good items, missing columns.

use super::*;
use crate::ingest::dates::from_naive;

fn item(id: &str, who: &str, date: &str, adoption: Adoption, instruction: &str) -> Item {
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    Item {
        id: id.into(),
        title: format!("信息{id}"),
        submitter: who.into(),
        sector: "经济界".into(),
        adoption,
        instruction: instruction.into(),
        submitted_at: Some(from_naive(d.and_hms_opt(9, 0, 0).unwrap())),
        ..Item::default()
    }
}

fn q3() -> Period {
    let q3 = crate::index::query::parse_period("2024Q3").unwrap();
    Period::new(q3.0, q3.1)
}

#[test]
fn fees_quota_and_follow_up_follow_the_rates() {
    let items = vec![
        item("1", "甲", "2024-07-02", Adoption::County, ""),
        item("2", "甲", "2024-08-03", Adoption::City, "请研究"),
        item("3", "乙", "2024-07-09", Adoption::None, "请阅"),
        item("4", "乙", "2024-09-10", Adoption::National, ""),
    ];
    let day = NaiveDate::from_ymd_opt(2024, 10, 1).unwrap();
    let rates = BulletinConfig::default();
    let b = build(Input::new(q3(), &items, &items, &items, day, &rates, &[]));
    assert_eq!(b.title, "信息工作通报（2024年第三季度）");
    // 30 + 100×2 + 0 + 300.
    assert_eq!(b.totals.fee, 530.0);
    let jia = b.submitters.iter().find(|s| s.submitter == "甲").unwrap();
    assert_eq!(
        (jia.tally.adopted, jia.tally.fee, jia.quota_months),
        (2, 230.0, 2)
    );
    assert_eq!(b.months, ["2024-07", "2024-08", "2024-09"]);
    // Counted by submissions (the default): 乙's unadopted July item counts.
    assert_eq!(b.quota_basis_zh, "按报送条数计");
    assert_eq!(b.quota_met_per_month, [2, 1, 1]);
    assert_eq!(b.submitted_per_month, [2, 1, 1]);
    assert_eq!(b.adopted_per_month, [1, 1, 1]);
    // Counted by adoptions it does not.
    let adopted = BulletinConfig {
        quota_basis: QuotaBasis::Adopted,
        ..BulletinConfig::default()
    };
    let by_adoption = build(Input::new(q3(), &items, &items, &items, day, &adopted, &[]));
    assert_eq!(by_adoption.quota_basis_zh, "按采用条数计");
    assert_eq!(by_adoption.quota_met_per_month, [1, 1, 1]);
    // Both instructed items lack feedback; the older waits longer and comes first.
    assert_eq!(b.follow_up.len(), 2);
    assert_eq!(b.follow_up[0].id, "3");
    assert_eq!(b.follow_up[0].days_waiting, 84);
    assert!(b.excellent.is_empty(), "nobody has 5 items");
    assert!(
        !b.annual && b.good.is_empty(),
        "a quarter has no good items"
    );
}

#[test]
fn solved_cues_count_unless_negated() {
    let cues = default_solved_cues();
    let cue = |t: &str| solved_cue(t, &cues);
    assert_eq!(cue("经协调，问题已解决。"), Some("已解决"));
    assert_eq!(cue("已出台普惠托育机构运营补贴办法"), Some("已出台"));
    assert_eq!(cue("不少问题已解决"), Some("已解决"), "不少 is no negation");
    assert_eq!(
        cue("部分问题尚未解决，其余问题已解决"),
        Some("已解决"),
        "another clause"
    );
    for negated in [
        "问题尚未解决",
        "问题未解决",
        "该问题尚未得到解决",
        "一直没有得到解决",
        "仍未完全得到解决",
        "目前问题解决不了",
        "已整改不到位",
        "有待落实到位",
        "正在研究，年底前完成改造",
    ] {
        assert_eq!(cue(negated), None, "{negated}");
    }
    assert_eq!(cue(""), None);
}

#[test]
fn annual_bulletin_lists_good_items_instructed_and_higher_first() {
    let y = crate::index::query::parse_period("2024").unwrap();
    let year = Period::new(y.0, y.1);
    assert_eq!(year.whole_year(), Some(2024));
    assert_eq!(q3().whole_year(), None);
    let solved = |mut i: Item, fb: &str| {
        i.feedback = fb.into();
        i
    };
    let items = vec![
        solved(
            item("1", "甲", "2024-02-01", Adoption::National, ""),
            "已解决",
        ),
        solved(
            item("2", "乙", "2024-03-01", Adoption::County, "请办"),
            "已落实",
        ),
        solved(
            item("3", "丙", "2024-04-01", Adoption::City, ""),
            "问题尚未解决",
        ),
        solved(
            item("4", "丁", "2024-05-01", Adoption::Province, ""),
            "已办结",
        ),
        item("5", "戊", "2024-06-01", Adoption::City, "请阅"),
    ];
    let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let cues = default_solved_cues();
    let b = build(Input::new(
        year,
        &items,
        &items,
        &items,
        day,
        &BulletinConfig::default(),
        &cues,
    ));
    assert!(b.annual);
    let got: Vec<(&str, &str)> = b
        .good
        .iter()
        .map(|g| (g.id.as_str(), g.cue.as_str()))
        .collect();
    // Instructed first, then by adoption level; the negated feedback is not there.
    assert_eq!(got, [("2", "已落实"), ("1", "已解决"), ("4", "已办结")]);
    assert_eq!(
        b.headings["good"], "七、2024 年度好信息（候选）",
        "no units"
    );
    assert_eq!(b.headings["follow_up"], "八、跟踪反馈");
}

#[test]
fn missing_columns_are_detected_and_their_sections_left_out() {
    let mut bare = item("1", "甲", "2024-07-02", Adoption::None, "");
    bare.sector.clear();
    let cols = Columns::from_items([&bare]);
    assert_eq!(cols, Columns::NONE);
    let b = build(Input::new(
        q3(),
        std::slice::from_ref(&bare),
        std::slice::from_ref(&bare),
        &[],
        NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(),
        &BulletinConfig::default(),
        &[],
    ));
    let shown: Vec<(&str, &str)> = b.headings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        shown,
        [
            ("overview", "一、总体情况"),
            ("quota", "三、月度报送任务完成情况"),
            ("submitters", "二、信息员报送情况"),
        ]
    );
    assert!(b.units.is_empty());
    let mut with_unit = bare.clone();
    with_unit.unit = "B区联委会".into();
    let cols = Columns::from_items([&bare, &with_unit]);
    assert!(cols.unit && !cols.sector && !cols.adoption && !cols.instruction);
}

#[test]
fn follow_up_counts_the_replies_to_the_periods_registered_problems() {
    use crate::problems::registry::{Member, Registry, Tracked};
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let member = |id: &str, at: &str, replied: Option<&str>, coverage: Option<f64>| Member {
        id: id.into(),
        at: Some(day(at)),
        submitter: format!("人{id}"),
        replied: replied.map(day),
        coverage,
    };
    let problem = |id: &str, members: Vec<Member>| Tracked {
        id: id.into(),
        object: String::new(),
        label: format!("问题{id}"),
        keywords: Vec::new(),
        repeated: false,
        registered: day("2024-07-01"),
        found: true,
        merged_into: None,
        members,
    };
    let registry = Registry {
        problems: vec![
            // Answered in 10 and 20 days; written again after the first answer.
            problem(
                "P1",
                vec![
                    member("1", "2024-07-01", Some("2024-07-11"), Some(0.5)),
                    member("2", "2024-07-05", Some("2024-07-25"), Some(0.1)),
                    member("3", "2024-08-01", None, None),
                    // After the period: not counted.
                    member("9", "2024-10-05", Some("2024-10-06"), Some(0.9)),
                ],
            ),
            // Answered in 4 days, not written again; its reply addresses the message.
            problem(
                "P2",
                vec![
                    member("4", "2024-09-01", Some("2024-09-05"), Some(0.6)),
                    member("5", "2024-09-02", None, None),
                ],
            ),
            // No answer: counted among the period's problems, not listed.
            problem("P3", vec![member("6", "2024-08-08", None, None)]),
            // No message in the period.
            problem(
                "P4",
                vec![member("7", "2024-03-01", Some("2024-03-02"), Some(0.5))],
            ),
        ],
        ..Registry::default()
    };
    let items: Vec<Item> = ["1", "2", "3", "4", "5", "6"]
        .iter()
        .map(|id| item(id, "甲", "2024-08-01", Adoption::None, ""))
        .collect();
    let rates = BulletinConfig::default();
    let input = || Input::new(q3(), &items, &items, &[], day("2024-10-01"), &rates, &[]);
    let without = build(input());
    assert!(without.replies.is_none());
    assert!(
        !without.headings.contains_key("follow_up"),
        "no instructions and no registry: no follow-up section"
    );
    let b = build(Input {
        registry: Some(&registry),
        ..input()
    });
    let r = b.replies.as_ref().expect("reply figures");
    assert_eq!((r.problems, r.answered_problems), (3, 2));
    assert_eq!((r.messages, r.answered), (5, 3));
    // Days to answer: 4, 10, 20.
    assert_eq!(r.median_days, Some(10.0));
    assert_eq!((r.raised_again, r.not_addressing), (1, 1));
    assert!(r.dated);
    let rows: Vec<(&str, usize, usize)> = r
        .rows
        .iter()
        .map(|p| (p.id.as_str(), p.replies.messages, p.replies.after_answer))
        .collect();
    // Still raised after the answer first.
    assert_eq!(rows, [("P1", 3, 1), ("P2", 2, 0)]);
    assert!(b.headings.contains_key("follow_up"));
    let md =
        String::from_utf8(crate::report::render::bulletin(&b, crate::report::Format::Md).unwrap())
            .unwrap();
    assert!(md.contains("答复用时中位数 10 天"), "{md}");
    assert!(md.contains("1 个问题在首次答复后仍有人反映"), "{md}");
    assert!(!md.contains("已获领导批示"), "no instruction column: {md}");
}
