//! Parameters of Content-Type and Content-Disposition, read from the raw header bytes.
//!
//! Handles every way a file name arrives: a token or quoted string (raw 8-bit UTF-8 or GBK, or
//! RFC 2047 encoded-words inside the quotes, against the RFC but what Foxmail, QQ Mail and Outlook
//! write), RFC 2231 `filename*=charset''%XX` and continuations `filename*0*=…; filename*1*=…`,
//! whose bytes are joined before the charset is applied, so a split multi-byte character survives.

use super::headers::{bytes_to_text, decode_charset, decode_encoded_words, hex_byte, unfold};

/// The decoded value of parameter `name` (case-insensitive) in a raw Content-Type or
/// Content-Disposition value. RFC 2231 forms win over a plain value given beside them.
pub(crate) fn param(raw_header: &[u8], name: &str) -> Option<String> {
    let params = split_params(&unfold(raw_header));
    let mut plain = None;
    let mut extended = None;
    let mut sections: Vec<Section> = Vec::new();
    for (attribute, value) in params {
        let Some(form) = parse_attribute(&attribute, name) else {
            continue;
        };
        match form {
            Form::Plain => plain = plain.or(Some(value)),
            Form::Extended => extended = extended.or(Some(value)),
            Form::Section { index, encoded } => sections.push(Section {
                index,
                encoded,
                value,
            }),
        }
    }
    let text = if let Some(value) = extended {
        decode_extended(&value)
    } else if !sections.is_empty() {
        join_sections(sections)
    } else {
        bytes_to_text(&plain?)
    };
    let text = decode_encoded_words(&text);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// How an attribute relates to the parameter asked for.
enum Form {
    Plain,
    Extended,
    Section { index: u32, encoded: bool },
}

struct Section {
    index: u32,
    encoded: bool,
    value: Vec<u8>,
}

fn parse_attribute(attribute: &str, name: &str) -> Option<Form> {
    let attribute = attribute.to_ascii_lowercase();
    let rest = attribute.strip_prefix(&name.to_ascii_lowercase())?;
    if rest.is_empty() {
        return Some(Form::Plain);
    }
    let rest = rest.strip_prefix('*')?;
    if rest.is_empty() {
        return Some(Form::Extended);
    }
    let (digits, encoded) = match rest.strip_suffix('*') {
        Some(digits) => (digits, true),
        None => (rest, false),
    };
    let index = digits.parse().ok()?;
    Some(Form::Section { index, encoded })
}

/// RFC 2231 continuations: the bytes of all sections in order, then the charset of section 0.
fn join_sections(mut sections: Vec<Section>) -> String {
    sections.sort_by_key(|s| s.index);
    sections.dedup_by_key(|s| s.index);
    let mut charset = None;
    let mut bytes = Vec::new();
    for section in &sections {
        if !section.encoded {
            bytes.extend_from_slice(&section.value);
        } else if section.index == 0 {
            let (label, data) = split_charset(&section.value);
            charset = label;
            bytes.extend(percent_decode(data));
        } else {
            bytes.extend(percent_decode(&section.value));
        }
    }
    match charset {
        Some(label) if !label.is_empty() => decode_charset(&label, &bytes),
        _ => bytes_to_text(&bytes),
    }
}

/// A single `name*=charset'lang'%XX…` value.
fn decode_extended(value: &[u8]) -> String {
    let (label, data) = split_charset(value);
    let bytes = percent_decode(data);
    match label {
        Some(label) if !label.is_empty() => decode_charset(&label, &bytes),
        _ => bytes_to_text(&bytes),
    }
}

/// Splits `charset'language'data`; a value without the two quotes is all data.
fn split_charset(value: &[u8]) -> (Option<String>, &[u8]) {
    let mut parts = value.splitn(3, |b| *b == b'\'');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(charset), Some(_language), Some(data)) => (
            Some(String::from_utf8_lossy(charset).trim().to_string()),
            data,
        ),
        _ => (None, value),
    }
}

fn percent_decode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while let Some(&b) = data.get(i) {
        match data.get(i + 1..i + 3).and_then(hex_byte) {
            Some(byte) if b == b'%' => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Splits `type/subtype; a=1; b="x;y"` into its `(attribute, value)` pairs, values unquoted.
fn split_params(value: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut params = Vec::new();
    let mut rest = skip_past_semicolon(value);
    while !rest.is_empty() {
        let Some(eq) = rest.iter().position(|b| *b == b'=' || *b == b';') else {
            break;
        };
        let attribute = String::from_utf8_lossy(rest.get(..eq).unwrap_or_default())
            .trim()
            .to_string();
        let after = rest.get(eq + 1..).unwrap_or_default();
        if rest.get(eq) != Some(&b'=') {
            rest = after;
            continue;
        }
        let (value, remainder) = read_value(after);
        if !attribute.is_empty() {
            params.push((attribute, value));
        }
        rest = skip_past_semicolon(remainder);
    }
    params
}

fn skip_past_semicolon(value: &[u8]) -> &[u8] {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, b) in value.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_quotes => escaped = true,
            b'"' => in_quotes = !in_quotes,
            b';' if !in_quotes => return value.get(i + 1..).unwrap_or_default(),
            _ => {}
        }
    }
    &[]
}

