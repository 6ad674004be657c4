//! `minyi topics`: group items into topics and classify them as hot, difficult or highlight.

use std::io::Write;

use super::common::output::{self, ListFormat};
use super::common::{mine, MineArgs, Mined, Outcome};
use minyi::config::Config;
use minyi::engine;
use minyi::topics::{self, TopicReport};

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
        // Written, not printed: a reader that stops early (`| head -c 100`) ends the command
        // quietly instead of a panic.
        ListFormat::Json => writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string(&report)?
        )?,
        ListFormat::Table => print_table(&report, &cfg.problems)?,
        ListFormat::Csv => print_csv(&report)?,
    }
    Ok(Outcome::Found)
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
            recent.first, recent.last, prev.first, prev.last
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
        super::common::output::write_brief(&mut out, r, &problems.heat)?;
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
