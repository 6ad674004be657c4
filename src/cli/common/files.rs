//! Reading what a command takes (a dictionary, a topic model, a date) and writing what it
//! gives (standard output or a file).

use std::path::Path;

use minyi::engine::TopicModel;
use minyi::index::ItemIndex;
use minyi::report::Format;
use minyi::segment::{Dictionary, Segmenter};

/// The segmenter of `--index DIR` (that index's dictionary), else of `--dict DIR`, else the
/// built-in dictionary (as `ingest` uses for a new index).
pub fn segmenter(index: Option<&Path>, dict: Option<&Path>) -> anyhow::Result<Segmenter> {
    Ok(match (index, dict) {
        (Some(ix), _) => ItemIndex::open(ix)?.segmenter.clone(),
        (None, Some(dir)) => Segmenter::new(&Dictionary::load(dir)?)?,
        (None, None) => Segmenter::embedded(),
    })
}

/// Reads a topic model file, naming it in errors.
pub fn read_model(path: &std::path::Path) -> anyhow::Result<TopicModel> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read topic model {}: {e}", path.display()))?;
    TopicModel::from_json(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a minyi topic model: {e}", path.display()))
}

/// `--latest`, as `assign` and `problems find` take it.
pub fn parse_latest(
    latest: Option<&str>,
) -> anyhow::Result<Option<chrono::DateTime<chrono::FixedOffset>>> {
    latest
        .map(|t| {
            chrono::DateTime::parse_from_rfc3339(t).map_err(|e| {
                anyhow::anyhow!(
                    "--latest '{t}' is not an RFC 3339 time (2020-01-31T09:00:00+08:00): {e}"
                )
            })
        })
        .transpose()
}

/// The format asked for, else the one the output file's extension names, else HTML.
pub fn format_for(format: Option<Format>, out: Option<&Path>) -> Format {
    format.unwrap_or_else(|| {
        match out
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("md") | Some("markdown") => Format::Md,
            Some("csv") => Format::Csv,
            Some("json") => Format::Json,
            _ => Format::Html,
        }
    })
}

/// Writes `bytes` to `out`, or to standard output.
pub fn emit(bytes: &[u8], out: Option<&Path>) -> anyhow::Result<()> {
    match out {
        Some(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("{}: cannot create folder: {e}", dir.display()))?;
            }
            std::fs::write(p, bytes)
                .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", p.display()))?;
            eprintln!("已写入 {}", p.display());
        }
        None => {
            use std::io::Write;
            let mut o = std::io::stdout().lock();
            o.write_all(bytes)?;
            o.flush()?;
        }
    }
    Ok(())
}