/// Reads one value (quoted string or token) and returns it with what follows it.
fn read_value(input: &[u8]) -> (Vec<u8>, &[u8]) {
    let start = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(input.len());
    let input = input.get(start..).unwrap_or_default();
    if input.first() == Some(&b'"') {
        let mut value = Vec::new();
        let mut escaped = false;
        for (i, &b) in input.iter().enumerate().skip(1) {
            match b {
                _ if escaped => {
                    value.push(b);
                    escaped = false;
                }
                b'\\' => escaped = true,
                b'"' => return (value, input.get(i + 1..).unwrap_or_default()),
                _ => value.push(b),
            }
        }
        return (value, &[]);
    }
    let end = input.iter().position(|b| *b == b';').unwrap_or(input.len());
    let token = input.get(..end).unwrap_or_default();
    let trimmed = token.trim_ascii_end().to_vec();
    (trimmed, input.get(end..).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn plain_token_and_quoted_values() {
        assert_eq!(
            param(b" attachment; filename=a.xlsx", "filename").as_deref(),
            Some("a.xlsx")
        );
        let quoted = b" attachment;\r\n\tfilename=\"a; \\\"b\\\".xlsx\"; size=3";
        assert_eq!(param(quoted, "filename").as_deref(), Some("a; \"b\".xlsx"));
        assert_eq!(param(quoted, "size").as_deref(), Some("3"));
        assert_eq!(param(b" attachment", "filename"), None);
        assert_eq!(param(b" attachment; filename=\"\"", "filename"), None);
    }

    #[test]
    fn attribute_names_are_case_insensitive_and_not_prefixes() {
        let raw = b" application/octet-stream; NAME=\"x.xls\"; name2=y";
        assert_eq!(param(raw, "name").as_deref(), Some("x.xls"));
        assert_eq!(param(b" a/b; filenamex=1", "filename"), None);
    }

    #[test]
    fn quoted_encoded_words_joined_without_the_space_between() {
        let raw =
            b" attachment; filename=\"=?utf-8?B?6Lez56O06ZWH?= =?utf-8?B?5oql6KGoLnhsc3g=?=\"";
        assert_eq!(param(raw, "filename").as_deref(), Some("跳磴镇报表.xlsx"));
        let folded = b" attachment;\r\n\tfilename=\"=?gb2312?B?vajKpNXy?=\r\n\t=?gb2312?B?sLKw7C54bHM=?=\"; size=6656";
        assert_eq!(param(folded, "filename").as_deref(), Some("建胜镇安办.xls"));
    }

    #[test]
    fn raw_8bit_gbk_and_utf8_names() {
        let mut raw = b" attachment; filename=\"".to_vec();
        raw.extend(gbk("九宫庙报表.xlsx"));
        raw.push(b'"');
        assert_eq!(param(&raw, "filename").as_deref(), Some("九宫庙报表.xlsx"));
        let utf8 = " attachment; filename=\"报表.xlsx\"".as_bytes();
        assert_eq!(param(utf8, "filename").as_deref(), Some("报表.xlsx"));
    }

    #[test]
    fn rfc2231_single_and_in_gbk() {
        let raw = b" attachment; filename*=UTF-8''%E6%8A%A5%E8%A1%A8.xlsx";
        assert_eq!(param(raw, "filename").as_deref(), Some("报表.xlsx"));
        let raw = b" attachment; filename*=gbk'zh-cn'%B1%A8%B1%ED.xls";
        assert_eq!(param(raw, "filename").as_deref(), Some("报表.xls"));
        let raw = b" attachment; filename*=\"UTF-8''%E6%8A%A5.xlsx\"";
        assert_eq!(param(raw, "filename").as_deref(), Some("报.xlsx"));
    }

    #[test]
    fn rfc2231_continuations_split_inside_a_character() {
        let raw = b" attachment;\r\n filename*1*=%A5%E8%A1%A8.ods;\r\n filename*0*=UTF-8''%E6%8A";
        assert_eq!(param(raw, "filename").as_deref(), Some("报表.ods"));
        let mixed = b" attachment; filename*0*=utf-8''%E6%8A%A5; filename*1=\"-v2.xlsx\"";
        assert_eq!(param(mixed, "filename").as_deref(), Some("报-v2.xlsx"));
    }

    #[test]
    fn continuations_of_encoded_words_are_joined() {
        let raw =
            b" a; filename*0=\"=?utf-8?B?6Lez56O06ZWH?=\"; filename*1=\" =?utf-8?B?5oql6KGo?=\"";
        assert_eq!(param(raw, "filename").as_deref(), Some("跳磴镇报表"));
    }

    #[test]
    fn the_extended_form_wins_over_the_plain_fallback() {
        let raw = b" attachment; filename=\"fallback.xlsx\"; filename*=UTF-8''%E6%8A%A5.xlsx";
        assert_eq!(param(raw, "filename").as_deref(), Some("报.xlsx"));
    }

    #[test]
    fn garbage_never_panics() {
        for raw in [
            &b""[..],
            b";",
            b";;=;=",
            b"a; =x",
            b"a; f=\"unterminated",
            b"a; f*0*=%",
            b"a; f*x*=1",
            b"a; f*=''%G1",
        ] {
            let _ = param(raw, "f");
        }
        assert_eq!(param(b"a; f*=''%G1", "f").as_deref(), Some("%G1"));
    }
}
