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
use crate::problems::follow::{self, Replied, TrackingConfig};
use crate::problems::registry::{Member, Registry};

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
    follow_up: bool,
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
        ("follow_up", follow_up, "跟踪反馈".into()),
    ];
    const NUMERALS: [&str; 9] = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];
    sections
        .into_iter()
        .filter(|(_, shown, _)| *shown)
        .enumerate()
        .map(|(i, (key, _, title))| (key, format!("{}、{title}", NUMERALS[i])))
        .collect()
}

/// What a bulletin is built from.
pub struct Input<'a> {
    pub period: Period,
    /// The period's items.
    pub items: &'a [Item],
    /// The calendar year's items up to the period's end (excellent-officer eligibility and
    /// the roster of officers).
    pub year_items: &'a [Item],
    /// The instructed items submitted before the period's end (follow-up).
    pub instructed: &'a [Item],
    /// The day the follow-up counts its days of waiting to.
    pub as_of: NaiveDate,
    pub rates: &'a BulletinConfig,
    /// The lexicon of solved problems (good items, annual bulletin only).
    pub solved_cues: &'a [String],
    /// The optional columns shown: [`Input::new`] takes those holding a value in the items;
    /// a command sets what [`crate::index::ItemIndex::columns`] says the index has (an
    /// adoption column of all 未采用 is there, and reports zeros).
    pub columns: Columns,
    /// The problem registry of the index (`minyi track`), for the replies to the period's
    /// problems; `None` without one.
    pub registry: Option<&'a Registry>,
    /// The reply-coverage threshold (`[tracking]` of minyi.toml).
    pub tracking: TrackingConfig,
}

impl<'a> Input<'a> {
    /// The input of a bulletin whose optional columns are those holding a value in its items.
    pub fn new(
        period: Period,
        items: &'a [Item],
        year_items: &'a [Item],
        instructed: &'a [Item],
        as_of: NaiveDate,
        rates: &'a BulletinConfig,
        solved_cues: &'a [String],
    ) -> Input<'a> {
        Input {
            columns: Columns::from_items(items.iter().chain(year_items).chain(instructed)),
            period,
            items,
            year_items,
            instructed,
            as_of,
            rates,
            solved_cues,
            registry: None,
            tracking: TrackingConfig::default(),
        }
    }
}

/// Builds the bulletin, one section at a time.
pub fn build(input: Input) -> Bulletin {
    let rates = input.rates;
    let quota = quota(&input);
    let (totals, submitters) = submitters(&input, &quota);
    let met_every_month = quota.met_every_month();
    let groups = |present: bool, key: fn(&Item) -> &str| {
        if present {
            group_rows(input.items, key, &met_every_month, rates)
        } else {
            Vec::new()
        }
    };
    let sectors = groups(input.columns.sector, |i| i.sector.as_str());
    let units = groups(input.columns.unit, |i| i.unit.as_str());
    let (rank_adopted, rank_fee) = rankings(&submitters);
    let annual = input.period.whole_year().is_some();
    let show_excellent = input.columns.adoption || rates.excellent_min_adopted == 0;
    let year = quota.year;
    let replies = replies(&input);
    Bulletin {
        title: format!("信息工作通报（{}）", input.period.label),
        headings: headings(
            input.columns,
            show_excellent,
            annual,
            year,
            input.columns.instruction || replies.is_some(),
        ),
        as_of: input.as_of.to_string(),
        rates: rates.clone(),
        quota_level_zh: rates.quota_level.label_zh(),
        quota_basis_zh: rates.quota_basis.label_zh(),
        columns: input.columns,
        missing_zh: input.columns.absent_zh().join("、"),
        printed: PRINTED_ROWS,
        submitter_count: input
            .items
            .iter()
            .filter(|i| !i.submitter.is_empty())
            .map(|i| i.submitter.as_str())
            .collect::<HashSet<_>>()
            .len(),
        unsigned: input
            .items
            .iter()
            .filter(|i| i.submitter.is_empty())
            .count(),
        totals,
        submitters,
        sectors,
        units,
        excellent: excellent(&input),
        follow_up: follow_up(&input),
        replies,
        good: if annual { good(&input) } else { Vec::new() },
        months: quota.months,
        quota: quota.rows,
        roster_from: quota.roster_from,
        quota_met_per_month: quota.met_per_month,
        submitted_per_month: quota.submitted_per_month,
        adopted_per_month: quota.adopted_per_month,
        year,
        rank_adopted,
        rank_fee,
        annual,
        period: input.period,
    }
}

