//! mail-parser, called so that no input can bring the process down.
//!
//! Two hazards were measured on mail-parser 0.11.9: (1) a message whose `message/rfc822` parts are
//! nested some tens of thousands deep (a 3 MB message suffices) parses fine but overflows the stack
//! when the parsed tree is dropped, which aborts the process; (2) it contains `debug_assert!`s and
//! unchecked subtractions, which panic in debug builds on some malformed input. So messages with
//! implausibly many nested-message markers are refused before parsing, and any panic is caught.

use std::panic::{AssertUnwindSafe, catch_unwind};

use mail_parser::{Message, MessageParser};

/// More `message/rfc822` (or `message/global`) markers than this and a message is not parsed
/// beyond its headers. Far above any real mail, far below the nesting that overflows a 2 MiB stack
/// (which was seen above 25,000).
const MAX_NESTED_MESSAGE_MARKERS: usize = 1_000;

/// The outcome of parsing raw bytes as a message.
pub(crate) enum Parsed<'x> {
    Message(Message<'x>),
    /// Too many nested messages to parse safely; the top-level headers only.
    TooNested(Option<Message<'x>>),
    /// The parser failed (panicked) on the body; the top-level headers only.
    Broken(Option<Message<'x>>),
    /// No header could be found.
    Nothing,
}

/// Parses a whole message, unless it holds too many nested messages.
pub(crate) fn parse_full(raw: &[u8]) -> Parsed<'_> {
    if count_nested_message_markers(raw) > MAX_NESTED_MESSAGE_MARKERS {
        return Parsed::TooNested(parse_headers(raw));
    }
    match catch_unwind(AssertUnwindSafe(|| MessageParser::default().parse(raw))) {
        Ok(Some(message)) if !message.parts.is_empty() => Parsed::Message(message),
        Ok(_) => Parsed::Nothing,
        // A panic inside the parser: fall back to what the headers say.
        Err(_) => Parsed::Broken(parse_headers(raw)),
    }
}

/// Parses the top-level headers only (cheap, and safe whatever follows them).
pub(crate) fn parse_headers(raw: &[u8]) -> Option<Message<'_>> {
    catch_unwind(AssertUnwindSafe(|| {
        MessageParser::default().parse_headers(raw)
    }))
    .ok()
    .flatten()
    .filter(|message| !message.parts.is_empty())
}

/// Counts `message/rfc822` and `message/global`, case-insensitive, anywhere in the bytes.
fn count_nested_message_markers(raw: &[u8]) -> usize {
    const PREFIX: &[u8] = b"message";
    const SUFFIXES: [&[u8]; 2] = [b"rfc822", b"global"];
    raw.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'/')
        .filter(|(i, _)| {
            let before = i
                .checked_sub(PREFIX.len())
                .and_then(|start| raw.get(start..*i));
            let after = raw.get(i + 1..i + 7);
            before.is_some_and(|b| b.eq_ignore_ascii_case(PREFIX))
                && after.is_some_and(|a| SUFFIXES.iter().any(|s| a.eq_ignore_ascii_case(s)))
        })
        .count()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A message whose body is a message/rfc822 nested `depth` times.
    pub(crate) fn nested_messages(depth: usize) -> Vec<u8> {
        let mut raw = b"From: a@b.c\r\nSubject: deep\r\n".to_vec();
        for _ in 0..depth {
            raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
        }
        raw.extend_from_slice(b"Content-Type: text/plain\r\n\r\nhello\r\n");
        raw
    }

    #[test]
    fn markers_are_counted_case_insensitively() {
        assert_eq!(
            count_nested_message_markers(b"Message/RFC822 message/global x/rfc822 message/rfc"),
            2
        );
        assert_eq!(count_nested_message_markers(b"/rfc822"), 0);
        assert_eq!(count_nested_message_markers(b""), 0);
    }

    #[test]
    fn deeply_nested_messages_are_not_parsed_but_their_headers_are() {
        let raw = nested_messages(100_000);
        let Parsed::TooNested(Some(headers)) = parse_full(&raw) else {
            panic!("expected TooNested")
        };
        assert_eq!(headers.subject(), Some("deep"));
    }

    #[test]
    fn ordinary_and_empty_input() {
        assert!(matches!(
            parse_full(&nested_messages(3)),
            Parsed::Message(_)
        ));
        assert!(matches!(parse_full(b""), Parsed::Nothing));
        assert!(parse_headers(b"").is_none());
        assert!(parse_headers(b"Subject: x\r\n\r\nbody").is_some());
    }
}
