//! `minyi alerts`: the early warnings (预警) the problem registry raised, with their messages,
//! as a table or as JSON for a scheduler.

use std::io::Write;

use serde::Serialize;

use super::common::output;
use super::common::{IndexArg, Outcome};
use minyi::config::Config;
use minyi::index::ItemIndex;
use minyi::problems::registry::{Alert, Registry};

/// List the early warnings (预警) of the problem registry: new problems and sudden rises.
///
/// Each ingest (or `minyi track`) updates the problem registry and raises, on the day of the
/// latest message, an alert for
///
/// * 新问题: a problem that reached `alert_people` (3) people within `new_days` (14) days of
///   that day (a problem seen for the first time in years of data raises none);
/// * 明显上升: a known problem whose messages of the last 7 days stand `rise_z` (3) or more
///   above its own baseline, (observed − expected) / √max(expected, 0.5), expected being its
///   weekly mean over the `baseline_weeks` (8) weeks before, with at least `rise_min` (3)
///   messages in those 7 days; again at most once a week.
///
/// The thresholds are [tracking] in minyi.toml (`minyi config` prints them). Without
/// --since, the alerts of the latest update are listed; with it, those raised on or after
/// that day. Each comes with its problem's messages (the latest 3 in the table; all in JSON:
/// one object with `as_of` and `alerts`, each with its problem and `messages`).
///
/// Exit status: 0 when an alert is listed, 1 when none, 2 on an error — so that a scheduler
/// can run `minyi ingest new.csv && minyi alerts --format json > alerts.json && notify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    /// List the alerts raised on or after this day (2019-11-01, 2019-11, 2019Q4 …).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AlertFormat::Table)]
    pub format: AlertFormat,
}

/// Formats of the alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AlertFormat {
    /// A table for reading.
    Table,
    /// One JSON object for a scheduler.
    Json,
}

/// One alert as listed: the alert, its problem and its messages.
#[derive(Debug, Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    alert: &'a Alert,
    kind_zh: &'static str,
    object: &'a str,
    label: &'a str,
    status: Option<&'static str>,
    messages: Vec<Message>,
}

/// A message of an alert's problem.
#[derive(Debug, Serialize)]
struct Message {
    id: String,
    date: String,
    submitter: String,
    title: String,
}

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    let dir = &args.index.index;
    let index = ItemIndex::open(dir)?;
    let Some(registry) = Registry::load(dir)? else {
        anyhow::bail!(
            "{} 还没有问题登记：运行 minyi track --index {}（之后每次 minyi ingest 都会更新）",
            dir.display(),
            dir.display()
        );
    };
    let since = match &args.since {
        Some(s) => Some(minyi::period::parse_from(s)?.date_naive()),
        None => registry.as_of,
    };
    let alerts: Vec<&Alert> = since.map_or_else(Vec::new, |d| registry.alerts_since(d));
    let mut listed = Vec::with_capacity(alerts.len());
    for a in &alerts {
        let Some(p) = registry.get(&a.problem) else {
            continue;
        };
        let shown: Vec<_> = p
            .members
            .iter()
            .filter(|m| m.at.is_none_or(|d| d <= a.on))
            .collect();
        let titles: std::collections::HashMap<String, String> = index
            .get_many(&shown.iter().map(|m| m.id.as_str()).collect::<Vec<_>>())?
            .into_iter()
            .map(|i| (i.id, i.title))
            .collect();
        let mut messages: Vec<Message> = shown
            .iter()
            .map(|m| Message {
                id: m.id.clone(),
                date: m.at.map(|d| d.to_string()).unwrap_or_default(),
                submitter: m.submitter.clone(),
                title: titles.get(&m.id).cloned().unwrap_or_default(),
            })
            .collect();
        messages.sort_by(|x, y| y.date.cmp(&x.date).then(x.id.cmp(&y.id)));
        listed.push(Listed {
            alert: a,
            kind_zh: a.kind.zh(),
            object: &p.object,
            label: &p.label,
            status: registry
                .as_of
                .and_then(|d| p.status(d, &settings.tracking))
                .map(|s| s.zh()),
            messages,
        });
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        AlertFormat::Json => {
            let v = serde_json::json!({
                "as_of": registry.as_of,
                "since": since,
                "alerts": listed,
            });
            writeln!(out, "{v}")?;
        }
        AlertFormat::Table => {
            let from = since.map(|d| d.to_string()).unwrap_or_default();
            if listed.is_empty() {
                eprintln!(
                    "{from} 以来没有预警（数据截至 {}）",
                    output::day(registry.as_of)
                );
                return Ok(Outcome::NothingFound);
            }
            writeln!(
                out,
                "{from} 以来预警 {} 条（数据截至 {}）",
                listed.len(),
                output::day(registry.as_of)
            )?;
            let mut t = output::table(&[
                "预警日期",
                "类型",
                "问题ID",
                "地点/人群",
                "问题描述",
                "人数",
                "近7天/周均",
                "状态",
                "最近信息",
            ]);
            for l in &listed {
                let rise = l
                    .alert
                    .rise
                    .map(|r| format!("{}/{:.1}", r.observed, r.expected))
                    .unwrap_or_else(|| "—".into());
                let latest = l
                    .messages
                    .iter()
                    .take(3)
                    .map(|m| format!("{} {} {}", m.date, m.id, output::shorten(&m.title, 20)))
                    .collect::<Vec<_>>()
                    .join("\n");
                t.add_row(vec![
                    l.alert.on.to_string(),
                    l.kind_zh.to_string(),
                    l.alert.problem.clone(),
                    l.object.to_string(),
                    l.label.to_string(),
                    l.alert.people.to_string(),
                    rise,
                    l.status.unwrap_or("—").to_string(),
                    latest,
                ]);
            }
            writeln!(out, "{t}")?;
            writeln!(
                out,
                "规则：新问题 = 问题在 {} 天内达到 {} 人反映；明显上升 = 近 7 天条数比前 {} 周周均高出 {} 个标准差以上（(实际 − 预期) / √预期）且不少于 {} 条",
                settings.tracking.new_days,
                settings.tracking.alert_people,
                settings.tracking.baseline_weeks,
                settings.tracking.rise_z,
                settings.tracking.rise_min
            )?;
        }
    }
    Ok(if listed.is_empty() {
        Outcome::NothingFound
    } else {
        Outcome::Found
    })
}
