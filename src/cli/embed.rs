//! `minyi embed` and `minyi model distill`: sentence vectors for semantic topics and search.

use super::common::{bar, embed_with_bar, no_model, print_summary, ModelArgs};
use std::path::PathBuf;

use super::common::output::SummaryFormat;
use super::common::{IndexArg, Outcome};
use minyi::config::Config;
use minyi::embed::{self, Mode, Model};
use minyi::index::ItemIndex;

/// Compute sentence vectors of the index's items with a BERT-family model (for
/// `topics --semantic`, `similar --semantic` and `search --semantic`).
///
/// Only items without an up-to-date vector are embedded: run it again after an ingest (or
/// give `ingest` the model) and it embeds the new and changed items. Vectors are stored in
/// <index>/embeddings, with the model they came from; another model needs --rebuild.
/// The model directory holds config.json, tokenizer.json and model.safetensors or
/// pytorch_model.bin (any BERT-style sentence-embedding model, e.g. m3e-small or
/// bge-small-zh; see the README for licences).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Drop the stored vectors and embed every item again.
    #[arg(long)]
    pub rebuild: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// Runs `minyi embed`.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    let (dir, mode) = args.model.resolve(settings).ok_or_else(no_model)?;
    let index = ItemIndex::open(&args.index.index)?;
    let s = embed_with_bar(&index, &dir, mode, args.rebuild)?;
    print_summary(&s, args.format)?;
    Ok(Outcome::Found)
}

/// Model tools.
#[derive(Debug, clap::Args)]
pub struct ModelCmd {
    #[command(subcommand)]
    pub action: ModelAction,
}

/// What `minyi model` does.
#[derive(Debug, clap::Subcommand)]
pub enum ModelAction {
    Distill(DistillArgs),
}

/// Distill a static word table from a model (the fast path: --embed-mode static).
///
/// Every word of a word list and of an index's items, and every character of the model's
/// vocabulary, is embedded once by the full model; items are then embedded as the weighted
/// mean of their words' vectors. The table is written next to the model (minyi-static.bin).
/// Words missing from the table fall back to their characters, so include the corpus
/// (--index) and a whole dictionary (--words, e.g. jieba's dict.txt).
#[derive(Debug, clap::Args)]
pub struct DistillArgs {
    /// Model directory [default: [embedding] model in minyi.toml].
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// Word list, one `word [frequency [tag]]` per line (jieba's dict.txt format).
    #[arg(long, value_name = "FILE")]
    pub words: Option<PathBuf>,
    /// Most words taken from --words (the most frequent).
    #[arg(long, default_value_t = 400_000, value_name = "N")]
    pub max_words: usize,
    /// Also every word of this index's items.
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// Runs `minyi model ...`.
pub fn run_model(cmd: ModelCmd, settings: &Config) -> anyhow::Result<Outcome> {
    let ModelAction::Distill(args) = cmd.action;
    let dir = args
        .model
        .clone()
        .or_else(|| settings.model_dir())
        .ok_or_else(no_model)?;
    if args.words.is_none() && args.index.is_none() {
        anyhow::bail!(
            "give the words to distill: --words FILE (a dictionary) and/or --index DIR (a corpus)"
        );
    }
    let index = args.index.as_deref().map(ItemIndex::open).transpose()?;
    let words = embed::distill_words(args.words.as_deref(), args.max_words, index.as_ref())?;
    let seg = match &index {
        Some(i) => i.segmenter.clone(),
        None => minyi::segment::Segmenter::embedded(),
    };
    let model = Model::open(&dir, Mode::Full)?;
    let bar = bar("蒸馏静态词表");
    let s = embed::distill(&model, &seg, words, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let s = s?;
    match args.format {
        SummaryFormat::Json => println!("{}", serde_json::to_string(&s)?),
        SummaryFormat::Text => println!(
            "静态词表 {}：{} 个词、{} 个单字，用时 {:.1} 秒（每秒 {:.0} 个）",
            s.path,
            s.words,
            s.characters,
            s.seconds,
            (s.words + s.characters) as f64 / s.seconds.max(1e-3)
        ),
    }
    Ok(Outcome::Found)
}
