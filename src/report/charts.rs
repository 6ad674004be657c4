//! Inline SVG charts for the HTML reports, drawn with plotters' SVG backend (text is left
//! to the browser, so Chinese labels need no font files). Every label is escaped by plotters.

use plotters::prelude::*;

const INK: RGBColor = RGBColor(0x1f, 0x4e, 0x79);
const RED: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x1f, 0x4e, 0x79),
    RGBColor(0xc0, 0x39, 0x2b),
    RGBColor(0x27, 0xae, 0x60),
    RGBColor(0xd4, 0x8b, 0x0b),
    RGBColor(0x8e, 0x44, 0xad),
    RGBColor(0x16, 0xa0, 0x85),
    RGBColor(0x7f, 0x8c, 0x8d),
    RGBColor(0xd3, 0x54, 0x00),
];

/// Text of `px` pixels as the SVG writes it (plotters writes a font size of n as n / 1.24).
fn font(px: u32) -> TextStyle<'static> {
    ("sans-serif", f64::from(px) * 1.24)
        .into_font()
        .color(&BLACK)
}

/// The smallest text in a chart, in pixels: legible when printed on A4, where a chart at most
/// as wide as the page's text (720 px) is not scaled down.
pub const MIN_TEXT: u32 = 12;

/// Room beside the plot for half of the widest axis label (text is centred on its tick):
/// without it the last label is cut ("2019年第四").
fn label_room(labels: &[String]) -> u32 {
    let widest = labels
        .iter()
        .map(|l| {
            l.chars()
                .map(|c| if c.is_ascii() { 1 } else { 2 })
                .sum::<u32>()
        })
        .max()
        .unwrap_or(0);
    // An ASCII character is about half the font size wide, a Han character the whole.
    widest * MIN_TEXT / 4 + 4
}

/// Turns plotters' result into the SVG text, or an empty string when drawing failed (a
/// chart never stops a report; the tables carry the same figures).
fn finish(buf: String, ok: Result<(), String>) -> String {
    match ok {
        Ok(()) => buf,
        Err(e) => {
            eprintln!("warning: a chart could not be drawn: {e}");
            String::new()
        }
    }
}

/// Whether the buckets are days or weeks, labelled by their first day (`2019-10-07`).
fn dated_buckets(labels: &[String]) -> bool {
    !labels.is_empty()
        && labels
            .iter()
            .all(|l| l.len() == 10 && l.as_bytes().get(7) == Some(&b'-'))
}

/// Where the x axis of `bars` has a tick and what it says: for daily or weekly buckets
/// (`2019-10-07`) the first bucket of each month, labelled with the month (`2019-10`); for
/// other buckets (months, quarters) each one. At most 12 ticks (every k-th), and every tick
/// is labelled.
fn ticks(labels: &[String]) -> Vec<(usize, String)> {
    let all: Vec<(usize, String)> = if dated_buckets(labels) {
        let mut starts: Vec<(usize, String)> = labels
            .iter()
            .enumerate()
            .filter(|(i, l)| *i == 0 || labels[i - 1][..7] != l[..7])
            .map(|(i, l)| (i, l[..7].to_string()))
            .collect();
        // A first week of the month before the window (2019-09-30 of Q4) is not a month.
        if starts.len() > 1 && starts[1].0 == 1 {
            starts.remove(0);
        }
        starts
    } else {
        labels.iter().cloned().enumerate().collect()
    };
    let step = all.len().div_ceil(12).max(1);
    let picked: Vec<(usize, String)> = all.into_iter().step_by(step).collect();
    // Months of one year read as 1月 … 12月 (seven-character dates touched each other).
    let month = |l: &str| l.len() == 7 && l.as_bytes()[4] == b'-';
    let one_year = picked
        .iter()
        .all(|(_, l)| month(l) && l[..4] == picked[0].1[..4]);
    if one_year && !picked.is_empty() {
        picked
            .into_iter()
            .map(|(i, l)| (i, format!("{}月", l[5..].trim_start_matches('0'))))
            .collect()
    } else {
        picked
    }
}

