//! A topic run as `topics`, `hot` and `report` start it, and its progress.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::{IndexArg, SubsetArgs, WindowArgs};
use minyi::config::Config;
use minyi::index::ItemIndex;
use minyi::topics::window::{analyse, Analysis};
use minyi::topics::{self, Stage, TopicConfig};

/// Which items a topic run takes and how it groups them: the flags `topics` and `hot` share,
/// so that the same flags give the same themes (and theme ids) in both.
#[derive(Debug, clap::Args)]
pub struct MineArgs {
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Only items matching this search query (same syntax as `minyi search`).
    #[arg(long, value_name = "Q")]
    pub query: Option<String>,
    #[command(flatten)]
    pub subset: SubsetArgs,
    /// Number of topics: `auto` (found by the clustering) or a number.
    #[arg(long, default_value = "auto")]
    pub k: String,
    /// Smallest topic size; smaller groups go to 其他 [default: max(3, √items / 6)].
    #[arg(long)]
    pub min_size: Option<usize>,
    /// Seed of the clustering order.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Cluster on the items' sentence embeddings (computed by `minyi embed` or an ingest with
    /// a model) instead of word counts: finds that 停车难, 车位不足 and 乱停车 are one problem.
    /// Keywords and labels still come from the segmented words.
    #[arg(long)]
    pub semantic: bool,
    /// Print the time each stage took to standard error.
    #[arg(long, short)]
    pub verbose: bool,
}

impl MineArgs {
    /// Whether the window is closed (--period, or --from and --to), so that there is a
    /// previous window to compare with.
    pub fn closed_window(&self) -> minyi::Result<bool> {
        let (from, to) = self.window.bounds()?;
        Ok(from.is_some() && to.is_some())
    }
}

/// A topic run done: the open index, the settings it ran with, and its result.
pub struct Mined {
    pub index: ItemIndex,
    pub cfg: TopicConfig,
    pub analysis: Analysis,
    /// With a sample standing for more items (`--sample-of`): the least topic size of those.
    pub population_min: Option<usize>,
}

/// Mines the topics (and their problems) of the items `m` selects, with the settings of
/// `settings` and the flags of `m`; `compare` marks the topics against the previous window
/// (it needs a closed window). `sample_of`: the items are a sample of that many.
pub fn mine(
    m: &MineArgs,
    settings: &Config,
    compare: bool,
    sample_of: Option<usize>,
) -> anyhow::Result<Mined> {
    let k = match m.k.as_str() {
        "auto" => None,
        n => Some(n.parse::<usize>().ok().filter(|&k| k > 0).ok_or_else(|| {
            anyhow::anyhow!("--k expects `auto` or a positive number, got '{n}'")
        })?),
    };
    let filters = m.subset.filters(&m.window)?;
    if compare && (filters.from.is_none() || filters.to.is_none()) {
        anyhow::bail!("--compare previous needs a window: give --period, or --from and --to (e.g. --period 2024Q4)");
    }
    let index = m.index.open_filtered(&filters)?;
    let base = settings.topic_config()?;
    let min_size = m.min_size.or(base.min_size);
    // A sample standing for more items clusters with the least size scaled to the sample.
    let (min_size, population_min) = match sample_of {
        Some(population) => {
            let sample = index.collect(m.query.as_deref(), &filters)?.len();
            anyhow::ensure!(
                population >= sample,
                "--sample-of {population} is less than the {sample} items analysed"
            );
            let full = min_size.unwrap_or_else(|| topics::default_min_size(population));
            (
                Some(topics::sample_min_size(full, sample, population)),
                Some(full),
            )
        }
        None => (min_size, None),
    };
    let cfg = TopicConfig {
        k,
        min_size,
        seed: m.seed,
        embeddings: semantic_store(&index, m.semantic)?,
        ..base
    };
    let timer = StageTimer::new(m.verbose);
    let analysis = analyse(
        &index,
        m.query.as_deref(),
        &filters,
        &cfg,
        compare,
        &|stage| timer.stage(stage),
    )?;
    timer.finish();
    Ok(Mined {
        index,
        cfg,
        analysis,
        population_min,
    })
}

/// The index's stored vectors when `semantic` is asked for.
pub fn semantic_store(
    index: &ItemIndex,
    semantic: bool,
) -> anyhow::Result<Option<std::sync::Arc<minyi::embed::Store>>> {
    if !semantic {
        return Ok(None);
    }
    Ok(Some(std::sync::Arc::new(minyi::embed::Store::open(
        &index.dir,
    )?)))
}

/// Progress of a topic run: a spinner on a terminal showing the current stage, and with
/// `--verbose` the time of each stage on standard error.
pub struct StageTimer {
    spinner: ProgressBar,
    verbose: bool,
    started: Instant,
    current: std::cell::Cell<Option<(Stage, Instant)>>,
}

impl StageTimer {
    /// Starts the clock (and the spinner, when standard error is a terminal).
    pub fn new(verbose: bool) -> StageTimer {
        let spinner = if std::io::stderr().is_terminal() {
            ProgressBar::new_spinner()
        } else {
            ProgressBar::hidden()
        };
        spinner.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .expect("static template"),
        );
        spinner.enable_steady_tick(Duration::from_millis(200));
        spinner.set_message("正在读取索引…");
        StageTimer {
            spinner,
            verbose,
            started: Instant::now(),
            current: std::cell::Cell::new(None),
        }
    }

    fn end_current(&self, now: Instant) {
        let (label, at) = match self.current.get() {
            Some((stage, at)) => (stage.label_zh(), at),
            None => ("读取索引", self.started),
        };
        if self.verbose {
            eprintln!("{label}：{:.1} 秒", now.duration_since(at).as_secs_f64());
        }
    }

    /// Marks the start of `stage`.
    pub fn stage(&self, stage: Stage) {
        let now = Instant::now();
        // The first stage of a second run (the previous window, for --compare) restarts.
        if self.current.get().is_none_or(|(s, _)| s != stage) {
            self.end_current(now);
        }
        self.current.set(Some((stage, now)));
        self.spinner.set_message(format!(
            "[{}/{}] {}…",
            stage.number(),
            Stage::COUNT,
            stage.label_zh()
        ));
    }

    /// Ends the last stage and clears the spinner.
    pub fn finish(&self) {
        self.end_current(Instant::now());
        self.spinner.finish_and_clear();
        if self.verbose {
            eprintln!("合计：{:.1} 秒", self.started.elapsed().as_secs_f64());
        }
    }
}
