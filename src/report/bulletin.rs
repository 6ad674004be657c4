//! The information-work bulletin (信息工作通报): per submitter, per sector and per unit, items
//! submitted, adopted at each level, leader instructions and fees (稿酬); the monthly quota
//! (counted by submissions or by adoptions) against the roster of officers; excellent-officer
//! eligibility for the year; rankings; follow-up tracking of instructed items still without
//! feedback; and, for a whole year, candidate good items (好信息) whose feedback shows the
//! problem solved. Sections about columns the data lacks are left out ([`Columns`]). Rates
//! and rules come from `[bulletin]` in minyi.toml ([`BulletinConfig`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Period, SafeCsv};
use crate::config::{BulletinConfig, QuotaBasis};
use crate::item::{Adoption, Columns, Item};
use crate::period::month_key;

/// Figures of one submitter (or one sector, or everyone).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub submitted: usize,
    /// Adopted at county, city, province and national level (highest level of each item).
    pub county: usize,
    pub city: usize,
    pub province: usize,
    pub national: usize,
    pub adopted: usize,
    pub instructed: usize,
    /// 稿酬, yuan.
    pub fee: f64,
}

impl Tally {
    fn add(&mut self, it: &Item, rates: &BulletinConfig) {
        self.submitted += 1;
        match it.adoption {
            Adoption::None => {}
            Adoption::County => self.county += 1,
            Adoption::City => self.city += 1,
            Adoption::Province => self.province += 1,
            Adoption::National => self.national += 1,
        }
        if it.adoption > Adoption::None {
            self.adopted += 1;
        }
        if it.instructed() {
            self.instructed += 1;
        }
        self.fee += rates.fee(it.adoption, it.instructed());
    }
}

/// One submitter's line.
#[derive(Debug, Clone, Serialize)]
pub struct SubmitterRow {
    pub submitter: String,
    pub sector: String,
    pub unit: String,
    #[serde(flatten)]
    pub tally: Tally,
    /// Months of the period in which the quota was met.
    pub quota_months: usize,
}

/// One sector's or unit's line: the information-work figures of the 先进评比 of sector groups
/// (界别组) and units (联委会).
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub name: String,
    /// Named officers with items under it in the period.
    pub submitters: usize,
    #[serde(flatten)]
    pub tally: Tally,
    /// Of those, the officers who met the monthly quota in every month of the period.
    pub quota_met: usize,
}

/// The monthly quota of one officer.
#[derive(Debug, Clone, Serialize)]
pub struct QuotaRow {
    pub submitter: String,
    /// Items counted for the quota per month of the period (by the quota basis).
    pub per_month: Vec<usize>,
    /// Items adopted (any level) per month: the quality beside the quantity.
    pub adopted: Vec<usize>,
    /// Whether the quota was met, per month.
    pub met: Vec<bool>,
}

/// Excellent-officer standing for the year.
#[derive(Debug, Clone, Serialize)]
pub struct Excellent {
    pub submitter: String,
    pub sector: String,
    pub submitted: usize,
    pub adopted: usize,
}

/// An instructed item with no feedback yet.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    pub id: String,
    pub title: String,
    pub submitter: String,
    pub sector: String,
    pub submitted_at: String,
    pub adoption_zh: &'static str,
    pub instruction: String,
    pub days_waiting: i64,
}

/// A candidate good item (好信息) of the year: its feedback shows the problem solved.
#[derive(Debug, Clone, Serialize)]
pub struct GoodItem {
    pub id: String,
    pub title: String,
    pub submitter: String,
    pub unit: String,
    pub sector: String,
    pub submitted_at: String,
    pub adoption: Adoption,
    pub adoption_zh: &'static str,
    pub instructed: bool,
    /// The solved cue found in the feedback.
    pub cue: String,
}

/// A ranking line.
#[derive(Debug, Clone, Serialize)]
pub struct Rank {
    pub rank: usize,
    pub submitter: String,
    pub sector: String,
    pub adopted: usize,
    pub fee: f64,
}

