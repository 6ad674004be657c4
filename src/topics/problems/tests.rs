//! Problems on small made-up sets: what joins, what stays apart, how they are described.

use super::*;
use crate::segment::Segmenter;
use crate::topics::{mine, TopicConfig};
use chrono::TimeZone;

fn item(i: usize, who: &str, day: u32, title: &str, body: &str) -> Item {
    Item {
        id: format!("M{i:03}"),
        title: title.to_string(),
        body: body.to_string(),
        submitter: who.to_string(),
        submitted_at: Some(
            FixedOffset::east_opt(8 * 3600)
                .unwrap()
                .with_ymd_and_hms(2019, 11, day, 9, 0, 0)
                .unwrap(),
        ),
        ..Item::default()
    }
}

#[test]
fn one_object_one_complaint_is_one_problem_and_a_template_about_another_is_not() {
    let mut items = Vec::new();
    let plant = [
        (
            "A2区丽发新城小区旁边建搅拌站噪音扰民",
            "丽发新城小区旁边新建的搅拌站日夜施工，噪音和粉尘严重影响居民休息。",
        ),
        (
            "丽发新城附近搅拌站粉尘污染严重",
            "A2区丽发新城小区附近搅拌站粉尘大，噪音扰民，请求搬迁搅拌站。",
        ),
        (
            "投诉丽发新城小区搅拌站夜间施工",
            "丽发新城小区居民反映搅拌站夜间施工噪音很大，粉尘污染，希望处理。",
        ),
        (
            "丽发新城小区搅拌站何时搬走",
            "丽发新城小区旁搅拌站噪音粉尘扰民已久，居民要求搬迁搅拌站。",
        ),
    ];
    for (i, (t, b)) in plant.iter().enumerate() {
        items.push(item(i, &format!("U{i}"), 2 + i as u32, t, b));
    }
    // The same complaint about another estate, and other estates' other problems.
    items.push(item(
        10,
        "U10",
        8,
        "魅力之城小区旁边建搅拌站噪音扰民",
        "魅力之城小区旁边新建的搅拌站日夜施工，噪音和粉尘严重影响居民休息。",
    ));
    let others = [
        (
            "星沙中茂城格子铺退款难",
            "中茂城格子铺拖欠商户租金，要求退款。",
        ),
        (
            "青青家园小区停水三天",
            "青青家园小区连续停水三天，无人通知。",
        ),
        ("兰亭湾畔小区违建雨棚", "兰亭湾畔小区一楼住户私搭雨棚。"),
        ("南山十里天池物业费过高", "南山十里天池小区物业费上涨。"),
    ];
    for (i, (t, b)) in others.iter().enumerate() {
        items.push(item(20 + i, &format!("V{i}"), 10 + i as u32, t, b));
    }
    let seg = Segmenter::embedded();
    let cfg = TopicConfig {
        min_size: Some(2),
        ..TopicConfig::default()
    };
    let r = mine(&seg, &items, &[], None, &cfg);
    let found = r.problems();
    assert_eq!(found.len(), 1, "{found:#?}");
    let p = found[0];
    assert_eq!(p.item_ids, ["M000", "M001", "M002", "M003"]);
    assert!(p.object.contains("丽发新城"), "{}", p.object);
    assert_eq!(
        (p.id.as_str(), p.rank, p.submitters, p.size),
        ("P1", 1, 4, 4)
    );
    assert!(p.hot && p.heat.index > 0.0);
}

#[test]
fn a_problem_raised_again_over_months_and_still_at_the_end_is_difficult() {
    let at = |month: u32, day: u32| {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2019, month, day, 9, 0, 0)
            .unwrap()
    };
    let texts = [
        (
            "青石村三组道路破损多年无人修",
            "青石村三组村道破损严重，坑洼积水，多次反映仍未修复。",
        ),
        (
            "再次反映青石村三组道路破损",
            "青石村三组村道坑洼不平，雨天积水，至今没有修复。",
        ),
        (
            "青石村三组村道何时修复",
            "青石村三组道路破损已久，村民出行困难，请求修复村道。",
        ),
        (
            "青石村三组道路还是没有修",
            "青石村三组村道破损，坑洼积水，村民多次反映无果。",
        ),
    ];
    let items: Vec<Item> = texts
        .iter()
        .enumerate()
        .map(|(i, (t, b))| Item {
            submitted_at: Some(at(7 + i as u32, 10)),
            ..item(i, &format!("U{i}"), 1, t, b)
        })
        .collect();
    let seg = Segmenter::embedded();
    let cfg = TopicConfig {
        min_size: Some(2),
        ..TopicConfig::default()
    };
    let window = Some((at(7, 1), at(12, 31)));
    let r = mine(&seg, &items, &[], window, &cfg);
    let found = r.problems();
    assert_eq!(found.len(), 1, "{found:#?}");
    // July to October: four months, but the last item is not in the window's last quarter.
    assert_eq!(found[0].months_active, 4);
    assert!(!found[0].difficult);
    // Raised again in December: still unresolved at the end.
    let mut again = items.clone();
    again[3].submitted_at = Some(at(12, 20));
    let r = mine(&seg, &again, &[], window, &cfg);
    let p = r.problems()[0].clone();
    assert!(p.difficult && p.class_zh() != "关注", "{p:#?}");
}

#[test]
fn keywords_that_are_pieces_of_the_object_name_stay_out_of_the_label() {
    let words = |ws: &[&str]| ws.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    let (keywords, label) = words_and_label(
        "恒大文化旅游城",
        words(&["退款", "打恒大", "退房", "旅游城内", "文化", "返点", "房款"]),
    );
    assert_eq!(keywords, words(&["退款", "退房", "返点", "房款"]));
    assert_eq!(label, "恒大文化旅游城：退款、退房、返点");
    // A word that only shares a middle part with the name is the problem's own.
    let (keywords, _) = words_and_label("宏达物业公司", words(&["物业费", "业主", "司机"]));
    assert_eq!(keywords, words(&["物业费", "业主", "司机"]));
}
