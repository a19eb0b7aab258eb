//! `PhoneNumber`: a mainland China phone number as a unit writes it on its form (SPEC §3).
//!
//! Accepted: an 11-digit mobile number starting with 13..19 (optionally after +86), or a landline
//! number of 7 or 8 digits, with or without its area code (`023-68173265`, `02368173265`,
//! `(023)68173265`, `0817-1234567`), optionally followed by an extension (`-8021`, `转8021`).
//! Spaces, full-width digits and any kind of dash are tolerated. The text is kept as written.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

use super::text::{half_width_char, is_dash};

/// What kind of number it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    Mobile,
    Landline,
}

/// A phone number that looks valid; holds the text as written (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneNumber {
    text: String,
    #[serde(skip)]
    kind: PhoneKind,
}

/// The text does not look like a mainland phone number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a mainland phone number: {0:?}")]
pub struct PhoneError(pub String);

impl PhoneNumber {
    pub fn parse(text: &str) -> Result<Self, PhoneError> {
        let trimmed = text.trim();
        let kind = classify(trimmed).ok_or_else(|| PhoneError(text.to_string()))?;
        Ok(Self {
            text: trimmed.to_string(),
            kind,
        })
    }

    /// The number as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> PhoneKind {
        self.kind
    }
}

/// Read back from what `Serialize` wrote (`{"text": …}`, as between the reader process and the
/// daemon), checked again: only a valid number comes out.
impl<'de> serde::Deserialize<'de> for PhoneNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Written {
            text: String,
        }
        let written = Written::deserialize(deserializer)?;
        Self::parse(&written.text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Folds the text to ASCII digits, `-` and `()`, dropping spaces; `None` on any other character.
fn canonical(text: &str) -> Option<String> {
    let mut out = String::new();
    for c in text.chars().map(half_width_char) {
        match c {
            c if c.is_whitespace() => {}
            c if is_dash(c) => out.push('-'),
            '0'..='9' | '(' | ')' | '+' => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

fn classify(text: &str) -> Option<PhoneKind> {
    let (main, extension) = match text.split_once('转') {
        Some((main, ext)) => (main, Some(ext)),
        None => (text, None),
    };
    let main = canonical(main)?;
    if let Some(ext) = extension {
        let ext = canonical(ext)?;
        if !is_extension(&ext) {
            return None;
        }
        return classify_main(&main, false);
    }
    classify_main(&main, true)
}

/// Classifies a number; when `may_have_extension`, a trailing `-digits` group may be an extension.
fn classify_main(text: &str, may_have_extension: bool) -> Option<PhoneKind> {
    if let Some(kind) = classify_plain(text) {
        return Some(kind);
    }
    if may_have_extension {
        let (main, ext) = text.rsplit_once('-')?;
        if is_extension(ext) && classify_plain(main) == Some(PhoneKind::Landline) {
            return Some(PhoneKind::Landline);
        }
    }
    None
}

/// A number without extension.
fn classify_plain(text: &str) -> Option<PhoneKind> {
    let without_country = text
        .strip_prefix("+86")
        .or_else(|| text.strip_prefix("(+86)"))
        .or_else(|| text.strip_prefix("+(86)"))
        .map(|rest| rest.trim_start_matches('-'));
    if let Some(rest) = without_country {
        let digits: String = rest.chars().filter(|c| *c != '-').collect();
        return is_mobile(&digits).then_some(PhoneKind::Mobile);
    }
    if let Some(rest) = text.strip_prefix('(') {
        let (area, local) = rest.split_once(')')?;
        let local = local.trim_start_matches('-');
        return (is_area_code(area) && is_local(local)).then_some(PhoneKind::Landline);
    }
    let groups: Vec<&str> = text.split('-').collect();
    if groups.iter().any(|g| g.is_empty() || !all_digits(g)) {
        return None;
    }
    let joined: String = groups.concat();
    if groups.first().is_some_and(|g| g.starts_with('1')) {
        return is_mobile(&joined).then_some(PhoneKind::Mobile);
    }
    let landline = match groups.as_slice() {
        [single] => is_local(single) || is_area_and_local(single),
        [area, local] => is_area_code(area) && is_local(local),
        _ => false,
    };
    landline.then_some(PhoneKind::Landline)
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_mobile(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    bytes.len() == 11
        && all_digits(digits)
        && bytes.first() == Some(&b'1')
        && bytes.get(1).is_some_and(|b| (b'3'..=b'9').contains(b))
}

/// Area codes are 010 and 02x (three digits) or 0xxx (four digits).
fn is_area_code(area: &str) -> bool {
    if !all_digits(area) || !area.starts_with('0') {
        return false;
    }
    match area.len() {
        3 => area.starts_with("01") || area.starts_with("02"),
        4 => !area.starts_with("00"),
        _ => false,
    }
}

/// A local number: 7 or 8 digits, not starting with 0.
fn is_local(local: &str) -> bool {
    all_digits(local) && (7..=8).contains(&local.len()) && !local.starts_with('0')
}

fn is_area_and_local(digits: &str) -> bool {
    [3, 4].into_iter().any(|split| {
        digits.get(..split).is_some_and(is_area_code) && digits.get(split..).is_some_and(is_local)
    })
}

fn is_extension(ext: &str) -> bool {
    all_digits(ext) && ext.len() <= 6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<PhoneKind> {
        PhoneNumber::parse(text).ok().map(|p| p.kind())
    }

    #[test]
    fn accepts_mobile_numbers() {
        for text in [
            "13983215678",
            " 13983215678 ",
            "139 8321 5678",
            "139-8321-5678",
            "１３９８３２１５６７８",
            "+86 13983215678",
            "+86-139-8321-5678",
            "19912345678",
        ] {
            assert_eq!(kind(text), Some(PhoneKind::Mobile), "{text}");
        }
    }

    #[test]
    fn accepts_landlines_with_or_without_area_code() {
        for text in [
            "023-68173265",
            "02368173265",
            "(023)68173265",
            "（023）68173265",
            "(023) 6817 3265",
            "0817-1234567",
            "08171234567",
            "010-12345678".replace("1234", "2234").as_str(),
            "68173265",
            "6817326",
            "6817 3265",
            "０２３－６８１７３２６５",
            "023—68173265",
            "023-68173265-8021",
            "68173265-8021",
            "023-68173265转8021",
            "68173265 转 8021",
        ] {
            assert_eq!(kind(text), Some(PhoneKind::Landline), "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_phone_number() {
        for text in [
            "",
            "12345",
            "12345678901",
            "1398321567",
            "139832156789",
            "023-123",
            "023-012345678",
            "68173265x",
            "无",
            "023-68173265-1234567",
            "023--68173265",
            "(023-68173265",
            "00123-68173265",
            "02368173265转",
            "68173265, 68931305",
        ] {
            assert!(PhoneNumber::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn keeps_the_text_as_written() {
        let phone = PhoneNumber::parse("  023-68173265 ").unwrap();
        assert_eq!(phone.as_str(), "023-68173265");
        assert_eq!(phone.to_string(), "023-68173265");
    }
}