/// The monthly quota section: the period's months, and per officer of the roster and month
/// the items counted (by the quota's basis) and adopted.
struct Quota {
    months: Vec<String>,
    rows: Vec<QuotaRow>,
    met_per_month: Vec<usize>,
    submitted_per_month: Vec<usize>,
    adopted_per_month: Vec<usize>,
    /// The roster's first day: 1 January of the year, or the period's start if earlier.
    roster_from: String,
    /// The year of the period's last day.
    year: i32,
}

impl Quota {
    /// Officers who met the quota in every month of the period.
    fn met_every_month(&self) -> HashSet<&str> {
        self.rows
            .iter()
            .filter(|q| q.met.iter().all(|m| *m))
            .map(|q| q.submitter.as_str())
            .collect()
    }

    /// Months in which `officer` met the quota.
    fn months_met(&self, officer: &str) -> usize {
        self.rows
            .iter()
            .find(|q| q.submitter == officer)
            .map_or(0, |q| q.met.iter().filter(|m| **m).count())
    }
}

fn quota(input: &Input) -> Quota {
    let (items, rates) = (input.items, input.rates);
    let months = input.period.months();
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
    let mut officers: Vec<&str> = input
        .year_items
        .iter()
        .chain(items)
        .map(|i| i.submitter.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    officers.sort_unstable();
    officers.dedup();
    let rows: Vec<QuotaRow> = officers
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
    let met_per_month = (0..months.len())
        .map(|m| rows.iter().filter(|q| q.met[m]).count())
        .collect();
    let year = input.period.last_day().year();
    let roster_from = NaiveDate::from_ymd_opt(year, 1, 1)
        .expect("1 January")
        .min(input.period.from.date_naive())
        .to_string();
    Quota {
        months,
        rows,
        met_per_month,
        submitted_per_month,
        adopted_per_month,
        roster_from,
        year,
    }
}

/// The totals and one line per submitter (unsigned items under （未署名）), most adopted first.
fn submitters(input: &Input, quota: &Quota) -> (Tally, Vec<SubmitterRow>) {
    let mut totals = Tally::default();
    let mut by_submitter: BTreeMap<&str, (Tally, &Item)> = BTreeMap::new();
    for it in input.items {
        totals.add(it, input.rates);
        let name = if it.submitter.is_empty() {
            "（未署名）"
        } else {
            it.submitter.as_str()
        };
        by_submitter
            .entry(name)
            .or_insert_with(|| (Tally::default(), it))
            .0
            .add(it, input.rates);
    }
    let mut rows: Vec<SubmitterRow> = by_submitter
        .into_iter()
        .map(|(name, (tally, first))| SubmitterRow {
            submitter: name.to_string(),
            sector: first.sector.clone(),
            unit: first.unit.clone(),
            quota_months: quota.months_met(name),
            tally,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.tally
            .adopted
            .cmp(&a.tally.adopted)
            .then(b.tally.fee.total_cmp(&a.tally.fee))
            .then(b.tally.submitted.cmp(&a.tally.submitted))
            .then(a.submitter.cmp(&b.submitter))
    });
    (totals, rows)
}

/// The top ten submitters with an adopted item, by adoptions and by fees.
fn rankings(submitters: &[SubmitterRow]) -> (Vec<Rank>, Vec<Rank>) {
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
    let by_adopted = rank(|s| (s.tally.adopted, s.tally.fee));
    let by_fee = rank(|s| {
        (
            (s.tally.fee * 100.0).round() as usize,
            s.tally.adopted as f64,
        )
    });
    (by_adopted, by_fee)
}

/// Officers eligible as excellent over the year so far, most adopted first.
fn excellent(input: &Input) -> Vec<Excellent> {
    let rates = input.rates;
    let mut year_tally: BTreeMap<&str, (usize, usize, &str)> = BTreeMap::new();
    for it in input.year_items {
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
    excellent
}

/// Follow-up: instructed items without feedback, the longest waiting first.
fn follow_up(input: &Input) -> Vec<FollowUp> {
    let mut follow_up: Vec<FollowUp> = input
        .instructed
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
                days_waiting: date.map_or(0, |d| (input.as_of - d).num_days().max(0)),
            }
        })
        .collect();
    follow_up.sort_by(|a, b| b.days_waiting.cmp(&a.days_waiting).then(a.id.cmp(&b.id)));
    follow_up
}

