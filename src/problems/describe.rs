//! The problems of the window among the groups: counted, described (object：complaint
//! words), given their heat and trend, and ranked.

use super::*;
use crate::period::Period;

/// What [`describe`] needs besides the groups.
pub(crate) struct Context<'a> {
    pub items: &'a [&'a Item],
    /// Items of this window (the first `n` of `items`).
    pub n: usize,
    pub vectors: &'a Vectors,
    pub words: WordFilter<'a>,
    /// Each window item's theme (its caller's number for it), `None` for 其他. A problem's
    /// `theme` is the number most of its items hold; the caller turns it into the topic's id.
    pub theme_of: &'a [Option<usize>],
    /// The stretch recency is measured in ([`crate::period::recent_stretch`]).
    pub window: Period,
    /// The window asked for (or the items' span without one): a problem still raised in
    /// its last quarter may be a 难点.
    pub span: Period,
    /// Whether there is a previous window.
    pub compared: bool,
    pub has_submitters: bool,
    pub has_likes: bool,
    /// Whether the data has a handling-feedback column.
    pub has_feedback: bool,
    /// Near-duplicate groups, for representatives.
    pub dup: &'a [u32],
}

/// The problems of a window: those listed, ranked by heat; one person's repeated messages
/// apart; and how many groups were held back as mixtures.
#[derive(Debug, Default)]
pub(crate) struct Described {
    /// Problems of at least `min_items` items from `min_submitters` people and at least
    /// `min_coherence`, ranked by heat (P1 the hottest).
    pub problems: Vec<Problem>,
    /// Groups of at least `min_items` items all from one person (重复反映), largest first,
    /// numbered R1, R2 …
    pub repeated: Vec<Problem>,
    /// Groups large enough but below `min_coherence`: not listed.
    pub held_back: usize,
}

