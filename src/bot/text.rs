//! Telegram text: HTML escaping for the parse mode the bot uses, and splitting at line ends so
//! that no message exceeds Telegram's limit of 4,096 characters.
//!
//! Answers put tags (`<b>…</b>`) inside one line only, so a split at a line end never cuts a tag.

/// Telegram's limit on one message's text.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// Escapes text for `ParseMode::Html`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Splits `text` into messages of at most `limit` characters, at line ends; a single line
/// longer than the limit is cut between characters, never inside an `&…;` entity.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(16);
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut current_chars = 0;
    for line in text.trim_end().lines() {
        for piece in cut_line(line, limit) {
            let piece_chars = piece.chars().count();
            let needed = if current.is_empty() {
                piece_chars
            } else {
                current_chars + 1 + piece_chars
            };
            if needed > limit && !current.is_empty() {
                chunks.push(std::mem::take(&mut current));
                current_chars = 0;
            }
            if !current.is_empty() {
                current.push('\n');
                current_chars += 1;
            }
            current.push_str(&piece);
            current_chars += piece_chars;
        }
    }
    if !current.trim().is_empty() {
        chunks.push(current);
    }
    chunks
}

/// A line in pieces of at most `limit` characters, not cutting an entity.
fn cut_line(line: &str, limit: usize) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= limit {
        return vec![line.to_string()];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let mut end = (start + limit).min(chars.len());
        if end < chars.len() {
            let window = chars.get(start..end).unwrap_or_default();
            // An entity opened in the last few characters and not closed: cut before it.
            if let Some(amp) = window.iter().rposition(|&c| c == '&')
                && !window.get(amp..).unwrap_or_default().contains(&';')
                && amp > 0
            {
                end = start + amp;
            }
        }
        pieces.push(chars.get(start..end).unwrap_or_default().iter().collect());
        start = end;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_html_mode_needs() {
        assert_eq!(escape("a<b> & \"c\""), "a&lt;b&gt; &amp; &quot;c&quot;");
        assert_eq!(escape("八桥镇"), "八桥镇");
    }

    #[test]
    fn short_text_is_one_message() {
        assert_eq!(split("一\n二\n", 4096), vec!["一\n二".to_string()]);
    }

    #[test]
    fn long_lists_split_at_line_ends_within_the_limit() {
        let lines: Vec<String> = (0..2000).map(|i| format!("{i}. 某某街道{i}")).collect();
        let text = lines.join("\n");
        let chunks = split(&text, MAX_MESSAGE_CHARS);
        assert!(chunks.len() > 1);
        assert!(
            chunks
                .iter()
                .all(|c| c.chars().count() <= MAX_MESSAGE_CHARS)
        );
        assert_eq!(chunks.join("\n"), text);
    }

    #[test]
    fn an_overlong_line_is_cut_outside_entities() {
        let line = "&amp;".repeat(10);
        let chunks = split(&line, 17);
        assert!(chunks.iter().all(|c| c.chars().count() <= 17));
        assert!(
            chunks
                .iter()
                .all(|c| c.starts_with('&') && c.ends_with(';'))
        );
        assert_eq!(chunks.concat(), line);
    }
}
