//! Topic-planning suggestions (选题建议): the hot problems first, then the leading hot,
//! difficult and highlight topics, and the under-reported ones.

use std::collections::HashSet;

use super::hot::HotProblem;
use super::model::{Suggestion, TopicCard};
use super::{card, people};
use crate::topics::{Topic, TopicReport};

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        "0%".into()
    } else {
        format!("{:.0}%", 100.0 * n as f64 / of as f64)
    }
}

/// How many hot problems lead the suggestions.
const PROBLEMS: usize = 3;

/// Topic-planning suggestions: the hot problems (热点, at most [`PROBLEMS`]), then the leading
/// hot topics — less those half of which is a problem already suggested — the leading
/// difficult and highlight topics, and the under-reported ones (raised by many, adopted
/// little).
pub(super) fn suggestions(
    topics: &TopicReport,
    problems: &[HotProblem],
    hot: &[TopicCard],
    difficult: &[TopicCard],
    highlight: &[TopicCard],
) -> Vec<Suggestion> {
    let mut out = Vec::new();
    // Themes half or more of whose items are a suggested problem: suggesting the theme too
    // would say the same twice.
    let mut covered: HashSet<usize> = HashSet::new();
    for p in problems.iter().filter(|p| p.problem.hot).take(PROBLEMS) {
        let q = &p.problem;
        if let Some(t) = q
            .theme
            .and_then(|id| topics.topics.iter().find(|t| t.id == id))
        {
            if 2 * q.size >= t.size {
                covered.insert(t.id);
            }
        }
        let course = match q.trend {
            None => String::new(),
            Some(crate::topics::Trend::New) => "，上期没有".into(),
            Some(_) => format!("，上期 {} 条、{}", q.previous, p.trend_or_dash()),
        };
        out.push(Suggestion {
            topic_id: q.theme.unwrap_or(0),
            problem_id: Some(q.id.clone()),
            label: q.label.clone(),
            angle: "热点问题",
            why: format!(
                "{}：本期 {} 条、{} 位报送人反映{course}，热度 {}（第 {} 名）",
                p.span(),
                q.size,
                q.submitters,
                p.heat_zh(),
                q.rank
            ),
            advice: "诉求具体、反映集中，建议核实情况，跟踪责任单位办理进展，形成一篇问题专报。"
                .into(),
            items: q.representatives.clone(),
        });
    }
    let mut used: HashSet<usize> = HashSet::new();
    let mut push = |c: &TopicCard, angle: &'static str, why: String, advice: String| {
        if used.insert(c.id) {
            out.push(Suggestion {
                topic_id: c.id,
                problem_id: None,
                label: c.label.clone(),
                angle,
                why,
                advice,
                items: c.representatives.clone(),
            });
        }
    };
    for c in hot.iter().filter(|c| !covered.contains(&c.id)).take(2) {
        push(
            c,
            "热点",
            if c.compared {
                format!(
                    "本期 {} 条（上期 {} 条，{:.1} 倍），{}",
                    c.recent,
                    c.previous,
                    c.growth,
                    people(c.submitters, c.sectors, topics.columns)
                )
            } else {
                format!(
                    "本期 {} 条（上期数据不足，不计增长），{}",
                    c.size,
                    people(c.submitters, c.sectors, topics.columns)
                )
            },
            format!(
                "{}，建议围绕“{}”组织专题调研，综合多方反映形成一篇综合性信息。",
                if c.compared {
                    "群众关注度快速上升"
                } else {
                    "群众反映集中"
                },
                c.keywords
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        );
    }
    for c in difficult.iter().take(2) {
        push(
            c,
            "难点",
            c.why.join("；"),
            "问题反复出现、久拖未决，建议跟踪办理进展，深挖症结，提出可操作的对策建议。".into(),
        );
    }
    for c in highlight.iter().take(2) {
        push(
            c,
            "亮点",
            c.why.join("；"),
            "做法有成效，建议总结经验，作为典型案例报送推广。".into(),
        );
    }
    // Under-reported: at least median size, several submitters, and at most 10% adopted —
    // only where the data says what was adopted.
    if !topics.columns.adoption {
        return out;
    }
    let mut sizes: Vec<usize> = topics.topics.iter().map(|t| t.size).collect();
    sizes.sort_unstable();
    let median = sizes.get(sizes.len() / 2).copied().unwrap_or(0);
    let months: Vec<String> = Vec::new();
    let mut under: Vec<&Topic> = topics
        .topics
        .iter()
        .filter(|t| t.size >= median.max(3) && t.signals.submitters >= 3)
        .filter(|t| t.signals.adopted_share <= 0.1)
        .collect();
    under.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    for t in under.into_iter().take(2) {
        let c = card(t, &months, topics.columns);
        push(
            &c,
            "报道不足",
            format!(
                "{} 条信息、{} 位报送人反映，采用率仅 {}",
                t.size,
                t.signals.submitters,
                pct(
                    (t.signals.adopted_share * t.size as f64).round() as usize,
                    t.size
                )
            ),
            "反映多、采用少，建议编辑部门主动约稿、加工提炼，避免有价值的社情民意被埋没。".into(),
        );
    }
    out
}
