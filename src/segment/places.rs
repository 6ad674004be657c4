//! Named objects (地点/人群): the estates, roads, villages and their groups, companies,
//! schools, hospitals, platforms and projects an item is about.
//!
//! jieba tags place and organisation names unreliably in this domain (丽发新城 is cut
//! 区丽发/nr 新城/ns after "A2", 魅力之城 is 魅力/n 之/u 城/n), so a name is found by its
//! ending: a run of name-like words (no verb, pronoun, preposition, adverb …) that ends in a
//! word ending with a name suffix (小区, 新城, 花园, 苑, 村, 组, 路, 公司, 学院, 医院, 平台 …).
//! Administrative prefixes (A3区, A市, 西地省) and punctuation split the text first, so they
//! never fuse with a name. The whole run is the name (伊景园滨河苑, not 景园滨河); a name's
//! [`place_keys`] (its tails, less 小区/社区/期号) let 星沙中茂城 meet 中茂城.

use regex::Regex;
use std::sync::OnceLock;

use super::Segmenter;

/// Word endings that close a name, longest first where one is the end of another.
pub const SUFFIXES: [&str; 57] = [
    "小区",
    "新城",
    "花园",
    "家园",
    "公寓",
    "山庄",
    "苑",
    "园",
    "院",
    "村",
    "组",
    "路",
    "街道",
    "街",
    "镇",
    "乡",
    "公司",
    "集团",
    "学院",
    "学校",
    "大学",
    "中学",
    "小学",
    "幼儿园",
    "医院",
    "广场",
    "大道",
    "大厦",
    "市场",
    "城",
    "公园",
    "项目",
    "社区",
    "湾",
    "府",
    "庭",
    "居",
    "寓",
    "站",
    "中心",
    "酒店",
    "厂",
    "银行",
    "平台",
    "网",
    "贷",
    "馆",
    "港",
    "线",
    "高速",
    "公路",
    "国道",
    "隧道",
    "桥",
    "驾校",
    "派出所",
    "出版社",
];

/// Part-of-speech tags that end a name run: verbs, prepositions, conjunctions, particles,
/// pronouns, adverbs, modal words, interjections, onomatopoeia, quantifiers, time words.
const BREAK_TAGS: [&str; 20] = [
    "v", "vd", "vg", "vi", "vq", "p", "c", "u", "uj", "ul", "uz", "ug", "ud", "uv", "r", "d", "y",
    "e", "o", "q",
];

/// Tags of common words: a run of only these is a kind of object, not a name.
const COMMON_TAGS: [&str; 4] = ["n", "vn", "ng", "an"];

/// Words that are never part of a name (what a complaint says around one).
const GENERIC: [&str; 50] = [
    "该", "本", "我", "我们", "你们", "他们", "这个", "那个", "这", "那", "此", "各", "每", "某",
    "整个", "附近", "周边", "所在", "当地", "全", "多个", "一个", "其他", "其它", "有关", "相关",
    "所有", "部分", "请问", "关于", "建议", "咨询", "投诉", "反映", "希望", "要求", "没有", "问题",
    "情况", "领导", "市民", "业主", "一家", "这家", "那家", "某家", "新建", "在建", "拟建", "沿",
];

/// Function characters (pronouns, prepositions, particles, auxiliaries, light verbs): a word
/// jieba's HMM made that holds one is a fusion across a name's edge (可回, 找该, 有个), not a
/// name's word.
const FUNCTION_CHARS: &str =
    "的了在是我你他她它这那该此其从往对到把被给向找可会有个系就都也还又再去来让使说看入读搬至缴告超跨沿于因与及将由经过每";

/// Shortest and longest name, in characters.
const NAME_CHARS: (usize, usize) = (3, 16);
/// Shortest key, in characters.
const KEY_CHARS: usize = 3;

fn admin() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // The data's coded units (A市, A3区, A7县) and its province. Real names (长沙市岳麓区)
    // stay in the name: its tails (see [`place_keys`]) still meet the name written without.
    RE.get_or_init(|| Regex::new(r"西地省|[A-Z]\d{0,2}[市县区]").expect("valid"))
}

fn splitter() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[^\p{Han}\p{Alphabetic}\p{Nd}·]+").expect("valid"))
}

fn tail_strip() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:小区|社区|片区|[\d一二三四五六七八九十]+(?:期|栋|楼|组|号|队)?)$")
            .expect("valid")
    })
}

