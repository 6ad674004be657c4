//! `minyi show`: print one item with all its fields, extra attributes and named objects
//! (地点/人群) included.

use std::io::Write;

use super::common::output::{self, SummaryFormat};
use super::common::{IndexArg, Outcome};
use minyi::index::ItemIndex;

/// Show one item with all its fields (exit status 1 if there is no such id).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The item's id, as `minyi search` prints it.
    pub id: String,
    #[command(flatten)]
    pub index: IndexArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let index = ItemIndex::open(&args.index.index)?;
    let Some(item) = index.get(&args.id)? else {
        eprintln!(
            "no item with id '{}' in {}",
            args.id,
            args.index.index.display()
        );
        return Ok(Outcome::NothingFound);
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        SummaryFormat::Json => {
            let mut v = serde_json::to_value(&item)?;
            v["extra"] = serde_json::Value::Object(
                item.extra
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().into()))
                    .collect(),
            );
            v["instructed"] = item.instructed().into();
            writeln!(out, "{v}")?;
        }
        SummaryFormat::Text => {
            let opt = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_else(|| "—".into());
            // Columns the data lacks are left out (no 采用级别 未采用 for a board's messages).
            let cols = index.columns()?;
            let rows: Vec<(&str, String)> = [
                (true, "编号", item.id.clone()),
                (true, "标题", item.title.clone()),
                (true, "报送时间", output::datetime(item.submitted_at)),
                (true, "报送人", item.submitter.clone()),
                (cols.sector, "界别", item.sector.clone()),
                (cols.unit, "单位", item.unit.clone()),
                (
                    cols.adoption,
                    "采用级别",
                    item.adoption.label_zh().to_string(),
                ),
                (cols.instruction, "领导批示", item.instruction.clone()),
                (cols.feedback, "办理反馈", item.feedback.clone()),
                (cols.likes, "点赞数", opt(item.likes)),
                (cols.likes, "反对数", opt(item.dislikes)),
                (true, "来源", item.source.clone()),
                (true, "地点/人群", item.places.join("、")),
            ]
            .into_iter()
            .filter_map(|(has, k, v)| has.then_some((k, v)))
            .collect();
            let mut t = output::table(&["字段", "内容"]);
            for (k, v) in rows
                .into_iter()
                .chain(item.extra.iter().map(|(k, v)| (k.as_str(), v.clone())))
            {
                t.add_row(vec![k.to_string(), v]);
            }
            t.add_row(vec!["正文".to_string(), item.body.clone()]);
            writeln!(out, "{t}")?;
        }
    }
    Ok(Outcome::Found)
}
