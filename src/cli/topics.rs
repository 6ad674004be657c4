//! `minyi topics`: group items into topics and classify them as hot, difficult or highlight.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::output::{self, ListFormat};
use super::{IndexArg, Outcome, SubsetArgs, WindowArgs};
use crate::config::Config;
use crate::engine;
use crate::index::ItemIndex;
use crate::topics::window::{analyse, Analysis};
use crate::topics::{self, Stage, TopicConfig, TopicReport};

/// Find topics (选题) among the items: hot (热点: many people, rising, many sectors),
/// difficult (难点: persistent, unresolved, hard cases) and highlights (亮点: good practice).
///
/// Works on any subset: a date window (--period, --from/--to), a sector, submitter or unit, or
/// a search's hits (--query).
/// The number of topics is found by the clustering unless --k forces it; items that fit no
/// topic go to 其他. Each topic shows its keywords, label, size, submitters, sectors, and the
/// signals behind its class. The same --seed gives the same topics.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub mine: MineArgs,
    /// Compare with the previous window of equal length (needs --period, or --from and --to):
    /// marks each topic 新出现/上升/平稳/回落 and lists the previous window's topics that faded.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub compare: Option<Compare>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Also write the topic model to FILE: vocabulary, idf, each topic's centre, floor and
    /// members, from which `minyi assign` assigns other items (the Spark job's driver runs
    /// this on its sample). Not with --semantic.
    #[arg(long, value_name = "FILE", conflicts_with = "semantic")]
    pub save_model: Option<std::path::PathBuf>,
    /// The analysed items are a sample of N items (with --save-model): the least topic size
    /// is that of N items, scaled to the sample, as local minyi does above its sample size.
    #[arg(long, value_name = "N", requires = "save_model")]
    pub sample_of: Option<usize>,
}

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
    pub fn closed_window(&self) -> crate::Result<bool> {
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

/// What `--compare` compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Compare {
    /// The window of equal length just before --from.
    Previous,
}

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    let Mined {
        index,
        cfg,
        analysis,
        population_min,
    } = mine(&args.mine, settings, args.compare.is_some(), args.sample_of)?;
    if analysis.items.is_empty() {
        eprintln!("no items match; nothing to cluster");
        return Ok(Outcome::NothingFound);
    }
    let report = analysis.report;
    if let Some(path) = &args.save_model {
        let model = engine::TopicModel::build(
            &index.segmenter,
            &analysis.items,
            &report,
            &cfg,
            args.sample_of.unwrap_or(analysis.items.len()),
            population_min.unwrap_or(report.min_size),
        );
        let file = std::fs::File::create(path)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        let mut w = std::io::BufWriter::new(file);
        serde_json::to_writer(&mut w, &model)?;
        w.flush()
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        eprintln!(
            "专题模型已写入 {}（{} 个专题，词表 {} 个词）",
            path.display(),
            model.topics.len(),
            model.vocab.len()
        );
    }
    match args.format {
        ListFormat::Json => println!("{}", serde_json::to_string(&report)?),
        ListFormat::Table => print_table(&report, &cfg.problems)?,
        ListFormat::Csv => print_csv(&report)?,
    }
    Ok(Outcome::Found)
}

/// The index's stored vectors when `semantic` is asked for.
pub fn semantic_store(
    index: &ItemIndex,
    semantic: bool,
) -> anyhow::Result<Option<std::sync::Arc<crate::embed::Store>>> {
    if !semantic {
        return Ok(None);
    }
    Ok(Some(std::sync::Arc::new(crate::embed::Store::open(
        &index.dir,
    )?)))
}

