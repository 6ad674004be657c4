//! Topic descriptions: keywords by class-based TF-IDF (BERTopic's c-TF-IDF), a short label
//! (the title phrase most particular to the topic, else the top keyword),
//! and representative items (closest to the topic's centre). Function words (pronouns,
//! adverbs, locatives … by part of speech, [`WordFilter`]) are neither keywords nor label words.

use std::collections::HashMap;
use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::vectorize::{centroid, dots_with_centre, Sparse, Vectors};
pub use super::words::{is_code, is_fragment, WordFilter};
use crate::item::Item;
use crate::segment::Segmenter;

/// c-TF-IDF keywords of each topic: `tf(t,c)/|c| · ln(1 + A / f(t))`, function words left out.
pub fn keywords(
    vectors: &Vectors,
    topics: &[Vec<usize>],
    top: usize,
    filter: WordFilter,
) -> Vec<Vec<String>> {
    // Summed in a dense array (a large topic's members hold millions of term counts), in
    // member order as before.
    let per_topic: Vec<HashMap<u32, f32>> = topics
        .par_iter()
        .map(|members| {
            let mut tf = vec![0f32; vectors.vocab.len()];
            for &m in members {
                for &(t, c) in &vectors.counts[m] {
                    tf[t as usize] += c;
                }
            }
            (0u32..).zip(tf).filter(|&(_, c)| c > 0.0).collect()
        })
        .collect();
    keywords_of_counts(&per_topic, &vectors.vocab, top, filter)
}

/// c-TF-IDF keywords from each topic's term counts (term id → count over its members), as
/// [`keywords`] computes them; an engine that counted the terms elsewhere gets the same words.
pub fn keywords_of_counts(
    per_topic: &[HashMap<u32, f32>],
    vocab: &[String],
    top: usize,
    filter: WordFilter,
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
        .map(|tf| keywords_against(tf, &total, a, vocab, top, filter))
        .collect()
}

/// The c-TF-IDF keywords of one class's term counts `tf` against the counts of all classes:
/// `total` (term → count over all classes, holding every term of `tf`) and `a` (the average
/// count of terms per class). An engine that summed `total` across its tasks gives each
/// class the words [`keywords_of_counts`] gives it over all classes at once.
pub fn keywords_against(
    tf: &HashMap<u32, f32>,
    total: &HashMap<u32, f32>,
    a: f32,
    vocab: &[String],
    top: usize,
    filter: WordFilter,
) -> Vec<String> {
    let size: f32 = tf.values().sum::<f32>().max(1.0);
    let mut w: Vec<(u32, f32)> = tf
        .iter()
        .map(|(&t, &c)| (t, c / size * (1.0 + a / total[&t]).ln()))
        .collect();
    w.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    w.into_iter()
        .map(|(t, _)| &vocab[t as usize])
        .filter(|word| filter.keeps_word(word))
        .take(top)
        .cloned()
        .collect()
}

/// Title phrases of every item: its kept terms, each span of two adjacent terms, as written
/// (e.g. 老旧小区加装电梯), and its named objects whole, once per title.
/// Phrases are slices of the titles: a million titles hold about ten million phrases, which
/// as strings of their own took as long to allocate and free as to find.
pub fn title_phrases<'a>(seg: &Segmenter, items: &'a [Item]) -> Vec<Vec<&'a str>> {
    items
        .par_iter()
        .map(|it| phrase_slices(seg, &it.title))
        .collect()
}

