//! Bounded echoes (SPEC §13): text that came from mail, made safe to print, log, send to a chat
//! or put back into a reply.
//!
//! Anything a sender writes may carry terminal escapes (`ESC [ … m`), carriage returns that
//! overwrite a log line, or bidirectional overrides that make a name read backwards. Those never
//! reach a person raw: [`printable_line`] is for one-line fields (subjects, addresses, file
//! names), [`printable_text`] for text whose line breaks matter (a chat answer). [`cut_chars`]
//! bounds what we echo.

/// The longest reply subject we write, in characters (SPEC §13).
pub const MAX_REPLY_SUBJECT_CHARS: usize = 200;

/// How many Message-IDs a reply's References keeps: the last ones (SPEC §13).
pub const MAX_REFERENCES: usize = 10;

/// The longest subject kept from an incoming message, in characters: enough for any real
/// subject, small enough that a 10 MB header costs nothing downstream.
pub const MAX_KEPT_SUBJECT_CHARS: usize = 1_000;

/// Characters that change how text is shown rather than being shown: C0 and C1 controls, and
/// the Unicode bidirectional embeddings, overrides and isolates.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One line of text with every unsafe character gone; a tab, CR or LF becomes a space.
pub fn printable_line(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\r' | '\n' => Some(' '),
            c if is_unsafe(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Text whose line breaks are kept (`\n`); every other unsafe character is gone, a tab becomes
/// a space.
pub fn printable_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if is_unsafe(c) => None,
            c => Some(c),
        })
        .collect()
}

/// The first `max` characters of `text` (never splitting a character).
pub fn cut_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_and_overrides_are_not_printed() {
        assert_eq!(
            printable_line("\u{1b}[31m红色\u{1b}[0m报表\r\n第二行\u{7}"),
            "[31m红色[0m报表  第二行"
        );
        assert_eq!(printable_line("abc\u{202E}gpj.exe"), "abcgpj.exe");
        assert_eq!(
            printable_line("\u{9b}31m"),
            "31m",
            "a C1 CSI is a control too"
        );
        assert_eq!(printable_text("一\n二\u{1b}\t三"), "一\n二 三");
    }

    #[test]
    fn cuts_count_characters_not_bytes() {
        assert_eq!(cut_chars("跳磴镇报表", 3), "跳磴镇");
        assert_eq!(cut_chars("ab", 5), "ab");
        assert_eq!(cut_chars("", 0), "");
    }
}
