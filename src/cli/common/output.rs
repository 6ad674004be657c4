//! Output helpers shared by the subcommands: formats, tables sized for CJK text, terminal
//! colour for highlights, `<b>` for JSON, and Excel-safe CSV (UTF-8 BOM, formula guard).

use std::io::{IsTerminal, Write};
use std::ops::Range;

use chrono::{DateTime, FixedOffset};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use minyi::report::hot;
use minyi::topics::{HeatConfig, TopicReport};

/// Result formats of listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ListFormat {
    /// An aligned table for reading.
    #[default]
    Table,
    /// One JSON object per line.
    Json,
    /// CSV with a UTF-8 BOM, for Excel.
    Csv,
}

/// Formats of summary commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SummaryFormat {
    /// Text for reading.
    #[default]
    Text,
    /// One JSON object.
    Json,
}

/// Whether to colour standard output.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// A table with the house style; wraps to the terminal width when there is one.
pub fn table(headers: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    if std::io::stdout().is_terminal() {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        t.set_content_arrangement(ContentArrangement::Disabled);
    }
    t.set_header(headers.to_vec());
    t
}

/// Wraps highlighted ranges of `text` with `open`/`close`, escaping the rest with `escape`.
pub fn mark(
    text: &str,
    ranges: &[Range<usize>],
    open: &str,
    close: &str,
    escape: fn(&str) -> String,
) -> String {
    let mut out = String::with_capacity(text.len() + ranges.len() * (open.len() + close.len()));
    let mut at = 0;
    for r in merge_touching(ranges).iter() {
        if r.start < at
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&escape(&text[at..r.start]));
        out.push_str(open);
        out.push_str(&escape(&text[r.clone()]));
        out.push_str(close);
        at = r.end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

/// Sorts ranges and merges those that overlap or touch, so `市民` + `出行` mark as one run.
pub fn merge_touching(ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut v = ranges.to_vec();
    v.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

fn plain(s: &str) -> String {
    s.to_string()
}

fn html(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// Highlights for a terminal (bold red) or nothing when not colouring.
pub fn mark_terminal(text: &str, ranges: &[Range<usize>], colour: bool) -> String {
    if colour {
        mark(text, ranges, "\x1b[1;31m", "\x1b[0m", plain)
    } else {
        text.to_string()
    }
}

/// Highlights as HTML: text escaped, matches in `<b>`.
pub fn mark_html(text: &str, ranges: &[Range<usize>]) -> String {
    mark(text, ranges, "<b>", "</b>", html)
}

/// A date as editors write it.
pub fn date(d: Option<DateTime<FixedOffset>>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A day, or — without one.
pub fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

/// A date-time as editors write it.
pub fn datetime(d: Option<DateTime<FixedOffset>>) -> String {
    d.map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// A CSV writer on standard output that starts with a UTF-8 BOM and guards every cell
/// against formula injection.
pub fn csv_stdout() -> std::io::Result<minyi::report::SafeCsv<std::io::StdoutLock<'static>>> {
    minyi::report::SafeCsv::to(std::io::stdout().lock())
}

/// Shortens `text` to `max` characters with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    minyi::ingest::dates::truncate(text, max)
}

/// A progress bar on standard error when it is a terminal (hidden otherwise), drawn with
/// `template` (indicatif's syntax) and ticking while work runs.
pub fn progress_bar(template: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(ProgressStyle::with_template(template).expect("static template"));
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// The hottest problems of a topic run, under the topics table (`minyi topics`): rank, id,
/// heat, class, theme, label, items and submitters, dates and course.
pub fn write_brief(out: &mut impl Write, r: &TopicReport, heat: &HeatConfig) -> anyhow::Result<()> {
    let all = r.problems();
    if all.is_empty() {
        writeln!(out, "未发现具体问题（同一地点/人群被多人反映）")?;
        return Ok(());
    }
    let shown = hot::ranked(r, hot::LISTED);
    writeln!(
        out,
        "热点问题表：共 {} 个具体问题，其中热点 {} 个；列出热度前 {} 个（全部问题及留言明细见 minyi hot）",
        all.len(),
        all.iter().filter(|p| p.hot).count(),
        shown.len()
    )?;
    let mut t = table(&[
        "热度排名",
        "问题ID",
        "热度指数",
        "类别",
        "所属专题",
        "问题描述",
        "条数",
        "报送人",
        "时间范围",
        "趋势",
    ]);
    for p in &shown {
        let q = &p.problem;
        t.add_row(vec![
            q.rank.to_string(),
            q.id.clone(),
            p.heat_zh(),
            p.class_zh.to_string(),
            match q.theme {
                Some(id) => format!("{id} {}", p.theme_label),
                None => p.theme_label.clone(),
            },
            q.label.clone(),
            q.size.to_string(),
            q.submitters.to_string(),
            p.span(),
            p.trend_or_dash().to_string(),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{}", hot::formula_line_zh(heat))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_merge_and_escape() {
        let t = "影响市民出行<b>";
        assert_eq!(
            mark_html(t, &[6..12, 12..18]),
            "影响<b>市民出行</b>&lt;b&gt;"
        );
        assert_eq!(
            mark_html(t, &[12..18, 6..12, 9..15]),
            "影响<b>市民出行</b>&lt;b&gt;"
        );
    }
}
