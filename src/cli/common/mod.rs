//! What the command files share (they never import each other): the index, window and
//! subset flags, the outcome of a command, a topic run with its progress, and reading and
//! writing the files a command takes or gives.

pub mod choices;
mod embedding;
mod files;
mod mine;
pub mod output;

pub use embedding::{bar, embed_with_bar, no_model, print_summary, ModelArgs};
pub use files::{emit, format_for, parse_latest, read_model, segmenter};
pub use mine::{mine, semantic_store, MineArgs, Mined, StageTimer};

use std::path::PathBuf;

use minyi::index::query::{parse_period, parse_window, Bounds, Filters};
use minyi::index::ItemIndex;
use minyi::report::Period;

/// The index location option shared by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct IndexArg {
    /// Index directory.
    #[arg(long, env = "MINYI_INDEX", default_value = minyi_default_index(), value_name = "DIR")]
    pub index: PathBuf,
}

const fn minyi_default_index() -> &'static str {
    minyi::index::DEFAULT_DIR
}

impl IndexArg {
    /// Opens the index and refuses filter values that no item has (see
    /// [`ItemIndex::check_filters`]), so that a misspelt sector is an error, not an empty result.
    pub fn open_filtered(&self, filters: &Filters) -> minyi::Result<ItemIndex> {
        let index = ItemIndex::open(&self.index)?;
        index.check_filters(filters)?;
        Ok(index)
    }
}

/// The date window, the same flags with the same meaning in every command that takes one
/// (`report` and `bulletin` need it; elsewhere it is optional).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WindowArgs {
    /// Only items of this period: a year (2024), quarter (2024Q3), month (2024-07) or day
    /// (2024-07-15); the same as --from PERIOD --to PERIOD.
    #[arg(long, value_name = "PERIOD", conflicts_with_all = ["from", "to"])]
    pub period: Option<String>,
    /// Only items from this date or period on: 2024, 2024-07, 2024Q3, 2024-07-15 (undated
    /// items are left out).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only items up to and including this date or period: 2024, 2024-09, 2024Q3, 2024-09-30
    /// (not before --from).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
}

impl WindowArgs {
    /// The bounds `[start, end)` given, either open; a window ending before it starts is an error.
    pub fn bounds(&self) -> minyi::Result<Bounds> {
        match &self.period {
            Some(p) => parse_period(p).map(|(a, b)| (Some(a), Some(b))),
            None => parse_window(self.from.as_deref(), self.to.as_deref()),
        }
    }

    /// The window as a closed period, for the commands that need one: --period, or both
    /// --from and --to.
    pub fn period(&self) -> anyhow::Result<Period> {
        match self.bounds()? {
            (Some(a), Some(b)) => Ok(Period::new(a, b)),
            (None, None) => anyhow::bail!(
                "give the window: --period 2024Q3 (or 2024-07, 2024), or --from DATE --to DATE"
            ),
            _ => anyhow::bail!("give both --from and --to (or --period 2024Q3)"),
        }
    }

    /// Whether any of the window's flags is given.
    pub fn given(&self) -> bool {
        self.period.is_some() || self.from.is_some() || self.to.is_some()
    }
}

/// Which items by their exact sector, submitter and unit, and by a named object, the same
/// flags in every command that selects items.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SubsetArgs {
    /// Only items of this sector (界别), whole value (a value no item has is refused with the
    /// closest existing ones).
    #[arg(long)]
    pub sector: Option<String>,
    /// Only items by this submitter (报送人), whole value (likewise checked).
    #[arg(long)]
    pub submitter: Option<String>,
    /// Only items of this unit (单位), whole value (likewise checked).
    #[arg(long)]
    pub unit: Option<String>,
    /// Only items naming this place or group (地点/人群, as `minyi show` lists them): one of
    /// their names is NAME or ends with it, a trailing 小区/社区/片区 or number aside, so
    /// 丽发新城 finds 丽发新城小区 and A2区丽发新城, 中茂城 finds 星沙中茂城 (likewise checked).
    #[arg(long, value_name = "NAME")]
    pub place: Option<String>,
}

impl SubsetArgs {
    /// The filters for these values within `window`.
    pub fn filters(&self, window: &WindowArgs) -> minyi::Result<Filters> {
        let (from, to) = window.bounds()?;
        Ok(Filters {
            sector: self.sector.clone(),
            submitter: self.submitter.clone(),
            unit: self.unit.clone(),
            place: self.place.clone(),
            from,
            to,
            ..Filters::default()
        })
    }

    /// What the subset is, to head a report: the values given, joined by 、.
    pub fn label(&self) -> String {
        [&self.sector, &self.unit, &self.submitter, &self.place]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Parses a count that must be at least 1 (`--limit`): 0 would show nothing, so it is refused.
pub fn positive_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("not a count: {e}")),
    }
}

/// What a command found, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Did what was asked and found something.
    Found,
    /// Ran fine but found nothing.
    NothingFound,
}
