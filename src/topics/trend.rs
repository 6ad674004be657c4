//! A window against the window before it: the two clustered together and each topic counted
//! in each (growth measured, not matched), the faded topics named, trends marked.

use rustc_hash::FxHashMap;

use super::partition::largest_first;
use super::topic::{FadedTopic, TopicReport, Trend};
use super::{label, vectorize};
use crate::item::Item;
use crate::segment::Segmenter;

/// What a trend reads when the previous window is too thin to compare with.
pub const THIN_ZH: &str = "上期数据不足";

/// Marks each topic new, rising, steady or fading against the previous window, and lists the
/// previous window's topics that faded: topics of the two windows clustered together that
/// have enough items in the previous window and too few in this one to be a topic of it
/// (most of their items lie in the past; their few items now are in 其他).
pub fn compare_previous(report: &mut TopicReport) {
    for t in report.topics.iter_mut() {
        let s = &t.signals;
        // Against a previous window too thin to compare with, no topic is new or rising.
        t.trend = s.compared.then(|| Trend::of(s.previous, s.growth));
        t.trend_zh = Some(t.trend.map_or(THIN_ZH, Trend::label_zh));
    }
    report.faded = Some(std::mem::take(&mut report.faded_in_window));
}

/// The topics of a window clustered together with the window before it ([`mine_counted`]).
pub(super) struct Windowed {
    /// This window's members of each of its topics (largest first).
    pub(super) topics: Vec<Vec<usize>>,
    /// This window's items in no topic of it.
    pub(super) other: Vec<usize>,
    /// The previous window's members of each topic (indices after this window's).
    pub(super) previous_members: Vec<Vec<usize>>,
    /// Joint topics with enough previous members but too few of this window's: (previous
    /// members, members in this window).
    pub(super) faded_groups: Vec<(Vec<usize>, usize)>,
}

/// Splits joint topics (over this window's `n` items, then the previous window's) by window:
/// a topic of this window has at least `min_size` of its items; one that has at least
/// `min_previous` of the previous window's and not that many now faded. This window's items
/// of a joint topic too small here go to 其他; without a previous window it is the identity.
pub(super) fn split_windows(
    joint: Vec<Vec<usize>>,
    other: Vec<usize>,
    n: usize,
    min_size: usize,
    min_previous: usize,
) -> Windowed {
    let mut kept: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    let mut faded_groups = Vec::new();
    let mut now_other: Vec<usize> = other.into_iter().filter(|&i| i < n).collect();
    for t in joint {
        let (now, before): (Vec<usize>, Vec<usize>) = t.into_iter().partition(|&i| i < n);
        if now.len() >= min_size {
            kept.push((now, before));
        } else {
            if before.len() >= min_previous {
                faded_groups.push((before, now.len()));
            }
            now_other.extend(now);
        }
    }
    now_other.sort_unstable();
    kept.sort_by(|a, b| largest_first(&a.0, &b.0));
    faded_groups.sort_by(|a, b| largest_first(&a.0, &b.0));
    let (topics, previous_members) = kept.into_iter().unzip();
    Windowed {
        topics,
        other: now_other,
        previous_members,
        faded_groups,
    }
}

/// Names the joint topics that faded (keywords and a label from their previous-window
/// members, a label no topic of this window carries).
pub(super) fn faded_topics(
    seg: &Segmenter,
    vectors: &vectorize::Vectors,
    previous: &[Item],
    n: usize,
    groups: &[(Vec<usize>, usize)],
    current_labels: &[String],
    words: label::WordFilter,
) -> Vec<FadedTopic> {
    if groups.is_empty() {
        return Vec::new();
    }
    let lists: Vec<Vec<usize>> = groups.iter().map(|(g, _)| g.clone()).collect();
    let keywords = label::keywords(vectors, &lists, 8, words);
    let phrases = label::title_phrases(seg, previous);
    let mut df: FxHashMap<&str, usize> = FxHashMap::default();
    for ps in &phrases {
        for &p in ps {
            *df.entry(p).or_default() += 1;
        }
    }
    let mut taken: rustc_hash::FxHashSet<String> = current_labels.iter().cloned().collect();
    groups
        .iter()
        .zip(keywords)
        .map(|((members, now), keywords)| {
            let local: Vec<usize> = members.iter().map(|&m| m - n).collect();
            let label = label::label(&phrases, &df, &local, &keywords, words, &taken);
            taken.insert(label.clone());
            FadedTopic {
                label,
                keywords,
                size: members.len(),
                continued_share: *now as f64 / (members.len() + now) as f64,
            }
        })
        .collect()
}
