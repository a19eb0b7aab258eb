//! Raw header decoding: what mail-parser does not do for us.
//!
//! mail-parser decodes well-formed headers, but older Chinese clients write raw 8-bit GBK into
//! headers (which it turns into lossy UTF-8), split encoded-words in ways it keeps spaces between,
//! and split RFC 2231 values inside a multi-byte character. This module reads a header's raw bytes
//! through the offsets mail-parser records and decodes them itself: UTF-8 when the bytes are valid
//! UTF-8, else GB18030 (a superset of GB2312 and GBK); RFC 2047 encoded-words in any charset
//! encoding_rs knows, with adjacent words of one charset joined before decoding.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use mail_parser::{Header, Message, MessagePart};

/// A sender or reply address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mailbox {
    /// The display name, decoded; `None` when absent or blank.
    pub name: Option<String>,
    /// The address, lower-cased.
    pub address: String,
}

/// Lenient base64 (encoded-words, bodies): padding optional, trailing bits ignored.
pub(crate) const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The raw value bytes of `header`, as they appear in `raw` (folding included).
pub(crate) fn raw_value<'a>(raw: &'a [u8], header: &Header<'_>) -> Option<&'a [u8]> {
    raw.get(header.offset_start as usize..header.offset_end as usize)
}

/// The raw value of the first header named `name` (case-insensitive) of a part.
pub(crate) fn part_raw<'a>(
    message: &'a Message<'_>,
    part: &MessagePart<'_>,
    name: &str,
) -> Option<&'a [u8]> {
    part.headers
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))
        .and_then(|h| raw_value(&message.raw_message, h))
}

/// The first top-level header named `name` (case-insensitive). mail-parser's own accessors
/// return the last one; the first is what mail clients show and what the delivering server added.
pub(crate) fn root_header<'a, 'x>(message: &'a Message<'x>, name: &str) -> Option<&'a Header<'x>> {
    message
        .parts
        .first()?
        .headers
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))
}

/// The raw value of the first top-level header named `name` (case-insensitive).
pub(crate) fn root_raw<'a>(message: &'a Message<'_>, name: &str) -> Option<&'a [u8]> {
    root_header(message, name).and_then(|h| raw_value(&message.raw_message, h))
}

/// The unfolded, trimmed text of the first top-level header named `name`, encoded-words decoded.
pub(crate) fn root_text(message: &Message<'_>, name: &str) -> Option<String> {
    root_raw(message, name).map(decode_unstructured)
}

/// Removes the line breaks of folded header lines, keeping the whitespace that follows them.
pub(crate) fn unfold(raw: &[u8]) -> Vec<u8> {
    raw.iter()
        .copied()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect()
}

/// Whether the header's bytes need our own decoding (they are not valid UTF-8).
pub(crate) fn is_raw_8bit(raw: &[u8]) -> bool {
    std::str::from_utf8(raw).is_err()
}

/// Decodes an unstructured header value (Subject and the like): raw bytes as UTF-8 or GB18030,
/// then RFC 2047 encoded-words.
pub(crate) fn decode_unstructured(raw: &[u8]) -> String {
    let text = bytes_to_text(&unfold(raw));
    decode_encoded_words(&text).trim().to_string()
}

/// Bytes of unknown charset: UTF-8 when valid, else GB18030 (what Chinese Windows writes).
pub(crate) fn bytes_to_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Bytes in a declared charset. An unknown label, or "UTF-8" on bytes that are not UTF-8 (a
/// common lie), falls back to [`bytes_to_text`].
pub(crate) fn decode_charset(label: &str, bytes: &[u8]) -> String {
    let label = label.split('*').next().unwrap_or_default().trim();
    match encoding_for(label) {
        Some(encoding) if encoding == encoding_rs::UTF_8 => bytes_to_text(bytes),
        Some(encoding) => encoding.decode_without_bom_handling(bytes).0.into_owned(),
        None => bytes_to_text(bytes),
    }
}

/// The encoding for a MIME charset label; Windows code page names encoding_rs lacks are mapped.
fn encoding_for(label: &str) -> Option<&'static encoding_rs::Encoding> {
    let lower = label.to_ascii_lowercase();
    let label = match lower.as_str() {
        "cp936" | "ms936" | "windows-936" | "x-mac-chinesesimp" => "gbk",
        "cp950" | "ms950" | "windows-950" => "big5",
        other => other,
    };
    encoding_rs::Encoding::for_label_no_replacement(label.as_bytes())
}

