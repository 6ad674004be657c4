//! Filters on top of the text query: sector, submitter, unit, a named object (地点/人群), a
//! date window, adoption, instruction; and the `--from`/`--to` window as the commands take it.

use chrono::{DateTime, FixedOffset};

use crate::error::{Error, Result};
use crate::item::Adoption;
use crate::period::{parse_from, parse_to};

/// Filters applied on top of the text query.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub sector: Option<String>,
    pub submitter: Option<String>,
    pub unit: Option<String>,
    /// A named object (地点/人群): see [`super::query::QueryBuilder::place`].
    pub place: Option<String>,
    /// Inclusive start.
    pub from: Option<DateTime<FixedOffset>>,
    /// Exclusive end.
    pub to: Option<DateTime<FixedOffset>>,
    pub adoption: Option<AdoptionFilter>,
    pub instructed: bool,
}

/// Which adoption levels to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdoptionFilter {
    /// Exactly this level.
    Level(Adoption),
    /// Any level above none.
    Adopted,
}

impl AdoptionFilter {
    /// Parses `none|county|city|province|national|adopted` (or Chinese labels).
    pub fn parse(s: &str) -> Result<AdoptionFilter> {
        if matches!(s.trim(), "adopted" | "any" | "已采用") {
            return Ok(AdoptionFilter::Adopted);
        }
        Adoption::parse(s).filter(|_| !s.trim().is_empty()).map(AdoptionFilter::Level).ok_or_else(|| {
            Error::Usage(format!("unknown adoption level '{s}' (none, county, city, province, national, adopted)"))
        })
    }
}

/// A window's bounds `[start, end)`, either open.
pub type Bounds = (Option<DateTime<FixedOffset>>, Option<DateTime<FixedOffset>>);

/// Parses `--from` and `--to` (either may be absent) into `[start, end)` bounds, refusing a
/// window that ends before it starts: such a window would silently match nothing.
pub fn parse_window(from: Option<&str>, to: Option<&str>) -> Result<Bounds> {
    let start = from.map(parse_from).transpose()?;
    let end = to.map(parse_to).transpose()?;
    if let (Some(a), Some(b), Some(f), Some(t)) = (start, end, from, to) {
        if b <= a {
            return Err(Error::Usage(format!(
                "--from {f} is after --to {t}: the window would be empty; give the earlier date to --from"
            )));
        }
    }
    Ok((start, end))
}