/// The bulletin of one period.
#[derive(Debug, Clone, Serialize)]
pub struct Bulletin {
    pub title: String,
    pub period: Period,
    /// Days waiting are counted to this date.
    pub as_of: String,
    pub rates: BulletinConfig,
    /// The quota's adoption level in Chinese (县级采用 …).
    pub quota_level_zh: &'static str,
    /// The quota's basis in Chinese (按报送条数计 / 按采用条数计).
    pub quota_basis_zh: &'static str,
    /// The optional columns the data has; sections and phrases about missing ones are left out.
    pub columns: Columns,
    /// Numbered headings of the sections shown (`overview`, `submitters`, `sectors`, `units`,
    /// `rankings`, `quota`, `excellent`, `good`, `follow_up`), e.g. `三、各界别情况`.
    pub headings: BTreeMap<&'static str, String>,
    pub totals: Tally,
    /// Named officers who submitted in the period (报送人).
    pub submitter_count: usize,
    /// Items without a submitter in the period.
    pub unsigned: usize,
    pub submitters: Vec<SubmitterRow>,
    /// Per sector (界别); empty when the data has no sectors.
    pub sectors: Vec<GroupRow>,
    /// Per unit (单位/联委会); empty when the data has no units.
    pub units: Vec<GroupRow>,
    /// Months of the period (`YYYY-MM`).
    pub months: Vec<String>,
    /// The roster (在册信息员): named officers who submitted from `roster_from` to the
    /// period's end, each with the quota month by month. `quota.len()` is the roster size.
    pub quota: Vec<QuotaRow>,
    /// First day the roster counts from: 1 January of the period's last year, or the period's
    /// first day when earlier.
    pub roster_from: String,
    /// Officers meeting the quota, per month.
    pub quota_met_per_month: Vec<usize>,
    /// Items submitted and adopted (any level) per month of the period.
    pub submitted_per_month: Vec<usize>,
    pub adopted_per_month: Vec<usize>,
    pub year: i32,
    /// Officers meeting the excellent-officer thresholds over the year so far.
    pub excellent: Vec<Excellent>,
    pub rank_adopted: Vec<Rank>,
    pub rank_fee: Vec<Rank>,
    pub follow_up: Vec<FollowUp>,
    /// Whether the period is one calendar year (the annual bulletin, with good items).
    pub annual: bool,
    /// Candidate good items of the year (annual bulletin only).
    pub good: Vec<GoodItem>,
}

/// The built-in solved cues (`corpora/lexicons/solved.txt`).
pub fn default_solved_cues() -> Vec<String> {
    crate::topics::score::lexicon(include_str!("../../corpora/lexicons/solved.txt"))
}

/// Negations that, just before a cue in the same clause, undo it (尚未得到解决, 无法落实到位).
const NEGATIONS_BEFORE: [&str; 10] = [
    "未", "没", "无法", "不能", "不会", "不予", "难以", "有待", "并非", "不是",
];
/// Characters that, right after a cue, undo it (问题解决不了, 已整改不到位, 问题解决难).
const NEGATIONS_AFTER: [char; 3] = ['不', '未', '难'];
/// How many characters before a cue are searched for a negation.
const NEGATION_REACH: usize = 4;

/// The first cue of `cues` that occurs in `feedback` without a negation, if any. A cue is
/// negated when a negation stands within [`NEGATION_REACH`] characters before it in the same
/// clause (clauses end at punctuation), or right after it.
pub fn solved_cue<'a>(feedback: &str, cues: &'a [String]) -> Option<&'a str> {
    let clause_break = |c: char| "，。；！？、,.;!?\n\r".contains(c);
    cues.iter().map(String::as_str).find(|cue| {
        !cue.is_empty()
            && feedback.match_indices(cue).any(|(at, _)| {
                let before: String = feedback[..at]
                    .chars()
                    .rev()
                    .take_while(|c| !clause_break(*c))
                    .take(NEGATION_REACH)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let after = feedback[at + cue.len()..].chars().next();
                !NEGATIONS_BEFORE.iter().any(|n| before.contains(n))
                    && !after.is_some_and(|c| NEGATIONS_AFTER.contains(&c))
            })
    })
}

