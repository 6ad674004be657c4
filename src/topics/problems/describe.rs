//! The problems of the window among the groups: counted, described (object：complaint
//! words), given their heat and trend, and ranked.

use super::*;

/// What [`describe`] needs besides the groups.
pub(in crate::topics) struct Context<'a> {
    pub items: &'a [&'a Item],
    /// Items of this window (the first `n` of `items`).
    pub n: usize,
    pub vectors: &'a Vectors,
    pub words: WordFilter<'a>,
    /// Each window item's theme (topic index), `None` for 其他.
    pub theme_of: &'a [Option<usize>],
    pub window: (DateTime<FixedOffset>, DateTime<FixedOffset>),
    /// Whether there is a previous window.
    pub compared: bool,
    pub has_submitters: bool,
    pub has_likes: bool,
    /// Whether the data has a handling-feedback column.
    pub has_feedback: bool,
    /// Near-duplicate groups, for representatives.
    pub dup: &'a [u32],
}

/// The problems of the window among `groups`, ranked by heat, with their descriptions.
pub(in crate::topics) fn describe(
    found: Grouping,
    cx: &Context,
    cfg: &ProblemConfig,
) -> Vec<Problem> {
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
    } = found;
    let kept: Vec<(Vec<usize>, usize)> = groups
        .into_iter()
        .filter_map(|g| {
            let (now, before): (Vec<usize>, Vec<usize>) = g.into_iter().partition(|&m| m < n);
            (now.len() >= cfg.min_items && submitters(&now) >= cfg.min_submitters)
                .then_some((now, before.len()))
        })
        .collect();
    let members: Vec<Vec<usize>> = kept.iter().map(|(m, _)| m.clone()).collect();
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
    let keywords = label::keywords_of_counts(&counts, &cx.vectors.vocab, 8, cx.words);
    let mut problems: Vec<Problem> = kept
        .par_iter()
        .zip(keywords)
        .map(|((ms, previous), keywords)| {
            let its: Vec<&Item> = ms.iter().map(|&m| cx.items[m]).collect();
            let object = object_of(ms, &its, &keys, &key_names);
            let (keywords, label) = words_and_label(&object, keywords);
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
            let (from, to) = cx.window;
            let unresolved = !cx.has_feedback
                || 2 * its.iter().filter(|i| i.feedback.trim().is_empty()).count() > its.len();
            let difficult = months_active >= cfg.difficult_months
                && unresolved
                && last.is_some_and(|l| (to - l) * 4 <= (to - from));
            let h = heat::heat(
                &cfg.heat,
                &HeatInput {
                    items: ms.len(),
                    submitters: cx.has_submitters.then_some(people),
                    engagement: cx.has_likes.then_some(likes + dislikes),
                    first,
                    last,
                    previous: cx.compared.then_some(*previous),
                },
                cx.window,
            );
            let trend = cx
                .compared
                .then(|| Trend::of(*previous, ms.len() as f64 / (*previous).max(1) as f64));
            // The most typical members: summed sparsely for a small problem, in a dense array
            // of the vocabulary for a large one (thousands of copies of one article).
            let ranked: Vec<usize> = if ms.len() > DENSE_FROM {
                label::representatives(cx.vectors, ms, crate::topics::REPRESENTATIVE_CANDIDATES).1
            } else {
                let centre = sum_rows(cx.vectors, ms.iter().copied());
                let mut typical: Vec<(usize, f32)> = ms
                    .iter()
                    .map(|&m| (m, dot(&cx.vectors.row(m), &centre)))
                    .collect();
                typical.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                typical
                    .iter()
                    .take(crate::topics::REPRESENTATIVE_CANDIDATES)
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
            let mut by_time: Vec<usize> = ms.clone();
            by_time.sort_by_key(|&m| (cx.items[m].submitted_at, m));
            let fmt =
                |d: Option<DateTime<FixedOffset>>| d.map(|d| d.format("%Y-%m-%d").to_string());
            Problem {
                id: String::new(),
                rank: 0,
                label,
                object,
                keywords,
                theme: theme.map(|t| t + 1),
                hot: false,
                difficult,
                months_active,
                heat: h,
                size: ms.len(),
                submitters: people,
                previous: *previous,
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
    problems
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
fn object_of(ms: &[usize], items: &[&Item], keys: &[Vec<u32>], key_names: &[String]) -> String {
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
        return String::new();
    };
    if count * 3 < ms.len() {
        return String::new();
    }
    let key = key_names[key as usize].as_str();
    let mut names: HashMap<&str, usize> = HashMap::new();
    for it in items {
        for name in &it.places {
            if name.contains(key) {
                *names.entry(name.as_str()).or_default() += 1;
            }
        }
    }
    names
        .into_iter()
        .max_by(|a, b| {
            a.1.cmp(&b.1)
                .then(a.0.chars().count().cmp(&b.0.chars().count()))
                .then(b.0.cmp(a.0))
        })
        .map_or_else(|| key.to_string(), |(n, _)| n.to_string())
}
