//! `minyi report`: the editors' topic report of a window (专题分析报告), or a batch of them.

use super::common::choices::{Cadence as CadenceChoice, ReportFormat};
use super::common::{emit, format_for};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use super::common::StageTimer;
use super::common::{IndexArg, Outcome, SubsetArgs, WindowArgs};
use minyi::config::Config;
use minyi::index::query::Filters;
use minyi::index::ItemIndex;
use minyi::report::batch::{self, BatchIndex, Cadence, SpanTopic, WindowEntry};
use minyi::report::{self, render, Format, Period};
use minyi::topics::window::analyse;
use minyi::topics::{Stage, TopicConfig};

/// The title every topic report carries.
pub const TITLE: &str = "社情民意信息专题分析报告";

/// Write the topic report (专题分析报告) of a window for the editors: overview and trend,
/// the window's hot problems (本期热点问题, as `minyi hot` ranks them), hot (热点), difficult
/// (难点) and highlight (亮点) topics with the signals behind them,
/// topics that appeared, rose or faded against the previous window of equal length,
/// topic-planning suggestions (选题建议), and which sectors raise which topics.
///
/// The window is --period (2024, 2024Q3, 2024-07) or --from/--to. HTML is one
/// self-contained file (inline CSS and SVG charts, no network), printable on A4.
/// With --batch, one report per month or quarter of --from..--to goes into the --out folder,
/// with an index.html linking them.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Compare with the previous window of equal length (新出现/上升/回落), or not.
    #[arg(long, value_enum, default_value_t = CompareWith::Previous, value_name = "WHAT")]
    pub compare: CompareWith,
    /// Topics shown per class (热点, 难点, 亮点).
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    #[command(flatten)]
    pub subset: SubsetArgs,
    /// Write to this file (or, with --batch, this folder) instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Output format [default: from the --out extension, else html].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// With --format csv: one row per item with its title, date, submitter (and 界别, 点赞数
    /// where the data has them) beside its topic, instead of the topics' member ids only.
    #[arg(long)]
    pub items: bool,
    /// One report per month or quarter of --from..--to, written into the --out folder.
    #[arg(long, value_enum, value_name = "CADENCE")]
    pub batch: Option<CadenceChoice>,
    /// Render the topics of this file (what `minyi topics --format json` writes, or the Spark
    /// job) instead of mining them; the items come from the index by the file's ids. The
    /// window is the file's unless --period or --from/--to is given.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["batch", "sector", "submitter", "unit"])]
    pub topics: Option<PathBuf>,
    /// Seed of the clustering order.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Print the time each stage took to standard error.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Whether the report compares with the previous window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareWith {
    /// The window of equal length just before.
    Previous,
    /// No comparison (faster; the 新出现/上升/回落 section stays empty).
    None,
}

/// `report --topics FILE`: the report of topics mined elsewhere (another run, the Spark job).
fn from_topics_file(args: &Args, file: &Path, settings: &Config) -> anyhow::Result<Outcome> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", file.display()))?;
    let topics = minyi::topics::TopicReport::from_json(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a topics file (as `minyi topics --format json` writes): {e}",
            file.display()
        )
    })?;
    let period = if args.window.given() {
        Some(args.window.period()?)
    } else {
        None
    };
    let problems = settings.topic_config()?.problems;
    let (r, items) = report::report_of_topics(
        TITLE,
        file,
        topics,
        &args.index.index,
        period,
        args.top.max(1),
        &problems,
    )?;
    let format = format_for(args.format.map(Into::into), args.out.as_deref());
    if args.items && format != Format::Csv {
        anyhow::bail!("--items lists items in the CSV: add --format csv (or --out FILE.csv)");
    }
    let r = if args.items { r.with_items(items) } else { r };
    emit(&render::report(&r, format)?, args.out.as_deref())?;
    Ok(Outcome::Found)
}

struct Ctx<'a> {
    index: &'a ItemIndex,
    cfg: TopicConfig,
    /// The sector, submitter and unit filters; the window is set per report.
    subset: Filters,
    /// What the subset is, to head the title.
    label: String,
    compare: bool,
    top: usize,
    /// Keep the items in the report (`--items`).
    items: bool,
}

