//! Text cleaning for cells: strips the `\n\t\t\t` padding and `\u{3000}` indentation that real
//! exports carry and folds runs of whitespace (a run holding a line break becomes one `\n`);
//! in prose (titles, bodies, instructions, feedback), also decodes the HTML character
//! references that text scraped from web pages carries (`&hellip;`, `&quot;`, `&nbsp;`), and
//! strips the HTML elements copied along with it (`<br>`, `<p>`, `<script>…</script>`).

/// Whether `c` counts as whitespace for folding (includes ideographic and no-break spaces).
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{3000}' | '\u{00a0}' | '\u{200b}' | '\u{feff}')
}

/// Cleans one cell of text.
pub fn clean_text(raw: &str) -> String {
    let raw = &*decode_ooxml_escapes(raw);
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

/// Cleans one cell of prose: HTML elements stripped ([`strip_html`]), character references
/// decoded (`&hellip;` → `…`; an `&` that starts none stays), then [`clean_text`]. Left
/// encoded, `hellip` and `quot` became topic keywords of the shopping reviews.
pub fn clean_prose(raw: &str) -> String {
    let stripped = strip_html(raw);
    // Borrows when it holds no character reference.
    clean_text(&html_escape::decode_html_entities(&stripped))
}

/// HTML elements whose tags are stripped from prose. Only these: the messages write titles
/// of documents in angle brackets (`<A市人才购房及购房补贴实施办法>`), which an HTML parser
/// would take for an unknown element and drop with its text — so this is a scanner for
/// known tags, not a parser (html5ever, and the cleaners built on it, read any `<` followed
/// by a letter as a tag).
#[rustfmt::skip]
const ELEMENTS: &[&str] = &[
    "a", "abbr", "article", "b", "blockquote", "body", "br", "button", "center", "code", "dd",
    "div", "dl", "dt", "em", "font", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "head", "header", "hr", "html", "i", "iframe", "img", "input", "label", "li", "link",
    "meta", "nav", "noscript", "ol", "option", "p", "pre", "section", "select", "small",
    "span", "strong", "style", "sub", "sup", "table", "tbody", "td", "textarea", "tfoot", "th",
    "thead", "title", "tr", "u", "ul", "script",
];

/// Elements whose content is not text either: dropped with their tags.
#[rustfmt::skip]
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "iframe", "textarea", "head",
];

/// Elements that break a line: replaced by a line break, the rest by nothing.
#[rustfmt::skip]
const BLOCKS: &[&str] = &[
    "br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "blockquote",
    "section", "article", "table", "ul", "ol", "dl", "dd", "dt", "pre",
];

/// Parses a tag at the start of `s` (which starts with `<`): its lower-case name when it is a
/// known element's opening, closing or self-closing tag (`<br>`, `</p>`, `<div class="x">`,
/// `<br/>`), with whether it closes and its length in bytes; an HTML comment as the name `!`.
fn tag_at(s: &str) -> Option<(String, bool, usize)> {
    if let Some(rest) = s.strip_prefix("<!--") {
        let end = rest.find("-->")?;
        return Some(("!".into(), false, 4 + end + 3));
    }
    let b = s.as_bytes();
    let mut i = 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let name = s[start..i].to_ascii_lowercase();
    if !ELEMENTS.contains(&name.as_str()) {
        return None;
    }
    // Then attributes (`class="x"`, `href=url`, `hidden`), each after white space, an
    // optional `/`, and `>`: anything else (`<b 与 3>`) is not markup.
    let space = |i: &mut usize| {
        let from = *i;
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
        *i > from
    };
    loop {
        let spaced = space(&mut i);
        match b.get(i) {
            Some(b'>') => return Some((name, closing, i + 1)),
            Some(b'/') if b.get(i + 1) == Some(&b'>') => return Some((name, closing, i + 2)),
            Some(c) if spaced && (c.is_ascii_alphabetic() || *c == b'_') => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b"-_:.".contains(&b[i])) {
                    i += 1;
                }
                space(&mut i);
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    space(&mut i);
                    match b.get(i) {
                        Some(&q @ (b'"' | b'\'')) => {
                            let close = s[i + 1..].find(q as char)?;
                            i += close + 2;
                        }
                        Some(_) => {
                            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                                i += 1;
                            }
                        }
                        None => return None,
                    }
                }
            }
            _ => return None,
        }
    }
}