/// The phrases of one title (see [`title_phrases`]), sorted.
pub fn phrases_of(seg: &Segmenter, title: &str) -> Vec<String> {
    phrase_slices(seg, title)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// The phrases of one title as slices of it, sorted, each once.
fn phrase_slices<'a>(seg: &Segmenter, title: &'a str) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    // A named object is a phrase as a whole (伊景园滨河苑, where the terms give 景园滨河), and
    // a span of two terms reaching into one is a cut of it (修复青石 of 修复青石村三组).
    let mut names: Vec<(usize, usize)> = Vec::new();
    for name in crate::segment::places::names(seg, title) {
        if let Some(at) = title.find(name.as_str()) {
            names.push((at, at + name.len()));
            out.push(&title[at..at + name.len()]);
        }
    }
    let cuts_a_name = |from: usize, to: usize| {
        names
            .iter()
            .any(|&(a, b)| from < b && to > a && (from, to) != (a, b))
    };
    let mut prev: Option<(usize, usize)> = None;
    seg.for_each_term(title, |t, from, to| {
        // A single character joins no phrase: 路公交车 (3路 | 公交车), 区中学 are cuts.
        if t.chars().count() < 2 {
            prev = None;
            return;
        }
        out.push(&title[from..to]);
        if let Some((pf, pt)) = prev {
            if pt == from && !cuts_a_name(pf, to) {
                out.push(&title[pf..to]);
            }
        }
        prev = Some((from, to));
    });
    out.sort_unstable();
    out.dedup();
    out
}

/// Share of the titles holding a label phrase that a longer phrase holding it must reach to
/// become the label instead.
const EXTEND_SHARE: f64 = 0.3;

/// Share of a topic's titles a phrase must stand in to be its label: a label says what the
/// items share ("拖欠工资" over teachers' petitions, in few of their titles, told an editor
/// the wrong thing). A theme no phrase covers so is named by its field ([`field_of`]).
pub const LABEL_SHARE: f64 = 0.2;

/// Keywords shown per topic and per problem, however the topic was counted (locally or
/// from an engine's sums).
pub const KEYWORDS: usize = 8;

/// Words that say what kind of message an item is, not what it is about (投诉, 咨询 …): no
/// label alone.
const MESSAGE_KINDS: [&str; 14] = [
    "投诉", "咨询", "建议", "反映", "请求", "希望", "问题", "规定", "情况", "要求", "呼吁", "举报",
    "关于", "恳请",
];

/// Words that say where in an address, not what: a residential or administrative container
/// without its name (小区, 街道, 大道). A kind of institution (幼儿园, 医院, 驾校) is a subject
/// an editor plans for; these are not.
const ADDRESS_WORDS: [&str; 15] = [
    "小区", "街道", "社区", "大道", "新城", "家园", "花园", "公寓", "山庄", "中心", "项目", "公司",
    "集团", "广场", "大厦",
];

/// Whether a phrase can name a theme alone: not a word for the kind of message (投诉, 咨询)
/// nor an address word alone ([`ADDRESS_WORDS`]), which say neither what is complained of
/// nor where.
fn names_something(p: &str) -> bool {
    !MESSAGE_KINDS.contains(&p) && !ADDRESS_WORDS.contains(&p)
}

/// A field of government affairs and its cue words (`corpora/lexicons/fields.txt`).
struct Field {
    name: &'static str,
    cues: FxHashSet<&'static str>,
}

fn fields() -> &'static [Field] {
    static FIELDS: std::sync::OnceLock<Vec<Field>> = std::sync::OnceLock::new();
    FIELDS.get_or_init(|| {
        include_str!("../../corpora/lexicons/fields.txt")
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('：'))
            .map(|(name, cues)| Field {
                name: name.trim(),
                cues: cues.split_whitespace().collect(),
            })
            .collect()
    })
}

/// The field (领域) a broad theme's keywords fall in: the one holding most of them, at least
/// two (ties: the one holding the earlier keyword); none when no field holds two.
pub fn field_of(keywords: &[String]) -> Option<&'static str> {
    fields()
        .iter()
        .filter_map(|f| {
            let hits: Vec<usize> = keywords
                .iter()
                .enumerate()
                .filter(|(_, k)| f.cues.contains(k.as_str()))
                .map(|(i, _)| i)
                .collect();
            (hits.len() >= 2).then(|| (hits.len(), std::cmp::Reverse(hits[0]), f.name))
        })
        .max()
        .map(|(_, _, name)| name)
}