/// A bar chart of counts per bucket (the report's trend of items per week or month). The
/// x axis has a grid line and a label at each tick of [`ticks`] (months for weekly buckets),
/// the y axis a few labelled grid lines.
pub fn bars(labels: &[String], values: &[usize], caption: &str) -> String {
    let mut buf = String::new();
    let ok = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut buf, (680, 240)).into_drawing_area();
        root.fill(&WHITE)?;
        let n = values.len().max(1);
        let max = values.iter().copied().max().unwrap_or(0).max(1);
        let ticks = ticks(labels);
        let tick_labels: Vec<String> = ticks.iter().map(|t| t.1.clone()).collect();
        let room = label_room(&tick_labels);
        let top = max + max / 10 + 1;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, font(14))
            .margin(8)
            .margin_right(room.max(8))
            .x_label_area_size(34)
            .y_label_area_size(44)
            .build_cartesian_2d((0..n.max(2) - 1).into_segmented(), 0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .disable_x_axis()
            .y_labels(6)
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .label_style(font(MIN_TEXT))
            .y_desc("条")
            .draw()?;
        // The x grid and its labels, drawn where the ticks are (behind the bars).
        let label = font(MIN_TEXT).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        ));
        // Dated buckets (weeks) have a grid line where each month begins, labelled there;
        // other buckets (months, quarters) a label under each bar.
        let dated = dated_buckets(labels);
        for (i, text) in &ticks {
            let at = if dated {
                SegmentValue::Exact(*i)
            } else {
                SegmentValue::CenterOf(*i)
            };
            let (x, bottom) = chart.backend_coord(&(at.clone(), 0));
            if dated {
                let (_, upper) = chart.backend_coord(&(at, top));
                root.draw(&PathElement::new(vec![(x, upper), (x, bottom + 4)], GRID))?;
            }
            root.draw(&Text::new(text.clone(), (x, bottom + 6), label.clone()))?;
        }
        // One rectangle a bar, in order (plotters' Histogram sums its data in a HashMap and
        // drew the bars in a different order on every run).
        chart.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let mut bar = Rectangle::new(
                [(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), v)],
                INK.filled(),
            );
            bar.set_margin(0, 0, 2, 2);
            bar
        }))?;
        root.present()?;
        Ok(())
    })()
    .map_err(|e| e.to_string());
    finish(buf, ok)
}

/// A sparkline of monthly counts (no axes), with the last point marked.
pub fn sparkline(values: &[usize]) -> String {
    let mut buf = String::new();
    let ok = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut buf, (120, 28)).into_drawing_area();
        let n = values.len().max(2);
        let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(3)
            .build_cartesian_2d(0f64..(n - 1) as f64, 0f64..max)?;
        let pts: Vec<(f64, f64)> = if values.len() == 1 {
            vec![(0.0, values[0] as f64), (1.0, values[0] as f64)]
        } else {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64, *v as f64))
                .collect()
        };
        let last = *pts.last().expect("two points at least");
        chart.draw_series(LineSeries::new(pts, INK.stroke_width(2)))?;
        chart.draw_series(std::iter::once(Circle::new(last, 3, RED.filled())))?;
        root.present()?;
        Ok(())
    })()
    .map_err(|e| e.to_string());
    finish(buf, ok)
}

