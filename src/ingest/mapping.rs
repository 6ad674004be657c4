//! Column mapping: which source column feeds which item field. Built-in Chinese and English
//! header synonyms, overridable with `--map field=列名`.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::ingest::cell::Cell;
use crate::ingest::{
    clean::{clean_prose, clean_text},
    dates,
};
use crate::item::{Adoption, Item};

/// A canonical item field that a column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    Title,
    Body,
    SubmittedAt,
    Submitter,
    Sector,
    Unit,
    Adoption,
    Instruction,
    Feedback,
    RepliedAt,
    Likes,
    Dislikes,
}

impl Field {
    /// Every field with its English name and the header synonyms accepted for it.
    pub const TABLE: &'static [(Field, &'static str, &'static [&'static str])] = &[
        (
            Field::Id,
            "id",
            &["id", "留言编号", "编号", "信息编号", "item_id", "序列号"],
        ),
        (
            Field::Title,
            "title",
            &[
                "title",
                "留言主题",
                "标题",
                "题目",
                "主题",
                "信息标题",
                "headline",
            ],
        ),
        (
            Field::Body,
            "body",
            &[
                "body",
                "留言详情",
                "内容",
                "正文",
                "详情",
                "信息内容",
                "content",
                "text",
                "review",
            ],
        ),
        (
            Field::SubmittedAt,
            "submitted_at",
            &[
                "submitted_at",
                "留言时间",
                "时间",
                "日期",
                "报送时间",
                "报送日期",
                "提交时间",
                "date",
                "time",
            ],
        ),
        (
            Field::Submitter,
            "submitter",
            &[
                "submitter",
                "留言用户",
                "报送人",
                "信息员",
                "作者",
                "提交人",
                "委员",
                "author",
                "user",
            ],
        ),
        (Field::Sector, "sector", &["sector", "界别"]),
        (
            Field::Unit,
            "unit",
            &["unit", "单位", "报送单位", "工作单位", "联委会"],
        ),
        (
            Field::Adoption,
            "adoption",
            &["adoption", "采用级别", "采用情况", "采用"],
        ),
        (
            Field::Instruction,
            "instruction",
            &["instruction", "领导批示", "批示", "批示内容"],
        ),
        (
            Field::Feedback,
            "feedback",
            &["feedback", "办理反馈", "反馈", "答复意见", "办理情况"],
        ),
        (
            Field::RepliedAt,
            "replied_at",
            &[
                "replied_at",
                "答复时间",
                "回复时间",
                "办理时间",
                "反馈时间",
                "reply_time",
            ],
        ),
        (Field::Likes, "likes", &["likes", "点赞数", "点赞"]),
        (Field::Dislikes, "dislikes", &["dislikes", "反对数", "反对"]),
    ];

    /// English name of the field, as used by `--map`.
    pub fn name(self) -> &'static str {
        Field::TABLE
            .iter()
            .find(|(f, _, _)| *f == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }

    /// Parses an English field name.
    pub fn from_name(name: &str) -> Option<Field> {
        let n = name.trim().to_lowercase();
        Field::TABLE
            .iter()
            .find(|(_, fname, _)| *fname == n)
            .map(|(f, _, _)| *f)
    }
}

/// Normalises a header for matching: trims spaces and a stray BOM, lowercases ASCII.
/// A date cell (报送时间, 答复时间): an Excel date as it is, text parsed; empty is no date.
fn date_of(cell: &Cell) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, String> {
    match cell {
        Cell::Date(naive) => dates::check_plausible(dates::from_naive(*naive)).map(Some),
        other => dates::parse_date(&other.to_text()),
    }
}

fn normalise_header(h: &str) -> String {
    h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{3000}')
        .to_lowercase()
}

/// User overrides from `--map field=列名`.
#[derive(Debug, Clone, Default)]
pub struct MapOverrides(Vec<(Field, String)>);

