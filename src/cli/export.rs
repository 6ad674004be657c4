//! `minyi export`: the index's items with their terms, for engines that read files.

use std::io::Write;
use std::path::PathBuf;

use super::common::{IndexArg, Outcome, SubsetArgs, WindowArgs};
use minyi::engine::exchange::{export_jsonl, export_parquet};

/// Write the index's items, ordered by id: as a table an editor opens (CSV for Excel, or an
/// Excel workbook), or with their segmented terms for Spark, DuckDB or pandas (JSON lines, the
/// format of `minyi segment`, or Parquet).
///
/// The csv and xlsx tables have Chinese headers (编号, 标题, 正文, 报送时间, 报送人, the optional
/// columns the data has, 地点/人群, then the source's other columns); the CSV is UTF-8 with a
/// BOM and no cell is read as a formula.
///
/// Each item has every field, its named objects (`places`, 地点/人群), `title_terms` and
/// `body_terms`, segmented with the index's own dictionary. In Parquet the places and terms
/// are lists of strings, `submitted_at` is RFC 3339 text and `extra` a JSON array of
/// [column, value] pairs; the file is Snappy-compressed.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub subset: SubsetArgs,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
    /// A table for Excel (UTF-8 with BOM, formula-safe).
    Csv,
    /// An Excel workbook (needs --out).
    Xlsx,
    /// Apache Parquet (needs --out: a Parquet file is not written to a terminal or pipe).
    Parquet,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let filters = args.subset.filters(&args.window)?;
    let index = args.index.open_filtered(&filters)?;
    let n = match (&args.out, args.format) {
        (None, ExportFormat::Parquet) => {
            anyhow::bail!("--format parquet needs --out FILE (e.g. --out items.parquet)")
        }
        (None, ExportFormat::Xlsx) => {
            anyhow::bail!("--format xlsx needs --out FILE (e.g. --out 信息明细.xlsx)")
        }
        (out, ExportFormat::Csv | ExportFormat::Xlsx) => {
            let items = index.collect(None, &filters)?;
            let cols = index.columns()?;
            match (out, args.format) {
                (Some(path), ExportFormat::Xlsx) => {
                    let book = minyi::report::items::xlsx(&items, cols)?;
                    std::fs::write(path, book)
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                }
                (Some(path), _) => {
                    let file = std::fs::File::create(path)
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                    minyi::report::items::csv(&items, cols, std::io::BufWriter::new(file))?;
                }
                (None, _) => minyi::report::items::csv(&items, cols, std::io::stdout().lock())?,
            }
            items.len()
        }
        (Some(path), ExportFormat::Parquet) => {
            let file = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            export_parquet(&index, &filters, std::io::BufWriter::new(file))?
        }
        (Some(path), ExportFormat::Jsonl) => {
            let file = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let n = export_jsonl(&index, &filters, &mut w)?;
            w.flush()?;
            n
        }
        (None, ExportFormat::Jsonl) => {
            export_jsonl(&index, &filters, &mut std::io::stdout().lock())?
        }
    };
    eprintln!("导出信息 {n} 条");
    Ok(if n == 0 {
        Outcome::NothingFound
    } else {
        Outcome::Found
    })
}
