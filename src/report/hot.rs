//! The hot list (热点问题表): a window's problems ranked by heat, with each problem's items
//! (热点问题留言明细表) and the heat formula in words — as `minyi hot`, the topic table and the
//! report show them — and its CSV and Excel writers.

use std::collections::HashMap;

#[cfg(feature = "xlsx")]
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use serde::Serialize;

use chrono::NaiveDate;

use crate::item::Item;
use crate::period::Period;
use crate::problems::follow::{Status, TrackingConfig};
use crate::problems::registry::Owners;
use crate::topics::{HeatConfig, ItemRef, Problem, TopicReport};

/// How many problems the report and the topic table list.
pub const LISTED: usize = 10;

/// The first letter of the id of a listed problem the registry does not hold (yet).
pub const UNREGISTERED: &str = "N";

/// The sheet of the hot list in Excel.
pub const SHEET: &str = "热点问题表";
/// The sheet of the problems' items in Excel.
pub const DETAILS_SHEET: &str = "热点问题留言明细表";

/// A problem as the hot list shows it: the problem itself, its theme's label and its
/// class and course in Chinese.
#[derive(Debug, Clone, Serialize)]
pub struct HotProblem {
    #[serde(flatten)]
    pub problem: Problem,
    /// The label of its theme (`problem.theme`); 其他 when it is in none.
    pub theme_label: String,
    /// 热点 or 关注.
    pub class_zh: &'static str,
    /// 新出现, 上升, 平稳 or 回落; `None` without a previous window.
    pub trend_zh: Option<&'static str>,
    /// Its course in the problem registry; `None` when it is not registered.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub followed: Option<Followed>,
}

/// A listed problem as the problem registry follows it.
#[derive(Debug, Clone, Serialize)]
pub struct Followed {
    /// The day of its first message (首次出现), over all the data.
    pub first_seen: Option<NaiveDate>,
    /// The day of its latest message up to the window's end (最近一条).
    pub latest: Option<NaiveDate>,
    /// 新出现, 持续, 上升, 回落 or 已沉寂 at the window's end (or the data's, when earlier).
    pub status: Option<Status>,
    pub status_zh: Option<&'static str>,
}

impl HotProblem {
    /// `p` of the run `topics`, with its theme's label.
    pub fn of(p: &Problem, topics: &TopicReport) -> HotProblem {
        let theme_label = p
            .theme
            .and_then(|id| topics.topics.iter().find(|t| t.id == id))
            .map_or_else(|| "其他".to_string(), |t| t.label.clone());
        HotProblem {
            theme_label,
            class_zh: p.class_zh(),
            trend_zh: p.trend.map(|t| t.label_zh()),
            problem: p.clone(),
            followed: None,
        }
    }

    /// Gives it the id of the registered problem holding most of its items (at least half),
    /// with that one's first and latest message and status on `day`; one held by none is
    /// not yet registered and is numbered `N` and its rank.
    pub fn follow(&mut self, registered: &Owners, day: NaiveDate, cfg: &TrackingConfig) {
        let Some(t) = registered.holding(&self.problem.item_ids) else {
            self.problem.id = format!("{UNREGISTERED}{}", self.problem.rank);
            return;
        };
        self.problem.id = t.id.clone();
        let status = t.status(day, cfg);
        self.followed = Some(Followed {
            first_seen: t.first(),
            latest: t.dates().into_iter().filter(|&d| d <= day).max(),
            status,
            status_zh: status.map(Status::zh),
        });
    }

    /// 首次出现, 最近一条 and 状态 as cells; empty when not followed.
    pub fn followed_cells(&self) -> [String; 3] {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        match &self.followed {
            Some(f) => [
                day(f.first_seen),
                day(f.latest),
                f.status_zh.unwrap_or_default().to_string(),
            ],
            None => Default::default(),
        }
    }

    /// The dates of its first and last item: `2019-07-05 至 2019-09-01`, or one date.
    pub fn span(&self) -> String {
        match (&self.problem.first, &self.problem.last) {
            (Some(a), Some(b)) if a == b => a.clone(),
            (Some(a), Some(b)) => format!("{a} 至 {b}"),
            (Some(a), None) | (None, Some(a)) => a.clone(),
            (None, None) => String::new(),
        }
    }

    /// Items of the previous window, or — without one.
    pub fn previous_zh(&self) -> String {
        if self.problem.trend.is_some() {
            self.problem.previous.to_string()
        } else {
            "—".into()
        }
    }

    /// Its course, or — without a previous window.
    pub fn trend_or_dash(&self) -> &'static str {
        self.trend_zh.unwrap_or("—")
    }

    /// The heat index with one decimal.
    pub fn heat_zh(&self) -> String {
        format!("{:.1}", self.problem.heat.index)
    }
}

