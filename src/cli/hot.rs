//! `minyi hot`: the hot list (热点问题表) — the window's specific problems ranked by heat — and
//! their items (热点问题留言明细表), as a table, JSON, CSV or Excel.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::common::output;
use super::common::{mine, MineArgs, Mined};
use super::common::{positive_count, Outcome};
use minyi::config::Config;
use minyi::period::Period;
use minyi::problems::registry::Registry;
use minyi::report::hot::{self, HotList, HotProblem};
use minyi::topics::HeatConfig;

/// List the hot problems (热点问题) of a window: specific problems — one estate, road,
/// company, school or case — raised by several people, ranked by their heat index.
///
/// A problem is a group of items naming the same place or group (地点/人群) and saying much the
/// same about it, or sending the same message again: at least 3 items of the window from at
/// least 2 people ([problems] in minyi.toml). Each lies in the theme (专题, as `minyi topics`
/// numbers them with the same window, filters and --seed) that holds most of its items.
///
/// With a window (--period, or --from and --to) each problem is compared with the previous
/// window of equal length (2019Q3 against 2019Q2): 上期 and 趋势, and the growth term of the
/// heat. Without one, every item is taken and nothing is compared.
///
/// Columns: 热度排名 (rank by heat), 问题ID (P1 is the hottest), 热度指数 (heat index), 类别
/// (热点 or 关注), 时间范围 (first and last item), 地点/人群 (the object the items name),
/// 问题描述 (the object and what is wrong), 条数 (items in the window), 报送人 (distinct
/// submitters), 上期 (items of the previous window in the same problem), 趋势 (新出现, 上升
/// ≥ 1.5×, 平稳, 回落 ≤ 2/3), 代表信息 (up to three typical items, id and title, with the
/// copies each stands for). CSV and Excel add 所属专题, 关键词 and 点赞数.
///
/// Heat index ([hot] in minyi.toml; the defaults shown):
///
/// 热度指数 = 人数 × (1+0.5·互动) × (1+0.5·集中度) × (1+0.3·时近) × (1+1.0·增长)
///
/// 人数 = submitters + ln(1 + repeat posts) (one person posting 90 times counts 5.5);
/// 互动 = lg(1 + likes + dislikes) ÷ lg(1 + 1000); 集中度 = items per week ÷ 5; 时近 = 1 −
/// days from the last item to the window's end ÷ the window's days;
/// 增长 = (items ÷ (上期 + 1) − 1) ÷ 3, 0 when not rising. Each term lies in [0, 1].
/// 热点: among the first 5, those with at least half the hottest one's heat; the others are
/// 关注. The table ends with the formula as configured.
///
/// Exit status 1 when the selection has no items or no problem.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub mine: MineArgs,
    /// How many problems to list, hottest first (at least 1).
    #[arg(long, default_value_t = 10, value_parser = positive_count, value_name = "N")]
    pub limit: usize,
    /// Only the problems of this theme: its id as `minyi topics` numbers it with the same
    /// flags, or 0 (其他) for problems in no theme. Ranks and ids stay those of the whole list.
    #[arg(long, value_name = "ID", value_parser = parse_theme)]
    pub theme: Option<Theme>,
    /// Output format [default: from the --out extension (.csv, .json, .xlsx), else table].
    /// xlsx is a workbook of two sheets, 热点问题表 and 热点问题留言明细表, and needs --out.
    #[arg(long, value_enum)]
    pub format: Option<HotFormat>,
    /// Write the list to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write 热点问题留言明细表 to PATH: one row per item of each listed problem (问题ID,
    /// 留言编号, 标题, 时间, 报送人, 点赞数, 反对数), as CSV, or Excel when PATH ends in .xlsx.
    #[arg(long, value_name = "PATH")]
    pub details: Option<PathBuf>,
}

/// Formats of the hot list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HotFormat {
    /// An aligned table for reading, with the heat formula under it.
    Table,
    /// One JSON object: window, previous_window, items, total, heat_formula, hot_rule and
    /// problems (each with its heat terms, theme, theme_label and item_ids).
    Json,
    /// CSV with a UTF-8 BOM, for Excel.
    Csv,
    /// An Excel workbook (needs --out): 热点问题表 and 热点问题留言明细表.
    Xlsx,
}

/// Which theme's problems `--theme` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// The theme with this id.
    Id(usize),
    /// Problems in no theme (其他).
    Other,
}

fn parse_theme(s: &str) -> Result<Theme, String> {
    match s.trim() {
        "0" | "其他" | "other" => Ok(Theme::Other),
        t => t
            .parse::<usize>()
            .map(Theme::Id)
            .map_err(|_| format!("expects a theme id (1, 2, …) or 0 for 其他, got '{t}'")),
    }
}

