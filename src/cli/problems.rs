//! `minyi problems keys|pairs|find`: the problem level of a distributed run — what each
//! Spark executor runs (see src/spark/README.md and `engine::problems`).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use super::common::Outcome;
use minyi::config::Config;
use minyi::engine::exchange::SegmentedItem;
use minyi::engine::problems::{
    count, find, InputColumns, KeyedRow, Links, NameKeys, Pair, Pairing, Routed,
};
use minyi::engine::Assigner;
use minyi::problems::registry::{reply_coverage, Member, Registry};
use minyi::problems::Problem;
use rustc_hash::FxHashMap;

/// The problem level (问题) of a distributed run, in three steps an engine runs on its
/// partitions. `keys`: for each segmented item (the output of `minyi segment`), its names
/// and their object keys, which the engine counts across the input to decide which keys
/// name one object, its copy keys, time and TF-IDF row. `pairs`: the candidate pairs and
/// near-duplicates among the items of each key. `find`: the problems among whole
/// components of pairs (one JSON object per line: {"line": the segmented item, "keys": its
/// object keys, "group": its component, "pairs": ids, "dups": ids}), one problem per output
/// line, with its heat, to be ranked by the engine.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub step: Step,
}

/// The three steps.
#[derive(Debug, clap::Subcommand)]
pub enum Step {
    /// Each item's names and their object keys (core first), its copy keys (MinHash bands
    /// of its terms), its time and TF-IDF row, one JSON line per item that has a key.
    Keys {
        /// The topic model (`minyi topics --save-model FILE`): vocabulary and idf.
        #[arg(long, value_name = "FILE")]
        model: PathBuf,
        /// No count on standard error.
        #[arg(long, short)]
        quiet: bool,
    },
    /// The pairs among the items of each key: one JSON object per line, {"key", "id",
    /// "at", "row"} as `keys` wrote them, each key's lines together. Writes {"a", "b"} per
    /// candidate pair of an object key, {"a", "b", "dup": true} per near-duplicate edge of
    /// a copy key, and at the end {"a", "b", "star": true} linking each paired item to the
    /// first item it is connected with (for finding components in few rounds).
    Pairs {
        /// No count on standard error.
        #[arg(long, short)]
        quiet: bool,
    },
    /// The problems among routed items.
    Find(FindArgs),
    /// Update a problem registry (问题登记, as `minyi track` keeps one with an index) with
    /// the problems of a whole run, as `find --members` wrote them (one per line, hottest
    /// first): each keeps the id of the registered problem holding its messages, new ones
    /// get the next id, and the alerts of the latest day are raised ([tracking] of
    /// minyi.toml). Writes one JSON object: {"update": what changed, "ids": each input
    /// problem's registered id, in input order}.
    Register {
        /// The registry file, read when it exists and written back.
        #[arg(long, value_name = "FILE")]
        registry: PathBuf,
        /// Latest submission time among all analysed items (RFC 3339): "today" of the
        /// update [default: the latest message's date among the problems].
        #[arg(long, value_name = "TIME")]
        latest: Option<String>,
    },
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
    /// Also write each problem's messages for a registry (`members`: id, date, submitter,
    /// reply date and how much of the message its reply takes up), as `register` reads them.
    #[arg(long)]
    pub members: bool,
    /// No count on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A problem with its messages, as `find --members` writes it and `register` reads it.
#[derive(serde::Serialize, serde::Deserialize)]
struct WithMembers<P> {
    #[serde(flatten)]
    problem: P,
    members: Vec<Member>,
}

/// Items counted at once by `find` (as `minyi assign` batches them).
const BATCH: usize = 4096;

/// Reads standard input's non-empty lines, each parsed by `parse` and handed to `take`
/// (errors of either name the line).
fn each_line<T>(
    what: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    mut take: impl FnMut(T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.map_err(|e| anyhow::anyhow!("<stdin> line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let v =
            parse(&line).map_err(|e| anyhow::anyhow!("<stdin> line {}: not {what}: {e}", i + 1))?;
        take(v).map_err(|e| anyhow::anyhow!("<stdin> line {}: {e}", i + 1))?;
    }
    Ok(())
}

fn json<T: serde::de::DeserializeOwned>(line: &str) -> Result<T, String> {
    serde_json::from_str(line).map_err(|e| e.to_string())
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
        Step::Keys { model, quiet } => {
            let model = super::common::read_model(&model)?;
            let cfg = settings.topic_config()?;
            let assigner = Assigner::new(model, None, &cfg.score);
            let (mut read, mut named) = (0, 0);
            each_line(
                "a segmented item (the output of `minyi segment`)",
                segmented,
                |it| {
                    read += 1;
                    if let Some(k) = NameKeys::of(&it, assigner.tfidf(&it)) {
                        serde_json::to_writer(&mut out, &k)?;
                        out.write_all(b"\n")?;
                        named += 1;
                    }
                    Ok(())
                },
            )?;
            out.flush()?;
            if !quiet {
                eprintln!("名称键：{read} 条信息，{named} 条有键");
            }
        }
        Step::Pairs { quiet } => {
            let cfg = settings.topic_config()?;
            let mut pairing = Pairing::new(&cfg);
            let mut write = |found: Vec<Pair>| -> anyhow::Result<()> {
                for p in found {
                    serde_json::to_writer(&mut out, &p)?;
                    out.write_all(b"\n")?;
                }
                Ok(())
            };
            each_line(
                "a keyed row ({\"key\", \"id\", \"at\", \"row\"})",
                json,
                |row: KeyedRow| write(pairing.push(row)?),
            )?;
            write(pairing.finish())?;
            out.flush()?;
            if !quiet {
                eprintln!("候选对：{} 个键，{} 对", pairing.keys, pairing.pairs);
            }
        }
        Step::Find(a) => {
            let seg = super::common::segmenter(None, a.dict.as_deref())?;
            let model = super::common::read_model(&a.model)?;
            let latest = super::common::parse_latest(a.latest.as_deref())?;
            let cfg = settings.topic_config()?;
            let assigner = Assigner::new(model, latest, &cfg.score);
            // Read in batches, each counted and kept lean before the next.
            let (mut items, mut links, mut batch) = (Vec::new(), Vec::new(), Vec::new());
            // Each message as a registry keeps it (before its body is dropped).
            let mut members: FxHashMap<String, Member> = FxHashMap::default();
            let routed = |l: &str| {
                let r: Routed = json(l)?;
                Ok((segmented(&r.line)?, r))
            };
            each_line(
                "a routed item ({\"line\", \"keys\", \"group\"})",
                routed,
                |(it, r)| {
                    if a.members {
                        let m = Member::of(&it.item, |i| reply_coverage(&seg, i));
                        members.insert(m.id.clone(), m);
                    }
                    batch.push(it);
                    links.push(Links {
                        keys: r.keys,
                        pairs: r.pairs,
                        dups: r.dups,
                    });
                    if batch.len() == BATCH {
                        items.extend(count(&assigner, std::mem::take(&mut batch)));
                    }
                    Ok(())
                },
            )?;
            items.extend(count(&assigner, batch));
            let n = items.len();
            let has = |c: &str| a.columns.iter().any(|x| x == c);
            let columns = InputColumns {
                submitters: has("submitter"),
                likes: has("likes"),
                feedback: has("feedback"),
            };
            let found = find(&assigner, &seg, items, &links, latest, columns, &cfg)?;
            for p in &found {
                if a.members {
                    let members = p.item_ids.iter().filter_map(|id| members.remove(id));
                    let line = WithMembers {
                        problem: p,
                        members: members.collect(),
                    };
                    serde_json::to_writer(&mut out, &line)?;
                } else {
                    serde_json::to_writer(&mut out, p)?;
                }
                out.write_all(b"\n")?;
            }
            out.flush()?;
            if !a.quiet {
                eprintln!("问题：{n} 条信息，{} 个问题", found.len());
            }
        }
        Step::Register { registry, latest } => {
            let mut found: Vec<WithMembers<Problem>> = Vec::new();
            each_line(
                "a problem with its members (the output of `minyi problems find --members`)",
                json,
                |p| {
                    found.push(p);
                    Ok(())
                },
            )?;
            let as_of = match super::common::parse_latest(latest.as_deref())? {
                Some(t) => Some(t.date_naive()),
                None => found
                    .iter()
                    .flat_map(|p| p.members.iter().filter_map(|m| m.at))
                    .max(),
            };
            let Some(as_of) = as_of else {
                anyhow::bail!(
                    "没有带日期的问题信息，问题登记未更新：{}",
                    registry.display()
                );
            };
            let mut r = Registry::load_file(&registry)?.unwrap_or_default();
            let (problems, members): (Vec<Problem>, Vec<_>) =
                found.into_iter().map(|p| (p.problem, p.members)).unzip();
            let problems: Vec<&Problem> = problems.iter().collect();
            let update = r.update_with(&problems, members, as_of, &settings.tracking);
            r.save_file(&registry)?;
            // The id each problem was registered under, in the order read.
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({"update": update, "ids": update.ids}),
            )?;
            out.write_all(b"\n")?;
            out.flush()?;
        }
    }
    Ok(Outcome::Found)
}