/// The replies to the registered problems with a message in the period, counted over their
/// messages up to the period's end; `None` when none of them has an answered message (or
/// there is no registry).
fn replies(input: &Input) -> Option<ProblemReplies> {
    let registry = input.registry?;
    let cfg = &input.tracking;
    let in_period: HashSet<&str> = input.items.iter().map(|i| i.id.as_str()).collect();
    let last_day = input.period.to.date_naive() - chrono::Duration::days(1);
    let mut out = ProblemReplies {
        min_coverage: cfg.reply_min_coverage,
        ..ProblemReplies::default()
    };
    let mut answered_messages = Vec::new();
    for p in registry.problems.iter().filter(|p| p.merged_into.is_none()) {
        if !p.members.iter().any(|m| in_period.contains(m.id.as_str())) {
            continue;
        }
        out.problems += 1;
        let members: Vec<Replied> = p
            .members
            .iter()
            .filter(|m| m.at.is_none_or(|d| d <= last_day))
            .map(Member::replied)
            .collect();
        let r = follow::replies(&members, cfg);
        if r.answered == 0 {
            continue;
        }
        out.messages += r.messages;
        out.answered += r.answered;
        out.raised_again += usize::from(r.after_answer > 0);
        out.not_addressing += r.not_addressing;
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        out.rows.push(ProblemReply {
            id: p.id.clone(),
            label: p.label.clone(),
            // Of the messages counted: up to the period's end.
            first: day(members.iter().filter_map(|m| m.at).min()),
            latest: day(members.iter().filter_map(|m| m.at).max()),
            replies: r,
        });
        answered_messages.extend(members.into_iter().filter(|m| m.replied.is_some()));
    }
    if out.rows.is_empty() {
        return None;
    }
    out.answered_problems = out.rows.len();
    out.median_days = follow::replies(&answered_messages, cfg).median_days;
    out.dated = !answered_messages.is_empty();
    out.rows.sort_by(|a, b| {
        (b.replies.after_answer > 0)
            .cmp(&(a.replies.after_answer > 0))
            .then(b.replies.messages.cmp(&a.replies.messages))
            .then(a.id.cmp(&b.id))
    });
    Some(out)
}

/// Good items (annual bulletin): feedback shows the problem solved; instructed and higher
/// adoptions first.
fn good(input: &Input) -> Vec<GoodItem> {
    let mut good: Vec<GoodItem> = input
        .items
        .iter()
        .filter_map(|i| {
            let cue = solved_cue(&i.feedback, input.solved_cues)?;
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
        .collect();
    good.sort_by(|a, b| {
        b.instructed
            .cmp(&a.instructed)
            .then(b.adoption.cmp(&a.adoption))
            .then(a.submitted_at.cmp(&b.submitted_at))
            .then(a.id.cmp(&b.id))
    });
    good
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
