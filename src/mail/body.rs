//! Part bodies read again from the raw message.
//!
//! mail-parser hands text parts over already converted to UTF-8 (lossily when the charset is
//! missing or wrong). A text part a unit attached as a file must keep its original bytes, and a
//! body written in GBK without a charset must still read as Chinese; both need the raw bytes,
//! undone from base64 or quoted-printable here.

use base64::Engine as _;
use mail_parser::{Encoding, Message, MessagePart, MimeHeaders, PartType};

use super::headers::{LENIENT_BASE64, bytes_to_text, hex_byte};

/// The part's body bytes, transfer encoding undone but no charset applied.
pub(crate) fn raw_body_bytes(message: &Message<'_>, part: &MessagePart<'_>) -> Vec<u8> {
    let range = part.offset_body as usize..part.offset_end as usize;
    let Some(raw) = message.raw_message.get(range) else {
        return part.contents().to_vec();
    };
    match part.encoding {
        Encoding::Base64 => {
            let clean: Vec<u8> = raw
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            LENIENT_BASE64
                .decode(clean)
                .unwrap_or_else(|_| part.contents().to_vec())
        }
        Encoding::QuotedPrintable => decode_quoted_printable(raw),
        Encoding::None => raw.to_vec(),
    }
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` is a byte, `=` at a line end joins lines.
fn decode_quoted_printable(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if b != b'=' {
            out.push(b);
            i += 1;
        } else if let Some(byte) = raw.get(i + 1..i + 3).and_then(hex_byte) {
            out.push(byte);
            i += 3;
        } else if raw.get(i + 1..i + 3) == Some(b"\r\n") {
            i += 3;
        } else if raw.get(i + 1) == Some(&b'\n') {
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

/// The first text body, decoded; HTML-only mail is turned into text. A body in GBK without a
/// charset (or labelled UTF-8) is recovered from the raw bytes.
pub(crate) fn first_text_body(message: &Message<'_>) -> String {
    let Some(part) = message
        .text_body
        .first()
        .and_then(|id| message.parts.get(*id as usize))
    else {
        return String::new();
    };
    match &part.body {
        PartType::Text(text) if text.contains('\u{FFFD}') && charset_may_lie(part) => {
            bytes_to_text(&raw_body_bytes(message, part))
        }
        PartType::Text(text) => text.to_string(),
        PartType::Html(html) => mail_parser::decoders::html::html_to_text(html),
        _ => String::new(),
    }
}

fn charset_may_lie(part: &MessagePart<'_>) -> bool {
    let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
    charset.is_none_or(|c| {
        ["utf-8", "utf8", "us-ascii", "ascii"]
            .iter()
            .any(|known| c.trim().eq_ignore_ascii_case(known))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    #[test]
    fn quoted_printable_bytes_and_soft_breaks() {
        assert_eq!(
            decode_quoted_printable(b"=B1=A8=\r\n=B1=ED a=3D1="),
            b"\xB1\xA8\xB1\xED a=1="
        );
        assert_eq!(decode_quoted_printable(b"x=\ny=ZZ"), b"xy=ZZ");
    }

    #[test]
    fn a_gbk_body_without_charset_is_recovered() {
        let mut raw = b"From: a@b.c\r\nContent-Type: text/plain\r\n\r\n".to_vec();
        raw.extend(encoding_rs::GBK.encode("请查收报表").0.iter());
        let message = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(first_text_body(&message).trim(), "请查收报表");
    }

    #[test]
    fn a_base64_utf8_body_is_decoded_and_html_only_becomes_text() {
        let raw = b"From: a@b.c\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n5oql6KGo\r\n";
        let message = MessageParser::default().parse(&raw[..]).unwrap();
        assert_eq!(first_text_body(&message).trim(), "报表");
        let html = b"From: a@b.c\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>\xE6\x8A\xA5\xE8\xA1\xA8</p>";
        let message = MessageParser::default().parse(&html[..]).unwrap();
        assert_eq!(first_text_body(&message).trim(), "报表");
    }

    #[test]
    fn a_declared_charset_other_than_utf8_is_trusted() {
        let raw = b"From: a@b.c\r\nContent-Type: text/plain; charset=big5\r\n\r\n\xB3\xF8\xAA\xED";
        let message = MessageParser::default().parse(&raw[..]).unwrap();
        assert_eq!(first_text_body(&message).trim(), "報表");
    }
}
