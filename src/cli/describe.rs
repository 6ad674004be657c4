//! `minyi describe`: per-topic sums of assignments (from an engine such as Spark) → the topics
//! JSON of `minyi topics --format json`, which `minyi report --topics` renders.

use std::io::Write;
use std::path::PathBuf;

use super::common::Outcome;
use minyi::config::Config;
use minyi::engine::{describe, Tallies};
use minyi::text::label::WordFilter;

/// Describe and score topics from the per-topic sums of `minyi assign`'s output.
///
/// The tallies file (JSON) holds, per model topic, the summed signals, sectors, months, term
/// counts, title phrases, the representatives and member ids, plus the ids in 其他 and the
/// document frequency of the phrases (see `src/spark/minyi_job/topics.py`, which writes it).
/// Keywords, labels, signals, scores and classes follow the definitions of `minyi topics`;
/// topics below the model's least size go to 其他.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The topic model the items were assigned with.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// The per-topic sums (JSON).
    #[arg(long, value_name = "FILE")]
    pub tallies: PathBuf,
    /// Tag keyword and label words with this index's dictionary (to leave function words out).
    #[arg(long, value_name = "DIR", conflicts_with = "dict")]
    pub index: Option<PathBuf>,
    /// Dictionary directory with user.dict and stopwords.txt [default: the built-in one].
    #[arg(long, value_name = "DIR")]
    pub dict: Option<PathBuf>,
    /// Write the topics JSON here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    let model = super::common::read_model(&args.model)?;
    let text = std::fs::read_to_string(&args.tallies)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.tallies.display()))?;
    let tallies: Tallies = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a tallies file: {e}", args.tallies.display()))?;
    let seg = super::common::segmenter(args.index.as_deref(), args.dict.as_deref())?;
    let cfg = settings.topic_config()?;
    let words = WordFilter::new(&seg, &cfg.function_word_tags);
    let report = describe(&model, tallies, &cfg, words)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.tallies.display()))?;
    let json = serde_json::to_string(&report)?;
    match &args.out {
        Some(path) => std::fs::write(path, json + "\n")
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{json}")?;
        }
    }
    eprintln!(
        "专题描述完成：{} 条信息，{} 个专题，其他 {} 条",
        report.items,
        report.topics.len(),
        report.other.size
    );
    Ok(Outcome::Found)
}