/// The problems of the window among `groups`, ranked by heat, with their descriptions.
pub(crate) fn describe(found: Grouping, cx: &Context, cfg: &ProblemConfig) -> Described {
    let n = cx.n;
    let submitters = |ms: &[usize]| -> usize {
        if cx.has_submitters {
            ms.iter()
                .map(|&m| cx.items[m].submitter.as_str())
                .filter(|s| !s.is_empty())
                .collect::<FxHashSet<_>>()
                .len()
        } else {
            ms.len()
        }
    };
    let Grouping {
        groups,
        keys,
        key_names,
        ..
    } = found;
    // Each linked group of the window: its object, and its core — the members that name
    // the object and say what the others say about it (one object, one complaint: an
    // estate's market and roads leave its mixing plant's problem).
    struct Core {
        ms: Vec<usize>,
        before: Vec<usize>,
        object: String,
        key: Option<u32>,
        coherence: f64,
        repeated: bool,
    }
    let cores: Vec<Option<Core>> = groups
        .into_par_iter()
        .map(|g| {
            let (now, before): (Vec<usize>, Vec<usize>) = g.into_iter().partition(|&m| m < n);
            if now.len() < cfg.min_items {
                return None;
            }
            let its: Vec<&Item> = now.iter().map(|&m| cx.items[m]).collect();
            let (object, key) = object_of(&now, &its, &keys, &key_names);
            let mut ms = now.clone();
            for _ in 0..2 {
                let one = Complaint::of(cx, &ms, &object, key, &keys);
                let kept = one.agreeing(cx, &ms, cfg.complaint_similarity);
                if kept.len() == ms.len() {
                    break;
                }
                ms = kept;
                if ms.len() < cfg.min_items {
                    break;
                }
            }
            // Without an object, only copies of one message hold together.
            if key.is_none() {
                let mut copies: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
                for &m in &ms {
                    copies.entry(cx.dup[m]).or_default().push(m);
                }
                ms = copies
                    .into_values()
                    .max_by(|a, b| a.len().cmp(&b.len()).then(b.cmp(a)))
                    .unwrap_or_default();
            }
            Some(Core {
                coherence: ms.len() as f64 / now.len() as f64,
                ms,
                before,
                object,
                key,
                repeated: false,
            })
        })
        .collect();
    let mut held_back = 0;
    let kept: Vec<Core> = cores
        .into_iter()
        .flatten()
        .filter_map(|mut c| {
            let people = submitters(&c.ms);
            let big = c.ms.len() >= cfg.min_items;
            if big && c.coherence >= cfg.min_coherence && people >= cfg.min_submitters {
                Some(c)
            } else if big && cx.has_submitters && people == 1 {
                c.repeated = true;
                Some(c)
            } else {
                // Linked, large enough, but not one object and one complaint.
                held_back += (c.coherence < cfg.min_coherence || !big) as usize;
                None
            }
        })
        .collect();
    let members: Vec<Vec<usize>> = kept.iter().map(|c| c.ms.clone()).collect();
    // Problems are small: their term counts and centres are summed sparsely (a dense array
    // of the vocabulary per problem cost 20 s over 1,000,000 items).
    let counts: Vec<HashMap<u32, f32>> = members
        .par_iter()
        .map(|ms| {
            let mut tf: HashMap<u32, f32> = HashMap::new();
            for &m in ms {
                for &(t, c) in &cx.vectors.counts[m] {
                    *tf.entry(t).or_default() += c;
                }
            }
            tf
        })
        .collect();
    let keywords = label::keywords_of_counts(&counts, &cx.vectors.vocab, label::KEYWORDS, cx.words);
    let problems: Vec<Problem> = kept
        .par_iter()
        .zip(keywords)
        .map(|(core, keywords)| {
            let ms = &core.ms;
            let (object, object_key) = (&core.object, core.key);
            let its: Vec<&Item> = ms.iter().map(|&m| cx.items[m]).collect();
            let (keywords, _) = words_and_label(object, keywords);
            let coherence = core.coherence;
            // 上期: the previous window's items of the same object and complaint only.
            let one = Complaint::of(cx, ms, object, object_key, &keys);
            let previous = core
                .before
                .iter()
                .filter(|&&b| {
                    (object_key.is_none() || one.names_object(b))
                        && one.agrees(cx, b, cfg.complaint_similarity)
                })
                .count();
            let mut theme_counts: HashMap<Option<usize>, usize> = HashMap::new();
            for &m in ms {
                *theme_counts.entry(cx.theme_of[m]).or_default() += 1;
            }
            let theme = theme_counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .and_then(|(t, _)| t);
            let dates: Vec<DateTime<FixedOffset>> =
                its.iter().filter_map(|i| i.submitted_at).collect();
            let (first, last) = (dates.iter().min().copied(), dates.iter().max().copied());
            let likes: u64 = its.iter().filter_map(|i| i.likes).sum();
            let dislikes: u64 = its.iter().filter_map(|i| i.dislikes).sum();
            let people = submitters(ms);
            let months_active = dates
                .iter()
                .map(|d| (d.year(), d.month()))
                .collect::<FxHashSet<_>>()
                .len();
            let (from, to) = (cx.span.from, cx.span.to);
            let unresolved = !cx.has_feedback
                || 2 * its.iter().filter(|i| i.feedback.trim().is_empty()).count() > its.len();
            // A problem new this window (nothing of it in a comparable previous one) is not
            // yet a 难点, however many of the window's months it filled.
            let difficult = months_active >= cfg.difficult_months
                && unresolved
                && !(cx.compared && previous == 0)
                && last.is_some_and(|l| (to - l) * 4 <= (to - from));
            let h = heat::heat(
                &cfg.heat,
                &HeatInput {
                    items: ms.len(),
                    submitters: cx.has_submitters.then_some(people),
                    engagement: cx.has_likes.then_some(likes + dislikes),
                    first,
                    last,
                    previous: cx.compared.then_some(previous),
                },
                &cx.window,
            );
            let trend = cx
                .compared
                .then(|| Trend::of(previous, ms.len() as f64 / previous.max(1) as f64));
            // The most typical members: summed sparsely for a small problem, in a dense array
            // of the vocabulary for a large one (thousands of copies of one article).
            let ranked: Vec<usize> = if ms.len() > DENSE_FROM {
                label::representatives(
                    cx.vectors,
                    ms,
                    crate::text::shown::REPRESENTATIVE_CANDIDATES,
                )
                .1
            } else {
                let centre = sum_rows(cx.vectors, ms.iter().copied());
                let mut typical: Vec<(usize, f32)> = ms
                    .iter()
                    .map(|&m| (m, dot(&cx.vectors.row(m), &centre)))
                    .collect();
                typical.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                typical
                    .iter()
                    .take(crate::text::shown::REPRESENTATIVE_CANDIDATES)
                    .map(|&(m, _)| m)
                    .collect()
            };
            let mut dup_groups: FxHashMap<u32, Vec<String>> = FxHashMap::default();
            for &m in ms {
                dup_groups
                    .entry(cx.dup[m])
                    .or_default()
                    .push(cx.items[m].id.clone());
            }
            let dup_groups: Vec<Vec<String>> =
                dup_groups.into_values().filter(|g| g.len() > 1).collect();
            let representatives = pick_representatives(
                ranked.iter().map(|&m| ItemRef::of(cx.items[m])),
                &dup_groups,
                REPRESENTATIVES,
            );
            let label = sentence(
                object,
                ranked.iter().map(|&m| cx.items[m].title.as_str()),
                &keywords,
            );
            let mut by_time: Vec<usize> = ms.clone();
            by_time.sort_by_key(|&m| (cx.items[m].submitted_at, m));
            let fmt =
                |d: Option<DateTime<FixedOffset>>| d.map(|d| d.format("%Y-%m-%d").to_string());
            Problem {
                id: String::new(),
                rank: 0,
                label,
                object: object.clone(),
                keywords,
                theme,
                hot: false,
                difficult,
                months_active,
                heat: h,
                size: ms.len(),
                submitters: people,
                previous,
                coherence,
                repeated: core.repeated,
                likes,
                dislikes,
                first: fmt(first),
                last: fmt(last),
                trend,
                representatives,
                item_ids: by_time.iter().map(|&m| cx.items[m].id.clone()).collect(),
                terms: Vec::new(),
            }
        })
        .collect();
    let (mut repeated, mut problems): (Vec<Problem>, Vec<Problem>) =
        problems.into_iter().partition(|p| p.repeated);
    problems.sort_by(|a, b| {
        b.heat
            .index
            .total_cmp(&a.heat.index)
            .then(b.size.cmp(&a.size))
            .then(a.item_ids.cmp(&b.item_ids))
    });
    let flags = heat::hot_flags(
        &cfg.heat,
        &problems.iter().map(|p| p.heat.index).collect::<Vec<_>>(),
    );
    for (i, (p, hot)) in problems.iter_mut().zip(flags).enumerate() {
        p.rank = i + 1;
        p.id = format!("P{}", i + 1);
        p.hot = hot;
    }
    repeated.sort_by(|a, b| b.size.cmp(&a.size).then(a.item_ids.cmp(&b.item_ids)));
    for (i, p) in repeated.iter_mut().enumerate() {
        p.rank = i + 1;
        p.id = format!("R{}", i + 1);
        p.difficult = false;
    }
    Described {
        problems,
        repeated,
        held_back,
    }
}

