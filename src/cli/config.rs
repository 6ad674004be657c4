//! `minyi config`: print the documented default settings, or check a settings file.

use std::path::PathBuf;

use super::common::Outcome;
use minyi::config::{Config, DEFAULT_TOML};

/// Print the documented default settings (minyi.toml), or check a settings file.
///
/// minyi reads its settings from --config FILE, else the file named by MINYI_CONFIG, else
/// ./minyi.toml; every key is optional. Start one with `minyi config > minyi.toml`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check this settings file and print the settings it gives (every key, defaults filled in).
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    match args.check {
        None => print!("{DEFAULT_TOML}"),
        Some(path) => {
            let cfg = Config::load(Some(&path))?;
            cfg.topic_config()?;
            cfg.solved_cues()?;
            eprintln!("{}：设置有效", path.display());
            print!("{}", toml::to_string(&cfg)?);
        }
    }
    Ok(Outcome::Found)
}
