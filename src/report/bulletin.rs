//! The information-work bulletin (信息工作通报): per submitter and per sector, items
//! submitted, adopted at each level, leader instructions and fees (稿酬); the monthly quota;
//! excellent-officer eligibility for the year; rankings; and follow-up tracking of
//! instructed items still without feedback. Rates and rules come from `[bulletin]` in
//! minyi.toml ([`BulletinConfig`]).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Period, SafeCsv};
use crate::config::BulletinConfig;
use crate::item::{Adoption, Item};

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

/// One sector's line.
#[derive(Debug, Clone, Serialize)]
pub struct SectorRow {
    pub sector: String,
    pub submitters: usize,
    #[serde(flatten)]
    pub tally: Tally,
}

/// The monthly quota of one officer.
#[derive(Debug, Clone, Serialize)]
pub struct QuotaRow {
    pub submitter: String,
    /// Valuable items per month of the period.
    pub per_month: Vec<usize>,
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
    pub totals: Tally,
    pub submitter_count: usize,
    pub submitters: Vec<SubmitterRow>,
    pub sectors: Vec<SectorRow>,
    /// Months of the period (`YYYY-MM`).
    pub months: Vec<String>,
    pub quota: Vec<QuotaRow>,
    /// Officers meeting the quota, per month.
    pub quota_met_per_month: Vec<usize>,
    pub year: i32,
    /// Officers meeting the excellent-officer thresholds over the year so far.
    pub excellent: Vec<Excellent>,
    pub rank_adopted: Vec<Rank>,
    pub rank_fee: Vec<Rank>,
    pub follow_up: Vec<FollowUp>,
}

fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Builds the bulletin. `items` are the period's items, `year_items` those of the calendar
/// year up to the period's end (for excellent-officer eligibility and the list of officers),
/// `instructed` the instructed items submitted before the period's end (for follow-up).
pub fn build(
    period: Period,
    items: &[Item],
    year_items: &[Item],
    instructed: &[Item],
    as_of: NaiveDate,
    rates: &BulletinConfig,
) -> Bulletin {
    let mut totals = Tally::default();
    let mut by_submitter: BTreeMap<&str, (Tally, &Item)> = BTreeMap::new();
    let mut by_sector: BTreeMap<&str, (Tally, std::collections::BTreeSet<&str>)> = BTreeMap::new();
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
        let sector = if it.sector.is_empty() {
            "（未注明）"
        } else {
            it.sector.as_str()
        };
        let e = by_sector.entry(sector).or_default();
        e.0.add(it, rates);
        if !it.submitter.is_empty() {
            e.1.insert(it.submitter.as_str());
        }
    }

    // Months of the period and the valuable items per officer and month.
    let mut months = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(period.from.year(), period.from.month(), 1).expect("month");
    let last = period.to.date_naive() - chrono::Duration::days(1);
    while d <= last {
        months.push(month_key(d));
        d = d
            .checked_add_months(chrono::Months::new(1))
            .expect("month within range");
    }
    let mut valuable: HashMap<(&str, String), usize> = HashMap::new();
    for it in items {
        if it.adoption >= rates.quota_level && !it.submitter.is_empty() {
            if let Some(d) = it.submitted_at {
                *valuable
                    .entry((it.submitter.as_str(), month_key(d.date_naive())))
                    .or_default() += 1;
            }
        }
    }
    // Officers: everyone who submitted this year up to the period's end.
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
            let per_month: Vec<usize> = months
                .iter()
                .map(|m| valuable.get(&(*o, m.clone())).copied().unwrap_or(0))
                .collect();
            let met = per_month
                .iter()
                .map(|&n| n >= rates.monthly_quota)
                .collect();
            QuotaRow {
                submitter: o.to_string(),
                per_month,
                met,
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
    let mut sectors: Vec<SectorRow> = by_sector
        .into_iter()
        .map(|(s, (tally, people))| SectorRow {
            sector: s.to_string(),
            submitters: people.len(),
            tally,
        })
        .collect();
    sectors.sort_by(|a, b| {
        b.tally
            .adopted
            .cmp(&a.tally.adopted)
            .then(b.tally.submitted.cmp(&a.tally.submitted))
            .then(a.sector.cmp(&b.sector))
    });

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
    let year = last.year();
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

    Bulletin {
        title: format!("信息工作通报（{}）", period.label),
        period,
        as_of: as_of.to_string(),
        rates: rates.clone(),
        quota_level_zh: rates.quota_level.label_zh(),
        submitter_count: submitters.len(),
        totals,
        submitters,
        sectors,
        months,
        quota,
        quota_met_per_month,
        year,
        excellent,
        rank_adopted,
        rank_fee,
        follow_up,
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

    #[test]
    fn fees_quota_and_follow_up_follow_the_rates() {
        let q3 = crate::index::query::parse_period("2024Q3").unwrap();
        let items = vec![
            item("1", "甲", "2024-07-02", Adoption::County, ""),
            item("2", "甲", "2024-08-03", Adoption::City, "请研究"),
            item("3", "乙", "2024-07-09", Adoption::None, "请阅"),
            item("4", "乙", "2024-09-10", Adoption::National, ""),
        ];
        let rates = BulletinConfig::default();
        let b = build(
            Period::new(q3.0, q3.1),
            &items,
            &items,
            &items,
            NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(),
            &rates,
        );
        assert_eq!(b.title, "信息工作通报（2024年第三季度）");
        // 30 + 100×2 + 0 + 300.
        assert_eq!(b.totals.fee, 530.0);
        let jia = b.submitters.iter().find(|s| s.submitter == "甲").unwrap();
        assert_eq!(
            (jia.tally.adopted, jia.tally.fee, jia.quota_months),
            (2, 230.0, 2)
        );
        assert_eq!(b.months, ["2024-07", "2024-08", "2024-09"]);
        assert_eq!(b.quota_met_per_month, [1, 1, 1]);
        // Both instructed items lack feedback; the older waits longer and comes first.
        assert_eq!(b.follow_up.len(), 2);
        assert_eq!(b.follow_up[0].id, "3");
        assert_eq!(b.follow_up[0].days_waiting, 84);
        assert!(b.excellent.is_empty(), "nobody has 5 items");
    }
}