/// Per-group lines (sector or unit): `key` names an item's group.
fn group_rows(
    items: &[Item],
    key: fn(&Item) -> &str,
    met_every_month: &HashSet<&str>,
    rates: &BulletinConfig,
) -> Vec<GroupRow> {
    let mut by: BTreeMap<&str, (Tally, BTreeSet<&str>)> = BTreeMap::new();
    for it in items {
        let name = match key(it).trim() {
            "" => "（未注明）",
            k => k,
        };
        let e = by.entry(name).or_default();
        e.0.add(it, rates);
        if !it.submitter.is_empty() {
            e.1.insert(it.submitter.as_str());
        }
    }
    let mut rows: Vec<GroupRow> = by
        .into_iter()
        .map(|(name, (tally, people))| GroupRow {
            name: name.to_string(),
            submitters: people.len(),
            quota_met: people
                .iter()
                .filter(|p| met_every_month.contains(*p))
                .count(),
            tally,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.tally
            .adopted
            .cmp(&a.tally.adopted)
            .then(b.tally.submitted.cmp(&a.tally.submitted))
            .then(a.name.cmp(&b.name))
    });
    rows
}

/// Numbers the sections shown: `一、总体情况` …
fn headings(
    cols: Columns,
    show_excellent: bool,
    annual: bool,
    year: i32,
) -> BTreeMap<&'static str, String> {
    let sections: [(&'static str, bool, String); 9] = [
        ("overview", true, "总体情况".into()),
        (
            "submitters",
            true,
            if cols.adoption {
                "信息员报送采用情况"
            } else {
                "信息员报送情况"
            }
            .into(),
        ),
        ("sectors", cols.sector, "各界别情况".into()),
        ("units", cols.unit, "各单位（联委会）情况".into()),
        ("rankings", cols.adoption, "排行榜".into()),
        ("quota", true, "月度报送任务完成情况".into()),
        (
            "excellent",
            show_excellent,
            format!("{year} 年度优秀信息员资格"),
        ),
        ("good", annual, format!("{year} 年度好信息（候选）")),
        ("follow_up", cols.instruction, "跟踪反馈".into()),
    ];
    const NUMERALS: [&str; 9] = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];
    sections
        .into_iter()
        .filter(|(_, shown, _)| *shown)
        .enumerate()
        .map(|(i, (key, _, title))| (key, format!("{}、{title}", NUMERALS[i])))
        .collect()
}

/// Builds the bulletin. `items` are the period's items, `year_items` those of the calendar
/// year up to the period's end (for excellent-officer eligibility and the roster of officers),
/// `instructed` the instructed items submitted before the period's end (for follow-up),
/// `solved_cues` the lexicon of solved problems (good items, annual bulletin only). The
/// optional columns are those holding a value in these items ([`build_with`] takes the
/// index's).
pub fn build(
    period: Period,
    items: &[Item],
    year_items: &[Item],
    instructed: &[Item],
    as_of: NaiveDate,
    rates: &BulletinConfig,
    solved_cues: &[String],
) -> Bulletin {
    let columns = Columns::from_items(items.iter().chain(year_items).chain(instructed));
    build_with(
        columns,
        period,
        items,
        year_items,
        instructed,
        as_of,
        rates,
        solved_cues,
    )
}

