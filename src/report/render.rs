//! Rendering reports: minijinja templates (HTML auto-escaped, Markdown through an escaping
//! filter) with plotters SVG charts inlined, CSV through the csv crate (UTF-8 BOM, formula
//! guard), JSON through serde.

use std::collections::{BTreeMap, HashMap};

use minijinja::{context, Environment, Value};

use super::bulletin::Bulletin;
use super::{charts, Report};

const CSS: &str = include_str!("templates/style.css");

/// The template environment (HTML templates auto-escape every value; `md` escapes for
/// Markdown).
fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.add_template("base.html", include_str!("templates/base.html"))
        .expect("base.html parses");
    env.add_template("report.html", include_str!("templates/report.html"))
        .expect("report.html parses");
    env.add_template("report.md", include_str!("templates/report.md"))
        .expect("report.md parses");
    env.add_template("bulletin.html", include_str!("templates/bulletin.html"))
        .expect("bulletin.html parses");
    env.add_template("bulletin.md", include_str!("templates/bulletin.md"))
        .expect("bulletin.md parses");
    env.add_template("batch.html", include_str!("templates/batch.html"))
        .expect("batch.html parses");
    env.add_filter("md", md_escape);
    env.add_filter("num", num);
    env
}

/// Escapes text from submitted items for Markdown: markup characters get a backslash, `<`,
/// `>` and `&` become entities (so raw HTML shows as text), line breaks become spaces.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A number as an editor writes it: `30`, `2`, `12.5` (no trailing `.0`).
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.2}").trim_end_matches('0').to_string()
    }
}

fn sections(r: &Report) -> Value {
    Value::from_serialize(vec![
        context! { id => "hot", heading => "三、热点专题", none => "热点", cards => &r.hot },
        context! { id => "difficult", heading => "四、难点专题", none => "难点", cards => &r.difficult },
        context! { id => "highlight", heading => "五、亮点专题", none => "亮点", cards => &r.highlight },
    ])
}

/// The report as one self-contained HTML page.
pub fn report_html(r: &Report) -> crate::Result<String> {
    let labels: Vec<String> = r.trend.iter().map(|b| b.label.clone()).collect();
    let values: Vec<usize> = r.trend.iter().map(|b| b.items).collect();
    let trend_svg = charts::bars(&labels, &values, &format!("信息条数（按{}）", r.trend_unit));
    let m = &r.sector_matrix;
    let sector_svg = charts::heatmap(&m.topics, &m.sectors, &m.counts);
    let mut sparks: BTreeMap<String, Value> = BTreeMap::new();
    for c in r.hot.iter().chain(&r.difficult).chain(&r.highlight) {
        let v: Vec<usize> = c.months.iter().map(|(_, n)| *n).collect();
        sparks.insert(
            c.id.to_string(),
            Value::from_safe_string(charts::sparkline(&v)),
        );
    }
    Ok(env().get_template("report.html")?.render(context! {
        r => r,
        css => Value::from_safe_string(CSS.to_string()),
        sections => sections(r),
        trend_svg => Value::from_safe_string(trend_svg),
        sector_svg => Value::from_safe_string(sector_svg),
        sparks => sparks,
    })?)
}

/// The report as Markdown.
pub fn report_md(r: &Report) -> crate::Result<String> {
    Ok(env().get_template("report.md")?.render(context! {
        r => r,
        sections => sections(r),
    })?)
}

/// The report's items, one row per item with the item's own columns (专题, 编号, 标题, 时间,
/// 报送人, and 界别 and 点赞数 where the data has them), for editors who finish in Excel.
fn items_csv(r: &Report) -> crate::Result<Vec<u8>> {
    let by_id: HashMap<&str, &crate::item::Item> =
        r.items.iter().map(|i| (i.id.as_str(), i)).collect();
    let c = r.columns;
    let mut header = vec![
        "专题编号",
        "专题",
        "类别",
        "信息编号",
        "标题",
        "时间",
        "报送人",
    ];
    if c.sector {
        header.push("界别");
    }
    if c.likes {
        header.push("点赞数");
    }
    header.push("代表性");
    let mut w = super::SafeCsv::new();
    w.row(header)?;
    let other = (0usize, "其他", "", &r.topics.other.item_ids, &[][..]);
    let topics = r.topics.topics.iter().map(|t| {
        (
            t.id,
            t.label.as_str(),
            t.class_zh,
            &t.item_ids,
            &t.representatives[..],
        )
    });
    for (tid, label, class, ids, reps) in topics.chain(std::iter::once(other)) {
        for id in ids {
            let Some(it) = by_id.get(id.as_str()) else {
                return Err(crate::Error::Output(format!(
                    "item {id} of topic {tid} is not among the report's items"
                )));
            };
            let mut row = vec![
                tid.to_string(),
                label.to_string(),
                class.to_string(),
                id.clone(),
                it.title.clone(),
                it.submitted_at
                    .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                it.submitter.clone(),
            ];
            if c.sector {
                row.push(it.sector.clone());
            }
            if c.likes {
                row.push(it.likes.map(|l| l.to_string()).unwrap_or_default());
            }
            let rep = reps.iter().any(|x| &x.id == id);
            row.push(if rep { "是".into() } else { String::new() });
            w.row(row)?;
        }
    }
    w.finish()
}

