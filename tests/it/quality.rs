//! Topic quality on labelled real corpora (dataset tier): NMI against the labels, kept from
//! regressing. Measured: THUCNews titles 20k, k=10: NMI 0.514 since forced topics are redrawn
//! around their centres (0.503 when written; the Python peer: TF-IDF+KMeans 0.144, LSA 0.285);
//! automatic k: 0.501.

use std::collections::HashMap;

use minyi::index::query::Filters;
use minyi::topics::eval::{ari, nmi};
use minyi::topics::{mine, TopicConfig, TopicReport};

use crate::util::{dataset, Workdir};

/// Ingests a dataset into a fresh work directory; returns it with the opened index and its items.
fn load(
    rel: &str,
) -> (
    Workdir,
    minyi::index::ItemIndex,
    Vec<minyi::Item>,
    serde_json::Value,
) {
    let w = Workdir::new();
    let summary = w.ingest(&[&dataset(rel)], &[]);
    let index = minyi::index::ItemIndex::open(&w.index()).unwrap();
    let items = index.collect(None, &Filters::default()).unwrap();
    (w, index, items, summary)
}

/// The topic (or 其他) of each item, in the items' order; every item must have one.
fn assigned(r: &TopicReport, items: &[minyi::Item]) -> Vec<String> {
    let mut m: HashMap<&str, String> = HashMap::new();
    for t in &r.topics {
        for id in &t.item_ids {
            m.insert(id, t.id.to_string());
        }
    }
    for id in &r.other.item_ids {
        m.insert(id, "other".into());
    }
    assert_eq!(m.len(), items.len(), "every item is in a topic or in 其他");
    items.iter().map(|i| m[i.id.as_str()].clone()).collect()
}

#[test]
#[ignore = "needs ../shared/datasets"]
fn datasets_thucnews_titles_nmi_does_not_regress() {
    let (_w, index, items, s) = load("thucnews_titles/thucnews_titles_20k.csv");
    // Rows without an id that repeat a title exactly share one derived id (upsert).
    assert_eq!(items.len() as u64, s["new"].as_u64().unwrap());
    assert!(items.len() > 19_900);
    let label: HashMap<String, String> = items
        .iter()
        .map(|i| {
            (
                i.id.clone(),
                i.extra
                    .iter()
                    .find(|(k, _)| k == "label_name")
                    .unwrap()
                    .1
                    .clone(),
            )
        })
        .collect();
    let score = |k: Option<usize>| {
        let r = mine(
            &index.segmenter,
            &items,
            &[],
            None,
            &TopicConfig {
                k,
                ..TopicConfig::default()
            },
        );
        let y: Vec<String> = items.iter().map(|i| label[&i.id].clone()).collect();
        (nmi(&y, &assigned(&r, &items)), r.topics.len())
    };
    let (forced, n) = score(Some(10));
    println!("THUCNews titles k=10: NMI {forced:.4} ({n} topics)");
    assert_eq!(n, 10);
    assert!(
        forced >= 0.494,
        "NMI {forced} fell more than 0.02 below 0.514"
    );
    let (auto, n) = score(None);
    println!("THUCNews titles automatic k: NMI {auto:.4} ({n} topics)");
    assert!(auto >= 0.481, "NMI {auto} fell more than 0.02 below 0.501");
}

#[test]
#[ignore = "needs ../shared/datasets"]
fn datasets_five_seeds_agree_on_thucnews_titles() {
    let (_w, index, items, _) = load("thucnews_titles/thucnews_titles_20k.csv");
    let runs: Vec<(usize, Vec<String>)> = (1..=5u64)
        .map(|seed| {
            let r = mine(
                &index.segmenter,
                &items,
                &[],
                None,
                &TopicConfig {
                    seed,
                    ..TopicConfig::default()
                },
            );
            (r.topics.len(), assigned(&r, &items))
        })
        .collect();
    let counts: Vec<usize> = runs.iter().map(|r| r.0).collect();
    let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
    println!("topic counts over five seeds: {counts:?}");
    assert!(
        counts
            .iter()
            .all(|&c| (c as f64 - mean).abs() <= 0.1 * mean + 0.5),
        "counts {counts:?} vary more than ±10%"
    );
    for i in 0..runs.len() {
        for j in i + 1..runs.len() {
            let v = ari(&runs[i].1, &runs[j].1);
            println!("ARI seed {} vs {}: {v:.3}", i + 1, j + 1);
            assert!(
                v >= 0.8,
                "seeds {} and {} agree only at ARI {v:.3}",
                i + 1,
                j + 1
            );
        }
    }
}

/// Real citizen messages: every representative item of the largest topics holds one of its
/// topic's keywords, and of the hottest topics one of its top three.
#[test]
#[ignore = "needs ../shared/datasets"]
fn datasets_real_messages_topics_are_coherent() {
    let (_w, index, items, _) = load("tipdm2020c/messages_with_votes.csv");
    let r = mine(&index.segmenter, &items, &[], None, &TopicConfig::default());
    assert_coherent(&r, &items, &index.segmenter);
}

/// The representatives of the five largest topics hold one of their topic's eight keywords
/// (broad categories: 交通, 物业, 拆迁…), those of the five hottest one of its top three
/// (specific problems); at least 10 topics. No keyword is a function word (我家, 有何, 常年,
/// 附近 were keywords before the part-of-speech filter), nor a piece of a label.
pub fn assert_coherent(r: &TopicReport, items: &[minyi::Item], seg: &minyi::segment::Segmenter) {
    let tags = TopicConfig::default().function_word_tags;
    let words = minyi::text::label::WordFilter::new(seg, &tags);
    for t in &r.topics {
        for k in &t.keywords {
            assert!(
                words.keeps_word(k),
                "topic {}: keyword {k} {:?}",
                t.id,
                seg.tags(k)
            );
        }
        // A phrase, the first keyword, or the field (劳动和社会保障) its keywords fall in.
        let field = minyi::text::label::field_of(&t.keywords);
        assert!(
            words.keeps_phrase(&t.label)
                || t.keywords.first() == Some(&t.label)
                || field.is_some_and(|f| t.label.starts_with(f)),
            "topic {}: label {} {:?}",
            t.id,
            t.label,
            seg.tags(&t.label)
        );
    }
    let by_id: HashMap<&str, &minyi::Item> = items.iter().map(|i| (i.id.as_str(), i)).collect();
    assert!(r.topics.len() >= 10, "{} topics", r.topics.len());
    let labels: std::collections::HashSet<&str> =
        r.topics.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels.len(), r.topics.len(), "two topics share a label");
    let mut hottest: Vec<&minyi::topics::Topic> = r.topics.iter().collect();
    hottest.sort_by(|a, b| b.scores.hot.total_cmp(&a.scores.hot));
    let largest = r.topics.iter().take(5).map(|t| (t, 8));
    for (t, top_n) in largest.chain(hottest.into_iter().take(5).map(|t| (t, 3))) {
        let top: Vec<String> = t.keywords.iter().take(top_n).cloned().collect();
        for rep in &t.representatives {
            let it = by_id[rep.id.as_str()];
            let text = format!("{} {}", it.title, it.body).to_lowercase();
            assert!(
                top.iter().any(|k| text.contains(k.as_str())),
                "topic {} ({}): {} lacks {top:?}",
                t.id,
                t.label,
                it.title
            );
        }
        println!(
            "topic {} {} ({} items, hot {:.2}): {:?}",
            t.id, t.label, t.size, t.scores.hot, t.keywords
        );
    }
}