impl MapOverrides {
    /// Parses `field=column` pairs.
    pub fn parse(pairs: &[String]) -> Result<MapOverrides> {
        let mut out = Vec::new();
        for pair in pairs {
            let (f, col) = pair
                .split_once('=')
                .ok_or_else(|| Error::Usage(format!("--map expects field=column, got '{pair}'")))?;
            let field = Field::from_name(f).ok_or_else(|| {
                let names: Vec<_> = Field::TABLE.iter().map(|(_, n, _)| *n).collect();
                Error::Usage(format!(
                    "--map: unknown field '{f}' (fields: {})",
                    names.join(", ")
                ))
            })?;
            out.push((field, normalise_header(col)));
        }
        Ok(MapOverrides(out))
    }
}

/// The resolved mapping for one header row.
#[derive(Debug, Clone)]
pub struct ColumnMapping {
    headers: Vec<String>,
    /// For each column: the field it feeds, or `None` for an extra attribute.
    targets: Vec<Option<Field>>,
}

impl ColumnMapping {
    /// Resolves headers to fields: overrides first, then synonyms in the order of the
    /// synonym list (so 留言主题 beats 主题 when both exist). A field is fed by one column.
    pub fn resolve(headers: &[String], overrides: &MapOverrides) -> ColumnMapping {
        let norm: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let mut targets: Vec<Option<Field>> = vec![None; headers.len()];
        let mut taken: HashMap<Field, usize> = HashMap::new();
        for (field, col) in &overrides.0 {
            if let Some(i) = norm.iter().position(|h| h == col) {
                targets[i] = Some(*field);
                taken.insert(*field, i);
            }
        }
        for (field, _, synonyms) in Field::TABLE {
            if taken.contains_key(field) {
                continue;
            }
            for syn in *synonyms {
                if let Some(i) = norm.iter().position(|h| h == syn) {
                    if targets[i].is_none() {
                        targets[i] = Some(*field);
                        taken.insert(*field, i);
                        break;
                    }
                }
            }
        }
        ColumnMapping {
            headers: headers.to_vec(),
            targets,
        }
    }

    /// The optional columns (界别, 单位, 采用, 批示, 反馈, 点赞) this mapping feeds.
    pub fn columns(&self) -> crate::item::Columns {
        let mut c = crate::item::Columns::NONE;
        for f in self.targets.iter().flatten() {
            c.note(f.name());
        }
        c
    }

    /// Whether a title or a body column was found.
    pub fn has_text(&self) -> bool {
        self.targets
            .iter()
            .any(|t| matches!(t, Some(Field::Title | Field::Body)))
    }

    /// The error for a header row without title and body columns.
    pub fn missing_text_error(&self, path: &std::path::Path) -> Error {
        let accepted: Vec<String> = Field::TABLE
            .iter()
            .filter(|(f, _, _)| matches!(f, Field::Title | Field::Body))
            .map(|(_, n, syn)| format!("{n}: {}", syn.join("/")))
            .collect();
        Error::NoTextColumn {
            path: path.to_path_buf(),
            seen: self.headers.join(", "),
            accepted: accepted.join("; "),
        }
    }