/// The report's topics and their items as CSV rows (one row per item; UTF-8 BOM). With the
/// items kept ([`Report::with_items`]), each row carries the item's title, date, submitter …
pub fn report_csv(r: &Report) -> crate::Result<Vec<u8>> {
    if !r.items.is_empty() {
        return items_csv(r);
    }
    let mut w = super::SafeCsv::new();
    w.row([
        "专题编号",
        "专题",
        "类别",
        "走势",
        "关键词",
        "专题条数",
        "热点分",
        "难点分",
        "亮点分",
        "信息编号",
        "代表性",
    ])?;
    for t in &r.topics.topics {
        for id in &t.item_ids {
            let rep = t.representatives.iter().any(|x| &x.id == id);
            w.row([
                t.id.to_string(),
                t.label.clone(),
                t.class_zh.to_string(),
                t.trend_zh.unwrap_or("").to_string(),
                t.keywords.join("、"),
                t.size.to_string(),
                format!("{:.3}", t.scores.hot),
                format!("{:.3}", t.scores.difficult),
                format!("{:.3}", t.scores.highlight),
                id.clone(),
                if rep { "是".into() } else { String::new() },
            ])?;
        }
    }
    for id in &r.topics.other.item_ids {
        w.row([
            "0",
            "其他",
            "",
            "",
            "",
            &r.topics.other.size.to_string(),
            "",
            "",
            "",
            id,
            "",
        ])?;
    }
    w.finish()
}

/// Renders the report in `format`.
pub fn report(r: &Report, format: super::Format) -> crate::Result<Vec<u8>> {
    Ok(match format {
        super::Format::Html => report_html(r)?.into_bytes(),
        super::Format::Md => report_md(r)?.into_bytes(),
        super::Format::Csv => report_csv(r)?,
        super::Format::Json => {
            let mut v = serde_json::to_vec_pretty(r)?;
            v.push(b'\n');
            v
        }
    })
}

/// Renders the bulletin in `format`.
pub fn bulletin(b: &Bulletin, format: super::Format) -> crate::Result<Vec<u8>> {
    Ok(match format {
        super::Format::Html => {
            let labels: Vec<String> = b.months.clone();
            let values: Vec<usize> = b.quota_met_per_month.clone();
            let quota_svg = charts::bars(&labels, &values, "每月完成报送任务的信息员人数");
            env()
                .get_template("bulletin.html")?
                .render(context! {
                    b => b,
                    css => Value::from_safe_string(CSS.to_string()),
                    quota_svg => Value::from_safe_string(quota_svg),
                })?
                .into_bytes()
        }
        super::Format::Md => env()
            .get_template("bulletin.md")?
            .render(context! { b => b })?
            .into_bytes(),
        super::Format::Csv => super::bulletin::csv(b)?,
        super::Format::Json => {
            let mut v = serde_json::to_vec_pretty(b)?;
            v.push(b'\n');
            v
        }
    })
}

/// The batch index page: links to each window's report and the top topics over the span.
pub fn batch_index(idx: &super::batch::BatchIndex) -> crate::Result<String> {
    let labels: Vec<String> = idx.windows.iter().map(|w| w.label.clone()).collect();
    let series: Vec<(String, Vec<usize>)> = idx
        .top_topics
        .iter()
        .map(|t| (t.label.clone(), t.per_window.clone()))
        .collect();
    let chart = charts::lines(&labels, &series, "全期主要专题逐期条数");
    Ok(env().get_template("batch.html")?.render(context! {
        b => idx,
        css => Value::from_safe_string(CSS.to_string()),
        chart => Value::from_safe_string(chart),
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escape_neutralises_html_and_markup() {
        assert_eq!(
            md_escape("<script>alert(1)</script> *a* | b\nc"),
            "&lt;script&gt;alert(1)&lt;/script&gt; \\*a\\* \\| b c"
        );
    }
}