/// A heat map of counts: one row per topic, one column per sector (界别分布).
pub fn heatmap(rows: &[String], cols: &[String], counts: &[Vec<usize>]) -> String {
    let mut buf = String::new();
    if rows.is_empty() || cols.is_empty() {
        return buf;
    }
    let ok = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let cell_w = 58i32;
        let cell_h = 28i32;
        let left = 190i32;
        let top = 90i32;
        let w = (left + cell_w * cols.len() as i32 + 10) as u32;
        let h = (top + cell_h * rows.len() as i32 + 10) as u32;
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
        for (c, name) in cols.iter().enumerate() {
            let x = left + cell_w * c as i32 + cell_w / 2;
            root.draw(&Text::new(
                clip(name, 7),
                (x, top - 8),
                font(MIN_TEXT).transform(FontTransform::Rotate270),
            ))?;
        }
        for (r, name) in rows.iter().enumerate() {
            let y = top + cell_h * r as i32;
            root.draw(&Text::new(clip(name, 14), (4, y + 7), font(MIN_TEXT)))?;
            for (c, &v) in counts[r].iter().enumerate() {
                let x = left + cell_w * c as i32;
                let t = v as f64 / max;
                let fill = RGBColor(
                    (255.0 - t * (255.0 - 31.0)) as u8,
                    (255.0 - t * (255.0 - 78.0)) as u8,
                    (255.0 - t * (255.0 - 121.0)) as u8,
                );
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell_w - 2, y + cell_h - 2)],
                    fill.filled(),
                ))?;
                if v > 0 {
                    let colour = if t > 0.5 { WHITE } else { BLACK };
                    root.draw(&Text::new(
                        v.to_string(),
                        (x + cell_w / 2 - 8, y + 6),
                        font(MIN_TEXT).color(&colour),
                    ))?;
                }
            }
        }
        root.present()?;
        Ok(())
    })()
    .map_err(|e| e.to_string());
    finish(buf, ok)
}

/// Lines of several series over shared buckets (the batch index: top topics over time).
pub fn lines(labels: &[String], series: &[(String, Vec<usize>)], caption: &str) -> String {
    let mut buf = String::new();
    let ok = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut buf, (720, 300)).into_drawing_area();
        root.fill(&WHITE)?;
        let n = labels.len().max(2);
        let max = series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .max()
            .unwrap_or(0)
            .max(1);
        let room = label_room(labels);
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, font(14))
            .margin(8)
            .margin_right(room.max(8))
            .x_label_area_size(30)
            .y_label_area_size(room.max(44))
            .build_cartesian_2d(0..n - 1, 0..max + max / 10 + 1)?;
        chart
            .configure_mesh()
            .light_line_style(GRID)
            .x_labels(n.min(12))
            .x_label_formatter(&|i| labels.get(*i).cloned().unwrap_or_default())
            .label_style(font(MIN_TEXT))
            .y_desc("条")
            .draw()?;
        for (k, (name, values)) in series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(i, v)| (i, *v)),
                    colour.stroke_width(2),
                ))?
                .label(clip(name, 12))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(GRID)
            .label_font(font(MIN_TEXT))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
        root.present()?;
        Ok(())
    })()
    .map_err(|e| e.to_string());
    finish(buf, ok)
}

