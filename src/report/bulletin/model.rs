//! What a bulletin holds: per-officer, per-group and per-month lines, rankings, good items and
//! follow-ups, ready for every renderer.

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::Period;
use crate::config::BulletinConfig;
use crate::item::{Adoption, Columns, Item};

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
    pub(super) fn add(&mut self, it: &Item, rates: &BulletinConfig) {
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

/// The replies to the registered problems of the period (问题答复情况), from the problem
/// registry (`minyi track`): what [`crate::problems::follow::replies`] counts per problem.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProblemReplies {
    /// Registered problems with a message in the period.
    pub problems: usize,
    /// … of which with an answered message (the rows).
    pub answered_problems: usize,
    /// Messages of the rows' problems up to the period's end.
    pub messages: usize,
    /// … answered.
    pub answered: usize,
    /// Median days from a message to its answer, over the rows' answered messages.
    pub median_days: Option<f64>,
    /// Whether any answer is dated (答复时间): without, neither the days to answer nor the
    /// messages after an answer can be counted.
    pub dated: bool,
    /// Rows with messages written after their first answer (still raised: a 难点 clue).
    pub raised_again: usize,
    /// Answers taking up little of their message's words (generic, or far shorter than the
    /// message: worth checking for 答非所问).
    pub not_addressing: usize,
    /// The share of its words an answer must take up not to count as not addressing it.
    pub min_coverage: f64,
    /// Problems with an answered message: those still raised after the answer first, then
    /// the most messages.
    pub rows: Vec<ProblemReply>,
}

/// One problem's replies.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemReply {
    /// Its registered id (P12).
    pub id: String,
    /// 问题描述.
    pub label: String,
    pub first: String,
    pub latest: String,
    #[serde(flatten)]
    pub replies: crate::problems::follow::Replies,
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
    /// The absent columns in Chinese, joined (界别、单位 …), said once at the top.
    pub missing_zh: String,
    /// Rows of a long list printed in the Markdown and HTML bulletin (officers, the roster);
    /// the CSV has them all.
    pub printed: usize,
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
    /// The replies to the period's registered problems, where the registry has answered
    /// messages among them.
    pub replies: Option<ProblemReplies>,
    /// Whether the period is one calendar year (the annual bulletin, with good items).
    pub annual: bool,
    /// Candidate good items of the year (annual bulletin only).
    pub good: Vec<GoodItem>,
}