/// What a problem's items say about its object: their summed words less the object's name,
/// against which each item (less its own words) is compared.
struct Complaint<'a> {
    object: &'a str,
    object_key: Option<u32>,
    keys: &'a [Vec<u32>],
    /// Each member's words less the object's name (made once, read by every test).
    rows: FxHashMap<usize, Sparse>,
    /// The members' words less the object's name, summed.
    centre: Sparse,
}

impl<'a> Complaint<'a> {
    fn of(
        cx: &Context,
        ms: &[usize],
        object: &'a str,
        object_key: Option<u32>,
        keys: &'a [Vec<u32>],
    ) -> Complaint<'a> {
        let rows: FxHashMap<usize, Sparse> =
            ms.iter().map(|&m| (m, words(cx, object, m))).collect();
        let centre = ms.iter().fold(Sparse::new(), |acc, m| add(&acc, &rows[m]));
        Complaint {
            object,
            object_key,
            keys,
            rows,
            centre,
        }
    }

    fn names_object(&self, m: usize) -> bool {
        self.object_key.is_some_and(|k| self.keys[m].contains(&k))
    }

    /// Whether item `m`, not a member, says what the members say (its words against the
    /// whole centre).
    fn agrees(&self, cx: &Context, m: usize, least: f32) -> bool {
        cosine(&words(cx, self.object, m), &self.centre) >= least
    }

    /// The members of `ms` that name the object (when there is one) and agree with the
    /// others (each against the centre less itself).
    fn agreeing(&self, cx: &Context, ms: &[usize], least: f32) -> Vec<usize> {
        // A copy of a message that names the object names it too (its own text may have
        // lost the name to a typo or a different spelling).
        let naming: FxHashSet<u32> = ms
            .iter()
            .filter(|&&m| self.names_object(m))
            .map(|&m| cx.dup[m])
            .collect();
        ms.iter()
            .copied()
            .filter(|&m| self.object_key.is_none() || naming.contains(&cx.dup[m]))
            .filter(|&m| {
                let own = &self.rows[&m];
                let rest: Sparse = add(
                    &self.centre,
                    &own.iter().map(|&(t, w)| (t, -w)).collect::<Vec<_>>(),
                )
                .into_iter()
                .filter(|&(_, w)| w.abs() > 1e-6)
                .collect();
                cosine(own, &rest) >= least
            })
            .collect()
    }
}

