//! Reading one of the eleven quantities from its cell (SPEC §3).
//!
//! Accepted: whole-number cells (`4.0` too); text of half- or full-width digits with optional
//! thousands separators and an optional unit (`3`, `３`, `3封`, `8张`, `1,200`); and the "nothing"
//! markers `无` `/` `-` `—` `－`, read as 0 with a note. Everything else is an error quoting what was
//! found.

use crate::domain::Field;
use crate::domain::text::{half_width, is_dash};
use crate::forms::CellValue;

/// Larger whole numbers are not exact in an f64 cell.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Unit characters accepted after a number besides the field's own.
const COMMON_UNITS: &[&str] = &[
    "人次", "封", "次", "个", "册", "条", "张", "幅", "人", "处", "块", "份", "篇", "期", "场",
    "家", "户", "台", "套", "本",
];

/// What a value cell says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reading {
    Count(u64),
    /// A marker meaning "none" (`无`, `/`, `-`…), read as 0; holds the marker.
    Nothing(String),
    Blank,
    Invalid {
        found: String,
        why: Why,
    },
}

/// Why a value cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Why {
    NotANumber,
    Fraction,
    Negative,
    TooLarge,
    Date,
    FormulaError,
}

pub(super) fn read_value(value: &CellValue, field: Field) -> Reading {
    match value {
        CellValue::Empty => Reading::Blank,
        CellValue::Int(i) => match u64::try_from(*i) {
            Ok(n) => Reading::Count(n),
            Err(_) => invalid(value, Why::Negative),
        },
        CellValue::Number(f) => read_number(*f, value),
        CellValue::Text(text) => read_text(text, field),
        CellValue::Date(_) => invalid(value, Why::Date),
        CellValue::Bool(_) => invalid(value, Why::NotANumber),
        CellValue::Error(_) => invalid(value, Why::FormulaError),
    }
}

fn invalid(value: &CellValue, why: Why) -> Reading {
    Reading::Invalid {
        found: value.display(),
        why,
    }
}

fn read_number(f: f64, value: &CellValue) -> Reading {
    if !f.is_finite() {
        invalid(value, Why::NotANumber)
    } else if f < 0.0 {
        invalid(value, Why::Negative)
    } else if f.fract() != 0.0 {
        invalid(value, Why::Fraction)
    } else if f > MAX_EXACT {
        invalid(value, Why::TooLarge)
    } else {
        Reading::Count(f as u64)
    }
}

fn read_text(text: &str, field: Field) -> Reading {
    let folded: String = half_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if folded.is_empty() {
        return Reading::Blank;
    }
    if is_nothing_marker(&folded) {
        return Reading::Nothing(text.trim().to_string());
    }
    let found = || text.trim().to_string();
    let number = strip_unit(&folded, field);
    match parse_count(number) {
        Ok(n) => Reading::Count(n),
        Err(why) => Reading::Invalid {
            found: found(),
            why,
        },
    }
}

fn is_nothing_marker(folded: &str) -> bool {
    matches!(folded, "无" | "暂无" | "没有" | "/" | "\\" | "、")
        || folded.chars().all(|c| is_dash(c) || c == '─') && folded.chars().count() <= 2
}

/// Drops a trailing unit (`3封`, `3（封）`, `8张`) when what precedes it ends in a digit.
fn strip_unit(folded: &str, field: Field) -> &str {
    let without_brackets = folded
        .strip_suffix(')')
        .and_then(|s| s.rfind('(').map(|open| s.get(..open).unwrap_or(s)))
        .unwrap_or(folded);
    let own_units = field.unit().split('/');
    for unit in own_units.chain(COMMON_UNITS.iter().copied()) {
        if let Some(number) = without_brackets.strip_suffix(unit)
            && number.ends_with(|c: char| c.is_ascii_digit())
        {
            return number;
        }
    }
    without_brackets
}

/// Digits with optional `1,200`-style grouping and an optional all-zero fraction (`4.0`).
fn parse_count(text: &str) -> Result<u64, Why> {
    if let Some(rest) = text.strip_prefix(is_dash) {
        return match parse_count(rest) {
            Ok(0) => Ok(0),
            Ok(_) | Err(Why::Fraction) => Err(Why::Negative),
            Err(why) => Err(why),
        };
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = ungroup(whole).ok_or(Why::NotANumber)?;
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Why::NotANumber);
        }
        if fraction.bytes().any(|b| b != b'0') {
            return Err(Why::Fraction);
        }
    }
    digits.parse().map_err(|_| Why::TooLarge)
}

/// `1,200` → `1200`; `None` unless the text is digits, grouped by threes if grouped at all.
fn ungroup(text: &str) -> Option<String> {
    let groups: Vec<&str> = text.split(',').collect();
    let all_digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !groups.iter().all(|g| all_digits(g)) {
        return None;
    }
    if let [first, rest @ ..] = groups.as_slice()
        && !rest.is_empty()
        && (first.len() > 3 || rest.iter().any(|g| g.len() != 3))
    {
        return None;
    }
    Some(groups.concat())
}