/// Decodes every RFC 2047 encoded-word in `text`. Whitespace between two adjacent encoded-words
/// is dropped (RFC 2047 §6.2), and adjacent words in one charset are joined before decoding, so a
/// character split across two words (a common encoder bug) survives.
pub(crate) fn decode_encoded_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending: Option<(String, Vec<u8>)> = None;
    let mut rest = text;
    while let Some(word) = find_encoded_word(rest) {
        let before = rest.get(..word.start).unwrap_or_default();
        let adjacent = pending.is_some() && before.chars().all(char::is_whitespace);
        if !adjacent {
            flush(&mut pending, &mut out);
            out.push_str(before);
        }
        match &mut pending {
            Some((charset, bytes)) if charset.eq_ignore_ascii_case(&word.charset) => {
                bytes.extend_from_slice(&word.bytes);
            }
            _ => {
                flush(&mut pending, &mut out);
                pending = Some((word.charset, word.bytes));
            }
        }
        rest = rest.get(word.end..).unwrap_or_default();
    }
    flush(&mut pending, &mut out);
    out.push_str(rest);
    out
}

fn flush(pending: &mut Option<(String, Vec<u8>)>, out: &mut String) {
    if let Some((charset, bytes)) = pending.take() {
        out.push_str(&decode_charset(&charset, &bytes));
    }
}

/// One encoded-word found in a text: where it is, its charset and its decoded bytes.
struct EncodedWord {
    start: usize,
    end: usize,
    charset: String,
    bytes: Vec<u8>,
}

/// Finds the first well-formed `=?charset?B|Q?text?=` in `text`.
fn find_encoded_word(text: &str) -> Option<EncodedWord> {
    let mut from = 0;
    while let Some(offset) = text.get(from..)?.find("=?") {
        let start = from + offset;
        if let Some(word) = parse_encoded_word(text, start) {
            return Some(word);
        }
        from = start + 2;
    }
    None
}

fn parse_encoded_word(text: &str, start: usize) -> Option<EncodedWord> {
    let body = text.get(start + 2..)?;
    let (charset, after_charset) = body.split_once('?')?;
    let (encoding, after_encoding) = after_charset.split_once('?')?;
    let payload_len = after_encoding.find("?=")?;
    let payload = after_encoding.get(..payload_len)?;
    let is_token = |s: &str| !s.is_empty() && !s.contains(|c: char| c.is_whitespace());
    if !is_token(charset) || payload.contains(|c: char| c.is_whitespace()) {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => LENIENT_BASE64.decode(payload).ok()?,
        "Q" | "q" => decode_q(payload.as_bytes()),
        _ => return None,
    };
    let end = start + 2 + charset.len() + 1 + encoding.len() + 1 + payload_len + 2;
    Some(EncodedWord {
        start,
        end,
        charset: charset.to_string(),
        bytes,
    })
}

/// RFC 2047 "Q" encoding: `_` is a space, `=XX` a byte.
fn decode_q(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len());
    let mut i = 0;
    while let Some(&b) = payload.get(i) {
        match b {
            b'_' => out.push(b' '),
            b'=' => match payload.get(i + 1..i + 3).and_then(hex_byte) {
                Some(byte) => {
                    out.push(byte);
                    i += 2;
                }
                None => out.push(b'='),
            },
            other => out.push(other),
        }
        i += 1;
    }
    out
}

/// Two hex digits as a byte.
pub(crate) fn hex_byte(pair: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(pair).ok()?;
    if text.len() != 2 {
        return None;
    }
    u8::from_str_radix(text, 16).ok()
}