impl HotFormat {
    /// The format asked for, else the one the output file's extension names, else a table.
    fn resolve(format: Option<HotFormat>, out: Option<&Path>) -> HotFormat {
        format.unwrap_or_else(|| match extension(out).as_deref() {
            Some("csv") => HotFormat::Csv,
            Some("json") => HotFormat::Json,
            Some("xlsx") => HotFormat::Xlsx,
            _ => HotFormat::Table,
        })
    }
}

fn extension(p: Option<&Path>) -> Option<String> {
    p.and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Runs the command.
pub fn run(args: Args, settings: &Config) -> anyhow::Result<Outcome> {
    let format = HotFormat::resolve(args.format, args.out.as_deref());
    if format == HotFormat::Xlsx && args.out.is_none() {
        anyhow::bail!("--format xlsx writes a workbook: give --out FILE.xlsx");
    }
    if let Some(d) = &args.details {
        if args.out.as_deref() == Some(d.as_path()) {
            anyhow::bail!("--details and --out name the same file {}", d.display());
        }
    }
    if !settings.problems.enabled {
        anyhow::bail!(
            "problems are switched off in the settings ([problems] enabled = false{})",
            settings
                .source
                .as_deref()
                .map(|p| format!(" in {}", p.display()))
                .unwrap_or_default()
        );
    }
    // Always against the previous window when there is one.
    let compare = args.mine.closed_window()?;
    let Mined {
        index,
        cfg,
        analysis,
        ..
    } = mine(&args.mine, settings, compare, None)?;
    if analysis.items.is_empty() {
        eprintln!("no items match; no problems to rank");
        return Ok(Outcome::NothingFound);
    }
    let r = &analysis.report;
    if let Some(Theme::Id(id)) = args.theme {
        if id == 0 || id > r.topics.len() {
            anyhow::bail!(
                "no theme {id}: this selection has themes 1 to {} (as `minyi topics` numbers them with the same flags), and 0 for 其他",
                r.topics.len()
            );
        }
    }
    let all = r.problems();
    let total = all.len();
    let in_theme = |p: &&minyi::problems::Problem| match args.theme {
        None => true,
        Some(Theme::Id(id)) => p.theme == Some(id),
        Some(Theme::Other) => p.theme.is_none(),
    };
    let mut problems: Vec<HotProblem> = all
        .into_iter()
        .filter(in_theme)
        .take(args.limit)
        .map(|p| HotProblem::of(p, r))
        .collect();
    let mut repeated: Vec<HotProblem> = r
        .repeated
        .iter()
        .filter(in_theme)
        .map(|p| HotProblem::of(p, r))
        .collect();
    let (from, to) = args.mine.window.bounds()?;
    // Stable ids, first and latest messages and status from the problem registry, on the
    // window's last day (or the data's, when earlier).
    if let Some(registry) = Registry::load(&args.mine.index.index)? {
        // An ingest with --no-track leaves the registry behind the index: say so.
        let in_index = index.reader()?.searcher().num_docs() as usize;
        if registry.items != in_index {
            eprintln!(
                "提示：问题登记更新时索引有 {} 条信息，现有 {in_index} 条（导入时用了 --no-track？）；运行 minyi track 更新问题编号和状态",
                registry.items
            );
        }
        if let Some(as_of) = registry.as_of {
            let day = to.map_or(as_of, |t| {
                as_of.min((t - chrono::Duration::seconds(1)).date_naive())
            });
            let registered = registry.owners();
            for p in problems.iter_mut().chain(repeated.iter_mut()) {
                p.follow(&registered, day, &settings.tracking);
            }
        }
    }
    // The window asked for, or the span of the items where it is open.
    let span = Period::spanning(analysis.items.iter().filter_map(|i| i.submitted_at));
    let window = match (
        from.or(span.as_ref().map(|s| s.from)),
        to.or(span.as_ref().map(|s| s.to)),
    ) {
        (Some(a), Some(b)) => Some(Period::new(a, b)),
        _ => None,
    };
    let heat = &cfg.problems.heat;
    let list = HotList {
        previous_window: window.as_ref().filter(|_| compare).map(Period::previous),
        previous_thin: compare && r.previous_thin,
        window,
        items: r.items,
        total,
        heat_formula: hot::heat_formula_zh(heat),
        hot_rule: hot::hot_rule_zh(heat),
        problems,
        repeated,
        held_back: r.held_back,
        min_coherence: cfg.problems.min_coherence,
    };
    let listed: Vec<HotProblem> = list
        .problems
        .iter()
        .chain(&list.repeated)
        .cloned()
        .collect();
    let rows = if format == HotFormat::Xlsx || args.details.is_some() {
        hot::details(&listed, &analysis.items)?
    } else {
        Vec::new()
    };
    let bytes = match format {
        HotFormat::Json => {
            let mut v = serde_json::to_vec(&list)?;
            v.push(b'\n');
            v
        }
        HotFormat::Csv => hot::hot_csv(&list)?,
        HotFormat::Xlsx => hot::xlsx(Some(&list), &rows)?,
        HotFormat::Table => {
            let mut v = Vec::new();
            write_table(&mut v, &list, heat, cfg.problems.difficult_months)?;
            v
        }
    };
    if !list.problems.is_empty() || format == HotFormat::Json {
        super::common::emit(&bytes, args.out.as_deref())?;
    }
    if let Some(path) = &args.details {
        let bytes = match extension(Some(path)).as_deref() {
            Some("xlsx") => hot::xlsx(None, &rows)?,
            _ => hot::details_csv(&rows)?,
        };
        super::common::emit(&bytes, Some(path))?;
    }
    if list.problems.is_empty() {
        let what = match args.theme {
            Some(Theme::Id(id)) => format!("专题 {id} 中"),
            Some(Theme::Other) => "“其他”中".into(),
            None => String::new(),
        };
        eprintln!(
            "{what}没有发现问题（问题：至少 {} 条信息、来自至少 {} 位报送人，反映同一地点/人群的同一情况）",
            cfg.problems.min_items, cfg.problems.min_submitters
        );
        return Ok(Outcome::NothingFound);
    }
    Ok(Outcome::Found)
}

/// The hot list as a table, headed by the window and ended by the heat formula.
fn write_table(
    out: &mut impl Write,
    list: &HotList,
    heat: &HeatConfig,
    difficult_months: usize,
) -> anyhow::Result<()> {
    let hot_count = list.problems.iter().filter(|p| p.problem.hot).count();
    let window = list
        .window
        .as_ref()
        .map(|w| format!("{} 至 {}", w.first, w.last))
        .unwrap_or_else(|| "全部信息".into());
    write!(
        out,
        "{window}：共 {} 条信息，发现 {} 个问题；列出 {} 个，其中热点 {hot_count} 个",
        list.items,
        list.total,
        list.problems.len()
    )?;
    match &list.previous_window {
        Some(p) if list.previous_thin => {
            writeln!(out, "；上期（{} 至 {}）数据不足，未作比较", p.first, p.last)?
        }
        Some(p) => writeln!(out, "；上期：{} 至 {}", p.first, p.last)?,
        None => writeln!(out, "（未与上期对比）")?,
    }
    let mut t = output::table(&[
        "热度排名",
        "问题ID",
        "热度指数",
        "类别",
        "时间范围",
        "地点/人群",
        "问题描述",
        "条数",
        "报送人",
        "一致度",
        "上期",
        "趋势",
        "首次/最近",
        "状态",
        "代表信息",
    ]);
    for p in &list.problems {
        let q = &p.problem;
        t.add_row(vec![
            q.rank.to_string(),
            q.id.clone(),
            p.heat_zh(),
            p.class_zh.to_string(),
            p.span(),
            q.object.clone(),
            q.label.clone(),
            q.size.to_string(),
            q.submitters.to_string(),
            format!("{:.2}", q.coherence),
            p.previous_zh(),
            p.trend_or_dash().to_string(),
            first_and_latest(p),
            p.followed
                .as_ref()
                .and_then(|f| f.status_zh)
                .unwrap_or("—")
                .to_string(),
            representatives(p),
        ]);
    }
    writeln!(out, "{t}")?;
    if let Some(footer) = list.footer_zh() {
        writeln!(out, "{footer}。")?;
    }
    if !list.repeated.is_empty() {
        writeln!(out, "重复反映（同一报送人就同一对象多次反映）：")?;
        let mut r = output::table(&[
            "编号",
            "时间范围",
            "地点/人群",
            "问题描述",
            "条数",
            "报送人",
            "代表信息",
        ]);
        for p in &list.repeated {
            let q = &p.problem;
            let who = q
                .representatives
                .first()
                .map(|r| r.submitter.clone())
                .unwrap_or_default();
            r.add_row(vec![
                q.id.clone(),
                p.span(),
                q.object.clone(),
                q.label.clone(),
                q.size.to_string(),
                who,
                representatives(p),
            ]);
        }
        writeln!(out, "{r}")?;
    }
    writeln!(out, "{}", hot::formula_line_zh(heat))?;
    if list
        .problems
        .iter()
        .any(|p| p.problem.difficult && !p.problem.hot)
    {
        writeln!(out, "{}", hot::difficult_rule_zh(difficult_months))?;
    }
    writeln!(out, "{}", hot::heat_terms_zh(heat))?;
    Ok(())
}

/// 首次出现 and 最近一条 on two lines, or — when the registry does not follow it.
fn first_and_latest(p: &HotProblem) -> String {
    match p.followed_cells() {
        [first, latest, _] if p.followed.is_some() => format!("{first}\n{latest}"),
        _ => "—".into(),
    }
}

fn representatives(p: &HotProblem) -> String {
    p.problem
        .representatives
        .iter()
        .map(|r| hot::representative(r, &output::shorten(&r.title, 24)))
        .collect::<Vec<_>>()
        .join("\n")
}
