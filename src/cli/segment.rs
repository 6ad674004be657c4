//! `minyi segment`: JSONL items on standard input → the same items with their terms on
//! standard output (what each Spark executor runs on its partition).

use super::common::segmenter;
use std::io::Write;
use std::path::PathBuf;

use super::common::Outcome;
use minyi::engine::exchange::segment_stream;
use minyi::ingest::MapOverrides;

/// Segment JSONL items from standard input, writing each back with its terms, exactly as
/// `minyi ingest` reads, cleans, identifies and segments them.
///
/// Each non-blank input line gives one output line: the item (id — derived from the content
/// when the line has none —, title, body, date, submitter, sector, … and every other key under
/// `extra`) plus its named objects (`places`, 地点/人群), `title_terms` and `body_terms`; or
/// `{"rejected": {location, field, reason, original}}` for a line that cannot become an item
/// (bad JSON, no title or body, a bad date).
/// Keys map to fields as in `ingest` (标题/留言主题/title, 正文/留言详情/body, …; --map).
/// Empty input gives empty output. A count goes to standard error.
///
/// On Spark: `rdd.pipe("minyi segment")`, or a subprocess per partition.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Segment with this index's dictionary (the one its items were indexed with).
    #[arg(long, value_name = "DIR", conflicts_with = "dict")]
    pub index: Option<PathBuf>,
    /// Dictionary directory with user.dict and stopwords.txt
    /// [default: the project's corpora/dict, built in, as `ingest` uses for a new index].
    #[arg(long, value_name = "DIR")]
    pub dict: Option<PathBuf>,
    /// Map a field to a key, e.g. --map title=信息标题 (repeatable), as in `ingest`.
    #[arg(long = "map", value_name = "FIELD=KEY")]
    pub map: Vec<String>,
    /// Add each item's sampling key for this seed (`sample_key`, 16 hex digits): the items
    /// with the smallest keys are the sample `minyi topics --seed SEED` clusters locally
    /// above its sample size.
    #[arg(long, value_name = "SEED")]
    pub sample_seed: Option<u64>,
    /// No count on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let seg = segmenter(args.index.as_deref(), args.dict.as_deref())?;
    let overrides = MapOverrides::parse(&args.map)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let counts = segment_stream(
        Box::new(std::io::stdin()),
        "<stdin>",
        &overrides,
        &seg,
        args.sample_seed,
        &mut out,
    )?;
    out.flush()?;
    if !args.quiet {
        eprintln!(
            "分词完成：读入 {} 行，输出信息 {} 条，拒收 {} 行",
            counts.read, counts.items, counts.rejected
        );
    }
    Ok(Outcome::Found)
}