/// Whether an item's text belongs to a field: it holds one of the field's cues.
pub fn in_field(field: &str, text: &str) -> bool {
    fields()
        .iter()
        .find(|f| f.name == field)
        .is_some_and(|f| f.cues.iter().any(|c| text.contains(c)))
}

/// A short label: the title phrase most particular to the topic, by its share of the topic's
/// titles × ln(lift), the lift being that share over its share of all titles; two-term
/// phrases are preferred slightly, and a label holds two Han characters at least, and no
/// function word, and stands in at least [`LABEL_SHARE`] of the topic's titles. Falls back to
/// the field of the topic's keywords ([`field_of`]), else the top keyword.
///
/// The lift, rather than c-TF-IDF's ln(1 + items / titles holding it), keeps a word that many
/// topics' titles hold from naming one of them: on the real messages, 小区 (in 13% of all
/// titles) named both the residential-property topic and the cooking-fumes one, where the
/// lift names them 物业 and 油烟扰民.
pub fn label<H: BuildHasher>(
    phrases: &[Vec<&str>],
    global: &HashMap<&str, usize, H>,
    members: &[usize],
    keywords: &[String],
    filter: WordFilter,
    taken: &FxHashSet<String>,
) -> String {
    let mut local: FxHashMap<&str, usize> = FxHashMap::default();
    for &m in members {
        for &p in &phrases[m] {
            *local.entry(p).or_default() += 1;
        }
    }
    label_of_counts(
        &local,
        members.len(),
        phrases.len(),
        global,
        keywords,
        filter,
        taken,
    )
}

