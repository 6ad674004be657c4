//! Topic descriptions: keywords by class-based TF-IDF (BERTopic's c-TF-IDF), a short label
//! (the most frequent phrase of two adjacent keywords in member titles, else the top keyword),
//! and representative items (closest to the topic's centre).

use std::collections::{HashMap, HashSet};

use super::vectorize::{centroid, dots_with_centre, Sparse, Vectors};
use crate::item::Item;
use crate::segment::Segmenter;

/// c-TF-IDF keywords of each topic: `tf(t,c)/|c| · ln(1 + A / f(t))`.
pub fn keywords(vectors: &Vectors, topics: &[Vec<usize>], top: usize) -> Vec<Vec<String>> {
    let per_topic: Vec<HashMap<u32, f32>> = topics
        .iter()
        .map(|members| {
            let mut tf: HashMap<u32, f32> = HashMap::new();
            for &m in members {
                for &(t, c) in &vectors.counts[m] {
                    *tf.entry(t).or_default() += c;
                }
            }
            tf
        })
        .collect();
    keywords_of_counts(&per_topic, &vectors.vocab, top)
}

/// c-TF-IDF keywords from each topic's term counts (term id → count over its members), as
/// [`keywords`] computes them; an engine that counted the terms elsewhere gets the same words.
pub fn keywords_of_counts(
    per_topic: &[HashMap<u32, f32>],
    vocab: &[String],
    top: usize,
) -> Vec<Vec<String>> {
    let mut total: HashMap<u32, f32> = HashMap::new();
    for tf in per_topic {
        for (&t, &c) in tf {
            *total.entry(t).or_default() += c;
        }
    }
    let a = total.values().sum::<f32>() / per_topic.len().max(1) as f32;
    per_topic
        .iter()
        .map(|tf| {
            let size: f32 = tf.values().sum::<f32>().max(1.0);
            let mut w: Vec<(u32, f32)> = tf
                .iter()
                .map(|(&t, &c)| (t, c / size * (1.0 + a / total[&t]).ln()))
                .collect();
            w.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            w.into_iter()
                .take(top)
                .map(|(t, _)| vocab[t as usize].clone())
                .collect()
        })
        .collect()
}

/// Title phrases of every item: its kept terms and each span of two adjacent terms, as
/// written (e.g. 老旧小区加装电梯), once per title.
pub fn title_phrases(seg: &Segmenter, items: &[Item]) -> Vec<Vec<String>> {
    use rayon::prelude::*;
    items
        .par_iter()
        .map(|it| phrases_of(seg, &it.title))
        .collect()
}

/// The phrases of one title (see [`title_phrases`]), sorted.
pub fn phrases_of(seg: &Segmenter, title: &str) -> Vec<String> {
    let mut out: HashSet<String> = HashSet::new();
    let mut prev: Option<(usize, usize)> = None;
    seg.for_each_term(title, |t, from, to| {
        if t.chars().count() >= 2 {
            out.insert(title[from..to].to_string());
        }
        if let Some((pf, pt)) = prev {
            if pt == from {
                out.insert(title[pf..to].to_string());
            }
        }
        prev = Some((from, to));
    });
    let mut v: Vec<String> = out.into_iter().collect();
    v.sort_unstable();
    v
}

/// A short label: the title phrase most particular to the topic, by a class-based TF-IDF over
/// title phrases (share of the topic's titles holding it × ln(1 + items / titles holding it
/// anywhere)); two-term phrases are preferred slightly, and a label holds two Han characters
/// at least. Falls back to the top keyword.
pub fn label(
    phrases: &[Vec<String>],
    global: &HashMap<&str, usize>,
    members: &[usize],
    keywords: &[String],
) -> String {
    let mut local: HashMap<&str, usize> = HashMap::new();
    for &m in members {
        for p in &phrases[m] {
            *local.entry(p.as_str()).or_default() += 1;
        }
    }
    label_of_counts(&local, members.len(), phrases.len(), global, keywords)
}

/// [`label`] from counts: `local` holds how many of the topic's `size` titles hold each
/// phrase, `global` how many of all `n` analysed titles do.
pub fn label_of_counts<S: std::borrow::Borrow<str> + std::hash::Hash + Eq>(
    local: &HashMap<S, usize>,
    size: usize,
    n: usize,
    global: &HashMap<S, usize>,
    keywords: &[String],
) -> String {
    let n = n as f64;
    let size = size as f64;
    let mut best: Option<(f64, &str)> = None;
    for (p, &c) in local {
        let p: &str = p.borrow();
        // A label says something to an editor: two Han characters at least (not "A7", "5g").
        let han = p
            .chars()
            .filter(|ch| ('\u{4e00}'..='\u{9fff}').contains(ch))
            .count();
        if c < 2 || han < 2 {
            continue;
        }
        let compound = if p.chars().count() >= 4 { 1.15 } else { 1.0 };
        let df = global.get(p).copied().unwrap_or(c).max(1);
        let score = c as f64 / size * (1.0 + n / df as f64).ln() * compound;
        if best.is_none_or(|(b, bp)| score > b || (score == b && p < bp)) {
            best = Some((score, p));
        }
    }
    best.map(|(_, p)| p.to_string())
        .or_else(|| keywords.first().cloned())
        .unwrap_or_else(|| "（无关键词）".into())
}

/// The `n` members closest to the topic centre in TF-IDF, with the centre itself.
pub fn representatives(vectors: &Vectors, members: &[usize], n: usize) -> (Sparse, Vec<usize>) {
    let c = centroid(members.iter().map(|&m| vectors.row(m)));
    let dim = vectors.vocab.len();
    let sims = dots_with_centre(&c, dim, members.iter().map(|&m| vectors.row(m)));
    let mut scored: Vec<(usize, f32)> = members.iter().copied().zip(sims).collect();
    scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    (c, scored.into_iter().take(n).map(|(m, _)| m).collect())
}