/// Item `m`'s TF-IDF row less the terms of `object`'s name, unit length.
fn words(cx: &Context, object: &str, m: usize) -> Sparse {
    let mut row: Sparse = cx
        .vectors
        .row(m)
        .iter()
        .filter(|&&(t, _)| {
            object.is_empty() || !object.contains(cx.vectors.vocab[t as usize].as_str())
        })
        .copied()
        .collect();
    let n = norm(&row);
    if n > 0.0 {
        for e in &mut row {
            e.1 /= n;
        }
    }
    row
}

fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    dot(a, b) / (norm(a) * norm(b)).max(f32::MIN_POSITIVE)
}

/// Openings of a title that say what kind of message it is, not what is wrong (关于, 请求,
/// 投诉 …), taken off the front of a 问题描述, longest first.
const OPENINGS: [&str; 27] = [
    "强烈要求",
    "强烈建议",
    "强烈反映",
    "再次反映",
    "紧急求助",
    "关于",
    "请求",
    "投诉",
    "举报",
    "反映",
    "建议",
    "咨询",
    "请问",
    "求助",
    "希望",
    "要求",
    "恳请",
    "恳求",
    "呼吁",
    "申请",
    "询问",
    "尽快",
    "解决",
    "处理",
    "请",
    "问",
    "对",
];

/// Endings that only say it is a question or a suggestion (的问题, 的建议 …), taken off.
const ENDINGS: [&str; 23] = [
    "的相关问题",
    "相关问题",
    "的问题",
    "等问题",
    "问题",
    "的对策建议",
    "对策建议",
    "的意见建议",
    "的建议",
    "的投诉",
    "的请求",
    "的咨询",
    "的反映",
    "的情况",
    "亟待解决",
    "亟需解决",
    "急需解决",
    "急待解决",
    "尽快解决",
    "何时解决",
    "一事",
    "事宜",
    "的事",
];

/// A 问题描述 an editor can paste: the most typical title (of `titles`, most typical first)
/// that names the object, without its openings (关于, 请求 …) and endings (的问题 …); the
/// object is put before it when no such title names it. Falls back to the object and
/// `keywords` only when no title has words left.
pub(crate) fn sentence<'t>(
    object: &str,
    titles: impl Iterator<Item = &'t str>,
    keywords: &[String],
) -> String {
    let cleaned: Vec<String> = titles
        .map(clean_title)
        .filter(|t| t.chars().count() >= 4)
        .collect();
    let core = crate::segment::places::place_keys(object)
        .into_iter()
        .next()
        .unwrap_or_else(|| object.to_string());
    let naming = cleaned
        .iter()
        .find(|t| !object.is_empty() && t.contains(core.as_str()));
    match (naming, cleaned.first()) {
        (Some(t), _) => t.clone(),
        (None, Some(t)) if object.is_empty() => t.clone(),
        (None, Some(t)) => format!("{object}：{t}"),
        (None, None) => words_and_label(object, keywords.to_vec()).1,
    }
}