/// The message for a value that cannot be read, in Chinese.
pub(super) fn invalid_message(field: Field, found: &str, why: Why) -> String {
    let label = field.label();
    match why {
        Why::NotANumber => format!(
            "「{label}」填的是“{found}”，无法识别为数量。请只填阿拉伯数字（如 3），没有请填0。"
        ),
        Why::Fraction => format!("「{label}」填的是“{found}”，数量应为整数，请更正。"),
        Why::Negative => format!("「{label}」填的是“{found}”，数量不能为负数，请更正。"),
        Why::TooLarge => format!("「{label}」填的是“{found}”，数字过大，请核实后更正。"),
        Why::Date => format!(
            "「{label}」的单元格被识别为日期（{found}），请把单元格格式改为“常规”或“数值”后重新填写数量。"
        ),
        Why::FormulaError => format!("「{label}」的单元格公式出错（{found}），请直接填写数量。"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Reading {
        read_value(&CellValue::Text(t.into()), Field::OpenLetters)
    }

    fn why(reading: Reading) -> Option<Why> {
        match reading {
            Reading::Invalid { why, .. } => Some(why),
            _ => None,
        }
    }

    #[test]
    fn reads_whole_number_cells() {
        let field = Field::Brochures;
        assert_eq!(
            read_value(&CellValue::Number(4.0), field),
            Reading::Count(4)
        );
        assert_eq!(
            read_value(&CellValue::Number(0.0), field),
            Reading::Count(0)
        );
        assert_eq!(read_value(&CellValue::Int(572), field), Reading::Count(572));
        assert_eq!(
            why(read_value(&CellValue::Number(3.5), field)),
            Some(Why::Fraction)
        );
        assert_eq!(
            why(read_value(&CellValue::Number(-2.0), field)),
            Some(Why::Negative)
        );
        assert_eq!(
            why(read_value(&CellValue::Int(-2), field)),
            Some(Why::Negative)
        );
        assert_eq!(
            why(read_value(&CellValue::Number(1e300), field)),
            Some(Why::TooLarge)
        );
        assert_eq!(
            why(read_value(&CellValue::Number(f64::NAN), field)),
            Some(Why::NotANumber)
        );
        assert_eq!(
            why(read_value(&CellValue::Bool(true), field)),
            Some(Why::NotANumber)
        );
        assert_eq!(
            why(read_value(&CellValue::Error("#REF!".into()), field)),
            Some(Why::FormulaError)
        );
        assert_eq!(read_value(&CellValue::Empty, field), Reading::Blank);
    }

    #[test]
    fn reads_digits_typed_as_text() {
        assert_eq!(text("3"), Reading::Count(3));
        assert_eq!(text(" ３ "), Reading::Count(3));
        assert_eq!(text("１２"), Reading::Count(12));
        assert_eq!(text("3封"), Reading::Count(3));
        assert_eq!(text("3 封"), Reading::Count(3));
        assert_eq!(text("3（封）"), Reading::Count(3));
        assert_eq!(text("5次"), Reading::Count(5));
        assert_eq!(text("4个"), Reading::Count(4));
        assert_eq!(text("1,200"), Reading::Count(1200));
        assert_eq!(text("1，200"), Reading::Count(1200));
        assert_eq!(text("4.0"), Reading::Count(4));
        assert_eq!(text("0"), Reading::Count(0));
        assert_eq!(text("-0"), Reading::Count(0));
        let slogans = |t: &str| read_value(&CellValue::Text(t.into()), Field::SlogansPosters);
        assert_eq!(slogans("8张"), Reading::Count(8));
        assert_eq!(slogans("8幅"), Reading::Count(8));
        assert_eq!(slogans("8条"), Reading::Count(8));
    }

    #[test]
    fn nothing_markers_read_as_zero() {
        for marker in ["无", "/", "-", "—", "－", "——", "--", "／", "暂无"] {
            assert_eq!(text(marker), Reading::Nothing(marker.into()), "{marker}");
        }
        assert_eq!(text("  "), Reading::Blank);
    }

    #[test]
    fn anything_else_is_invalid_and_quoted() {
        assert_eq!(
            text("三次"),
            Reading::Invalid {
                found: "三次".into(),
                why: Why::NotANumber
            }
        );
        assert_eq!(why(text("3.5")), Some(Why::Fraction));
        assert_eq!(why(text("-2")), Some(Why::Negative));
        assert_eq!(why(text("—2")), Some(Why::Negative));
        assert_eq!(why(text("-2.5")), Some(Why::Negative));
        for bad in [
            "约3",
            "3左右",
            "12,00",
            "1,2345",
            ",12",
            "3.",
            "3.x",
            "封",
            "一",
            "3次5",
            "99999999999999999999999",
        ] {
            assert!(why(text(bad)).is_some(), "{bad}");
        }
        assert_eq!(why(text("99999999999999999999999")), Some(Why::TooLarge));
    }

    #[test]
    fn messages_quote_the_label_and_what_was_found() {
        let message = invalid_message(Field::MediaReports, "三次", Why::NotANumber);
        assert!(message.contains("网络媒体报道（次）"));
        assert!(message.contains("三次"));
    }
}
