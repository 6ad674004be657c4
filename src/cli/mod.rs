//! Command-line interface: one file per subcommand (its clap arguments and `run`), no
//! pipeline logic here. Exit codes: 0 success, 1 nothing found, 2 error.

pub mod alerts;
pub mod assign;
pub mod bulletin;
pub mod common;
pub mod config;
pub mod describe;
pub mod embed;
pub mod export;
pub mod hot;
pub mod ingest;
pub mod problems;
pub mod report;
pub mod search;
pub mod segment;
pub mod show;
pub mod similar;
pub mod stats;
pub mod topics;
pub mod track;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use common::{Outcome, WindowArgs};
use minyi::config::Config;

/// minyi (民意): ingest, search, topic mining and reports for Chinese information items
/// (社情民意信息).
///
/// Typical use: `minyi ingest corpora/sample/items.csv`, then `minyi search 加装电梯`,
/// `minyi topics`, `minyi hot --period 2024Q4`, `minyi report --period 2024Q4 --out q4.html`,
/// `minyi bulletin --period 2024Q4`.
/// Every command takes `--index DIR` (or the MINYI_INDEX variable; default indexes/default).
///
/// Exit codes: 0 success; 1 nothing found (no hits, unknown id); 2 error (bad arguments,
/// malformed query, missing or locked index, unreadable input).
#[derive(Debug, Parser)]
#[command(
    name = "minyi",
    version,
    max_term_width = 100,
    after_help = "Engine commands for other engines (segment, assign, problems, describe: the Spark \
                  job's steps) are left out of this list; see src/spark/README.md."
)]
pub struct Cli {
    /// Settings file (weights, thresholds, fee rates; see `minyi config`)
    /// [default: ./minyi.toml when present].
    #[arg(long, global = true, env = "MINYI_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    Ingest(ingest::Args),
    Search(search::Args),
    Show(show::Args),
    Stats(stats::Args),
    Topics(topics::Args),
    Hot(hot::Args),
    Track(track::Args),
    Alerts(alerts::Args),
    Similar(similar::Args),
    Report(report::Args),
    Bulletin(bulletin::Args),
    Config(config::Args),
    Embed(embed::Args),
    Model(embed::ModelCmd),
    Export(export::Args),
    // The engine's plumbing, run by the Spark job (src/spark/README.md), not by editors: they
    // work but stay out of `minyi --help`.
    #[command(hide = true)]
    Segment(segment::Args),
    #[command(hide = true)]
    Assign(assign::Args),
    #[command(hide = true)]
    Describe(describe::Args),
    #[command(hide = true)]
    Problems(problems::Args),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let outcome = match cli.command {
        Command::Ingest(a) => ingest::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Search(a) => search::run(a)?,
        Command::Show(a) => show::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Stats(a) => stats::run(a)?,
        Command::Topics(a) => topics::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Hot(a) => hot::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Track(a) => track::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Alerts(a) => alerts::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Similar(a) => similar::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Report(a) => report::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Bulletin(a) => bulletin::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Config(a) => config::run(a)?,
        Command::Embed(a) => embed::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Model(a) => embed::run_model(a, &Config::load(cli.config.as_deref())?)?,
        Command::Segment(a) => segment::run(a)?,
        Command::Export(a) => export::run(a)?,
        Command::Assign(a) => assign::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Describe(a) => describe::run(a, &Config::load(cli.config.as_deref())?)?,
        Command::Problems(a) => problems::run(a, &Config::load(cli.config.as_deref())?)?,
    };
    Ok(match outcome {
        Outcome::Found => ExitCode::SUCCESS,
        Outcome::NothingFound => ExitCode::from(1),
    })
}