/// Common words that end with a suffix but close no name (政府 ends with 府, 短路 with 路).
const NOT_NAMES: [&str; 16] = [
    "政府",
    "短路",
    "道路",
    "马路",
    "线路",
    "电路",
    "网路",
    "思路",
    "出路",
    "门路",
    "管网",
    "电网",
    "互联网",
    "上网",
    "联网",
    "官网",
];

/// Whether a word is a count of things (一排 变电站, 一片 小区): one and a classifier, which
/// opens no name (一中, 三一 are names' words and stay).
fn counted(word: &str, tag: &str) -> bool {
    let mut chars = word.chars();
    tag == "m"
        && chars.next() == Some('一')
        && chars
            .next()
            .is_some_and(|c| "排片条座栋幢家处个块所批些".contains(c))
        && chars.next().is_none()
}

/// Endings of a name that closes a name outright: what follows it is another name or none
/// (德政园社区 | 麻将馆, 丽发新城小区 | 云塘路, 蓝田新村 | 农村).
const TERMINALS: [&str; 4] = ["小区", "社区", "村", "组"];

/// Endings of an area (镇, 乡, 街道, 新区 …): an area scopes an object, it is not one, and it
/// is taken off the front of a name as a coded district is (黄兴镇蓝田新村 → 蓝田新村,
/// 经开区泉星公园 → 泉星公园).
const AREAS: [&str; 9] = [
    "镇",
    "乡",
    "街道",
    "城区",
    "新区",
    "市区",
    "开发区",
    "经开区",
    "高新区",
];

/// Single-character locatives that say where in or near a thing (里, 上, 内 …): they end a
/// name; the others (中, 东 …) are inside names (星沙中茂城, 劳动东路).
const LOCATIVES: &str = "上下里内外前后旁间边";

/// Whether a numeral word is a quantity (很多, 五个, 多次, 十五天): Chinese numerals alone
/// (三一, 八一) or with digits (58车贷, 1号线) are inside names.
fn quantity(word: &str, tag: &str) -> bool {
    // A number of a group, phase or building (三组, 二期, 5栋) numbers a name's part.
    let number = word.trim_end_matches(|c| "组期栋幢号楼队座".contains(c));
    tag == "m"
        && !word.chars().any(|c| c.is_ascii_digit())
        && number
            .chars()
            .any(|c| !"第零〇一二三四五六七八九十百千万两".contains(c))
}

/// Whether a word ends a name: it ends with a suffix and is not a common word that does.
fn closes_name(word: &str) -> bool {
    SUFFIXES.iter().any(|s| word.ends_with(s)) && !NOT_NAMES.contains(&word)
}

/// The named objects of an item: those of the title, then the body's, each once, in order.
///
/// A title that names its object without a suffix (中粮鸿云, 中联重科) gives it as a bare
/// name (see [`bare_names`]) when the body writes it too; it then comes before the body's.
pub fn places(seg: &Segmenter, title: &str, body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let push = |name: String, out: &mut Vec<String>| {
        if !out.contains(&name) {
            out.push(name);
        }
    };
    for name in names(seg, title) {
        push(name, &mut out);
    }
    if out.is_empty() {
        for name in bare_names(seg, title) {
            if body.contains(&name) {
                push(name, &mut out);
            }
        }
    }
    for name in names(seg, body) {
        push(name, &mut out);
    }
    out
}

/// Tags of proper names: person, place, organisation, other proper noun, abbreviation,
/// foreign word.
const PROPER_TAGS: [&str; 7] = ["nr", "nrt", "nrfg", "ns", "nt", "nz", "j"];

/// Names written without a suffix: runs of proper words (place, organisation, brand,
/// abbreviation, or a word jieba's HMM made) of at least three characters, such as 中粮鸿云,
/// 永利金猪, 中国电信. A single word jieba knows must be an organisation, brand or
/// abbreviation (nt, nz, j); areas and anonymised persons (朱某) are none.
pub fn bare_names(seg: &Segmenter, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in clauses(text) {
        if part.chars().count() < NAME_CHARS.0 {
            continue;
        }
        let tags = seg.jieba().tag(part, true);
        let mut run: Vec<(&str, &str, bool)> = Vec::new();
        let mut flush = |run: &mut Vec<(&str, &str, bool)>| {
            let name: String = run.iter().map(|&(w, _, _)| w).collect();
            let n = name.chars().count();
            let whole = run.len() > 1
                || run
                    .first()
                    .is_some_and(|&(_, t, unknown)| unknown || ["nt", "nz", "j"].contains(&t));
            // A year or a number (2017, 12345) names nothing.
            let han = name.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            if whole && han && (NAME_CHARS.0..=NAME_CHARS.1).contains(&n) {
                out.push(name);
            }
            run.clear();
        };
        for tok in &tags {
            let (w, tag) = (tok.word, tok.tag);
            let (unknown, _) = hmm_word(seg, w);
            // Any word holding a function character, known or not, is no bare name's.
            let fused = w.contains(|c| FUNCTION_CHARS.contains(c));
            let proper = (PROPER_TAGS.contains(&tag) || unknown)
                && !fused
                && !w.ends_with('某')
                && !GENERIC.contains(&w)
                && !AREAS.iter().any(|a| w.ends_with(a));
            if proper {
                run.push((w, tag, unknown));
            } else {
                flush(&mut run);
            }
        }
        flush(&mut run);
    }
    out
}

