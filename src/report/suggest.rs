//! Topic-planning suggestions (选题建议): the leading hot, difficult and highlight topics, and
//! the under-reported ones.

use std::collections::HashSet;

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

/// Topic-planning suggestions: the leading hot, difficult and highlight topics, and the
/// under-reported ones (raised by many, adopted little).
pub(super) fn suggestions(
    topics: &TopicReport,
    hot: &[TopicCard],
    difficult: &[TopicCard],
    highlight: &[TopicCard],
) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let mut used: HashSet<usize> = HashSet::new();
    let mut push = |c: &TopicCard, angle: &'static str, why: String, advice: String| {
        if used.insert(c.id) {
            out.push(Suggestion {
                topic_id: c.id,
                label: c.label.clone(),
                angle,
                why,
                advice,
                items: c.representatives.clone(),
            });
        }
    };
    for c in hot.iter().take(2) {
        push(
            c,
            "热点",
            format!(
                "本期 {} 条（上期 {} 条，{:.1} 倍），{}",
                c.recent,
                c.previous,
                c.growth,
                people(c.submitters, c.sectors, topics.columns)
            ),
            format!(
                "群众关注度快速上升，建议围绕“{}”组织专题调研，综合多方反映形成一篇综合性信息。",
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