/// [`build`] for the optional columns `columns` (what [`crate::index::ItemIndex::columns`]
/// says the index has: an adoption column of all 未采用 is there, and reports zeros).
#[allow(clippy::too_many_arguments)]
pub fn build_with(
    columns: Columns,
    period: Period,
    items: &[Item],
    year_items: &[Item],
    instructed: &[Item],
    as_of: NaiveDate,
    rates: &BulletinConfig,
    solved_cues: &[String],
) -> Bulletin {
    let mut totals = Tally::default();
    let mut by_submitter: BTreeMap<&str, (Tally, &Item)> = BTreeMap::new();
    for it in items {
        totals.add(it, rates);
        let name = if it.submitter.is_empty() {
            "（未署名）"
        } else {
            it.submitter.as_str()
        };
        by_submitter
            .entry(name)
            .or_insert_with(|| (Tally::default(), it))
            .0
            .add(it, rates);
    }
    let unsigned = items.iter().filter(|i| i.submitter.is_empty()).count();
    let submitter_count = items
        .iter()
        .filter(|i| !i.submitter.is_empty())
        .map(|i| i.submitter.as_str())
        .collect::<HashSet<_>>()
        .len();

    // Months of the period, and per officer and month the items counted for the quota (by
    // its basis) and the items adopted.
    let mut months = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(period.from.year(), period.from.month(), 1).expect("month");
    let last = period.to.date_naive() - chrono::Duration::days(1);
    while d <= last {
        months.push(month_key(d));
        d = d
            .checked_add_months(chrono::Months::new(1))
            .expect("month within range");
    }
    let month_of = |it: &Item| {
        let key = month_key(it.submitted_at?.date_naive());
        months.iter().position(|m| *m == key)
    };
    let counts = |it: &Item| match rates.quota_basis {
        QuotaBasis::Submitted => true,
        QuotaBasis::Adopted => it.adoption >= rates.quota_level,
    };
    let mut per_officer: HashMap<(&str, usize), (usize, usize)> = HashMap::new();
    let mut submitted_per_month = vec![0; months.len()];
    let mut adopted_per_month = vec![0; months.len()];
    for it in items {
        let Some(m) = month_of(it) else { continue };
        let adopted = usize::from(it.adoption > Adoption::None);
        submitted_per_month[m] += 1;
        adopted_per_month[m] += adopted;
        if !it.submitter.is_empty() {
            let e = per_officer.entry((it.submitter.as_str(), m)).or_default();
            e.0 += usize::from(counts(it));
            e.1 += adopted;
        }
    }
    // The roster: every named officer who submitted this year up to the period's end.
    let mut officers: Vec<&str> = year_items
        .iter()
        .chain(items)
        .map(|i| i.submitter.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    officers.sort_unstable();
    officers.dedup();
    let quota: Vec<QuotaRow> = officers
        .iter()
        .map(|o| {
            let cell = |m: usize| per_officer.get(&(*o, m)).copied().unwrap_or_default();
            let per_month: Vec<usize> = (0..months.len()).map(|m| cell(m).0).collect();
            QuotaRow {
                submitter: o.to_string(),
                met: per_month
                    .iter()
                    .map(|&n| n >= rates.monthly_quota)
                    .collect(),
                adopted: (0..months.len()).map(|m| cell(m).1).collect(),
                per_month,
            }
        })
        .collect();
    let quota_met_per_month = (0..months.len())
        .map(|m| quota.iter().filter(|q| q.met[m]).count())
        .collect();
    let quota_months: HashMap<&str, usize> = quota
        .iter()
        .map(|q| (q.submitter.as_str(), q.met.iter().filter(|m| **m).count()))
        .collect();
    let met_every_month: HashSet<&str> = quota
        .iter()
        .filter(|q| q.met.iter().all(|m| *m))
        .map(|q| q.submitter.as_str())
        .collect();
    let year = last.year();
    let roster_from = NaiveDate::from_ymd_opt(year, 1, 1)
        .expect("1 January")
        .min(period.from.date_naive())
        .to_string();

    let mut submitters: Vec<SubmitterRow> = by_submitter
        .into_iter()
        .map(|(name, (tally, first))| SubmitterRow {
            submitter: name.to_string(),
            sector: first.sector.clone(),
            unit: first.unit.clone(),
            quota_months: quota_months.get(name).copied().unwrap_or(0),
            tally,
        })
        .collect();
    submitters.sort_by(|a, b| {
        b.tally
            .adopted
            .cmp(&a.tally.adopted)
            .then(b.tally.fee.total_cmp(&a.tally.fee))
            .then(b.tally.submitted.cmp(&a.tally.submitted))
            .then(a.submitter.cmp(&b.submitter))
    });
    let groups = |present: bool, key: fn(&Item) -> &str| {
        if present {
            group_rows(items, key, &met_every_month, rates)
        } else {
            Vec::new()
        }
    };
    let sectors = groups(columns.sector, |i| i.sector.as_str());
    let units = groups(columns.unit, |i| i.unit.as_str());

    let rank = |key: fn(&SubmitterRow) -> (usize, f64)| {
        let mut v: Vec<&SubmitterRow> = submitters.iter().filter(|s| s.tally.adopted > 0).collect();
        v.sort_by(|a, b| {
            let (ka, kb) = (key(a), key(b));
            kb.0.cmp(&ka.0)
                .then(kb.1.total_cmp(&ka.1))
                .then(a.submitter.cmp(&b.submitter))
        });
        v.into_iter()
            .take(10)
            .enumerate()
            .map(|(i, s)| Rank {
                rank: i + 1,
                submitter: s.submitter.clone(),
                sector: s.sector.clone(),
                adopted: s.tally.adopted,
                fee: s.tally.fee,
            })
            .collect::<Vec<_>>()
    };
    let rank_adopted = rank(|s| (s.tally.adopted, s.tally.fee));
    let rank_fee = rank(|s| {
        (
            (s.tally.fee * 100.0).round() as usize,
            s.tally.adopted as f64,
        )
    });

    // Excellent officers over the year so far.
    let mut year_tally: BTreeMap<&str, (usize, usize, &str)> = BTreeMap::new();
    for it in year_items {
        if it.submitter.is_empty() {
            continue;
        }
        let e = year_tally
            .entry(it.submitter.as_str())
            .or_insert((0, 0, it.sector.as_str()));
        e.0 += 1;
        if it.adoption > Adoption::None {
            e.1 += 1;
        }
    }
    let mut excellent: Vec<Excellent> = year_tally
        .into_iter()
        .filter(|(_, (s, a, _))| {
            *s >= rates.excellent_min_submitted && *a >= rates.excellent_min_adopted
        })
        .map(|(name, (submitted, adopted, sector))| Excellent {
            submitter: name.to_string(),
            sector: sector.to_string(),
            submitted,
            adopted,
        })
        .collect();
    excellent.sort_by(|a, b| {
        b.adopted
            .cmp(&a.adopted)
            .then(b.submitted.cmp(&a.submitted))
            .then(a.submitter.cmp(&b.submitter))
    });

    // Follow-up: instructed, no feedback, oldest first.
    let mut follow_up: Vec<FollowUp> = instructed
        .iter()
        .filter(|i| i.instructed() && i.feedback.trim().is_empty())
        .map(|i| {
            let date = i.submitted_at.map(|d| d.date_naive());
            FollowUp {
                id: i.id.clone(),
                title: i.title.clone(),
                submitter: i.submitter.clone(),
                sector: i.sector.clone(),
                submitted_at: date.map(|d| d.to_string()).unwrap_or_default(),
                adoption_zh: i.adoption.label_zh(),
                instruction: i.instruction.clone(),
                days_waiting: date.map_or(0, |d| (as_of - d).num_days().max(0)),
            }
        })
        .collect();
    follow_up.sort_by(|a, b| b.days_waiting.cmp(&a.days_waiting).then(a.id.cmp(&b.id)));

    // Good items (annual bulletin): feedback shows the problem solved; instructed and
    // higher adoptions first.
    let annual = period.whole_year().is_some();
    let mut good: Vec<GoodItem> = if annual {
        items
            .iter()
            .filter_map(|i| {
                let cue = solved_cue(&i.feedback, solved_cues)?;
                Some(GoodItem {
                    id: i.id.clone(),
                    title: i.title.clone(),
                    submitter: i.submitter.clone(),
                    unit: i.unit.clone(),
                    sector: i.sector.clone(),
                    submitted_at: i
                        .submitted_at
                        .map(|d| d.date_naive().to_string())
                        .unwrap_or_default(),
                    adoption: i.adoption,
                    adoption_zh: i.adoption.label_zh(),
                    instructed: i.instructed(),
                    cue: cue.to_string(),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    good.sort_by(|a, b| {
        b.instructed
            .cmp(&a.instructed)
            .then(b.adoption.cmp(&a.adoption))
            .then(a.submitted_at.cmp(&b.submitted_at))
            .then(a.id.cmp(&b.id))
    });

    let show_excellent = columns.adoption || rates.excellent_min_adopted == 0;
    Bulletin {
        title: format!("信息工作通报（{}）", period.label),
        headings: headings(columns, show_excellent, annual, year),
        period,
        as_of: as_of.to_string(),
        rates: rates.clone(),
        quota_level_zh: rates.quota_level.label_zh(),
        quota_basis_zh: rates.quota_basis.label_zh(),
        columns,
        submitter_count,
        unsigned,
        totals,
        submitters,
        sectors,
        units,
        months,
        quota,
        roster_from,
        quota_met_per_month,
        submitted_per_month,
        adopted_per_month,
        year,
        excellent,
        rank_adopted,
        rank_fee,
        follow_up,
        annual,
        good,
    }
}

/// The bulletin's per-submitter table as CSV (UTF-8 BOM, formula-guarded).
pub fn csv(b: &Bulletin) -> anyhow::Result<Vec<u8>> {
    let mut w = SafeCsv::new();
    w.row([
        "报送人",
        "界别",
        "单位",
        "报送条数",
        "县级采用",
        "市级采用",
        "省级采用",
        "全国采用",
        "采用合计",
        "领导批示",
        "稿酬（元）",
        "完成月度任务月数",
    ])?;
    for s in &b.submitters {
        let t = &s.tally;
        w.row([
            s.submitter.clone(),
            s.sector.clone(),
            s.unit.clone(),
            t.submitted.to_string(),
            t.county.to_string(),
            t.city.to_string(),
            t.province.to_string(),
            t.national.to_string(),
            t.adopted.to_string(),
            t.instructed.to_string(),
            format!("{:.0}", t.fee),
            s.quota_months.to_string(),
        ])?;
    }
    let t = &b.totals;
    w.row([
        "合计".to_string(),
        String::new(),
        String::new(),
        t.submitted.to_string(),
        t.county.to_string(),
        t.city.to_string(),
        t.province.to_string(),
        t.national.to_string(),
        t.adopted.to_string(),
        t.instructed.to_string(),
        format!("{:.0}", t.fee),
        String::new(),
    ])?;
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::dates::from_naive;

    fn item(id: &str, who: &str, date: &str, adoption: Adoption, instruction: &str) -> Item {
        let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        Item {
            id: id.into(),
            title: format!("信息{id}"),
            submitter: who.into(),
            sector: "经济界".into(),
            adoption,
            instruction: instruction.into(),
            submitted_at: Some(from_naive(d.and_hms_opt(9, 0, 0).unwrap())),
            ..Item::default()
        }
    }

    fn q3() -> Period {
        let q3 = crate::index::query::parse_period("2024Q3").unwrap();
        Period::new(q3.0, q3.1)
    }

    #[test]
    fn fees_quota_and_follow_up_follow_the_rates() {
        let items = vec![
            item("1", "甲", "2024-07-02", Adoption::County, ""),
            item("2", "甲", "2024-08-03", Adoption::City, "请研究"),
            item("3", "乙", "2024-07-09", Adoption::None, "请阅"),
            item("4", "乙", "2024-09-10", Adoption::National, ""),
        ];
        let day = NaiveDate::from_ymd_opt(2024, 10, 1).unwrap();
        let rates = BulletinConfig::default();
        let b = build(q3(), &items, &items, &items, day, &rates, &[]);
        assert_eq!(b.title, "信息工作通报（2024年第三季度）");
        // 30 + 100×2 + 0 + 300.
        assert_eq!(b.totals.fee, 530.0);
        let jia = b.submitters.iter().find(|s| s.submitter == "甲").unwrap();
        assert_eq!(
            (jia.tally.adopted, jia.tally.fee, jia.quota_months),
            (2, 230.0, 2)
        );
        assert_eq!(b.months, ["2024-07", "2024-08", "2024-09"]);
        // Counted by submissions (the default): 乙's unadopted July item counts.
        assert_eq!(b.quota_basis_zh, "按报送条数计");
        assert_eq!(b.quota_met_per_month, [2, 1, 1]);
        assert_eq!(b.submitted_per_month, [2, 1, 1]);
        assert_eq!(b.adopted_per_month, [1, 1, 1]);
        // Counted by adoptions it does not.
        let adopted = BulletinConfig {
            quota_basis: QuotaBasis::Adopted,
            ..BulletinConfig::default()
        };
        let by_adoption = build(q3(), &items, &items, &items, day, &adopted, &[]);
        assert_eq!(by_adoption.quota_basis_zh, "按采用条数计");
        assert_eq!(by_adoption.quota_met_per_month, [1, 1, 1]);
        // Both instructed items lack feedback; the older waits longer and comes first.
        assert_eq!(b.follow_up.len(), 2);
        assert_eq!(b.follow_up[0].id, "3");
        assert_eq!(b.follow_up[0].days_waiting, 84);
        assert!(b.excellent.is_empty(), "nobody has 5 items");
        assert!(
            !b.annual && b.good.is_empty(),
            "a quarter has no good items"
        );
    }

    #[test]
    fn solved_cues_count_unless_negated() {
        let cues = default_solved_cues();
        let cue = |t: &str| solved_cue(t, &cues);
        assert_eq!(cue("经协调，问题已解决。"), Some("已解决"));
        assert_eq!(cue("已出台普惠托育机构运营补贴办法"), Some("已出台"));
        assert_eq!(cue("不少问题已解决"), Some("已解决"), "不少 is no negation");
        assert_eq!(
            cue("部分问题尚未解决，其余问题已解决"),
            Some("已解决"),
            "another clause"
        );
        for negated in [
            "问题尚未解决",
            "问题未解决",
            "该问题尚未得到解决",
            "一直没有得到解决",
            "仍未完全得到解决",
            "目前问题解决不了",
            "已整改不到位",
            "有待落实到位",
            "正在研究，年底前完成改造",
        ] {
            assert_eq!(cue(negated), None, "{negated}");
        }
        assert_eq!(cue(""), None);
    }

    #[test]
    fn annual_bulletin_lists_good_items_instructed_and_higher_first() {
        let y = crate::index::query::parse_period("2024").unwrap();
        let year = Period::new(y.0, y.1);
        assert_eq!(year.whole_year(), Some(2024));
        assert_eq!(q3().whole_year(), None);
        let solved = |mut i: Item, fb: &str| {
            i.feedback = fb.into();
            i
        };
        let items = vec![
            solved(
                item("1", "甲", "2024-02-01", Adoption::National, ""),
                "已解决",
            ),
            solved(
                item("2", "乙", "2024-03-01", Adoption::County, "请办"),
                "已落实",
            ),
            solved(
                item("3", "丙", "2024-04-01", Adoption::City, ""),
                "问题尚未解决",
            ),
            solved(
                item("4", "丁", "2024-05-01", Adoption::Province, ""),
                "已办结",
            ),
            item("5", "戊", "2024-06-01", Adoption::City, "请阅"),
        ];
        let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let cues = default_solved_cues();
        let b = build(
            year,
            &items,
            &items,
            &items,
            day,
            &BulletinConfig::default(),
            &cues,
        );
        assert!(b.annual);
        let got: Vec<(&str, &str)> = b
            .good
            .iter()
            .map(|g| (g.id.as_str(), g.cue.as_str()))
            .collect();
        // Instructed first, then by adoption level; the negated feedback is not there.
        assert_eq!(got, [("2", "已落实"), ("1", "已解决"), ("4", "已办结")]);
        assert_eq!(
            b.headings["good"], "七、2024 年度好信息（候选）",
            "no units"
        );
        assert_eq!(b.headings["follow_up"], "八、跟踪反馈");
    }

    #[test]
    fn missing_columns_are_detected_and_their_sections_left_out() {
        let mut bare = item("1", "甲", "2024-07-02", Adoption::None, "");
        bare.sector.clear();
        let cols = Columns::from_items([&bare]);
        assert_eq!(cols, Columns::NONE);
        let b = build(
            q3(),
            std::slice::from_ref(&bare),
            std::slice::from_ref(&bare),
            &[],
            NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(),
            &BulletinConfig::default(),
            &[],
        );
        let shown: Vec<(&str, &str)> = b.headings.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            shown,
            [
                ("overview", "一、总体情况"),
                ("quota", "三、月度报送任务完成情况"),
                ("submitters", "二、信息员报送情况"),
            ]
        );
        assert!(b.units.is_empty());
        let mut with_unit = bare.clone();
        with_unit.unit = "B区联委会".into();
        let cols = Columns::from_items([&bare, &with_unit]);
        assert!(cols.unit && !cols.sector && !cols.adoption && !cols.instruction);
    }
}
