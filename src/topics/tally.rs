//! What each item adds to its topic's signals (cues found, window, month, likes, feedback,
//! adoption), and a topic's sums of them: the same sums whether the items are counted here or
//! by another engine from `minyi assign`'s output.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::score::{ScoreConfig, Signals, Span, Windows};
use crate::item::{Adoption, Item};
use crate::period::Beat;

/// Both cue lexicons compiled into one Aho–Corasick automaton (one pass over an item's text
/// finds every cue of both, instead of one substring search per cue; a DFA, the fastest
/// kind, is small for lexicons of tens of words).
pub struct Cues {
    automaton: aho_corasick::AhoCorasick,
    /// The difficulty cues, then the highlight cues (pattern ids index this).
    cues: Vec<String>,
    /// Where the highlight cues begin in `cues`.
    split: usize,
}

impl Cues {
    /// Compiles the lexicons of `cfg`.
    pub fn new(cfg: &ScoreConfig) -> Cues {
        let cues: Vec<String> = cfg
            .difficulty_cues
            .iter()
            .chain(&cfg.highlight_cues)
            .cloned()
            .collect();
        let automaton = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&cues)
            .expect("lexicons of plain strings");
        Cues {
            automaton,
            cues,
            split: cfg.difficulty_cues.len(),
        }
    }

    /// The difficulty cues and the highlight cues that an item's title or body holds, each
    /// once, in lexicon order.
    fn hits(&self, it: &Item) -> (Vec<String>, Vec<String>) {
        let mut found: Vec<usize> = self
            .automaton
            .find_overlapping_iter(it.title.as_str())
            .chain(self.automaton.find_overlapping_iter(it.body.as_str()))
            .map(|m| m.pattern().as_usize())
            .collect();
        found.sort_unstable();
        found.dedup();
        let (difficulty, highlight) = found.split_at(found.partition_point(|&p| p < self.split));
        let named = |ids: &[usize]| ids.iter().map(|&p| self.cues[p].clone()).collect();
        (named(difficulty), named(highlight))
    }
}

/// What one item contributes to its topic's signals. Topic signals are sums and distinct
/// counts of these, so an engine that assigns items elsewhere (the Spark job: `minyi assign`
/// writes one per item) aggregates them into the same [`Tally`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemSignals {
    /// Submitted in the recent window.
    pub recent: bool,
    /// Submitted in the previous window.
    pub previous: bool,
    /// Month of submission (`YYYY-MM`).
    pub month: Option<String>,
    /// ISO week of submission (`YYYY-Www`).
    #[serde(default)]
    pub week: Option<String>,
    pub likes: Option<u64>,
    pub without_feedback: bool,
    pub adopted: bool,
    pub instructed: bool,
    /// Difficulty cues found in title or body (each once).
    pub difficulty_cues: Vec<String>,
    /// Positive-practice cues found in title or body (each once).
    pub highlight_cues: Vec<String>,
}

impl ItemSignals {
    /// The signals of one item (`w`: the growth windows, if any).
    pub fn of(cues: &Cues, it: &Item, w: Option<&Windows>) -> ItemSignals {
        let (recent, previous) = match (w, it.submitted_at) {
            (Some(w), Some(d)) => w.side(d),
            _ => (false, false),
        };
        let (difficulty_cues, highlight_cues) = cues.hits(it);
        ItemSignals {
            recent,
            previous,
            month: it
                .submitted_at
                .map(|d| crate::period::month_key(d.date_naive())),
            week: it
                .submitted_at
                .map(|d| crate::period::week_key(d.date_naive())),
            likes: it.likes,
            without_feedback: it.feedback.trim().is_empty(),
            adopted: it.adoption > Adoption::None,
            instructed: it.instructed(),
            difficulty_cues,
            highlight_cues,
        }
    }
}

/// How many distinct non-empty values (submitters, sectors) there are.
pub fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> usize {
    values
        .filter(|s| !s.is_empty())
        .collect::<HashSet<&str>>()
        .len()
}

/// A topic's counts over its members, from which its [`Signals`] follow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub size: usize,
    pub recent: usize,
    pub previous: usize,
    /// Distinct non-empty submitters.
    pub submitters: usize,
    /// Distinct non-empty sectors.
    pub sectors: usize,
    /// Distinct months with items.
    pub months_active: usize,
    /// Distinct ISO weeks with items.
    #[serde(default)]
    pub weeks_active: usize,
    pub likes_sum: u64,
    /// Members with a like count.
    pub likes_count: usize,
    /// Members with a difficulty cue.
    pub difficulty: usize,
    /// Members with a positive-practice cue.
    pub highlight: usize,
    pub without_feedback: usize,
    pub adopted: usize,
    pub instructed: usize,
    /// Members holding each cue.
    pub cue_counts: BTreeMap<String, usize>,
}

