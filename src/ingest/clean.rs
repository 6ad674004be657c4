//! Text cleaning for cells: strips the `\n\t\t\t` padding and `\u{3000}` indentation that real
//! exports carry and folds runs of whitespace (a run holding a line break becomes one `\n`);
//! in prose (titles, bodies, instructions, feedback), also decodes the HTML character
//! references that text scraped from web pages carries (`&hellip;`, `&quot;`, `&nbsp;`).

/// Whether `c` counts as whitespace for folding (includes ideographic and no-break spaces).
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{3000}' | '\u{00a0}' | '\u{200b}' | '\u{feff}')
}

/// Cleans one cell of text.
pub fn clean_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending: Option<char> = None;
    for c in raw.chars() {
        if is_space(c) {
            let folded = if c == '\n' || c == '\r' { '\n' } else { ' ' };
            pending = match pending {
                Some('\n') => Some('\n'),
                _ => Some(folded),
            };
            continue;
        }
        if let Some(p) = pending.take() {
            if !out.is_empty() {
                out.push(p);
            }
        }
        if !c.is_control() {
            out.push(c);
        }
    }
    out
}

/// Cleans one cell of prose: HTML character references decoded (`&hellip;` → `…`; an `&`
/// that starts none stays), then [`clean_text`]. Left encoded, `hellip` and `quot` became
/// topic keywords of the shopping reviews.
pub fn clean_prose(raw: &str) -> String {
    // Borrows `raw` when it holds no character reference.
    clean_text(&html_escape::decode_html_entities(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_character_references_in_prose() {
        assert_eq!(
            clean_prose("送了好多赠品&hellip;&hellip;&nbsp;&quot;好评&quot; &#8226; A&B公司 &amp"),
            "送了好多赠品…… \"好评\" • A&B公司 &amp"
        );
        // Identifiers and names are not prose.
        assert_eq!(clean_text("A&amp;B"), "A&amp;B");
    }

    #[test]
    fn strips_export_padding() {
        assert_eq!(
            clean_text("\n\t\t\t\t\t\u{3000}\u{3000}市民反映 问题\n\t\t\t\t"),
            "市民反映 问题"
        );
        assert_eq!(
            clean_text("第一段。\r\n\r\n  第二段。"),
            "第一段。\n第二段。"
        );
        assert_eq!(clean_text("a \t b"), "a b");
        assert_eq!(clean_text("   "), "");
    }
}
