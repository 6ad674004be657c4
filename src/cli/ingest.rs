//! `minyi ingest`: read item files into the index (upsert by id), rejects to a CSV.

use std::path::PathBuf;

use anyhow::Context;

use super::common::choices::{Encoding, InputFormat};
use super::common::output::{self, SummaryFormat};
use super::common::{IndexArg, Outcome};
use minyi::ingest::{MapOverrides, ReadOptions};
use minyi::pipeline::{self, IngestConfig, IngestSummary};
use minyi::segment::Dictionary;

/// Read items from CSV, TSV, JSONL or Excel files into the index.
///
/// Columns are recognised by their headers (留言主题/标题/题目/title → title,
/// 留言详情/内容/正文/body → body, 留言时间/时间/日期/报送时间 → submitted_at,
/// 留言用户/报送人/信息员/作者 → submitter, 界别 → sector, 单位 → unit,
/// 采用级别 → adoption, 领导批示 → instruction, 办理反馈/答复意见 → feedback,
/// 答复时间/回复时间 → replied_at, 点赞数 → likes, 反对数 → dislikes, 留言编号/编号/id → id);
/// other columns are kept as extra attributes.
/// Items with an id already in the index are updated if changed and skipped if not; items
/// without an id get one derived from their content. Every row is either indexed or written
/// to the rejects file with its reason: read = new + updated + unchanged + rejected.
///
/// Afterwards the problem registry is updated (`minyi track`: each problem keeps its id over
/// time) and the day's alerts raised (`minyi alerts`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files (.csv, .tsv, .jsonl, .xlsx; other names are detected by content).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub index: IndexArg,
    /// Map a field to a column, e.g. --map title=信息标题 (repeatable). Fields: id, title,
    /// body, submitted_at, submitter, sector, unit, adoption, instruction, feedback,
    /// replied_at, likes, dislikes.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// Text encoding of CSV/TSV/JSONL input.
    #[arg(long, value_enum, default_value_t = Encoding::Auto)]
    pub encoding: Encoding,
    /// Input format, when the file name does not tell.
    #[arg(long = "input-format", value_enum)]
    pub input_format: Option<InputFormat>,
    /// Worksheet of an Excel file (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Where to write rejected rows [default: <index>/rejects.csv].
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,
    /// Dictionary directory with user.dict and stopwords.txt, for a new index
    /// [default: the project's corpora/dict, built in].
    #[arg(long, value_name = "DIR")]
    pub dict: Option<PathBuf>,
    /// Index writer threads (0: one per core, at most 8).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Commit (make searchable and crash-safe) after this many items. A killed ingest keeps
    /// what was committed; running it again completes it.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub commit_every: usize,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
    /// With a model (--model, or [embedding] model in minyi.toml), new and changed items also
    /// get sentence vectors after indexing (as `minyi embed` does).
    #[command(flatten)]
    pub model: super::common::ModelArgs,
    /// Do not update the problem registry after the ingest (run `minyi track` later).
    #[arg(long)]
    pub no_track: bool,
}

/// Runs the command.
pub fn run(args: Args, settings: &minyi::config::Config) -> anyhow::Result<Outcome> {
    let dict = args.dict.as_deref().map(Dictionary::load).transpose()?;
    let mut cfg = IngestConfig::new(args.index.index.clone(), args.files.clone());
    cfg.read = ReadOptions {
        overrides: MapOverrides::parse(&args.map)?,
        encoding: args.encoding.into(),
        sheet: args.sheet.clone(),
        format: args.input_format.map(Into::into),
    };
    cfg.rejects = args.rejects.clone();
    cfg.dict = dict;
    cfg.threads = args.threads;
    cfg.commit_every = args.commit_every.max(1);

    let bar = output::progress_bar(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
    );
    let started = std::time::Instant::now();
    let progress = |done: u64, total: u64, rows: u64| {
        bar.set_length(total);
        bar.set_position(done);
        let rate = rows as f64 / started.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!("{rows} rows, {rate:.0} rows/s"));
    };
    let result = pipeline::ingest(&cfg, &progress);
    bar.finish_and_clear();
    let summary =
        result.with_context(|| format!("ingest into {} failed", args.index.index.display()))?;
    if args.format == SummaryFormat::Text {
        print_text(&summary);
    }
    let tracked = if summary.rejected == summary.read || args.no_track {
        None
    } else {
        let before = (summary.items_in_index - summary.new) as usize;
        super::track::update_after(&args.index.index, settings, before, &summary.written)
            .context("the items are indexed, but the problem registry was not updated")?
    };
    match args.format {
        // One object: the ingest's counts, and the registry update under "tracking".
        SummaryFormat::Json => {
            /// The summary's fields in their order, then the update.
            #[derive(serde::Serialize)]
            struct WithTracking<'a, S> {
                #[serde(flatten)]
                summary: &'a S,
                tracking: &'a Option<minyi::problems::registry::Update>,
            }
            let line = WithTracking {
                summary: &summary,
                tracking: &tracked,
            };
            println!("{}", serde_json::to_string(&line)?);
        }
        SummaryFormat::Text => {
            if let Some(u) = &tracked {
                super::track::print(u, args.format)?;
            }
        }
    }
    refuse_empty(&summary)?;
    if let Some((dir, mode)) = args.model.resolve(settings) {
        let index = minyi::index::ItemIndex::open(&args.index.index)?;
        let s = super::common::embed_with_bar(&index, &dir, mode, false)?;
        super::common::print_summary(&s, args.format)?;
    }
    Ok(Outcome::Found)
}

/// A file with no data row, or a run whose every row was rejected, put nothing in the index:
/// a failure the user must see, not a quiet success.
fn refuse_empty(s: &IngestSummary) -> anyhow::Result<()> {
    let empty: Vec<&str> = s
        .files
        .iter()
        .filter(|f| f.read == 0)
        .map(|f| f.path.as_str())
        .collect();
    if !empty.is_empty() {
        anyhow::bail!("{} 没有数据行（文件为空，或只有表头）", empty.join("、"));
    }
    if s.rejected == s.read {
        anyhow::bail!(
            "全部 {} 行都被拒收，没有信息进入索引；原因见 {}",
            s.read,
            s.rejects_path
        );
    }
    Ok(())
}

/// The summary for reading (`--format json` writes it with the registry update instead).
fn print_text(s: &IngestSummary) {
    for f in &s.files {
        println!(
            "{}（{}，{}）：读取 {} 行，拒收 {} 行",
            f.path, f.format, f.encoding, f.read, f.rejected
        );
    }
    println!(
        "读取 {} 行：新增 {}，更新 {}，未变 {}，拒收 {}",
        s.read, s.new, s.updated, s.unchanged, s.rejected
    );
    if s.duplicate_ids > 0 {
        println!(
            "输入中有 {} 行与前面的行编号重复，以后出现者为准",
            s.duplicate_ids
        );
    }
    if s.cells_rejected > 0 {
        println!(
            "另有 {} 个单元格无法读取（如点赞数不是数字）：信息已收录，该项留空",
            s.cells_rejected
        );
    }
    if s.rejected + s.cells_rejected > 0 {
        println!("拒收明细（原因、位置、原始字段）：{}", s.rejects_path);
    }
    println!("索引现有 {} 条，用时 {:.1} 秒", s.items_in_index, s.seconds);
}
