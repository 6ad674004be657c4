//! `minyi stats`: how many items the index holds, over which dates, from whom.

use std::io::Write;

use super::output::{self, SummaryFormat};
use super::{IndexArg, Outcome};
use crate::index::ItemIndex;
use crate::item::Adoption;

/// Show item count, date range, adoption and instruction counts, top sectors and submitters.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    /// How many top sectors and submitters to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let index = ItemIndex::open(&args.index.index)?;
    let s = index.stats(args.top)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        SummaryFormat::Json => writeln!(out, "{}", serde_json::to_string(&s)?)?,
        SummaryFormat::Text => {
            writeln!(
                out,
                "信息总数：{}（有日期 {}，无日期 {}）",
                s.items, s.dated, s.undated
            )?;
            writeln!(
                out,
                "时间范围：{} 至 {}",
                output::date(s.first),
                output::date(s.last)
            )?;
            let adoption: Vec<String> = s
                .adoption
                .iter()
                .map(|(k, n)| {
                    format!(
                        "{} {}",
                        Adoption::parse(k).unwrap_or_default().label_zh(),
                        n
                    )
                })
                .collect();
            writeln!(
                out,
                "采用情况：{}；有领导批示 {}",
                adoption.join("，"),
                s.instructed
            )?;
            writeln!(out, "界别 {} 个，报送人 {} 位", s.sectors, s.submitters)?;
            let mut t = output::table(&["界别", "条数", "报送人", "条数"]);
            for i in 0..s.top_sectors.len().max(s.top_submitters.len()) {
                let (a, b) = s
                    .top_sectors
                    .get(i)
                    .map(|(k, n)| (k.clone(), n.to_string()))
                    .unwrap_or_default();
                let (c, d) = s
                    .top_submitters
                    .get(i)
                    .map(|(k, n)| (k.clone(), n.to_string()))
                    .unwrap_or_default();
                t.add_row(vec![a, b, c, d]);
            }
            writeln!(out, "{t}")?;
        }
    }
    Ok(if s.items == 0 {
        Outcome::NothingFound
    } else {
        Outcome::Found
    })
}