/// Message identifiers (`<…>`) in a raw header value, in order, brackets kept. A lone identifier
/// written without brackets is given them.
pub(crate) fn message_ids(raw: &[u8]) -> Vec<String> {
    let text: Cow<'_, str> = String::from_utf8_lossy(raw);
    let mut ids = Vec::new();
    let mut rest = text.as_ref();
    while let Some(open) = rest.find('<') {
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('>') else { break };
        let id: String = after
            .get(..close)
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        if is_sane_id(&id) {
            ids.push(format!("<{id}>"));
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    let bare = text.trim();
    if ids.is_empty()
        && is_sane_id(bare)
        && !bare.contains(['<', '>'])
        && !bare.contains(char::is_whitespace)
    {
        ids.push(format!("<{bare}>"));
    }
    ids
}

/// An identifier worth keeping: not empty, within the 998-character line limit of RFC 5322
/// (a megabyte "Message-ID" is an attack, not an identifier), and free of control characters.
fn is_sane_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 998 && !id.chars().any(crate::domain::echo::is_unsafe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn raw_gbk_bytes_are_decoded_as_gb18030() {
        assert_eq!(bytes_to_text(&gbk("九宫庙街道报表")), "九宫庙街道报表");
        assert_eq!(bytes_to_text("跳磴镇".as_bytes()), "跳磴镇");
    }

    #[test]
    fn encoded_words_in_b_and_q_and_chinese_charsets() {
        assert_eq!(
            decode_encoded_words("=?GBK?B?sMvHxdXyMTDUwtTCsaix7S54bHN4?="),
            "八桥镇10月月报表.xlsx"
        );
        assert_eq!(
            decode_encoded_words("=?gb2312?B?vajKpNXysLKw7A==?="),
            "建胜镇安办"
        );
        assert_eq!(
            decode_encoded_words("=?gb18030?B?vsW5rMPtvda1wA==?="),
            "九宫庙街道"
        );
        assert_eq!(
            decode_encoded_words("=?utf-8?Q?=E6=8A=A5=E8=A1=A8_v2.xlsx?="),
            "报表 v2.xlsx"
        );
        assert_eq!(decode_encoded_words("=?UTF-8?q?a?= b"), "a b");
    }

    #[test]
    fn whitespace_between_adjacent_words_is_dropped_but_not_around_text() {
        let two = "=?utf-8?B?6Lez56O06ZWH?= =?utf-8?B?5oql6KGoLnhsc3g=?=";
        assert_eq!(decode_encoded_words(two), "跳磴镇报表.xlsx");
        let folded = "=?gb2312?B?vajKpNXy?=\t=?gb2312?B?sLKw7A==?=";
        assert_eq!(decode_encoded_words(folded), "建胜镇安办");
        assert_eq!(
            decode_encoded_words("Re: =?utf-8?B?5oql6KGo?= ok"),
            "Re: 报表 ok"
        );
    }

    #[test]
    fn a_character_split_across_two_words_survives() {
        // "报表" in UTF-8 is E6 8A A5 E8 A1 A8; split after the fourth byte.
        let split = "=?utf-8?B?5oql6A==?= =?utf-8?B?oag=?=";
        assert_eq!(decode_encoded_words(split), "报表");
    }

    #[test]
    fn malformed_words_are_left_as_text() {
        assert_eq!(decode_encoded_words("=?utf-8?X?abc?="), "=?utf-8?X?abc?=");
        assert_eq!(decode_encoded_words("a =? b ?= c"), "a =? b ?= c");
        assert_eq!(decode_encoded_words("=?utf-8?B?"), "=?utf-8?B?");
        assert_eq!(decode_encoded_words(""), "");
    }

    #[test]
    fn unknown_or_lying_charsets_fall_back() {
        assert_eq!(decode_charset("x-unknown", &gbk("报表")), "报表");
        assert_eq!(decode_charset("utf-8", &gbk("报表")), "报表");
        assert_eq!(decode_charset("cp936", &gbk("报表")), "报表");
        assert_eq!(decode_charset("utf-8*zh", "报表".as_bytes()), "报表");
    }

    #[test]
    fn unstructured_headers_are_unfolded_and_trimmed() {
        let mut raw = b" ".to_vec();
        raw.extend(gbk("八桥镇"));
        raw.extend_from_slice(b"\r\n =?utf-8?B?5oql6KGo?=\r\n");
        assert_eq!(decode_unstructured(&raw), "八桥镇 报表");
    }

    #[test]
    fn message_ids_keep_their_brackets() {
        assert_eq!(message_ids(b" <a@b>\r\n"), vec!["<a@b>"]);
        assert_eq!(
            message_ids(b" <a@b> <c@d>\r\n\t<e@f>"),
            vec!["<a@b>", "<c@d>", "<e@f>"]
        );
        assert_eq!(message_ids(b" a@b "), vec!["<a@b>"]);
        assert!(message_ids(b" <> ").is_empty());
        assert!(message_ids(b"  ").is_empty());
        assert!(message_ids(b"<unclosed").is_empty());
    }
}
