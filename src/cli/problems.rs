//! `minyi problems keys|find`: the problem level of a distributed run — what each Spark
//! executor runs (see `src/spark/minyi_spark.py` and `topics::distributed::problems`).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use super::Outcome;
use crate::config::Config;
use crate::exchange::SegmentedItem;
use crate::topics::distributed::problems::{find, InputColumns, NameKeys, Routed};
use crate::topics::distributed::Assigner;

/// The problem level (问题) of a distributed run, in two steps an engine runs on its
/// partitions. `keys`: for each segmented item (the output of `minyi segment`), its names
/// and their object keys, which the engine counts across the input to decide which keys
/// name one object. `find`: the problems among items routed by key (whole groups of items
/// linked by keys, one JSON object per line: {"line": the segmented item, "keys": its object
/// keys, "group": its group}), one problem per output line, with its heat, to be ranked by
/// the engine.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub step: Step,
}

/// The two steps.
#[derive(Debug, clap::Subcommand)]
pub enum Step {
    /// Each item's names and their object keys (core first) and its copy keys (MinHash bands
    /// of its terms), one JSON line per item that has any.
    Keys {
        /// No count on standard error.
        #[arg(long, short)]
        quiet: bool,
    },
    /// The problems among routed items.
    Find(FindArgs),
}

/// `minyi problems find`.
#[derive(Debug, clap::Args)]
pub struct FindArgs {
    /// The topic model (`minyi topics --save-model FILE`): vocabulary, idf and themes.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Latest submission time among all analysed items (RFC 3339), as `minyi assign --latest`.
    #[arg(long, value_name = "TIME")]
    pub latest: Option<String>,
    /// The optional columns the whole input has, of submitter, likes, feedback.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub columns: Vec<String>,
    /// Dictionary directory with user.dict and stopwords.txt [default: the built-in one].
    #[arg(long, value_name = "DIR")]
    pub dict: Option<PathBuf>,
    /// No count on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Reads standard input's non-empty lines, each parsed by `parse` (errors name the line).
fn read_lines<T>(what: &str, parse: impl Fn(&str) -> Result<T, String>) -> anyhow::Result<Vec<T>> {
    let mut out = Vec::new();
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.map_err(|e| anyhow::anyhow!("<stdin> line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(
            parse(&line).map_err(|e| anyhow::anyhow!("<stdin> line {}: not {what}: {e}", i + 1))?,
        );
    }
    Ok(out)
}

fn segmented(line: &str) -> Result<SegmentedItem, String> {
    if line.starts_with("{\"rejected\"") {
        return Err("a rejected record of `minyi segment` (keep only items)".into());
    }
    serde_json::from_str(line).map_err(|e| e.to_string())
}

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.step {
        Step::Keys { quiet } => {
            let items = read_lines(
                "a segmented item (the output of `minyi segment`)",
                segmented,
            )?;
            let mut named = 0;
            for it in &items {
                if let Some(k) = NameKeys::of(it) {
                    serde_json::to_writer(&mut out, &k)?;
                    out.write_all(b"\n")?;
                    named += 1;
                }
            }
            out.flush()?;
            if !quiet {
                eprintln!("名称键：{} 条信息，{named} 条有键", items.len());
            }
        }
        Step::Find(a) => {
            let seg = super::segment::segmenter(None, a.dict.as_deref())?;
            let model = super::assign::read_model(&a.model)?;
            let latest = super::assign::parse_latest(a.latest.as_deref())?;
            let cfg = settings.topic_config()?;
            let assigner = Assigner::new(model, latest, &cfg.score);
            let routed = read_lines("a routed item ({\"line\", \"keys\", \"group\"})", |l| {
                let r: Routed = serde_json::from_str(l).map_err(|e| e.to_string())?;
                Ok((segmented(&r.line)?, r.keys))
            })?;
            let (items, keys): (Vec<SegmentedItem>, Vec<Vec<String>>) = routed.into_iter().unzip();
            let has = |c: &str| a.columns.iter().any(|x| x == c);
            let columns = InputColumns {
                submitters: has("submitter"),
                likes: has("likes"),
                feedback: has("feedback"),
            };
            let found = find(&assigner, &seg, &items, &keys, latest, columns, &cfg);
            for p in &found {
                serde_json::to_writer(&mut out, p)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            if !a.quiet {
                eprintln!("问题：{} 条信息，{} 个问题", items.len(), found.len());
            }
        }
    }
    Ok(Outcome::Found)
}
