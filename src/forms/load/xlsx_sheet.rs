//! One `.xlsx` worksheet read in one pass over its inflated XML: the non-empty cells at their
//! absolute positions (within the workbook's cell budget) and the merged regions.
//!
//! Values are read as calamine reads them (a formula gives its cached value; a number whose
//! cell format shows a date is a date, by calamine's own rules, ported from its `formats`
//! module, MIT); a cell with no `r` takes the next column of its row.

use calamine::{ExcelDateTime, ExcelDateTimeType};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::xlsx_text::{self, attr, xml_reader};
use super::{MAX_CELLS, WorkbookError, damaged, iso_date};
use crate::forms::workbook::{CellValue, Merge};

/// What a cell format shows a number as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CellFormat {
    Other,
    DateTime,
    TimeDelta,
}

/// The workbook's cell formats by style index, and its date system.
pub(super) struct Formats {
    by_style: Vec<CellFormat>,
    is_1904: bool,
}

impl Formats {
    pub(super) fn new(by_style: Vec<CellFormat>, is_1904: bool) -> Self {
        Self { by_style, is_1904 }
    }
}

type Cells = Vec<(u32, u32, CellValue)>;

/// The sheet's non-empty cells and merged regions; `budget` is what is left of the workbook's
/// [`MAX_CELLS`].
pub(super) fn read(
    xml: &[u8],
    strings: &[String],
    formats: &Formats,
    budget: &mut usize,
) -> Result<(Cells, Vec<Merge>), WorkbookError> {
    let mut reader = xml_reader(xml);
    let mut cells = Vec::new();
    let mut merges = Vec::new();
    let (mut row, mut col) = (0u32, 0u32);
    let mut seen_data = false;
    loop {
        match reader.read_event().map_err(damaged)? {
            Event::Start(e) => match e.local_name().as_ref() {
                "sheetData" => seen_data = true,
                "row" => {
                    if let Some(r) = attr(&e, "r")? {
                        row = row_number(&r)?;
                    }
                    col = 0;
                }
                "c" => {
                    let (at, value) = cell(&mut reader, &e, (row, col), strings, formats)?;
                    col = at.1.saturating_add(1);
                    if value != CellValue::Empty {
                        *budget = budget
                            .checked_sub(1)
                            .ok_or(WorkbookError::TooManyCells { limit: MAX_CELLS })?;
                        cells.push((at.0, at.1, value));
                    }
                }
                "mergeCell" => {
                    if let Some(range) = attr(&e, "ref")? {
                        merges.push(merge(&range)?);
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "row" => {
                row = row.saturating_add(1);
                col = 0;
            }
            Event::Eof if seen_data => return Ok((cells, merges)),
            Event::Eof => {
                return Err(WorkbookError::Damaged(
                    "a worksheet has no sheetData".into(),
                ));
            }
            _ => {}
        }
    }
}

/// One `<c>` whose start was just read, up to its end: its position and value.
fn cell(
    reader: &mut Reader<&[u8]>,
    e: &BytesStart<'_>,
    next: (u32, u32),
    strings: &[String],
    formats: &Formats,
) -> Result<((u32, u32), CellValue), WorkbookError> {
    let (mut r, mut style, mut kind) = (None, None, None);
    for attribute in e.attributes().with_checks(false) {
        let attribute = attribute.map_err(damaged)?;
        let slot = match attribute.key.as_ref() {
            "r" => &mut r,
            "s" => &mut style,
            "t" => &mut kind,
            _ => continue,
        };
        *slot = Some(
            attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(damaged)?,
        );
    }
    let at = match r {
        Some(r) => position(&r)?,
        None => next,
    };
    let mut value = CellValue::Empty;
    loop {
        match reader.read_event().map_err(damaged)? {
            Event::Start(child) => {
                let name = child.name();
                value = match child.local_name().as_ref() {
                    "is" => CellValue::Text(xlsx_text::rich_string(reader, name)?),
                    "v" if matches!(kind.as_deref(), Some("inlineStr" | "is")) => {
                        reader.read_to_end(name).map_err(damaged)?;
                        CellValue::Empty
                    }
                    "v" => {
                        let text = xlsx_text::content(reader, name)?;
                        typed(&text, kind.as_deref(), style.as_deref(), strings, formats)?
                    }
                    _ => {
                        reader.read_to_end(name).map_err(damaged)?;
                        value
                    }
                };
            }
            Event::End(end) if end.local_name().as_ref() == "c" => return Ok((at, value)),
            Event::Eof => return Err(WorkbookError::Damaged("a cell is cut short".into())),
            _ => {}
        }
    }
}

/// A `<v>`'s text as the value its type (`t`) and style (`s`) make it.
fn typed(
    v: &str,
    kind: Option<&str>,
    style: Option<&str>,
    strings: &[String],
    formats: &Formats,
) -> Result<CellValue, WorkbookError> {
    Ok(match kind {
        Some("s") if v.is_empty() => CellValue::Empty,
        Some("s") => {
            let index: usize = v.trim().parse().unwrap_or(0);
            let text = strings.get(index).ok_or_else(|| {
                WorkbookError::Damaged(format!("shared string {index} is missing"))
            })?;
            CellValue::Text(text.clone())
        }
        Some("b") => match v.trim() {
            "" => CellValue::Empty,
            "0" => CellValue::Bool(false),
            "1" => CellValue::Bool(true),
            t if t.eq_ignore_ascii_case("false") => CellValue::Bool(false),
            t if t.eq_ignore_ascii_case("true") => CellValue::Bool(true),
            t => return Err(WorkbookError::Damaged(format!("boolean cell holds {t}"))),
        },
        Some("d") => iso_date(v),
        Some("e") => CellValue::Error(v.to_string()),
        Some("str") => {
            let mut text = String::with_capacity(v.len());
            xlsx_text::unescape_into(v, &mut text);
            CellValue::Text(text)
        }
        Some("n") | None if v.is_empty() => CellValue::Empty,
        Some("n") | None => match v.parse::<f64>() {
            Ok(n) => number(n, style, formats),
            Err(_) if kind.is_none() => CellValue::Text(v.to_string()),
            Err(e) => return Err(damaged(format!("number cell holds {v}: {e}"))),
        },
        Some(t) => return Err(WorkbookError::Damaged(format!("unknown cell type {t}"))),
    })
}

/// A number, or a date when its cell format shows one.
fn number(n: f64, style: Option<&str>, formats: &Formats) -> CellValue {
    let format = match style {
        Some(s) => formats.by_style.get(s.parse::<usize>().unwrap_or(0)),
        None => Some(&CellFormat::Other),
    };
    let kind = match format {
        Some(CellFormat::DateTime) => ExcelDateTimeType::DateTime,
        Some(CellFormat::TimeDelta) => ExcelDateTimeType::TimeDelta,
        _ => return CellValue::Number(n),
    };
    let date = ExcelDateTime::new(n, kind, formats.is_1904);
    date.as_datetime()
        .map_or(CellValue::Number(date.as_f64()), CellValue::Date)
}

/// `A1:C2` (or `B3` alone) as a merge.
fn merge(range: &str) -> Result<Merge, WorkbookError> {
    let (start, end) = range.split_once(':').unwrap_or((range, range));
    Ok(Merge {
        start: position(start)?,
        end: position(end)?,
    })
}

/// `J5` as (4, 9), 0-based.
fn position(reference: &str) -> Result<(u32, u32), WorkbookError> {
    let letters = reference
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(reference.len());
    let (column, row) = reference.split_at(letters);
    let mut col: u32 = 0;
    for b in column.bytes() {
        let digit = u32::from(b.to_ascii_uppercase() - b'A') + 1;
        col = col
            .checked_mul(26)
            .and_then(|c| c.checked_add(digit))
            .ok_or_else(|| bad_reference(reference))?;
    }
    let col = col.checked_sub(1).ok_or_else(|| bad_reference(reference))?;
    Ok((row_number(row)?, col))
}

/// `5` as 4.
fn row_number(text: &str) -> Result<u32, WorkbookError> {
    text.parse::<u32>()
        .ok()
        .and_then(|r| r.checked_sub(1))
        .ok_or_else(|| bad_reference(text))
}

fn bad_reference(text: &str) -> WorkbookError {
    WorkbookError::Damaged(format!("bad cell reference {text:?}"))
}

/// Whether a custom format code shows a date or a time (calamine's
/// `detect_custom_number_format`).
pub(super) fn custom_format(code: &str) -> CellFormat {
    let (mut escaped, mut quoted, mut ap, mut hms) = (false, false, false, false);
    let mut brackets = 0u8;
    let mut prev = ' ';
    for c in code.chars() {
        match (c, escaped, quoted, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => quoted = false,
            (_, _, true, _, _) => {}
            ('"', ..) => quoted = true,
            (';', ..) => return CellFormat::Other,
            ('[', ..) => brackets = brackets.saturating_add(1),
            (']', .., 1) if hms => return CellFormat::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return CellFormat::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return CellFormat::DateTime;
            }
            _ => {
                if !(hms && c.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = c;
    }
    CellFormat::Other
}

/// Whether a built-in format id shows a date or a time (calamine's `builtin_format_by_id`).
pub(super) fn builtin_format(id: &str) -> CellFormat {
    match id.parse::<u16>() {
        Ok(14..=22 | 27..=36 | 45 | 47 | 50..=58) => CellFormat::DateTime,
        Ok(46) => CellFormat::TimeDelta,
        _ => CellFormat::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_formats() {
        assert_eq!(position("A1").unwrap(), (0, 0));
        assert_eq!(position("j5").unwrap(), (4, 9));
        assert_eq!(position("XFD1048576").unwrap(), (1_048_575, 16_383));
        assert!(position("A0").is_err());
        assert!(position("1").is_err());
        assert!(position("ZZZZZZZZZZ1").is_err());
        assert_eq!(
            custom_format("yyyy\"年\"m\"月\"d\"日\""),
            CellFormat::DateTime
        );
        assert_eq!(custom_format("[h]:mm:ss"), CellFormat::TimeDelta);
        assert_eq!(custom_format("0.00_);[Red]\\(0.00\\)"), CellFormat::Other);
        assert_eq!(custom_format("\"d\"0"), CellFormat::Other);
        assert_eq!(builtin_format("14"), CellFormat::DateTime);
        assert_eq!(builtin_format("0"), CellFormat::Other);
    }

    #[test]
    fn one_pass_reads_cells_and_merges() {
        let xml = r#"<worksheet><sheetData><row r="2"><c r="B2" t="inlineStr"><is><t>填报单位</t></is></c>
            <c t="s"><v>0</v></c><c s="1"><v>46335</v></c><c><f>1+1</f><v>2</v></c><c r="F2"/></row>
            <row><c t="b"><v>1</v></c><c t="str"><v>a_x000D_</v></c></row></sheetData>
            <mergeCells count="1"><mergeCell ref="B2:C3"/></mergeCells></worksheet>"#;
        let formats = Formats::new(vec![CellFormat::Other, CellFormat::DateTime], false);
        let mut budget = 10;
        let (cells, merges) =
            read(xml.as_bytes(), &["跳磴镇".into()], &formats, &mut budget).unwrap();
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 9).unwrap();
        assert_eq!(
            cells,
            vec![
                (1, 1, CellValue::Text("填报单位".into())),
                (1, 2, CellValue::Text("跳磴镇".into())),
                (1, 3, CellValue::Date(date.and_time(chrono::NaiveTime::MIN))),
                (1, 4, CellValue::Number(2.0)),
                (2, 0, CellValue::Bool(true)),
                (2, 1, CellValue::Text("a\r".into())),
            ]
        );
        assert_eq!(
            merges,
            vec![Merge {
                start: (1, 1),
                end: (2, 2)
            }]
        );
        assert_eq!(budget, 4);
        let mut none = 5;
        assert_eq!(
            read(xml.as_bytes(), &["x".into()], &formats, &mut none),
            Err(WorkbookError::TooManyCells { limit: MAX_CELLS })
        );
    }
}