/// [`label`] from counts: `local` holds how many of the topic's `size` titles hold each
/// phrase, `global` how many of all `n` analysed titles do. Labels in `taken` (those of
/// larger topics, see [`distinct_labels`]) are passed over.
pub fn label_of_counts<S, L, G>(
    local: &HashMap<S, usize, L>,
    size: usize,
    n: usize,
    global: &HashMap<S, usize, G>,
    keywords: &[String],
    filter: WordFilter,
    taken: &FxHashSet<String>,
) -> String
where
    S: std::borrow::Borrow<str> + std::hash::Hash + Eq,
    L: BuildHasher,
    G: BuildHasher,
{
    let n = n as f64;
    let size = size as f64;
    // (score, phrase, titles of the topic holding it)
    let mut scored: Vec<(f64, &str, usize)> = Vec::new();
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
        let share = c as f64 / size;
        let score = share * (share * n / df as f64).ln() * compound;
        scored.push((score, p, c));
    }
    // Best first; tagging is the costly test, so it runs on the leaders only.
    scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let free =
        |p: &str| !taken.contains(p) && !MESSAGE_KINDS.contains(&p) && filter.keeps_phrase(p);
    // The label is shared by a good share of the titles; a longer phrase extending it (below)
    // needs only a share of those.
    let shared = |c: usize| c as f64 >= LABEL_SHARE * size;
    let extended = |best: &str, held: usize| -> String {
        // A longer phrase holding the best one names the topic more precisely (施工 → 施工扰民,
        // 诈骗 → 涉嫌诈骗) when it stands in a good share of the titles that hold the best, when
        // it is the one way the titles extend the best (two extensions as frequent, 婴幼儿照护 and
        // 家庭婴幼儿, leave the best as it is), and when it is no cut.
        // … and in half that share of all the titles: a broad theme is not named by one of its objects
        // (泉星公园 over a theme of parks, substations and plans).
        let least = (held as f64 * EXTEND_SHARE)
            .max(2.0)
            .max(LABEL_SHARE / 2.0 * size);
        // An extension whose added term belongs as much to the phrase on its other side is a
        // cut, not a phrase: 外卖骑手建设 where the titles say 外卖骑手 | 建设爱心驿站, 小微企业轻
        // where they say 小微企业 | 轻资产. Where the two sides are as frequent, the added term
        // goes with what follows it (建设爱心驿站 before 外卖骑手建设; 慢性病患者 must be more
        // frequent than 患者基层 to cut it).
        let cut = |p: &str, c: usize| {
            // The term the extension adds to the best, and whether it follows the best.
            let (added, follows) = match filter.halves(p) {
                Some((first, second)) if first == best => (second, true),
                Some((first, second)) if second == best => (first, false),
                _ => return false,
            };
            scored.iter().any(|&(_, q, cq)| {
                q.len() > added.len()
                    && !q.contains(best)
                    && if follows {
                        cq >= c && q.starts_with(added)
                    } else {
                        cq > c && q.ends_with(added)
                    }
            })
        };
        let mut longer: Vec<(usize, &str)> = scored
            .iter()
            .filter(|(_, p, c)| p.len() > best.len() && p.contains(best) && *c as f64 >= least)
            .filter(|&&(_, p, _)| free(p))
            .map(|&(_, p, c)| (c, p))
            .collect();
        // Most titles first. A tie at the top takes no extension, so equals need no order.
        longer.sort_unstable_by_key(|&(c, _)| std::cmp::Reverse(c));
        match longer.as_slice() {
            [(c, p), (c2, _), ..] if c > c2 && !cut(p, *c) => p,
            [(c, p)] if !cut(p, *c) => p,
            _ => best,
        }
        .to_string()
    };
    // The first shared phrase whose label, itself or its extension, names something: a kind
    // of place alone (小区, 公园) does not, but it may extend to a name (杨美公园).
    let found = scored
        .iter()
        .filter(|(_, p, c)| free(p) && shared(*c))
        .map(|&(_, best, held)| extended(best, held))
        .find(|l| names_something(l));
    if let Some(label) = found {
        return label;
    }
    // No phrase is shared: the field the keywords fall in (a second theme of one field adds
    // its top keyword), else the top keyword.
    let keyword = keywords
        .iter()
        .find(|k| !taken.contains(k.as_str()) && names_something(k))
        .or(keywords.first())
        .cloned();
    match (field_of(keywords), keyword) {
        (Some(f), _) if !taken.contains(f) => f.to_string(),
        (Some(f), Some(k)) => format!("{f}·{k}"),
        (None, Some(k)) => k,
        _ => "（无关键词）".into(),
    }
}

/// Labels of `n` topics, largest first, each its own: `label_of(t, taken)` labels topic `t`
/// passing over the labels in `taken`. Labels are found in parallel with nothing taken; then
/// a topic whose label a topic before it already holds is labelled again, in order, passing
/// over the labels taken (two topics named 质量 tell an editor nothing).
pub fn distinct_labels(
    n: usize,
    label_of: impl Fn(usize, &FxHashSet<String>) -> String + Sync,
) -> Vec<String> {
    let none = FxHashSet::default();
    let mut labels: Vec<String> = (0..n).into_par_iter().map(|t| label_of(t, &none)).collect();
    let mut taken: FxHashSet<String> = FxHashSet::default();
    for (t, label) in labels.iter_mut().enumerate() {
        if taken.contains(label.as_str()) {
            *label = label_of(t, &taken);
        }
        taken.insert(label.clone());
    }
    labels
}