/// Finds any of [`SUFFIXES`] in a clause.
fn suffix_finder() -> &'static aho_corasick::AhoCorasick {
    static AC: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| aho_corasick::AhoCorasick::new(SUFFIXES).expect("plain strings"))
}

/// The names in `text`, in order, with repeats.
pub fn names(seg: &Segmenter, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in clauses(text) {
        // A name ends with a word ending in a suffix: a clause holding none has no name,
        // and is not tagged (most of a long body; the tagging pass was half of ingest).
        if part.chars().count() < 2 || !suffix_finder().is_match(part) {
            continue;
        }
        names_in_clause(seg, part, &mut out);
    }
    out
}

/// The clauses of a text a name may stand in: split at coded districts and punctuation.
fn clauses(text: &str) -> impl Iterator<Item = &str> {
    admin()
        .split(text)
        .flat_map(|piece| splitter().split(piece))
}

/// Whether jieba's HMM made `w` (it is no dictionary word), and whether such a word fuses a
/// function character across a name's edge (可回, 找该, 有个).
fn hmm_word(seg: &Segmenter, w: &str) -> (bool, bool) {
    let unknown = !seg.jieba().has_word(w) && w.chars().count() > 1;
    (
        unknown,
        unknown && w.contains(|c| FUNCTION_CHARS.contains(c)),
    )
}