    /// Header names, in source order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// A row's original values as a JSON object keyed by header (`columnN` past the header),
    /// for the rejects file.
    pub fn original_json(&self, values: impl Iterator<Item = String>) -> String {
        let obj: serde_json::Map<String, serde_json::Value> = values
            .enumerate()
            .map(|(i, v)| {
                let key = self
                    .headers
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("column{}", i + 1));
                (key, serde_json::Value::String(v))
            })
            .collect();
        serde_json::Value::Object(obj).to_string()
    }

    /// Turns one row of cells into an item, or a rejection `(field, reason)`.
    pub fn to_item(
        &self,
        cells: &[Cell],
        source: String,
    ) -> std::result::Result<Item, (String, String)> {
        let mut item = Item {
            source,
            ..Item::default()
        };
        for (i, cell) in cells.iter().enumerate() {
            let header = self.headers.get(i).map(String::as_str).unwrap_or("");
            let Some(field) = self.targets.get(i).copied().flatten() else {
                let text = clean_text(&cell.to_text());
                if !text.is_empty() {
                    let key = if header.trim().is_empty() {
                        format!("column{}", i + 1)
                    } else {
                        header.to_string()
                    };
                    item.extra.push((key, text));
                }
                continue;
            };
            // The field as errors name it, made only when one is reported.
            let label = || format!("{} ({})", field.name(), header);
            let fail = |reason: String| (label(), reason);
            match field {
                Field::Id => item.id = clean_text(&cell.to_id_text()),
                Field::Title => item.title = clean_prose(&cell.to_text()),
                Field::Body => item.body = clean_prose(&cell.to_text()),
                Field::SubmittedAt => item.submitted_at = date_of(cell).map_err(fail)?,
                Field::Submitter => item.submitter = clean_text(&cell.to_text()),
                Field::Sector => item.sector = clean_text(&cell.to_text()),
                Field::Unit => item.unit = clean_text(&cell.to_text()),
                Field::Adoption => {
                    let t = cell.to_text();
                    item.adoption = Adoption::parse(&t).ok_or_else(|| {
                        fail(format!(
                            "unknown adoption level '{}' (accepted: none/county/city/province/national, 未采用/县级/市级/省级/全国)",
                            dates::truncate(t.trim(), 30)
                        ))
                    })?;
                }
                Field::Instruction => item.instruction = clean_prose(&cell.to_text()),
                Field::Feedback => item.feedback = clean_prose(&cell.to_text()),
                Field::RepliedAt => item.replied_at = date_of(cell).map_err(fail)?,
                // A bad count loses the count, not the item (the cell goes to the rejects).
                Field::Likes | Field::Dislikes => match cell.to_count() {
                    Ok(n) if field == Field::Likes => item.likes = n,
                    Ok(n) => item.dislikes = n,
                    Err(reason) => item.bad_cells.push(crate::item::BadCell {
                        field: label(),
                        reason: format!("{reason} (item kept, field left empty)"),
                        original: cell.to_text(),
                    }),
                },
            }
        }
        if item.title.is_empty() && item.body.is_empty() {
            return Err((
                "title/body".into(),
                "item has neither a title nor a body".into(),
            ));
        }
        if item.id.is_empty() {
            item.id = item.derived_id();
        }
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn resolves_chinese_synonyms_and_overrides() {
        let m = ColumnMapping::resolve(
            &h(&["留言编号", "留言主题", "留言详情", "点赞数", "备注"]),
            &MapOverrides::default(),
        );
        assert_eq!(
            m.targets,
            vec![
                Some(Field::Id),
                Some(Field::Title),
                Some(Field::Body),
                Some(Field::Likes),
                None
            ]
        );
        let o = MapOverrides::parse(&["title=备注".into()]).unwrap();
        let m = ColumnMapping::resolve(&h(&["留言主题", "备注"]), &o);
        assert_eq!(m.targets, vec![None, Some(Field::Title)]);
        assert!(MapOverrides::parse(&["nope=x".into()]).is_err());
    }

    #[test]
    fn row_becomes_item_or_reject() {
        let m = ColumnMapping::resolve(
            &h(&["标题", "时间", "采用级别", "备注"]),
            &MapOverrides::default(),
        );
        let cells = |v: &[&str]| {
            v.iter()
                .map(|s| Cell::Text(s.to_string()))
                .collect::<Vec<_>>()
        };
        let it = m
            .to_item(
                &cells(&["停车难", "2024-01-02", "市级采用", "x"]),
                "f:2".into(),
            )
            .unwrap();
        assert_eq!(it.adoption, Adoption::City);
        assert_eq!(it.extra, vec![("备注".to_string(), "x".to_string())]);
        assert!(it.id.starts_with('h'));
        let err = m
            .to_item(&cells(&["停车难", "明天", "", ""]), "f:3".into())
            .unwrap_err();
        assert!(err.0.starts_with("submitted_at"));
        let err = m
            .to_item(&cells(&["", "", "", ""]), "f:4".into())
            .unwrap_err();
        assert!(err.1.contains("neither"));
    }
}
