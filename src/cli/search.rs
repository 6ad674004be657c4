//! `minyi search`: find items by words, phrases, boolean operators, fields and filters.

use anyhow::Context;

use super::common::choices::Sort;
use super::common::output::{self, ListFormat};
use super::common::{IndexArg, Outcome, SubsetArgs, WindowArgs};
use minyi::index::query::{AdoptionFilter, Filters};
use minyi::index::search::{SearchRequest, SearchResults};
use minyi::item::Columns;

/// Search items.
///
/// Type the query as you would say it: `停车难`, `市民出行` (words need not be adjacent; any
/// verbatim substring of two or more characters also matches). Syntax: several words must
/// all match; `"加装电梯"` must appear verbatim; `A OR B`; `NOT x` or `-x` excludes; `+x`
/// requires; `title:x`, `body:x` search one field; `sector:教育界`, `submitter:王建国`,
/// `unit:…`, `id:…` match a value exactly; `place:丽发新城` matches a named object as
/// --place does. Ranking is BM25 with titles weighted ×2.
///
/// Exit status: 0 hits found, 1 no hits, 2 error (malformed query, missing index).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query (quote it in the shell when it has spaces). Leave it out to list the items
    /// passing the filters (`minyi search --place 丽发新城`).
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub query: Option<String>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub subset: SubsetArgs,
    /// Adoption level: none, county, city, province, national, or `adopted` (any level).
    #[arg(long, value_name = "LEVEL")]
    pub adoption: Option<String>,
    /// Only items with a leader's instruction (批示).
    #[arg(long)]
    pub instructed: bool,
    /// Maximum hits to show (at least 1; the total is always counted).
    #[arg(long, default_value_t = 20, value_parser = super::common::positive_count)]
    pub limit: usize,
    /// Order of hits.
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    pub sort: Sort,
    /// Also count the matching items per sector and per place or group (地点/人群, the 20
    /// most frequent).
    #[arg(long)]
    pub facets: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Hybrid search: also rank by meaning (the cosine between the query's and the items'
    /// sentence vectors, from `minyi embed`), fused with the word ranking (reciprocal rank
    /// fusion), so that 停车难 also finds 车位不足. Relevance order only.
    #[arg(long)]
    pub semantic: bool,
    /// Model for the query with --semantic [default: the model that made the index's vectors].
    #[arg(long, value_name = "DIR")]
    pub model: Option<std::path::PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let filters = Filters {
        adoption: args
            .adoption
            .as_deref()
            .map(AdoptionFilter::parse)
            .transpose()?,
        instructed: args.instructed,
        ..args.subset.filters(&args.window)?
    };
    let index = args.index.open_filtered(&filters)?;
    let req = SearchRequest {
        query: args.query.clone(),
        filters,
        limit: args.limit,
        sort: args.sort.into(),
        facets: args.facets,
    };
    let what = match &args.query {
        Some(q) => format!("search for '{q}'"),
        None => "search".to_string(),
    };
    let results = if args.semantic {
        let Some(query) = args.query.as_deref() else {
            anyhow::bail!("--semantic ranks by a query's meaning; give the query");
        };
        if args.sort != Sort::Relevance {
            anyhow::bail!("--semantic ranks by relevance; leave out --sort");
        }
        let store = minyi::embed::Store::open(&index.dir)?;
        let dir = args
            .model
            .clone()
            .unwrap_or_else(|| std::path::PathBuf::from(&store.meta.model_dir));
        let model = minyi::embed::Model::open(&dir, store.meta.mode).with_context(|| {
            format!(
                "the index's vectors were made with {}",
                store.meta.model_dir
            )
        })?;
        if model.store_meta().model != store.meta.model {
            anyhow::bail!(
                "{} is not the model that made the index's vectors ({}); give that one with --model",
                dir.display(),
                store.meta.model_dir
            );
        }
        let qv = model
            .embed_texts(&index.segmenter, &[query], &|_| {})?
            .pop()
            .unwrap_or_default();
        // The cosine of the query's sentence vector and an item's stored one.
        let similarity = |id: &str| store.vector(id).map(|v| minyi::embed::dot(&v, &qv));
        index
            .search_hybrid(&req, &similarity)
            .with_context(|| what.clone())?
    } else {
        index.search(&req).with_context(|| what.clone())?
    };
    // Columns the data lacks are left out (no empty 界别 column, no "（未填） 44").
    let cols = index.columns()?;
    match args.format {
        ListFormat::Table => print_table(&results, cols)?,
        ListFormat::Json => print_json(&results)?,
        ListFormat::Csv => print_csv(&results, cols)?,
    }
    Ok(if results.total == 0 {
        Outcome::NothingFound
    } else {
        Outcome::Found
    })
}