fn names_in_clause(seg: &Segmenter, clause: &str, out: &mut Vec<String>) {
    // The run's words, each with whether it is particular (not a common noun) and whether
    // jieba does not know it (a word its HMM made, which may stand alone as a name).
    let mut run: Vec<(&str, bool, bool)> = Vec::new();
    let mut closed = 0usize; // words of `run` up to its last suffix word
    let mut flush = |run: &mut Vec<(&str, bool, bool)>, closed: &mut usize| {
        let words = &run[..*closed];
        // A name has a particular word: 居民住宅楼, 麻将馆, 物业公司 are kinds of object,
        // not objects; 丽发新城 (ns), 魅力之城 (之), 58车贷 (m) are names.
        // A single word is a name only when jieba does not know it (百祥村): one it knows is
        // a kind (幼儿园, 麻将馆, 加油站, 自来水公司), however it tags it.
        if words.iter().any(|&(_, particular, _)| particular) && (words.len() > 1 || words[0].2) {
            let name: String = words.iter().map(|&(w, _, _)| w).collect();
            let n = name.chars().count();
            if (NAME_CHARS.0..=NAME_CHARS.1).contains(&n) && !name.ends_with("政府") {
                out.push(name);
            }
        }
        run.clear();
        *closed = 0;
    };
    let tags = seg.jieba().tag(clause, true);
    for (i, tok) in tags.iter().enumerate() {
        let (w, tag) = (tok.word, tok.tag);
        // The HMM tags some unknown name words as verbs (丽发/v 新城/ns): a two-character
        // verb jieba does not know, right before a place or organisation word ending with a
        // suffix, is kept (a known verb is what it says: 开设/v 麻将馆/nr).
        let joins_next = tag.starts_with('v')
            && w.chars().count() == 2
            && !seg.jieba().has_word(w)
            && tags.get(i + 1).is_some_and(|n| {
                n.word.chars().count() >= 2
                    && closes_name(n.word)
                    && ["ns", "nz", "nt", "nr"].contains(&n.tag)
            });
        // 之 joins names (魅力之城); a suffix alone (村, 湾) is tagged zg; single-character
        // locatives (中, 东) are inside names (星沙中茂城, 劳动东路), longer ones (旁边, 附近)
        // are not.
        // Quantities (很多, 五个), adjectives (严重, 不宜), places said of where (楼下, 地处)
        // and locatives of place (里, 上) are what a complaint says around a name.
        // A word jieba does not know (its HMM made it: 顺发, 升振, 山千) is a name's word,
        // whatever tag the HMM gave it; so is a suffix word alone (站/v, 高速/d, 村/zg).
        // The HMM also fuses a function character with its neighbour (可回, 找该, 局对): such
        // a word is what a sentence says, not a name.
        let (unknown, fused) = hmm_word(seg, w);
        let name_word = (unknown && !fused) || (SUFFIXES.contains(&w) && !NOT_NAMES.contains(&w));
        let breaks = GENERIC.contains(&w)
            || w.ends_with("政府")
            || tag == "t"
            || fused
            || (!name_word
                && ((BREAK_TAGS.contains(&tag) && w != "之" && !joins_next)
                    || counted(w, tag)
                    || quantity(w, tag)
                    || ["a", "ad", "an"].contains(&tag)
                    || (tag == "s"
                        && w.ends_with(|c| LOCATIVES.contains(c) || "口处头面侧".contains(c)))
                    || (tag == "f" && (w.chars().count() > 1 || LOCATIVES.contains(w)))));
        if breaks {
            flush(&mut run, &mut closed);
            continue;
        }
        // An area ends the run before it: the area itself is no object.
        if AREAS.iter().any(|a| w.ends_with(a)) {
            // A name closed before it stands (京港澳高速 | 城区段).
            if closed > 0 {
                flush(&mut run, &mut closed);
            }
            run.clear();
            closed = 0;
            continue;
        }
        // After a name closed outright (…小区, …村), a new name begins, unless a number
        // goes on with it (青石村三组).
        if closed > 0
            && closed == run.len()
            && tag != "m"
            && TERMINALS.iter().any(|t| run[closed - 1].0.ends_with(t))
        {
            flush(&mut run, &mut closed);
        }
        // A word jieba does not know (its HMM made it: 壮稻, 百祥村) is a name's word; a kind
        // word (学校, 公司) is none, however jieba tags it; a suffix alone (湾/zg) is.
        let particular = joins_next
            || unknown
            // A single-character noun inside a run is a name's (树木岭, 世纪星): a kind is
            // made of whole words (物业公司, 培训学校).
            || (w.chars().count() == 1 && tag.starts_with('n') && !closes_name(w))
            || !(COMMON_TAGS.contains(&tag) || (SUFFIXES.contains(&w) && w.chars().count() > 1));
        // A road jieba knows by name (新民路/nz, 远大路/ns) stands alone as a name; other
        // known single words are kinds (麻将馆, 加油站, 城中村).
        let road = (tag == "ns" || tag == "nz")
            && w.chars().count() >= 3
            && ["路", "街", "大道"].iter().any(|r| w.ends_with(r));
        run.push((w, particular, unknown || road));
        if closes_name(w) {
            closed = run.len();
        }
    }
    flush(&mut run, &mut closed);
}