/// Shortens a label to `n` characters with an ellipsis.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (font size, x, text) of every text element of an SVG.
    fn texts(svg: &str) -> Vec<(f64, f64, String)> {
        let attr = |tag: &str, name: &str| -> Option<f64> {
            let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            tag[at..].split('"').next()?.parse().ok()
        };
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let (tag, rest) = t.split_once('>')?;
                let text = rest.split("</text>").next()?.trim().to_string();
                Some((attr(tag, "font-size")?, attr(tag, "x")?, text))
            })
            .collect()
    }

    #[test]
    fn chart_text_is_legible_and_not_cut() {
        let quarters: Vec<String> = ["一", "二", "三", "四"]
            .iter()
            .map(|q| format!("2019年第{q}季度"))
            .collect();
        let svg = lines(
            &quarters,
            &[("物业".into(), vec![107, 112, 120, 81])],
            "全期主要专题逐期条数",
        );
        let width: f64 = svg
            .split("width=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .expect("svg width");
        let ts = texts(&svg);
        assert!(ts.iter().any(|t| t.2 == "2019年第四季度"), "{svg}");
        for (size, x, text) in &ts {
            assert!(*size >= MIN_TEXT as f64, "{text} at {size} px");
            if text.starts_with("2019") {
                // Centred on x: half of it (a Han character is about one font size wide)
                // stays inside the chart.
                let half = text
                    .chars()
                    .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
                    .sum::<f64>()
                    * size
                    / 2.0;
                assert!(
                    x + half <= width && x - half >= 0.0,
                    "{text} cut at {x} of {width}"
                );
            }
        }
        let weeks: Vec<String> = (1..=13).map(|d| format!("2024-10-{d:02}")).collect();
        for (size, _, text) in texts(&bars(&weeks, &[3; 13], "按周")) {
            assert!(size >= MIN_TEXT as f64, "{text} at {size} px");
        }
        let sectors: Vec<String> = (0..10).map(|i| format!("界别{i}")).collect();
        let h = heatmap(&["物业".into()], &sectors, &[vec![1; 10]]);
        for (size, _, text) in texts(&h) {
            assert!(size >= MIN_TEXT as f64, "{text} at {size} px");
        }
    }

    /// A year of weeks: a grid line and a label at each month, every tick labelled (the
    /// chart drew 104 grid lines 1.6 px apart and left its last tick bare).
    #[test]
    fn a_year_of_weeks_is_gridded_by_month() {
        let start = chrono::NaiveDate::from_ymd_opt(2019, 1, 7).unwrap();
        let weeks: Vec<String> = (0..52)
            .map(|w| (start + chrono::Duration::weeks(w)).to_string())
            .collect();
        let svg = bars(&weeks, &[4; 52], "信息条数（按周）");
        let months: Vec<String> = texts(&svg)
            .into_iter()
            .map(|t| t.2)
            .filter(|t| t.ends_with('月'))
            .collect();
        let expected: Vec<String> = (1..=12).map(|m| format!("{m}月")).collect();
        assert_eq!(months, expected, "{svg}");
        // Grid lines: one per month and the few y lines, not one per week.
        let lines = svg.matches("<polyline").count() + svg.matches("<line").count();
        assert!(lines <= 30, "{lines} lines");
        // Months of a year: each labelled under its bar; across years, written whole.
        let t = ticks(&["2024-07".into(), "2024-08".into()]);
        assert_eq!(t, vec![(0, "7月".to_string()), (1, "8月".to_string())]);
        let t = ticks(&["2024-12".into(), "2025-01".into()]);
        assert_eq!(t[1].1, "2025-01");
    }

    #[test]
    fn bars_are_drawn_in_order_and_alike_on_every_run() {
        let labels: Vec<String> = (1..=12).map(|m| format!("2019-{m:02}")).collect();
        let values: Vec<usize> = (0..12).map(|i| (i * 7) % 10 + 1).collect();
        let svg = bars(&labels, &values, "月度信息量");
        let xs: Vec<u32> = svg
            .lines()
            .filter(|l| l.starts_with("<rect") && l.contains("#1F4E79"))
            .map(|l| l.split('"').nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(xs.len(), 12, "{svg}");
        assert!(
            xs.windows(2).all(|w| w[0] < w[1]),
            "bars left to right: {xs:?}"
        );
        for _ in 0..5 {
            assert_eq!(bars(&labels, &values, "月度信息量"), svg);
        }
    }

    #[test]
    fn charts_are_svg_and_escape_their_labels() {
        let s = bars(
            &["2024-07".into(), "2024-08".into()],
            &[3, 5],
            "<script>alert(1)</script>",
        );
        assert!(s.starts_with("<svg") && s.contains("</svg>"), "{s}");
        assert!(!s.contains("<script>"), "labels are escaped");
        assert!(
            sparkline(&[1, 4, 2]).contains("<polyline") || sparkline(&[1, 4, 2]).contains("<path")
        );
        let h = heatmap(&["加装电梯".into()], &["经济界".into()], &[vec![4]]);
        assert!(h.contains("加装电梯") && h.contains("<rect"), "{h}");
    }
}