fn print_table(r: &TopicReport, problems: &topics::ProblemConfig) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "共 {} 条信息，归为 {} 个专题，其他 {} 条",
        r.items,
        r.topics.len(),
        r.other.size
    )?;
    if let (Some(recent), Some(prev)) = (&r.recent_window, &r.previous_window) {
        writeln!(
            out,
            "近期：{} 至 {}；前期：{} 至 {}",
            &recent.0[..10],
            &recent.1[..10],
            &prev.0[..10],
            &prev.1[..10]
        )?;
        if r.previous_thin {
            writeln!(
                out,
                "前期仅 {} 条，上期数据不足：不计增长，不标上升、新出现",
                r.topics.iter().map(|t| t.signals.previous).sum::<usize>() + r.previous_other
            )?;
        }
    }
    // A column the data does not have (界别) is left out rather than shown as zeros.
    let sectors = r.columns.sector;
    let mut header = vec![
        "序号",
        "类别",
        "趋势",
        "专题",
        "关键词",
        "条数",
        "近期/前期",
        "报送人",
        "界别",
        "依据",
        "代表信息",
    ];
    if !sectors {
        header.retain(|h| *h != "界别");
    }
    let mut t = output::table(&header);
    for topic in &r.topics {
        let s = &topic.signals;
        let why = match topic.class {
            topics::TopicClass::Hot if s.compared => format!(
                "热度 {:.2}：增长 {:.1} 倍，{} 人报送",
                topic.scores.hot, s.growth, s.submitters
            ),
            topics::TopicClass::Hot => format!(
                "热度 {:.2}：{} 条，{} 人报送（上期数据不足，不计增长）",
                topic.scores.hot, s.size, s.submitters
            ),
            topics::TopicClass::Difficult if r.columns.feedback => format!(
                "难度 {:.2}：{} {}出现，{:.0}% 含难点表述，{:.0}% 无反馈",
                topic.scores.difficult,
                s.active().0,
                s.beat.zh(),
                s.difficulty_cue_share * 100.0,
                s.without_feedback_share * 100.0
            ),
            topics::TopicClass::Difficult => format!(
                "难度 {:.2}：{} {}出现，{:.0}% 含难点表述",
                topic.scores.difficult,
                s.active().0,
                s.beat.zh(),
                s.difficulty_cue_share * 100.0
            ),
            topics::TopicClass::Highlight => format!(
                "亮点 {:.2}：{:.0}% 含经验表述，{:.0}% 被采用",
                topic.scores.highlight,
                s.highlight_cue_share * 100.0,
                s.adopted_share * 100.0
            ),
            topics::TopicClass::General => format!(
                "热 {:.2} 难 {:.2} 亮 {:.2}",
                topic.scores.hot, topic.scores.difficult, topic.scores.highlight
            ),
        };
        let reps: Vec<String> = topic
            .representatives
            .iter()
            .map(|i| {
                let copies = if i.copies > 1 {
                    format!("（共 {} 条）", i.copies)
                } else {
                    String::new()
                };
                format!("{} {}{copies}", i.id, output::shorten(&i.title, 24))
            })
            .collect();
        let mut row = vec![
            topic.id.to_string(),
            topic.class_zh.to_string(),
            topic.trend_zh.unwrap_or("—").to_string(),
            topic.label.clone(),
            topic
                .keywords
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("、"),
            topic.size.to_string(),
            format!("{}/{}", s.recent, s.previous),
            s.submitters.to_string(),
        ];
        if sectors {
            row.push(s.sectors.to_string());
        }
        row.extend([why, reps.join("\n")]);
        t.add_row(row);
    }
    writeln!(out, "{t}")?;
    if let Some(faded) = &r.faded {
        if faded.is_empty() {
            writeln!(out, "前期专题均有延续")?;
        } else {
            writeln!(out, "前期专题中已消退的：")?;
            for f in faded {
                writeln!(
                    out,
                    "  {}（前期 {} 条；关键词：{}）",
                    f.label,
                    f.size,
                    f.keywords.join("、")
                )?;
            }
        }
    }
    if problems.enabled {
        writeln!(out)?;
        super::output::write_brief(&mut out, r, &problems.heat)?;
    }
    Ok(())
}

fn print_csv(r: &TopicReport) -> anyhow::Result<()> {
    let mut w = output::csv_stdout()?;
    w.row([
        "专题序号",
        "类别",
        "专题",
        "关键词",
        "条数",
        "热度",
        "难度",
        "亮点",
        "信息编号",
    ])?;
    for t in &r.topics {
        for id in &t.item_ids {
            let row = [
                t.id.to_string(),
                t.class_zh.to_string(),
                t.label.clone(),
                t.keywords.join("、"),
                t.size.to_string(),
                format!("{:.3}", t.scores.hot),
                format!("{:.3}", t.scores.difficult),
                format!("{:.3}", t.scores.highlight),
                id.clone(),
            ];
            w.row(row)?;
        }
    }
    for id in &r.other.item_ids {
        w.row([
            "",
            "",
            "其他",
            "",
            &r.other.size.to_string(),
            "",
            "",
            "",
            id,
        ])?;
    }
    w.flush()?;
    Ok(())
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
