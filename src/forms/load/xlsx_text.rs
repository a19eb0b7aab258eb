//! Text as an `.xlsx` writes it, read as calamine reads it: attribute values unescaped, strings
//! made of `<t>` runs (rich text joined, phonetic guides left out, ASCII whitespace trimmed
//! unless `xml:space="preserve"`), and Excel's own `_xHHHH_` escapes of UTF-16 units.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::QName;

use super::{WorkbookError, damaged};

/// A reader over a whole part, configured as calamine's (empty elements as start and end).
pub(super) fn xml_reader(xml: &[u8]) -> Reader<&[u8]> {
    let mut reader = Reader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    reader
}

/// The value of the attribute whose local name is `name`, unescaped.
pub(super) fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, WorkbookError> {
    for attribute in e.attributes().with_checks(false) {
        let attribute = attribute.map_err(damaged)?;
        if attribute.key.as_ref() == name {
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(damaged)?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// The string of an `<si>` or `<is>` element whose start was just read, up to its end.
pub(super) fn rich_string(
    reader: &mut Reader<&[u8]>,
    closing: QName<'_>,
) -> Result<String, WorkbookError> {
    let mut out = String::new();
    let mut phonetic = false;
    loop {
        match reader.read_event().map_err(damaged)? {
            Event::Start(e) if e.local_name().as_ref() == "rPh" => phonetic = true,
            Event::End(e) if e.local_name().as_ref() == "rPh" => phonetic = false,
            Event::Start(e) if e.local_name().as_ref() == "t" && !phonetic => {
                let preserve = attr(&e, "xml:space")?.is_some_and(|v| v == "preserve");
                let text = content(reader, e.name())?;
                let text = if preserve {
                    &text
                } else {
                    text.trim_matches([' ', '\t', '\r', '\n'])
                };
                unescape_into(text, &mut out);
            }
            Event::End(e) if e.name() == closing => return Ok(out),
            Event::Eof => return Err(WorkbookError::Damaged("a string is cut short".into())),
            _ => {}
        }
    }
}

/// The text of the element whose start was just read (entities resolved, line ends as XML 1.0
/// reads them), up to its end; borrowed from the part when it is one plain run, as values are.
pub(super) fn content<'a>(
    reader: &mut Reader<&'a [u8]>,
    closing: QName<'_>,
) -> Result<Cow<'a, str>, WorkbookError> {
    let mut out = Cow::Borrowed("");
    loop {
        let piece = match reader.read_event().map_err(damaged)? {
            Event::Text(t) => t.xml10_content(),
            Event::CData(t) => t.xml10_content(),
            Event::GeneralRef(r) => {
                let mut entity = String::new();
                push_entity(&r, &mut entity)?;
                Cow::Owned(entity)
            }
            Event::End(e) if e.name() == closing => return Ok(out),
            Event::Eof => return Err(WorkbookError::Damaged("an element is cut short".into())),
            _ => continue,
        };
        if out.is_empty() {
            out = piece;
        } else {
            out.to_mut().push_str(&piece);
        }
    }
}

fn push_entity(entity: &BytesRef<'_>, out: &mut String) -> Result<(), WorkbookError> {
    let predefined = match entity.as_ref() {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    };
    match predefined.map_or_else(|| entity.resolve_char_ref(), |c| Ok(Some(c))) {
        Ok(Some(c)) => {
            out.push(c);
            Ok(())
        }
        Ok(None) => Err(WorkbookError::Damaged(format!(
            "unknown entity &{};",
            entity.as_ref()
        ))),
        Err(e) => Err(damaged(e)),
    }
}

/// Appends `text` with Excel's `_xHHHH_` escapes decoded (a surrogate pair as one character, a
/// lone surrogate as U+FFFD).
pub(super) fn unescape_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        let Some(unit) = escape_at(rest, at) else {
            out.push_str(rest.get(..at + 2).unwrap_or(rest));
            rest = rest.get(at + 2..).unwrap_or_default();
            continue;
        };
        out.push_str(rest.get(..at).unwrap_or_default());
        rest = rest.get(at + ESCAPE_LEN..).unwrap_or_default();
        let c = match unit {
            0xD800..=0xDBFF => match escape_at(rest, 0) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    rest = rest.get(ESCAPE_LEN..).unwrap_or_default();
                    let point =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    char::from_u32(point)
                }
                _ => None,
            },
            _ => char::from_u32(u32::from(unit)),
        };
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    out.push_str(rest);
}

/// `_xHHHH_`
const ESCAPE_LEN: usize = 7;

/// The UTF-16 unit of the `_xHHHH_` escape at `at`, if one is there.
fn escape_at(text: &str, at: usize) -> Option<u16> {
    let escape = text.get(at..at.checked_add(ESCAPE_LEN)?)?;
    let hex = escape.strip_prefix("_x")?.strip_suffix('_')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescape(text: &str) -> String {
        let mut out = String::new();
        unescape_into(text, &mut out);
        out
    }

    #[test]
    fn excel_escapes_are_decoded() {
        assert_eq!(unescape("a_x000D_b"), "a\rb");
        assert_eq!(unescape("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape("_xD83D__xDCF7_"), "📷");
        assert_eq!(unescape("_xD83D_x"), "\u{FFFD}x");
        assert_eq!(unescape("_x12_ _xZZZZ_ 跳磴镇_x"), "_x12_ _xZZZZ_ 跳磴镇_x");
    }

    #[test]
    fn rich_strings_join_runs_and_skip_phonetic_guides() {
        let xml = "<si><r><t>填报</t></r><r><t xml:space=\"preserve\"> 单位 </t></r>\
                   <rPh><t>ヨミ</t></rPh><t>\n &amp;&#x41;</t></si>";
        let mut reader = super::xml_reader(xml.as_bytes());
        let Ok(Event::Start(e)) = reader.read_event() else {
            panic!("no start");
        };
        let text = rich_string(&mut reader, e.name()).unwrap();
        assert_eq!(text, "填报 单位 &A");
    }
}
