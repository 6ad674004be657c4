//! `minyi stats`: how many items the index holds, over which dates, from whom.

use std::io::Write;

use super::common::output::{self, SummaryFormat};
use super::common::{IndexArg, Outcome};
use minyi::index::ItemIndex;
use minyi::item::Adoption;

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
            // A column the data does not have is not reported as zeros ("未采用 4326" for
            // messages that carry no adoption at all).
            let c = s.columns;
            match (c.adoption, c.instruction) {
                (true, true) => writeln!(
                    out,
                    "采用情况：{}；有领导批示 {}",
                    adoption.join("，"),
                    s.instructed
                )?,
                (true, false) => writeln!(out, "采用情况：{}", adoption.join("，"))?,
                (false, true) => writeln!(out, "有领导批示 {}", s.instructed)?,
                (false, false) => {}
            }
            let absent = c.absent_zh();
            if c.sector {
                writeln!(out, "界别 {} 个，报送人 {} 位", s.sectors, s.submitters)?;
            } else {
                writeln!(out, "报送人 {} 位", s.submitters)?;
            }
            if !absent.is_empty() {
                writeln!(out, "数据中没有的列：{}", absent.join("、"))?;
            }
            let row = |list: &[(String, u64)], i: usize| {
                list.get(i)
                    .map(|(k, n)| (k.clone(), n.to_string()))
                    .unwrap_or_default()
            };
            let rows = s
                .top_submitters
                .len()
                .max(if c.sector { s.top_sectors.len() } else { 0 });
            let mut t = if c.sector {
                output::table(&["界别", "条数", "报送人", "条数"])
            } else {
                output::table(&["报送人", "条数"])
            };
            for i in 0..rows {
                let (c2, d) = row(&s.top_submitters, i);
                if c.sector {
                    let (a, b) = row(&s.top_sectors, i);
                    t.add_row(vec![a, b, c2, d]);
                } else {
                    t.add_row(vec![c2, d]);
                }
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
