//! `minyi bulletin`: the information-work bulletin (信息工作通报) of a period.

use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};

use super::common::choices::ReportFormat;
use super::common::{emit, format_for};
use super::common::{IndexArg, Outcome, SubsetArgs, WindowArgs};
use minyi::config::Config;
use minyi::index::query::{parse_period, Filters};
use minyi::report::{bulletin, render};

/// Write the information-work bulletin (信息工作通报) the office issues every quarter: per
/// information officer and per sector, items submitted, adopted at each level (county, city,
/// province, national), leader instructions and fees (稿酬); who met the monthly quota;
/// excellent-officer eligibility for the year; rankings; and instructed items still
/// waiting for feedback (跟踪反馈), with the replies to the period's registered problems
/// (answered, days to answer, still raised after the answer, answers that hardly address
/// the message; from the problem registry, see `minyi track`). A per-unit table (单位/联委会) stands beside the per-sector
/// one when the data has units; for a whole year (--period 2024) it also lists candidate good
/// items (好信息): items whose feedback shows the problem solved. Tables and phrases about
/// columns the data lacks (sector, unit, adoption, instruction) are left out.
///
/// Fee rates, the quota and its basis (submitted or adopted items), the excellent-officer
/// thresholds and the solved-cue lexicon come from [bulletin] in minyi.toml (see
/// `minyi config`).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub subset: SubsetArgs,
    /// The date up to which instructed items' days waiting for feedback are counted
    /// [default: the period's last day; while the period is still running, today].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Output format [default: from the --out extension, else html].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    let period = args.window.period()?;
    let solved_cues = settings
        .solved_cues()?
        .unwrap_or_else(minyi::report::bulletin::default_solved_cues);
    let format = format_for(args.format.map(Into::into), args.out.as_deref());
    let subset = args.subset.filters(&WindowArgs::default())?;
    let index = args.index.open_filtered(&subset)?;
    let last_day = period.to.date_naive() - chrono::Duration::days(1);
    let as_of: NaiveDate = match &args.as_of {
        Some(s) => parse_period(s)?.0.date_naive(),
        None => last_day.min(chrono::Local::now().date_naive()),
    };
    // The year so far (for excellent-officer eligibility) holds the period: read it once.
    let year_start = parse_period(&last_day.year().to_string())?.0;
    let year_items = index.collect(
        None,
        &Filters {
            from: Some(year_start.min(period.from)),
            to: Some(period.to),
            ..subset.clone()
        },
    )?;
    let items: Vec<_> = year_items
        .iter()
        .filter(|i| i.submitted_at.is_some_and(|d| d >= period.from))
        .cloned()
        .collect();
    let instructed = index.collect(
        None,
        &Filters {
            to: Some(period.to),
            instructed: true,
            ..subset
        },
    )?;
    if items.is_empty() {
        eprintln!("提示：{} 内没有信息，通报为空", period.label);
    }
    // The replies to the period's problems come from the problem registry, where there is one.
    let registry = minyi::problems::registry::Registry::load(&args.index.index)?;
    let mut b = bulletin::build(bulletin::Input {
        columns: index.columns()?,
        registry: registry.as_ref(),
        tracking: settings.tracking.clone(),
        ..bulletin::Input::new(
            period,
            &items,
            &year_items,
            &instructed,
            as_of,
            &settings.bulletin,
            &solved_cues,
        )
    });
    let label = args.subset.label();
    if !label.is_empty() {
        b.title = format!("{label}{}", b.title);
    }
    emit(&render::bulletin(&b, format)?, args.out.as_deref())?;
    Ok(Outcome::Found)
}