/// The keys a name is matched by: its core (less a trailing 小区/社区/片区 or building,
/// phase or group number, when at least three characters remain) and every tail of the
/// core of at least three characters (星沙中茂城 → 星沙中茂城, 沙中茂城, 中茂城), so names
/// written with and without a district or street before them meet.
pub fn place_keys(name: &str) -> Vec<String> {
    let mut core = name.to_string();
    for _ in 0..3 {
        let stripped = tail_strip().replace(&core, "").into_owned();
        if stripped.chars().count() < KEY_CHARS || stripped == core {
            break;
        }
        core = stripped;
    }
    let chars: Vec<char> = core.chars().collect();
    (0..chars.len().saturating_sub(KEY_CHARS - 1))
        .map(|i| chars[i..].iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_whole_and_apart_from_their_district() {
        let seg = Segmenter::embedded();
        let got = |t: &str| names(&seg, t);
        assert!(got("A2区丽发新城小区旁边新建搅拌站").contains(&"丽发新城小区".to_string()));
        assert_eq!(got("伊景园滨河苑捆绑销售车位"), vec!["伊景园滨河苑"]);
        assert!(got("A5区劳动东路魅力之城小区油烟扰民")
            .iter()
            .any(|n| n.ends_with("魅力之城小区")));
        // What a complaint says around a name stays out of it.
        for (text, name, not_in) in [
            ("恒大翡翠华庭非法开设麻将馆", "恒大翡翠华庭", "开设"),
            ("紧挨小区新建一排谷山变电站", "谷山变电站", "一排"),
            ("浪琴湾小区沿龙王港三车道", "浪琴湾小区", "沿"),
        ] {
            let names = got(text);
            assert!(names.contains(&name.to_string()), "{text}: {names:?}");
            assert!(
                names.iter().all(|n| !n.contains(not_in)),
                "{text}: {names:?}"
            );
        }
        assert!(
            got("我们小区物业不作为").is_empty(),
            "{:?}",
            got("我们小区物业不作为")
        );
    }

    /// One test per rule of what a name is (issue 43), on made-up sentences.
    #[test]
    fn each_rule_of_a_name() {
        let seg = Segmenter::embedded();
        let got = |t: &str| names(&seg, t);
        // A quantity is what a complaint says around a name: 很多公司, 五个街道 name nothing.
        for t in ["利用很多公司骗取补贴", "全区五个街道都有"] {
            assert!(got(t).is_empty(), "{t}: {:?}", got(t));
        }
        // … but a numbered group or phase is part of one.
        assert_eq!(got("青石村三组道路破损"), vec!["青石村三组"]);
        // An adjective is no part of a name.
        assert!(got("严重影响小区居民休息").is_empty());
        // A locative of place (里, 上, 内) ends a name: 合同里 is none.
        assert!(
            got("写在购房合同里").is_empty(),
            "{:?}",
            got("写在购房合同里")
        );
        // An area (镇, 街道, 新区) is taken off the front like a coded district.
        assert_eq!(got("黄兴镇蓝田新村农村污水"), vec!["蓝田新村"]);
        // After a name closed by 社区/小区/村, a new name begins (and a kind is none).
        assert_eq!(got("德政园社区麻将馆扰民"), vec!["德政园社区"]);
        // A single word jieba knows is a kind, however tagged (麻将馆/nr, 加油站).
        for t in ["楼下麻将馆扰民", "附近加油站排队"] {
            assert!(got(t).is_empty(), "{t}: {:?}", got(t));
        }
        // A government office closes no name.
        assert!(got("镇政府门前").is_empty());
        // A road jieba knows by name is one alone.
        assert_eq!(got("新民路交警问题"), vec!["新民路"]);
        // Roads, lines, expressways and bridges are objects.
        assert_eq!(got("地铁3号线出入口太少"), vec!["地铁3号线"]);
        // An area after a closed name leaves the name standing.
        assert_eq!(got("京港澳高速城区段外迁"), vec!["京港澳高速"]);
        // An ordinal is inside a name; a single-character noun makes a run of common words a
        // name (树木岭), where whole common words make a kind (物业公司).
        assert_eq!(got("第三中学补课"), vec!["第三中学"]);
        assert_eq!(got("树木岭菜市场拆迁"), vec!["树木岭菜市场"]);
        assert!(got("物业公司不作为").is_empty());
        // A word jieba's HMM made is a name's word whatever its tag (升振/v)…
        let names = got("升振铝材工厂噪音扰民");
        assert!(names.iter().any(|n| n.starts_with("升振")), "{names:?}");
        // … unless it fuses a function character across a name's edge (可回公司).
        let names = got("离职后可回公司领取");
        assert!(names.iter().all(|n| !n.contains('回')), "{names:?}");
    }

    /// A title naming its object without a suffix gives it when the body writes it too.
    #[test]
    fn bare_names_of_a_title_count_when_the_body_repeats_them() {
        let seg = Segmenter::embedded();
        let body = "我是中粮鸿云的业主，中粮鸿云的房子采光很差";
        assert_eq!(
            places(&seg, "A6区中粮鸿云房屋采光差", body),
            vec!["中粮鸿云"]
        );
        // Not written in the body: no object from the title's bare words.
        assert!(places(&seg, "A6区中粮鸿云房屋采光差", "采光很差").is_empty());
        // A named object with a suffix in the title is preferred to bare words.
        let got = places(&seg, "中粮鸿云小区停车难", "中粮鸿云小区停车难");
        assert_eq!(got[0], "中粮鸿云小区");
        // Anonymised persons, areas and years are no names.
        assert!(bare_names(&seg, "朱某涉嫌欺诈").is_empty());
        assert!(bare_names(&seg, "2017年出租车燃油补贴").is_empty());
    }

    #[test]
    fn keys_meet_across_prefixes_and_building_numbers() {
        let a = place_keys("星沙中茂城");
        assert!(a.contains(&"中茂城".to_string()), "{a:?}");
        let b = place_keys("青青家园1小区");
        assert_eq!(b[0], "青青家园");
        assert!(place_keys("丽发新城小区").contains(&"丽发新城".to_string()));
        assert!(place_keys("小区").is_empty());
    }
}
