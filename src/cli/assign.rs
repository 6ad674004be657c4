//! `minyi assign`: segmented items (the output of `minyi segment`) on standard input → each
//! item's topic under a topic model, on standard output (what each Spark executor runs).

use super::common::{parse_latest, read_model};
use std::io::{BufRead, Write};
use std::path::PathBuf;

use super::common::Outcome;
use minyi::config::Config;
use minyi::engine::exchange::SegmentedItem;
use minyi::engine::Assigner;

/// Assign segmented items to the topics of a model written by `minyi topics --save-model`.
///
/// Reads the lines `minyi segment` writes (rejected records must be filtered out first) and
/// writes one JSON line per item: its id, title, date, submitter and sector, `topic` (the
/// model's topic id, or null for 其他), `similarity` to the nearest centre, what it adds to
/// the topic's signals (recent/previous window, month, cues, feedback, adoption,
/// instruction, likes), its term counts and title phrases. An engine sums these per topic
/// and `minyi describe` turns the sums into the topics JSON.
///
/// An item joins the nearest topic when it is as close to the centre as the topic's 2% least
/// typical sampled members; the sample's own members keep their topic. When the sample was
/// the whole set (no --sample-of), only its members are in topics, as locally.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The topic model (`minyi topics --save-model FILE`).
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Latest submission time among all analysed items (RFC 3339): growth compares the 91
    /// days up to it with the 91 days before, as `minyi topics` does without a window.
    #[arg(long, value_name = "TIME")]
    pub latest: Option<String>,
    /// Segment title phrases with this index's dictionary.
    #[arg(long, value_name = "DIR", conflicts_with = "dict")]
    pub index: Option<PathBuf>,
    /// Dictionary directory with user.dict and stopwords.txt [default: the built-in one].
    #[arg(long, value_name = "DIR")]
    pub dict: Option<PathBuf>,
    /// No count on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Lines assigned together (in parallel).
const BATCH: usize = 4_096;

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    let seg = super::common::segmenter(args.index.as_deref(), args.dict.as_deref())?;
    let model = read_model(&args.model)?;
    let latest = parse_latest(args.latest.as_deref())?;
    let score = settings.topic_config()?.score;
    let assigner = Assigner::new(model, latest, &score);
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (mut items, mut assigned, mut line_no) = (0usize, 0usize, 0usize);
    let mut batch: Vec<SegmentedItem> = Vec::with_capacity(BATCH);
    let flush = |batch: &mut Vec<SegmentedItem>, out: &mut dyn Write| -> anyhow::Result<usize> {
        let mut n = 0;
        for a in assigner.assign(&seg, batch) {
            n += a.topic.is_some() as usize;
            serde_json::to_writer(&mut *out, &a)?;
            out.write_all(b"\n")?;
        }
        batch.clear();
        Ok(n)
    };
    for line in stdin.lines() {
        line_no += 1;
        let line = line.map_err(|e| anyhow::anyhow!("<stdin> line {line_no}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("{\"rejected\"") {
            anyhow::bail!(
                "<stdin> line {line_no}: a rejected record of `minyi segment`; keep only items (filter out lines with a \"rejected\" key)"
            );
        }
        let item: SegmentedItem = serde_json::from_str(&line).map_err(|e| {
            anyhow::anyhow!(
                "<stdin> line {line_no}: not a segmented item (the output of `minyi segment`): {e}"
            )
        })?;
        batch.push(item);
        items += 1;
        if batch.len() == BATCH {
            assigned += flush(&mut batch, &mut out)?;
        }
    }
    assigned += flush(&mut batch, &mut out)?;
    out.flush()?;
    if !args.quiet {
        eprintln!(
            "归类完成：{items} 条信息，{assigned} 条归入专题，{} 条归入其他",
            items - assigned
        );
    }
    Ok(Outcome::Found)
}
