//! `minyi similar`: near-duplicates and related items of one item.

use std::io::Write;

use super::common::output::{self, SummaryFormat};
use super::common::{IndexArg, Outcome};
use minyi::config::Config;
use minyi::index::query::Filters;
use minyi::index::ItemIndex;
use minyi::topics;

/// List the near-duplicates (the same problem reported again, by anyone) and the most related
/// items of one item, by cosine similarity of their TF-IDF terms, as topic mining sees them.
/// Exit status 1 if there is no such id.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The item's id.
    pub id: String,
    #[command(flatten)]
    pub index: IndexArg,
    /// How many related items to list, at least 1 (near-duplicates are all listed).
    #[arg(long, default_value_t = 10, value_parser = super::common::positive_count)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
    /// Compare by sentence vectors (from `minyi embed`) instead of words.
    #[arg(long)]
    pub semantic: bool,
}

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    let index = ItemIndex::open(&args.index.index)?;
    let items = index.collect(None, &Filters::default())?;
    let Some(target) = items.iter().position(|i| i.id == args.id) else {
        eprintln!(
            "no item with id '{}' in {}",
            args.id,
            args.index.index.display()
        );
        return Ok(Outcome::NothingFound);
    };
    let cfg = minyi::topics::TopicConfig {
        embeddings: super::common::semantic_store(&index, args.semantic)?,
        ..settings.topic_config()?
    };
    if let Some(store) = &cfg.embeddings {
        topics::require_vectors(store, &items, &index.dir)?;
    }
    let s = topics::similar(&index.segmenter, &items, target, args.limit, &cfg);
    let mut out = std::io::stdout().lock();
    match args.format {
        SummaryFormat::Json => writeln!(out, "{}", serde_json::to_string(&s)?)?,
        SummaryFormat::Text => {
            writeln!(out, "{} {}", s.item.id, s.item.title)?;
            for (heading, list) in [("疑似重复报送", &s.duplicates), ("相关信息", &s.related)]
            {
                writeln!(out, "{heading}：{} 条", list.len())?;
                if list.is_empty() {
                    continue;
                }
                let mut t = output::table(&["编号", "相似度", "日期", "报送人", "界别", "标题"]);
                for i in list {
                    t.add_row(vec![
                        i.item.id.clone(),
                        format!("{:.2}", i.similarity),
                        i.item.submitted_at.clone().unwrap_or_default(),
                        i.item.submitter.clone(),
                        i.item.sector.clone(),
                        i.item.title.clone(),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }
    }
    Ok(Outcome::Found)
}