/// The first `n` problems of `topics`, hottest first.
pub fn ranked(topics: &TopicReport, n: usize) -> Vec<HotProblem> {
    topics
        .problems()
        .into_iter()
        .take(n)
        .map(|p| HotProblem::of(p, topics))
        .collect()
}

/// The hot list of one window (what `minyi hot --format json` prints).
#[derive(Debug, Clone, Serialize)]
pub struct HotList {
    /// The analysed window (with `first` and `last` days); `None` when no item has a date.
    pub window: Option<Period>,
    /// The window of equal length before it, which growth and 上期 count against.
    pub previous_window: Option<Period>,
    /// The previous window holds too few items to compare with: no 上期 and no trend.
    #[serde(default)]
    pub previous_thin: bool,
    /// Items in the window.
    pub items: usize,
    /// Problems found in the window (all themes), before a theme or a limit is applied.
    pub total: usize,
    /// The heat formula, with the configured weights.
    pub heat_formula: String,
    /// What makes a problem 热点.
    pub hot_rule: String,
    /// The listed problems, hottest first.
    pub problems: Vec<HotProblem>,
    /// One person's repeated messages about one object (重复反映), largest first: not hot,
    /// not lost.
    pub repeated: Vec<HotProblem>,
    /// Groups held back as mixtures (一致度 under `min_coherence`).
    pub held_back: usize,
    /// The least 一致度 of a listed problem.
    pub min_coherence: f64,
}

impl HotList {
    /// The footer line on what is not listed: mixtures held back and one person's repeats.
    pub fn footer_zh(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.held_back > 0 {
            parts.push(format!(
                "另有 {} 组信息一致度低于 {:.2}（混杂了不同对象或不同诉求），未列入",
                self.held_back, self.min_coherence
            ));
        }
        if !self.repeated.is_empty() {
            parts.push(format!(
                "{} 组为同一报送人多次反映（重复反映），另列于下，不计入热点",
                self.repeated.len()
            ));
        }
        let unregistered = self
            .problems
            .iter()
            .filter(|p| p.followed.is_none() && p.problem.id.starts_with(UNREGISTERED))
            .count();
        if unregistered > 0 {
            parts.push(format!(
                "编号以 {UNREGISTERED} 开头的 {unregistered} 个问题在问题登记中尚无对应（登记按全部信息分组；运行 minyi track 更新登记）"
            ));
        }
        (!parts.is_empty()).then(|| parts.join("；"))
    }
}

/// A weight as the formula writes it: `0.5`, `1.0`, `0.25`.
fn weight(x: f64) -> String {
    if ((x * 10.0).round() - x * 10.0).abs() < 1e-9 {
        format!("{x:.1}")
    } else {
        super::render::num(x)
    }
}

/// The heat formula with the weights of `cfg`: `热度指数 = 人数 × (1+0.5·互动) × …`.
pub fn heat_formula_zh(cfg: &HeatConfig) -> String {
    format!(
        "热度指数 = 人数 × (1+{}·互动) × (1+{}·集中度) × (1+{}·时近) × (1+{}·增长)",
        weight(cfg.w_engagement),
        weight(cfg.w_concentration),
        weight(cfg.w_recency),
        weight(cfg.w_growth)
    )
}

/// The formula and the 热点 rule on one line, as the table, the report and `topics` end.
pub fn formula_line_zh(cfg: &HeatConfig) -> String {
    format!("{}；{}", heat_formula_zh(cfg), hot_rule_zh(cfg))
}

/// The rule that makes a problem 热点 (the rest are 关注).
pub fn hot_rule_zh(cfg: &HeatConfig) -> String {
    let share = if (cfg.hot_share - 0.5).abs() < 1e-9 {
        "一半".to_string()
    } else {
        format!(" {}% ", super::render::num(cfg.hot_share * 100.0))
    };
    format!(
        "前 {} 名中不低于最高热度{share}者为热点，其余为关注",
        cfg.hot_top
    )
}

/// The rule that makes a problem 难点 (printed under a list that holds one).
pub fn difficult_rule_zh(months: usize) -> String {
    format!(
        "难点：非热点中，在 {months} 个以上月份出现、最近一条仍在时段的最后四分之一、多数尚无办理反馈（有此列时），且不是本期新出现的问题"
    )
}