/// A title less its openings and endings and the punctuation around them.
fn clean_title(title: &str) -> String {
    let trim = |s: &str| -> String {
        s.trim_matches(|c: char| {
            c.is_whitespace() || "，。！？!?；;：:、“”\"'（）()【】[]《》…—-~～".contains(c)
        })
        .to_string()
    };
    let mut t = trim(title);
    loop {
        let before = t.clone();
        for o in OPENINGS {
            if let Some(rest) = t.strip_prefix(o) {
                if rest.chars().count() >= 4 {
                    t = trim(rest);
                    break;
                }
            }
        }
        for e in ENDINGS {
            if let Some(rest) = t.strip_suffix(e) {
                if rest.chars().count() >= 4 {
                    t = trim(rest);
                    break;
                }
            }
        }
        if t == before {
            return t;
        }
    }
}

/// A problem's keywords (at most five, none part of its object's name nor a piece of text
/// across its edge) and its label: the object and three of them (锦绣华庭小区：搅拌站、噪音、
/// 粉尘), or three when it names none.
pub(crate) fn words_and_label(object: &str, keywords: Vec<String>) -> (Vec<String>, String) {
    let keywords: Vec<String> = keywords
        .into_iter()
        .filter(|k| !object.contains(k.as_str()) && !across_edge(k, object))
        .take(5)
        .collect();
    let words = keywords
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join("、");
    let label = if object.is_empty() {
        words
    } else {
        format!("{object}：{words}")
    };
    (keywords, label)
}

/// Whether `word` is a piece of text running into or out of `object` (打恒大 from
/// "打恒大文化旅游城的电话", 到翠湖 from "到翠湖名苑小区"): it ends with at least two
/// characters that begin the object, or begins with at least two that end it.
fn across_edge(word: &str, object: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    (2..chars.len()).any(|n| {
        let tail: String = chars[chars.len() - n..].iter().collect();
        let head: String = chars[..n].iter().collect();
        object.starts_with(&tail) || object.ends_with(&head)
    })
}

/// The object of a problem: the key most of its items name (longer first on ties), when at
/// least a third do, written as the name that carries it most often (whole: 伊景园滨河苑).
fn object_of(
    ms: &[usize],
    items: &[&Item],
    keys: &[Vec<u32>],
    key_names: &[String],
) -> (String, Option<u32>) {
    let mut key_items: FxHashMap<u32, usize> = FxHashMap::default();
    for &m in ms {
        for &k in &keys[m] {
            *key_items.entry(k).or_default() += 1;
        }
    }
    let len = |k: u32| key_names[k as usize].chars().count();
    let Some((key, count)) = key_items.into_iter().max_by(|a, b| {
        a.1.cmp(&b.1)
            .then(len(a.0).cmp(&len(b.0)))
            .then(key_names[b.0 as usize].cmp(&key_names[a.0 as usize]))
    }) else {
        return (String::new(), None);
    };
    if count * 3 < ms.len() {
        return (String::new(), None);
    }
    let id = key;
    let key = key_names[key as usize].as_str();
    let mut names: HashMap<&str, usize> = HashMap::new();
    for it in items {
        for name in &it.places {
            if name.contains(key) {
                *names.entry(name.as_str()).or_default() += 1;
            }
        }
    }
    let name = names
        .into_iter()
        .max_by(|a, b| {
            a.1.cmp(&b.1)
                .then(a.0.chars().count().cmp(&b.0.chars().count()))
                .then(b.0.cmp(a.0))
        })
        .map_or_else(|| key.to_string(), |(n, _)| n.to_string());
    (name, Some(id))
}