fn print_table(r: &SearchResults, cols: Columns) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "共找到 {} 条，显示 {} 条", r.total, r.hits.len())?;
    if !r.hits.is_empty() {
        let colour = output::colour();
        let mut head = vec!["编号", "日期", "界别", "报送人", "标题", "摘要"];
        if !cols.sector {
            head.remove(2);
        }
        let mut t = output::table(&head);
        for h in &r.hits {
            let mut row = vec![
                h.item.id.clone(),
                output::date(h.item.submitted_at),
                h.item.sector.clone(),
                h.item.submitter.clone(),
                output::mark_terminal(&h.title.text, &h.title.highlights, colour),
                output::mark_terminal(&h.snippet.text, &h.snippet.highlights, colour),
            ];
            if !cols.sector {
                row.remove(2);
            }
            t.add_row(row);
        }
        writeln!(out, "{t}")?;
    }
    if r.facets.is_some() && !cols.sector {
        writeln!(out, "数据中没有界别一列，无法按界别统计")?;
    } else if let Some(f) = &r.facets {
        let mut t = output::table(&["界别", "条数"]);
        for (sector, n) in f {
            t.add_row(vec![
                if sector.is_empty() {
                    "（未填）".to_string()
                } else {
                    sector.clone()
                },
                n.to_string(),
            ]);
        }
        writeln!(out, "按界别统计：\n{t}")?;
    }
    if let Some(f) = r.place_facets.as_ref().filter(|f| !f.is_empty()) {
        let mut t = output::table(&["地点/人群", "条数"]);
        for (place, n) in f {
            t.add_row(vec![place.clone(), n.to_string()]);
        }
        writeln!(out, "按地点/人群统计（前 {} 个）：\n{t}", f.len())?;
    }
    Ok(())
}

fn print_json(r: &SearchResults) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for (rank, h) in r.hits.iter().enumerate() {
        let obj = serde_json::json!({
            "kind": "hit",
            "rank": rank + 1,
            "id": h.item.id,
            "score": h.score,
            "submitted_at": h.item.submitted_at.map(|d| d.to_rfc3339()),
            "sector": h.item.sector,
            "submitter": h.item.submitter,
            "unit": h.item.unit,
            "adoption": h.item.adoption.as_str(),
            "instructed": h.item.instructed(),
            "places": h.item.places,
            "title": h.item.title,
            "title_html": output::mark_html(&h.title.text, &h.title.highlights),
            "snippet": output::mark_html(&h.snippet.text, &h.snippet.highlights),
        });
        writeln!(out, "{obj}")?;
    }
    let mut summary =
        serde_json::json!({ "kind": "summary", "total": r.total, "returned": r.hits.len() });
    if let Some(f) = &r.facets {
        summary["facets"] = serde_json::json!({ "sector": f.iter().map(|(k, n)| serde_json::json!({"sector": k, "count": n})).collect::<Vec<_>>() });
    }
    if let Some(f) = &r.place_facets {
        summary["facets"]["places"] = f
            .iter()
            .map(|(k, n)| serde_json::json!({"place": k, "count": n}))
            .collect();
    }
    writeln!(out, "{summary}")?;
    Ok(())
}

fn print_csv(r: &SearchResults, cols: Columns) -> anyhow::Result<()> {
    let mut w = output::csv_stdout()?;
    // Each column with whether the data has it.
    let keep = [
        true,
        true,
        cols.sector,
        true,
        cols.unit,
        cols.adoption,
        cols.instruction,
        true,
        true,
        true,
    ];
    let kept = |row: [String; 10]| {
        row.into_iter()
            .zip(keep)
            .filter_map(|(c, k)| k.then_some(c))
            .collect::<Vec<_>>()
    };
    w.row(kept(
        [
            "编号",
            "日期",
            "界别",
            "报送人",
            "单位",
            "采用级别",
            "有批示",
            "标题",
            "摘要",
            "地点/人群",
        ]
        .map(String::from),
    ))?;
    for h in &r.hits {
        let i = &h.item;
        let row = [
            i.id.clone(),
            output::datetime(i.submitted_at),
            i.sector.clone(),
            i.submitter.clone(),
            i.unit.clone(),
            i.adoption.label_zh().to_string(),
            if i.instructed() { "是" } else { "否" }.to_string(),
            i.title.clone(),
            h.snippet.text.clone(),
            i.places.join("、"),
        ];
        w.row(kept(row))?;
    }
    w.flush()?;
    Ok(())
}
