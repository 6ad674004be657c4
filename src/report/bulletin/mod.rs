//! The information-work bulletin (信息工作通报): per submitter, per sector and per unit, items
//! submitted, adopted at each level, leader instructions and fees (稿酬); the monthly quota
//! (counted by submissions or by adoptions) against the roster of officers; excellent-officer
//! eligibility for the year; rankings; follow-up tracking of instructed items still without
//! feedback; and, for a whole year, candidate good items (好信息) whose feedback shows the
//! problem solved. Sections about columns the data lacks are left out ([`Columns`]). Rates
//! and rules come from `[bulletin]` in minyi.toml ([`BulletinConfig`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use super::{Period, SafeCsv};
use crate::config::{BulletinConfig, QuotaBasis};
use crate::item::{Adoption, Columns, Item};
use crate::period::month_key;

mod model;
mod solved;
pub use model::*;
pub use solved::{default_solved_cues, solved_cue};

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

/// Rows of a long list (officers, the roster) that the printed bulletin shows; the CSV has
/// them all.
pub const PRINTED_ROWS: usize = 30;

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
        // Good items are those whose 办理反馈 says solved: none without that column.
        (
            "good",
            annual && cols.feedback,
            format!("{year} 年度好信息（候选）"),
        ),
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
        missing_zh: columns.absent_zh().join("、"),
        printed: PRINTED_ROWS,
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
pub fn csv(b: &Bulletin) -> crate::Result<Vec<u8>> {
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
mod tests;