/// The `n` members closest to the topic centre in TF-IDF, with the centre itself.
pub fn representatives(vectors: &Vectors, members: &[usize], n: usize) -> (Sparse, Vec<usize>) {
    let c = centroid(members.iter().map(|&m| vectors.row(m)), vectors.vocab.len());
    let dim = vectors.vocab.len();
    let sims = dots_with_centre(&c, dim, members.iter().map(|&m| vectors.row(m)));
    let mut scored: Vec<(usize, f32)> = members.iter().copied().zip(sims).collect();
    scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    (c, scored.into_iter().take(n).map(|(m, _)| m).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::FUNCTION_WORD_TAGS;

    fn tags() -> Vec<String> {
        FUNCTION_WORD_TAGS.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn name_fragments_and_codes_are_neither_keywords_nor_label_starts() {
        let seg = Segmenter::embedded();
        let drop = tags();
        let f = WordFilter::new(&seg, &drop);
        for w in [
            "a7",
            "A7",
            "c5",
            "f034",
            "区丽发",
            "县楚龙",
            "县星沙",
            "县星",
            "市伊",
        ] {
            assert!(!f.keeps_word(w), "{w} kept as a keyword");
        }
        for w in ["市民", "区域", "县城", "搅拌站", "110kv", "ktv", "app"] {
            assert!(f.keeps_word(w), "{w} dropped");
        }
        for p in ["A7县泉塘", "县楚龙街道", "区丽发新城", "县星沙东"] {
            assert!(!f.keeps_phrase(p), "{p} kept as a label");
        }
        for p in ["丽发新城", "搅拌站噪音", "市民出行"] {
            assert!(f.keeps_phrase(p), "{p} dropped as a label");
        }
    }

    #[test]
    fn function_words_are_not_keywords() {
        let seg = Segmenter::embedded();
        let drop = tags();
        let vocab: Vec<String> = ["我家", "附近", "常年", "工地", "噪音", "ktv", "路口"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        // The function words are the most frequent terms of the first topic.
        let counts: Vec<HashMap<u32, f32>> = vec![
            [
                (0, 9.0),
                (1, 8.0),
                (2, 7.0),
                (3, 3.0),
                (4, 2.0),
                (5, 2.0),
                (6, 2.0),
            ]
            .into_iter()
            .collect(),
            [(3, 1.0)].into_iter().collect(),
        ];
        let all = keywords_of_counts(&counts, &vocab, 8, WordFilter::none());
        assert_eq!(&all[0][..3], ["我家", "附近", "常年"]);
        let kept = keywords_of_counts(&counts, &vocab, 8, WordFilter::new(&seg, &drop));
        // Pronoun, locative and adverb go; nouns, an English token and a place word stay.
        assert_eq!(kept[0], ["工地", "噪音", "ktv", "路口"], "{kept:?}");
    }

    #[test]
    fn labels_skip_function_words_and_extend_to_the_precise_phrase() {
        let seg = Segmenter::embedded();
        let drop = tags();
        let words = WordFilter::new(&seg, &drop);
        let kw = vec!["施工".to_string()];
        let global: HashMap<&str, usize> = [
            ("我家附近", 40),
            ("施工", 60),
            ("施工扰民", 30),
            ("夜间施工", 20),
        ]
        .into_iter()
        .collect();
        // 我家附近 is the most frequent phrase but holds function words.
        let mut local: HashMap<&str, usize> = [
            ("我家附近", 40),
            ("施工", 30),
            ("施工扰民", 10),
            ("夜间施工", 8),
        ]
        .into_iter()
        .collect();
        let none = FxHashSet::default();
        let label =
            |l: &HashMap<&str, usize>, w| label_of_counts(l, 50, 1000, &global, &kw, w, &none);
        assert_eq!(label(&local, WordFilter::none()), "我家附近");
        // 施工扰民 holds the best phrase 施工 in a third of its titles: it names the topic.
        assert_eq!(label(&local, words), "施工扰民");
        // Below the share, the best phrase stays.
        local.insert("施工扰民", 8);
        assert_eq!(label(&local, words), "施工");
    }

    #[test]
    fn a_label_extends_only_one_way_and_never_into_a_cut() {
        let seg = Segmenter::embedded();
        let words = WordFilter::new(&seg, &[]);
        let none = FxHashSet::default();
        let global: HashMap<&str, usize> = HashMap::new();
        let label = |pairs: &[(&'static str, usize)]| {
            let local: HashMap<&str, usize> = pairs.iter().copied().collect();
            label_of_counts(&local, 30, 1000, &global, &[], words, &none)
        };
        // One extension: it names the topic.
        assert_eq!(label(&[("婴幼儿", 8), ("婴幼儿照护", 5)]), "婴幼儿照护");
        // Two extensions as frequent: neither is the topic's phrase.
        assert_eq!(
            label(&[("婴幼儿", 8), ("婴幼儿照护", 5), ("家庭婴幼儿", 5)]),
            "婴幼儿"
        );
        // One more frequent than the other: it wins.
        assert_eq!(
            label(&[("婴幼儿", 8), ("婴幼儿照护", 5), ("家庭婴幼儿", 4)]),
            "婴幼儿照护"
        );
        // The added word leads the next phrase as often (外卖骑手 | 建设爱心驿站), or ends the
        // one before more often (慢性病患者 | 基层): a cut.
        assert_eq!(
            label(&[("外卖骑手", 8), ("外卖骑手建设", 6), ("建设爱心驿站", 6)]),
            "外卖骑手"
        );
        assert_eq!(
            label(&[("基层", 9), ("患者基层", 4), ("慢性病患者", 5)]),
            "基层"
        );
        // Less often: the extension stands.
        assert_eq!(
            label(&[
                ("加装电梯", 24),
                ("老旧小区加装电梯", 15),
                ("解决老旧小区", 7)
            ]),
            "老旧小区加装电梯"
        );
    }

    /// A theme no phrase covers is named by its field (was 麻将馆扰民 over 招商、商场、消防,
    /// 如期通车 over 项目、改造、棚户区: phrases of a few of its titles).
    #[test]
    fn a_theme_no_phrase_covers_is_named_by_its_field() {
        let seg = Segmenter::embedded();
        let drop = tags();
        let words = WordFilter::new(&seg, &drop);
        let none = FxHashSet::default();
        let kw: Vec<String> = ["招商", "商场", "商户", "消防"].map(String::from).to_vec();
        assert_eq!(field_of(&kw), Some("商贸消费"));
        let global: HashMap<&str, usize> = [("麻将馆扰民", 5), ("商场", 40)].into_iter().collect();
        // 麻将馆扰民 in 3 of 30 titles, 商场 in 4: no phrase is shared (a fifth).
        let local: HashMap<&str, usize> = [("麻将馆扰民", 3), ("商场", 4)].into_iter().collect();
        assert_eq!(
            label_of_counts(&local, 30, 1000, &global, &kw, words, &none),
            "商贸消费"
        );
        // A second theme of the field adds its top keyword.
        let taken: FxHashSet<String> = ["商贸消费".to_string()].into_iter().collect();
        assert_eq!(
            label_of_counts(&local, 30, 1000, &global, &kw, words, &taken),
            "商贸消费·招商"
        );
        // Shared by a fifth of the titles or more, the phrase names it.
        let local: HashMap<&str, usize> = [("麻将馆扰民", 9), ("商场", 5)].into_iter().collect();
        assert_eq!(
            label_of_counts(&local, 30, 1000, &global, &kw, words, &none),
            "麻将馆扰民"
        );
        assert!(in_field("商贸消费", "商场消防通道被堵") && !in_field("商贸消费", "路灯不亮"));
        // Keywords in no field's two cues: the top keyword.
        assert_eq!(field_of(&["质量".to_string(), "衣服".to_string()]), None);
    }

    #[test]
    fn an_address_word_alone_names_no_theme_but_may_extend_to_a_name() {
        let seg = Segmenter::embedded();
        let drop = tags();
        let words = WordFilter::new(&seg, &drop);
        let none = FxHashSet::default();
        let kw: Vec<String> = ["油烟", "商铺", "门面", "小区"].map(String::from).to_vec();
        let global: HashMap<&str, usize> =
            [("小区", 100), ("油烟", 20), ("街道", 80), ("幼儿园", 30)]
                .into_iter()
                .collect();
        // 小区 in 12 of 30 titles, 油烟 in 7: the theme is about fumes, not about "estates".
        let local: HashMap<&str, usize> = [("小区", 12), ("油烟", 7)].into_iter().collect();
        assert_eq!(
            label_of_counts(&local, 30, 1000, &global, &kw, words, &none),
            "油烟"
        );
        // Nothing but address words shared: the field.
        let local: HashMap<&str, usize> = [("小区", 12), ("街道", 9)].into_iter().collect();
        assert_eq!(
            label_of_counts(&local, 30, 1000, &global, &kw, words, &none),
            "商贸消费"
        );
        // An address word that the titles extend to a name gives the name.
        let local: HashMap<&str, usize> = [("花园", 12), ("海德花园", 8)].into_iter().collect();
        assert_eq!(
            label_of_counts(&local, 30, 1000, &global, &kw, words, &none),
            "海德花园"
        );
        // A kind of institution is a subject: 幼儿园 names its theme.
        let local: HashMap<&str, usize> = [("幼儿园", 12)].into_iter().collect();
        assert_eq!(
            label_of_counts(&local, 30, 1000, &global, &kw, words, &none),
            "幼儿园"
        );
    }

    #[test]
    fn a_label_taken_by_a_larger_topic_is_passed_over() {
        let seg = Segmenter::embedded();
        let drop = tags();
        let words = WordFilter::new(&seg, &drop);
        let kw = vec!["质量".to_string(), "衣服".to_string()];
        let global: HashMap<&str, usize> = [("质量", 100), ("衣服", 60), ("质量问题", 40)]
            .into_iter()
            .collect();
        let local: HashMap<&str, usize> = [("质量", 30), ("衣服", 20), ("质量问题", 5)]
            .into_iter()
            .collect();
        let label = |taken: &FxHashSet<String>| {
            label_of_counts(&local, 50, 1000, &global, &kw, words, taken)
        };
        let taken = |ls: &[&str]| ls.iter().map(|l| l.to_string()).collect::<FxHashSet<_>>();
        assert_eq!(label(&taken(&[])), "质量");
        assert_eq!(label(&taken(&["质量"])), "衣服");
        // Every phrase taken: the first keyword not taken, else the first.
        assert_eq!(label(&taken(&["质量", "衣服", "质量问题"])), "质量");
        let first = ["质量", "手机", "质量", "手机"];
        let labels = distinct_labels(first.len(), |i, taken| {
            if taken.is_empty() {
                return first[i].to_string();
            }
            assert!(
                taken.contains("质量") && taken.contains("手机"),
                "{i}: {taken:?}"
            );
            format!("第{i}个")
        });
        assert_eq!(labels, ["质量", "手机", "第2个", "第3个"]);
    }

    #[test]
    fn a_phrase_common_to_many_topics_does_not_name_one() {
        let seg = Segmenter::embedded();
        let drop = tags();
        let words = WordFilter::new(&seg, &drop);
        let kw = vec!["小区".to_string()];
        // 小区 stands in 40% of the topic's titles and in 13% of all; 油烟 in 20% of the topic's
        // titles, and hardly anywhere else. By share × ln(1 + items / holders), 小区 would win
        // (0.4 × ln 8.7 = 0.87 against 0.2 × ln 101 = 0.92 … barely); by share × ln(lift),
        // 油烟 does clearly (0.4 × ln 3.1 = 0.45 against 0.2 × ln 20 = 0.60).
        let global: HashMap<&str, usize> = [("小区", 130), ("油烟", 10)].into_iter().collect();
        let local: HashMap<&str, usize> = [("小区", 20), ("油烟", 10)].into_iter().collect();
        assert_eq!(
            label_of_counts(&local, 50, 1000, &global, &kw, words, &FxHashSet::default()),
            "油烟"
        );
    }
}