/// Strips known HTML elements' tags from text copied from web pages: block tags become a
/// line break, inline tags nothing, `<script>`/`<style>` go with their content, comments
/// go. Text in angle brackets that is not a known tag stays as written. Borrows `raw` when
/// it holds no `<`.
pub fn strip_html(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains('<') {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match tag_at(rest) {
            None => {
                out.push('<');
                rest = &rest[1..];
            }
            Some((name, closing, len)) => {
                rest = &rest[len..];
                if name == "!" {
                    continue;
                }
                if !closing && DROPPED.contains(&name.as_str()) {
                    // Everything up to the closing tag (or the end) goes.
                    let close = format!("</{name}");
                    let lower = rest.to_ascii_lowercase();
                    match lower.find(&close) {
                        Some(c) => {
                            rest = &rest[c..];
                            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
                            rest = &rest[end..];
                        }
                        None => rest = "",
                    }
                    out.push(' ');
                } else if BLOCKS.contains(&name.as_str()) {
                    out.push('\n');
                } else {
                    out.push(' ');
                }
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Decodes Excel's escapes of characters XML cannot hold (`_x000D_` for a carriage return,
/// `_x005F_` for an underscore), which survive in CSV files saved from a workbook and would
/// otherwise be indexed as a word "x000d". Borrows when there is none.
pub fn decode_ooxml_escapes(raw: &str) -> std::borrow::Cow<'_, str> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    if !raw.contains("_x") {
        return std::borrow::Cow::Borrowed(raw);
    }
    let re = RE.get_or_init(|| regex::Regex::new(r"_x([0-9A-Fa-f]{4})_").expect("valid"));
    re.replace_all(raw, |c: &regex::Captures| {
        u32::from_str_radix(&c[1], 16)
            .ok()
            .and_then(char::from_u32)
            .map_or_else(|| c[0].to_string(), |ch| ch.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_excel_escapes_of_control_characters() {
        // A body saved from Excel to CSV keeps its line breaks as `_x000D_`.
        assert_eq!(
            clean_prose("第一段_x000D_\n第二段_x005F_x"),
            "第一段\n第二段_x"
        );
        assert_eq!(clean_text("无转义_x12"), "无转义_x12");
    }

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
    fn strips_html_elements_but_not_titles_in_angle_brackets() {
        assert_eq!(
            clean_prose("第一段<br>第二段<BR/>第三段<p class=\"x\">第四段</p>"),
            "第一段\n第二段\n第三段\n第四段"
        );
        assert_eq!(
            clean_prose("正文<script type=\"text/javascript\">var adScript = 1;</script>结尾"),
            "正文 结尾"
        );
        assert_eq!(
            clean_prose("<style>.a{color:red}</style><span>加粗</span>的<!-- 注释 -->文字"),
            "加粗 的文字"
        );
        // Document titles in angle brackets, comparisons and unknown tags stay.
        let kept =
            "依据<A市人才购房及购房补贴实施办法（试行）>，<A3区市场监管局>答复 a<b 与 3>2 <foo>";
        assert_eq!(clean_prose(kept), kept);
        // An unclosed script drops the rest; a lone `<br` without `>` stays.
        assert_eq!(clean_prose("文字<script>var x"), "文字");
        assert_eq!(clean_prose("a <br b"), "a <br b");
        assert_eq!(clean_prose("&lt;br&gt;"), "<br>");
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
