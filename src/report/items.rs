//! Items as an editor's table (`minyi export --format csv|xlsx`): one row per item with
//! Chinese headers, only the columns the data has, and every other source column after them.

#[cfg(feature = "xlsx")]
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::item::{Columns, Item};

/// Excel's limit on the characters of one cell.
#[cfg(feature = "xlsx")]
const CELL_CHARS: usize = 32_767;

/// An optional column: whether the data has it, its header, its cell.
type Optional = (bool, &'static str, fn(&Item) -> String);

/// The header and rows of the items' table: 编号, 标题, 正文, 报送时间, 报送人, the optional
/// columns present, 地点/人群, then the source's other columns (in first-seen order).
pub fn table(items: &[Item], cols: Columns) -> (Vec<String>, Vec<Vec<String>>) {
    let replied = items.iter().any(|i| i.replied_at.is_some());
    let optional: [Optional; 8] = [
        (cols.sector, "界别", |i| i.sector.clone()),
        (cols.unit, "单位", |i| i.unit.clone()),
        (cols.adoption, "采用级别", |i| {
            i.adoption.label_zh().to_string()
        }),
        (cols.instruction, "领导批示", |i| i.instruction.clone()),
        (cols.feedback, "办理反馈", |i| i.feedback.clone()),
        (replied, "答复时间", |i| {
            i.replied_at
                .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default()
        }),
        (cols.likes, "点赞数", |i| count(i.likes)),
        (cols.likes, "反对数", |i| count(i.dislikes)),
    ];
    let mut extra: Vec<&str> = Vec::new();
    for it in items {
        for (k, _) in &it.extra {
            if !extra.contains(&k.as_str()) {
                extra.push(k);
            }
        }
    }
    let mut header: Vec<String> = ["编号", "标题", "正文", "报送时间", "报送人"]
        .map(String::from)
        .to_vec();
    header.extend(optional.iter().filter(|o| o.0).map(|o| o.1.to_string()));
    header.push("地点/人群".into());
    header.extend(extra.iter().map(|k| k.to_string()));
    let rows = items
        .iter()
        .map(|it| {
            let mut row = vec![
                it.id.clone(),
                it.title.clone(),
                it.body.clone(),
                it.submitted_at
                    .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                it.submitter.clone(),
            ];
            row.extend(optional.iter().filter(|o| o.0).map(|o| (o.2)(it)));
            row.push(it.places.join("、"));
            row.extend(extra.iter().map(|k| {
                it.extra
                    .iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            }));
            row
        })
        .collect();
    (header, rows)
}

fn count(n: Option<u64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// The table as CSV for Excel (UTF-8 with BOM, no cell read as a formula).
pub fn csv<W: std::io::Write>(items: &[Item], cols: Columns, out: W) -> crate::Result<()> {
    let (header, rows) = table(items, cols);
    let mut w = super::SafeCsv::to(out)?;
    w.row(&header)?;
    for r in &rows {
        w.row(r)?;
    }
    w.flush()?;
    Ok(())
}

/// The table as an Excel workbook (sheet 信息明细): text as text, counts as numbers.
#[cfg(feature = "xlsx")]
pub fn xlsx(items: &[Item], cols: Columns) -> crate::Result<Vec<u8>> {
    xlsx_inner(items, cols)
        .map_err(|e| crate::Error::Output(format!("cannot write the workbook: {e}")))
}

/// [`xlsx`] in a build without the Excel writer.
#[cfg(not(feature = "xlsx"))]
pub fn xlsx(_items: &[Item], _cols: Columns) -> crate::Result<Vec<u8>> {
    Err(crate::error::not_built("xlsx", "Excel 输出"))
}

#[cfg(feature = "xlsx")]
fn xlsx_inner(items: &[Item], cols: Columns) -> Result<Vec<u8>, XlsxError> {
    let (header, rows) = table(items, cols);
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("信息明细")?;
    let bold = Format::new().set_bold().set_background_color("#EEF3F8");
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
        let width = match h.as_str() {
            "标题" => 36.0,
            "正文" => 60.0,
            "报送时间" => 17.0,
            _ => 12.0,
        };
        ws.set_column_width(c as u16, width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            let counted = matches!(header[c as usize].as_str(), "点赞数" | "反对数");
            match cell.parse::<u64>() {
                Ok(n) if counted => ws.write_number(r, c, n as f64)?,
                _ => {
                    let text: String = cell.chars().take(CELL_CHARS).collect();
                    ws.write_string(r, c, text)?
                }
            };
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_columns_are_left_out_and_extras_follow() {
        let a = Item {
            id: "1".into(),
            title: "=停车难".into(),
            body: "晚上没有车位".into(),
            likes: Some(3),
            extra: vec![("答复意见".into(), "已转交".into())],
            ..Item::default()
        };
        let cols = Columns {
            likes: true,
            ..Columns::NONE
        };
        let (header, rows) = table(std::slice::from_ref(&a), cols);
        assert!(!header.contains(&"界别".to_string()), "{header:?}");
        assert!(header.contains(&"点赞数".to_string()));
        assert_eq!(header.last().unwrap(), "答复意见");
        assert_eq!(rows[0].last().unwrap(), "已转交");
        let mut out = Vec::new();
        csv(std::slice::from_ref(&a), cols, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("'=停车难"), "{text}");
        #[cfg(feature = "xlsx")]
        assert!(xlsx(&[a], cols).unwrap().starts_with(b"PK"));
    }
}