impl Ctx<'_> {
    fn filters(&self, p: &Period) -> Filters {
        Filters {
            from: Some(p.from),
            to: Some(p.to),
            ..self.subset.clone()
        }
    }

    fn report(&self, p: &Period, progress: &dyn Fn(Stage)) -> anyhow::Result<report::Report> {
        let a = analyse(
            self.index,
            None,
            &self.filters(p),
            &self.cfg,
            self.compare,
            progress,
        )?;
        let title = format!("{}{TITLE}", self.label);
        let r = report::build(
            &title,
            p.clone(),
            a.report,
            &a.items,
            &a.previous,
            self.top,
            &self.cfg.problems,
        );
        Ok(if self.items { r.with_items(a.items) } else { r })
    }
}

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    if let Some(file) = &args.topics {
        return from_topics_file(&args, file, settings);
    }
    let span = args.window.period()?;
    let subset = args.subset.filters(&super::WindowArgs::default())?;
    let index = args.index.open_filtered(&subset)?;
    let format = format_for(
        args.format.map(Into::into),
        if args.batch.is_some() {
            None
        } else {
            args.out.as_deref()
        },
    );
    let ctx = Ctx {
        index: &index,
        cfg: TopicConfig {
            seed: args.seed,
            ..settings.topic_config()?
        },
        subset,
        label: args.subset.label(),
        compare: args.compare == CompareWith::Previous,
        top: args.top.max(1),
        items: args.items,
    };
    if args.items && format != Format::Csv {
        anyhow::bail!("--items lists items in the CSV: add --format csv (or --out FILE.csv)");
    }
    let Some(cadence) = args.batch.map(Cadence::from) else {
        let timer = StageTimer::new(args.verbose);
        let r = ctx.report(&span, &|s| timer.stage(s))?;
        timer.finish();
        if r.overview.items == 0 {
            eprintln!("提示：{} 内没有信息，报告为空", span.label);
        }
        emit(&render::report(&r, format)?, args.out.as_deref())?;
        return Ok(Outcome::Found);
    };

    // Batch.
    let out = args
        .out
        .clone()
        .ok_or_else(|| anyhow::anyhow!("--batch writes a folder: give --out DIR"))?;
    std::fs::create_dir_all(&out)
        .map_err(|e| anyhow::anyhow!("{}: cannot create folder: {e}", out.display()))?;
    let windows = batch::windows(&span, cadence);
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::new(windows.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} 期报告 [{elapsed_precise}]")
            .expect("static template"),
    );
    let entries: Vec<WindowEntry> = windows
        .par_iter()
        .map(|w| -> anyhow::Result<WindowEntry> {
            let r = ctx.report(w, &|_| {})?;
            let file = format!("{}.{}", stem(w, cadence), format.ext());
            std::fs::write(out.join(&file), render::report(&r, format)?)
                .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", out.join(&file).display()))?;
            bar.inc(1);
            Ok(WindowEntry {
                label: w.label.clone(),
                file,
                items: r.overview.items,
                topics: r.overview.topics,
                top_hot: r.hot.first().map(|c| c.label.clone()),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    bar.finish_and_clear();

    // The span's main topics, counted window by window.
    let whole = analyse(&index, None, &ctx.filters(&span), &ctx.cfg, false, &|_| {})?;
    let date_of: std::collections::HashMap<&str, _> = whole
        .items
        .iter()
        .filter_map(|i| i.submitted_at.map(|d| (i.id.as_str(), d)))
        .collect();
    let top_topics = whole
        .report
        .topics
        .iter()
        .take(6)
        .map(|t| SpanTopic {
            label: t.label.clone(),
            size: t.size,
            per_window: windows
                .iter()
                .map(|w| {
                    t.item_ids
                        .iter()
                        .filter_map(|id| date_of.get(id.as_str()))
                        .filter(|d| w.contains(**d))
                        .count()
                })
                .collect(),
        })
        .collect();
    let idx = BatchIndex {
        title: format!("{TITLE}汇编（{} 至 {}）", span.first, span.last),
        span,
        windows: entries,
        top_topics,
    };
    let page = out.join("index.html");
    std::fs::write(&page, render::batch_index(&idx)?)
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", page.display()))?;
    eprintln!(
        "已写入 {} 期报告和索引页 {}",
        idx.windows.len(),
        page.display()
    );
    Ok(Outcome::Found)
}

/// A window's file name: `2024-07` or `2024Q3`.
fn stem(w: &Period, cadence: Cadence) -> String {
    use chrono::Datelike;
    let d = w.from.date_naive();
    match cadence {
        Cadence::Monthly => format!("{:04}-{:02}", d.year(), d.month()),
        Cadence::Quarterly => format!("{:04}Q{}", d.year(), d.month0() / 3 + 1),
    }
}