/// What each term of the formula is, with the thresholds of `cfg`.
pub fn heat_terms_zh(cfg: &HeatConfig) -> String {
    format!(
        "人数 = 报送人数 + ln(1 + 重复条数)；互动 = lg(1 + 点赞 + 反对) ÷ lg(1 + {})；\
         集中度 = 每周条数 ÷ {}；时近 = 1 − 末条距期末天数 ÷ 期内天数；\
         增长 = (本期 ÷ (上期 + 1) − 1) ÷ {}，不升为 0；各项在 0 至 1 之间",
        super::render::num(cfg.engagement_full),
        super::render::num(cfg.concentration_full),
        super::render::num(cfg.growth_full - 1.0)
    )
}

/// Columns of the hot list in CSV and Excel.
pub const COLUMNS: [&str; 19] = [
    "热度排名",
    "问题ID",
    "热度指数",
    "类别",
    "时间范围",
    "地点/人群",
    "问题描述",
    "所属专题",
    "关键词",
    "条数",
    "报送人",
    "一致度",
    "上期",
    "趋势",
    "点赞数",
    "代表信息",
    "首次出现",
    "最近一条",
    "状态",
];

/// A representative as the lists write it: id, title, and how many copies it stands for.
pub fn representative(r: &ItemRef, title: &str) -> String {
    let copies = if r.copies > 1 {
        format!("（共 {} 条）", r.copies)
    } else {
        String::new()
    };
    format!("{} {title}{copies}", r.id)
}

/// The cells of one problem, in the order of [`COLUMNS`].
fn cells(p: &HotProblem) -> Vec<String> {
    let q = &p.problem;
    vec![
        q.rank.to_string(),
        q.id.clone(),
        p.heat_zh(),
        p.class_zh.to_string(),
        p.span(),
        q.object.clone(),
        q.label.clone(),
        match q.theme {
            Some(id) => format!("{id} {}", p.theme_label),
            None => p.theme_label.clone(),
        },
        q.keywords.join("、"),
        q.size.to_string(),
        q.submitters.to_string(),
        format!("{:.2}", q.coherence),
        p.previous_zh(),
        p.trend_or_dash().to_string(),
        (q.likes).to_string(),
        q.representatives
            .iter()
            .map(|r| representative(r, &r.title))
            .collect::<Vec<_>>()
            .join("\n"),
    ]
    .into_iter()
    .chain(p.followed_cells())
    .collect()
}

/// One item of a listed problem (a row of 热点问题留言明细表).
#[derive(Debug, Clone, Copy)]
pub struct Detail<'a> {
    pub problem: &'a str,
    pub item: &'a Item,
}

/// Columns of 热点问题留言明细表.
pub const DETAIL_COLUMNS: [&str; 7] = [
    "问题ID",
    "留言编号",
    "标题",
    "时间",
    "报送人",
    "点赞数",
    "反对数",
];

/// Every item of each of `problems`, problem by problem, oldest first; `items` holds them
/// (the window's items). An id not among them is an error.
pub fn details<'a>(
    problems: &'a [HotProblem],
    items: &'a [Item],
) -> crate::Result<Vec<Detail<'a>>> {
    let by_id: HashMap<&str, &Item> = items.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut out = Vec::new();
    for p in problems {
        for id in &p.problem.item_ids {
            let item = by_id.get(id.as_str()).ok_or_else(|| {
                crate::Error::Output(format!(
                    "item {id} of problem {} is not among the window's items",
                    p.problem.id
                ))
            })?;
            out.push(Detail {
                problem: &p.problem.id,
                item,
            });
        }
    }
    Ok(out)
}