impl Tally {
    /// Counts the members `items` (`w`: the growth windows, if any).
    pub fn of(cues: &Cues, items: &[&Item], w: Option<&Windows>) -> Tally {
        let mut t = Tally {
            submitters: distinct(items.iter().map(|i| i.submitter.as_str())),
            sectors: distinct(items.iter().map(|i| i.sector.as_str())),
            ..Tally::default()
        };
        let mut months: HashSet<String> = HashSet::new();
        let mut weeks: HashSet<String> = HashSet::new();
        // Cue matching reads every member's text: in parallel within the topic (the largest
        // topic of a million items holds a sixth of them).
        use rayon::prelude::*;
        let each: Vec<ItemSignals> = items
            .par_iter()
            .map(|it| ItemSignals::of(cues, it, w))
            .collect();
        for s in each {
            t.add(&s);
            months.extend(s.month);
            weeks.extend(s.week);
        }
        t.months_active = months.len();
        t.weeks_active = weeks.len();
        t
    }

    /// Adds one member's sums (not the distinct counts: submitters, sectors, months, weeks).
    pub fn add(&mut self, s: &ItemSignals) {
        self.size += 1;
        self.recent += s.recent as usize;
        self.previous += s.previous as usize;
        if let Some(l) = s.likes {
            self.likes_sum += l;
            self.likes_count += 1;
        }
        self.without_feedback += s.without_feedback as usize;
        self.adopted += s.adopted as usize;
        self.instructed += s.instructed as usize;
        self.difficulty += !s.difficulty_cues.is_empty() as usize;
        self.highlight += !s.highlight_cues.is_empty() as usize;
        for c in s.difficulty_cues.iter().chain(&s.highlight_cues) {
            *self.cue_counts.entry(c.clone()).or_default() += 1;
        }
    }
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

/// Computes the signals of one topic. `previous_extra` counts items of the previous window
/// matched to this topic from outside the analysed set.
pub fn signals(
    cues_of: &Cues,
    items: &[&Item],
    w: Option<&Windows>,
    previous_extra: usize,
    span: Span,
) -> Signals {
    signals_of(&Tally::of(cues_of, items, w), previous_extra, span)
}

/// The signals of a topic from its [`Tally`]; persistence is the share of the span's units
/// (months, or weeks over a quarter or less) with items.
pub fn signals_of(t: &Tally, previous_extra: usize, span: Span) -> Signals {
    let size = t.size;
    let (recent, previous) = (t.recent, t.previous + previous_extra);
    let mut cues: Vec<(&str, usize)> = t.cue_counts.iter().map(|(c, &n)| (c.as_str(), n)).collect();
    cues.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    Signals {
        size,
        recent,
        previous,
        growth: (recent as f64 + 2.0) / (previous as f64 + 2.0),
        compared: true,
        submitters: t.submitters,
        sectors: t.sectors,
        likes_mean: (t.likes_count > 0).then(|| t.likes_sum as f64 / t.likes_count as f64),
        months_active: t.months_active,
        span_months: span.months,
        beat: span.beat,
        weeks_active: if span.beat == Beat::Week {
            t.weeks_active
        } else {
            0
        },
        span_weeks: span.weeks,
        persistence: match span.beat {
            Beat::Month => share(t.months_active, span.months.max(1)),
            Beat::Week => share(t.weeks_active, span.weeks.max(1)),
        }
        .min(1.0),
        difficulty_cue_share: share(t.difficulty, size),
        without_feedback_share: share(t.without_feedback, size),
        highlight_cue_share: share(t.highlight, size),
        adopted_share: share(t.adopted, size),
        instructed_share: share(t.instructed, size),
        cues: cues
            .into_iter()
            .take(6)
            .map(|(c, _)| c.to_string())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_finds_both_lexicons_cues_overlapping_and_shared() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cfg = ScoreConfig {
            difficulty_cues: words(&["长期", "多次反映", "反映"]),
            highlight_cues: words(&["创新", "反映", "好评"]),
            ..ScoreConfig::default()
        };
        let cues = Cues::new(&cfg);
        let item = Item {
            title: "多次反映问题".into(),
            body: "长期未解决；该镇创新做法，长期坚持".into(),
            ..Item::default()
        };
        // 反映 inside 多次反映 counts too, and a word of both lexicons is a cue of each.
        assert_eq!(
            cues.hits(&item),
            (
                words(&["长期", "多次反映", "反映"]),
                words(&["创新", "反映"])
            )
        );
        let plain = Item {
            title: "路灯".into(),
            ..Item::default()
        };
        assert_eq!(cues.hits(&plain), (vec![], vec![]));
    }
}
