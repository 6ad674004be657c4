//! The model flags and the embedding run that `embed` and `ingest` share.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::output::{self, SummaryFormat};
use minyi::config::Config;
use minyi::embed::{self, EmbedSummary, Mode, Model};
use minyi::index::ItemIndex;

/// The model options shared by `embed`, `ingest` and `model distill`.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Model directory [default: [embedding] model in minyi.toml].
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// full: every item through the model (best); static: the distilled word table
    /// (`minyi model distill` first; about 100× faster) [default: [embedding] mode].
    #[arg(long = "embed-mode", value_enum, value_name = "MODE")]
    pub mode: Option<super::choices::EmbedMode>,
}

impl ModelArgs {
    /// The model directory and mode from the options or the settings (`None`: no model).
    pub fn resolve(&self, settings: &Config) -> Option<(PathBuf, Mode)> {
        let dir = self.model.clone().or_else(|| settings.model_dir())?;
        Some((
            dir,
            self.mode.map(Mode::from).unwrap_or(settings.embedding.mode),
        ))
    }
}

/// A progress bar for `what` on a terminal (hidden otherwise).
pub fn bar(what: &str) -> indicatif::ProgressBar {
    output::progress_bar(&format!(
        "{{spinner}} {what} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {{per_sec}} 剩余 {{eta}}"
    ))
}

/// The error when a command needs a model and none is given or configured.
pub fn no_model() -> anyhow::Error {
    anyhow::anyhow!("no model: give --model DIR (or set [embedding] model in minyi.toml)")
}

/// Embeds the index's missing items, with a progress bar; prints nothing.
pub fn embed_with_bar(
    index: &ItemIndex,
    dir: &Path,
    mode: Mode,
    rebuild: bool,
) -> anyhow::Result<EmbedSummary> {
    let model = Model::open(dir, mode)?;
    let bar = bar("计算语义向量");
    let result = embed::embed_index(index, &model, rebuild, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    result.with_context(|| format!("embedding {} failed", index.dir.display()))
}

/// Prints an embedding summary.
pub fn print_summary(s: &EmbedSummary, format: SummaryFormat) -> anyhow::Result<()> {
    match format {
        SummaryFormat::Json => println!("{}", serde_json::to_string(s)?),
        SummaryFormat::Text => {
            println!(
            "语义向量（{}，{}）：{} 条信息，新算 {} 条，沿用 {} 条，用时 {:.1} 秒（每秒 {:.0} 条）",
            s.model_dir,
            match s.mode {
                Mode::Static => "静态词表",
                Mode::Full => "完整模型",
            },
            s.items,
            s.computed,
            s.reused,
            s.seconds,
            s.computed as f64 / s.seconds.max(1e-3)
        )
        }
    }
    Ok(())
}