fn opt(n: Option<u64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn detail_cells(d: &Detail) -> Vec<String> {
    vec![
        d.problem.to_string(),
        d.item.id.clone(),
        d.item.title.clone(),
        d.item
            .submitted_at
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        d.item.submitter.clone(),
        opt(d.item.likes),
        opt(d.item.dislikes),
    ]
}

/// The hot list as CSV (UTF-8 BOM, formula-guarded); representatives one a line in their cell.
pub fn hot_csv(list: &HotList) -> crate::Result<Vec<u8>> {
    let mut w = super::SafeCsv::new();
    w.row(COLUMNS)?;
    for p in list.problems.iter().chain(&list.repeated) {
        w.row(cells(p))?;
    }
    w.finish()
}

/// 热点问题留言明细表 as CSV (UTF-8 BOM, formula-guarded).
pub fn details_csv(rows: &[Detail]) -> crate::Result<Vec<u8>> {
    let mut w = super::SafeCsv::new();
    w.row(DETAIL_COLUMNS)?;
    for d in rows {
        w.row(detail_cells(d))?;
    }
    w.finish()
}

/// An Excel workbook: the sheet 热点问题表 (when `list` is given) and 热点问题留言明细表.
/// Text is written as text (a leading `=` is never a formula), counts and heat as numbers,
/// times as Excel date-times.
#[cfg(feature = "xlsx")]
pub fn xlsx(list: Option<&HotList>, rows: &[Detail]) -> crate::Result<Vec<u8>> {
    xlsx_inner(list, rows)
        .map_err(|e| crate::Error::Output(format!("cannot write the workbook: {e}")))
}

/// [`xlsx`] in a build without the Excel writer.
#[cfg(not(feature = "xlsx"))]
pub fn xlsx(_list: Option<&HotList>, _rows: &[Detail]) -> crate::Result<Vec<u8>> {
    Err(crate::error::not_built("xlsx", "Excel 输出"))
}

#[cfg(feature = "xlsx")]
fn header(ws: &mut Worksheet, columns: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_background_color("#EEF3F8");
    for (c, (h, w)) in columns.iter().zip(widths).enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

#[cfg(feature = "xlsx")]
fn xlsx_inner(list: Option<&HotList>, rows: &[Detail]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let wrap = Format::new().set_text_wrap();
    let heat = Format::new().set_num_format("0.0");
    if let Some(list) = list {
        let ws = book.add_worksheet();
        ws.set_name(SHEET)?;
        header(
            ws,
            &COLUMNS,
            &[
                8.0, 8.0, 9.0, 6.0, 24.0, 18.0, 36.0, 18.0, 30.0, 6.0, 7.0, 7.0, 6.0, 8.0, 7.0,
                60.0, 11.0, 11.0, 8.0,
            ],
        )?;
        let listed = list.problems.len() + list.repeated.len();
        for (r, p) in list.problems.iter().chain(&list.repeated).enumerate() {
            let row = r as u32 + 1;
            let q = &p.problem;
            let text = cells(p);
            for (c, cell) in text.iter().enumerate() {
                let c = c as u16;
                match c {
                    0 => ws.write_number(row, c, q.rank as f64)?,
                    2 => ws.write_number_with_format(row, c, q.heat.index, &heat)?,
                    9 => ws.write_number(row, c, q.size as f64)?,
                    10 => ws.write_number(row, c, q.submitters as f64)?,
                    11 => ws.write_number(row, c, (q.coherence * 100.0).round() / 100.0)?,
                    12 if q.trend.is_some() => ws.write_number(row, c, q.previous as f64)?,
                    14 => ws.write_number(row, c, q.likes as f64)?,
                    15 => ws.write_string_with_format(row, c, cell, &wrap)?,
                    _ => ws.write_string(row, c, cell)?,
                };
            }
        }
        ws.autofilter(0, 0, listed as u32, COLUMNS.len() as u16 - 1)?;
    }
    let ws = book.add_worksheet();
    ws.set_name(DETAILS_SHEET)?;
    header(
        ws,
        &DETAIL_COLUMNS,
        &[8.0, 12.0, 48.0, 17.0, 14.0, 8.0, 8.0],
    )?;
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (r, d) in rows.iter().enumerate() {
        let row = r as u32 + 1;
        let it = d.item;
        ws.write_string(row, 0, d.problem)?;
        ws.write_string(row, 1, &it.id)?;
        ws.write_string(row, 2, &it.title)?;
        if let Some(t) = it.submitted_at {
            use chrono::{Datelike, Timelike};
            let x = ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)?
                .and_hms(t.hour() as u16, t.minute() as u8, t.second())?;
            ws.write_datetime_with_format(row, 3, x, &time)?;
        }
        ws.write_string(row, 4, &it.submitter)?;
        if let Some(n) = it.likes {
            ws.write_number(row, 5, n as f64)?;
        }
        if let Some(n) = it.dislikes {
            ws.write_number(row, 6, n as f64)?;
        }
    }
    ws.autofilter(0, 0, rows.len() as u32, DETAIL_COLUMNS.len() as u16 - 1)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_and_rule_follow_the_settings() {
        let cfg = HeatConfig::default();
        assert_eq!(
            heat_formula_zh(&cfg),
            "热度指数 = 人数 × (1+0.5·互动) × (1+0.5·集中度) × (1+0.3·时近) × (1+1.0·增长)"
        );
        assert_eq!(
            hot_rule_zh(&cfg),
            "前 5 名中不低于最高热度一半者为热点，其余为关注"
        );
        let other = HeatConfig {
            w_recency: 0.25,
            hot_top: 3,
            hot_share: 0.6,
            ..cfg
        };
        assert!(heat_formula_zh(&other).contains("(1+0.25·时近)"));
        assert_eq!(
            hot_rule_zh(&other),
            "前 3 名中不低于最高热度 60% 者为热点，其余为关注"
        );
        assert!(heat_terms_zh(&HeatConfig::default()).contains("÷ 3，不升为 0"));
    }
}
