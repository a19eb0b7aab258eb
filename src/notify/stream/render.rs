//! The chat bot's answers (Telegram HTML: `<b>` inside one line, `&amp;` `&lt;` `&gt;` `&quot;`
//! escapes; see `bot::text`) rendered as DingTalk markdown: bold as `**`, entities undone,
//! characters that would start markup in the text replaced by their full-width twins, and a
//! hard line break (two spaces) at every line end. Pure.

use crate::notify::RobotKind;
use crate::notify::shape::sanitize;

/// DingTalk markdown for an answer.
pub fn markdown(html: &str) -> String {
    html.trim_end()
        .lines()
        .map(line)
        .collect::<Vec<_>>()
        .join("  \n")
}

fn line(html: &str) -> String {
    let mut out = String::new();
    for (i, piece) in html.split("<b>").enumerate() {
        let (bold, rest) = match (i, piece.split_once("</b>")) {
            (0, _) | (_, None) => ("", piece),
            (_, Some((bold, rest))) => (bold, rest),
        };
        if !bold.is_empty() {
            out.push_str("**");
            out.push_str(&text(bold));
            out.push_str("**");
        }
        out.push_str(&text(rest));
    }
    out
}

fn text(escaped: &str) -> String {
    let plain = escaped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    sanitize(RobotKind::Dingtalk, &plain)
}

/// A short plain title for the chat list: the answer's first line without markup.
pub fn title(html: &str) -> String {
    let first = html.lines().next().unwrap_or_default();
    let plain = text(&first.replace("<b>", "").replace("</b>", ""));
    plain.chars().take(30).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_entities_and_line_breaks() {
        let html = "<b>2026年11月 未报送 2 / 18 个单位</b>（截止 2026-11-20）\n1. A&amp;B\n2. &lt;C&gt; *x*";
        assert_eq!(
            markdown(html),
            "**2026年11月 未报送 2 / 18 个单位**（截止 2026-11-20）  \n1. A&B  \n2. ＜C＞ ＊x＊"
        );
        assert_eq!(
            title(html),
            "2026年11月 未报送 2 / 18 个单位（截止 202" // the chat list shows 30 characters
        );
    }

    #[test]
    fn the_real_answers_render_without_tags() {
        let help = crate::bot::answers::help();
        let rendered = markdown(&help);
        assert!(
            !rendered.contains('<') && !rendered.contains("&lt;"),
            "{rendered}"
        );
        assert!(rendered.contains("/missing"));
    }
}
