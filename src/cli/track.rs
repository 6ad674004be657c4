//! `minyi track`: update the problem registry (问题登记) kept with the index over all items;
//! `minyi ingest` updates it after every ingest over the region its items touch.

use std::path::Path;

use super::common::output::SummaryFormat;
use super::common::{IndexArg, Outcome};
use minyi::config::Config;
use minyi::index::filters::Filters;
use minyi::index::ItemIndex;
use minyi::problems::registry::{Registry, Update};
use minyi::text::vectorize;
use minyi::topics::track;
use rustc_hash::FxHashSet;

/// Update the problem registry (问题登记): follow each problem over time under one id.
///
/// Finds the problems of all the index's items (as `minyi hot` does without a window) and
/// matches them to the registered ones by their messages, so that each keeps the id it was
/// first given (P1, P2 … in the order first seen; never reused, whatever the rank): a found
/// problem holding at least half of a registered one's messages keeps its id; new ones get
/// the next. The registry is `<index>/problems.json`, a JSON file other engines can read and
/// update. "Today" is the latest message's date. Each update also raises the alerts of that
/// day (`minyi alerts`; rules in [tracking] of minyi.toml).
///
/// `minyi ingest` updates the registry after every ingest (unless --no-track), finding again
/// only the region its items touch: the new items, the items naming the objects they name, and
/// the messages of the registered problems among those. This command finds the problems of
/// all items again: run it after changing the [problems] settings, or with --rebuild to
/// number the problems afresh.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    /// Forget the registered problems, their ids and alerts, and register them anew.
    #[arg(long)]
    pub rebuild: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    match update(&args.index.index, settings, args.rebuild)? {
        Some(u) => {
            print(&u, args.format)?;
            Ok(Outcome::Found)
        }
        None => {
            eprintln!(
                "没有带日期的信息，或问题识别已关闭（[problems] enabled = false）：问题登记未更新"
            );
            Ok(Outcome::NothingFound)
        }
    }
}

/// Updates the registry of the index in `dir` (a new one with `rebuild`); `None` when
/// problems are switched off or no item is dated.
pub fn update(dir: &Path, settings: &Config, rebuild: bool) -> anyhow::Result<Option<Update>> {
    let cfg = settings.topic_config()?;
    if !cfg.problems.enabled {
        return Ok(None);
    }
    let index = ItemIndex::open(dir)?;
    // The items with the term counts the index holds: they are not segmented again.
    let filters = Filters::default();
    let (mut lists, counts) = index.collect_counted(&[(None, &filters)], vectorize::COUNTING)?;
    let items = lists.pop().unwrap_or_default();
    let mut registry = if rebuild {
        Registry::default()
    } else {
        Registry::load(dir)?.unwrap_or_default()
    };
    let Some(u) = track::track_counted(
        &index.segmenter,
        &items,
        counts,
        &mut registry,
        &cfg,
        &settings.tracking,
    ) else {
        return Ok(None);
    };
    registry.save(dir)?;
    Ok(Some(u))
}

/// Updates the registry of the index in `dir` after an ingest that wrote the items `new`
/// into an index of `before` items: where the registry covered those `before` items, only
/// the region of the new items is found again ([`minyi::topics::track::region`]); else, or
/// where that region holds half the index or more, all of it ([`update`]).
pub fn update_after(
    dir: &Path,
    settings: &Config,
    before: usize,
    new: &[String],
) -> anyhow::Result<Option<Update>> {
    let cfg = settings.topic_config()?;
    if !cfg.problems.enabled {
        return Ok(None);
    }
    let registry = Registry::load(dir)?;
    let Some(mut registry) = registry.filter(|r| r.as_of.is_some() && r.items == before) else {
        return update(dir, settings, false);
    };
    if new.is_empty() {
        return Ok(None);
    }
    let index = ItemIndex::open(dir)?;
    let items = index.reader()?.searcher().num_docs() as usize;
    // The new items, the items naming their objects, and the messages of the registered
    // problems among those.
    let named = index.naming(new, |items| track::new_keys(items))?;
    let mut ids: FxHashSet<&str> = named.iter().map(String::as_str).collect();
    let beside = registry.members_beside(&ids);
    ids.extend(beside);
    if !track::region_pays(ids.len(), items) {
        return update(dir, settings, false);
    }
    let asked: Vec<String> = ids.into_iter().map(str::to_string).collect();
    let (region, counts) = index.region_counted(&asked, vectorize::COUNTING)?;
    let Some(u) = track::track_region(
        &index.segmenter,
        &region,
        counts,
        &mut registry,
        &cfg,
        &settings.tracking,
        items,
    ) else {
        return Ok(None);
    };
    registry.save(dir)?;
    Ok(Some(u))
}

/// One line: what the update found and raised.
pub fn print(u: &Update, format: SummaryFormat) -> anyhow::Result<()> {
    match format {
        SummaryFormat::Json => println!("{}", serde_json::to_string(u)?),
        SummaryFormat::Text => {
            let merged = if u.merged > 0 {
                format!("，{} 个并入其他问题", u.merged)
            } else {
                String::new()
            };
            let alerts = if u.alerts.is_empty() {
                "无新预警".to_string()
            } else {
                format!("新预警 {} 条（minyi alerts 查看）", u.alerts.len())
            };
            let region = u
                .region
                .map(|n| format!("（只重新识别新信息涉及的 {n} 条）"))
                .unwrap_or_default();
            println!(
                "问题登记{region}：现有问题 {} 个，其中新登记 {} 个{merged}；{alerts}",
                u.found, u.opened
            );
        }
    }
    Ok(())
}
