//! `minyi show`: print one item with all its fields, extra attributes and named objects
//! (地点/人群) included.

use std::io::Write;

use super::common::output::{self, SummaryFormat};
use super::common::{IndexArg, Outcome};
use minyi::config::Config;
use minyi::index::ItemIndex;
use minyi::problems::follow::TrackingConfig;
use minyi::problems::registry::{Registry, Tracked};

/// Show one item with all its fields, or one problem's history (exit status 1 if there is
/// no such id).
///
/// A problem id (P12, as `minyi hot` and `minyi alerts` print it; from the problem registry
/// that every ingest updates) shows its history: status, first and latest messages, people,
/// messages per week, replies (answered, days to answer, messages written after an answer,
/// answers that take up little of their message), its alerts and its messages.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The item's id, as `minyi search` prints it, or a problem's id (P12).
    pub id: String,
    #[command(flatten)]
    pub index: IndexArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    let index = ItemIndex::open(&args.index.index)?;
    let Some(item) = index.get(&args.id)? else {
        if let Some(registry) = Registry::load(&args.index.index)? {
            if let Some(p) = registry.get(&args.id) {
                return show_problem(&index, &registry, p, args.format, &settings.tracking);
            }
        }
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
                (
                    item.replied_at.is_some(),
                    "答复时间",
                    output::datetime(item.replied_at),
                ),
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

/// A registered problem's history.
fn show_problem(
    index: &ItemIndex,
    registry: &Registry,
    p: &Tracked,
    format: SummaryFormat,
    cfg: &TrackingConfig,
) -> anyhow::Result<Outcome> {
    let status = registry.as_of.and_then(|d| p.status(d, cfg));
    let replies = p.replies(cfg);
    let alerts: Vec<_> = registry
        .alerts
        .iter()
        .filter(|a| a.problem == p.id)
        .collect();
    let ids: Vec<&str> = p.members.iter().map(|m| m.id.as_str()).collect();
    let mut items = index.get_many(&ids)?;
    items.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at).then(a.id.cmp(&b.id)));
    let mut out = std::io::stdout().lock();
    if format == SummaryFormat::Json {
        let v = serde_json::json!({
            "problem": p,
            "status": status,
            "status_zh": status.map(|s| s.zh()),
            "as_of": registry.as_of,
            "first": p.first(),
            "last": p.last(),
            "people": p.people(),
            "weekly": p.weekly(),
            "replies": replies,
            "alerts": alerts,
        });
        writeln!(out, "{v}")?;
        return Ok(Outcome::Found);
    }
    writeln!(out, "{} {}", p.id, p.label)?;
    if let Some(into) = &p.merged_into {
        writeln!(out, "已并入 {into}（minyi show {into}）")?;
    }
    writeln!(
        out,
        "状态：{}（数据截至 {}）；登记于 {}{}",
        status.map_or("—", |s| s.zh()),
        output::day(registry.as_of),
        p.registered,
        if p.found || p.merged_into.is_some() {
            ""
        } else {
            "；最近一次登记更新未再发现（其信息已不足以构成问题）"
        }
    )?;
    writeln!(
        out,
        "地点/人群：{}；首次出现 {}，最近一条 {}；信息 {} 条，{} 人反映",
        if p.object.is_empty() {
            "—"
        } else {
            &p.object
        },
        output::day(p.first()),
        output::day(p.last()),
        p.members.len(),
        p.people()
    )?;
    if replies.answered > 0 {
        writeln!(
            out,
            "答复：已答复 {} 条{}；首次答复后又有 {} 条新信息{}",
            replies.answered,
            replies
                .median_days
                .map(|d| format!("，答复用时中位数 {d:.0} 天"))
                .unwrap_or_default(),
            replies.after_answer,
            if replies.not_addressing > 0 {
                format!(
                    "；{} 条答复用到的留言用词不到 {:.0}%（答复笼统或远短于留言，可抽查是否答非所问）",
                    replies.not_addressing,
                    cfg.reply_min_coverage * 100.0
                )
            } else {
                String::new()
            }
        )?;
    }
    for a in &alerts {
        writeln!(
            out,
            "预警：{} {}（{} 人{}）",
            a.on,
            a.kind.zh(),
            a.people,
            a.rise
                .map(|r| format!("，近 7 天 {} 条，此前周均 {:.1} 条", r.observed, r.expected))
                .unwrap_or_default()
        )?;
    }
    let weekly = p.weekly();
    if !weekly.is_empty() {
        writeln!(out, "每周条数（周一起）：")?;
        for (w, n) in weekly.iter().filter(|(_, n)| *n > 0) {
            writeln!(out, "  {w} {} {n}", "█".repeat((*n).min(40)))?;
        }
    }
    let mut t = output::table(&["编号", "报送时间", "报送人", "标题", "答复时间"]);
    for it in &items {
        t.add_row(vec![
            it.id.clone(),
            output::datetime(it.submitted_at),
            it.submitter.clone(),
            output::shorten(&it.title, 30),
            output::datetime(it.replied_at),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(Outcome::Found)
}
