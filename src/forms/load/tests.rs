//! Tests of workbook loading on generated and doctored files.

use super::*;
use crate::forms::template::monthly_template;

const LIMIT: u64 = 1 << 24;

fn xlsx_with(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (row, col, text) in cells {
        sheet.write_string(*row, *col, *text).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

/// Rewrites the uncompressed size that the central directory declares for `name`.
fn declare_size(zip: &mut [u8], name: &str, size: u32) {
    let signature = [0x50, 0x4B, 0x01, 0x02];
    let mut patched = false;
    for at in 0..zip.len().saturating_sub(46) {
        if zip[at..at + 4] != signature {
            continue;
        }
        let name_len = u16::from_le_bytes([zip[at + 28], zip[at + 29]]) as usize;
        if &zip[at + 46..at + 46 + name_len] == name.as_bytes() {
            zip[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
            patched = true;
        }
    }
    assert!(patched, "{name} not found");
}

#[test]
fn what_is_not_a_spreadsheet_is_said_so() {
    assert_eq!(
        open_workbook(b"", LIMIT),
        Err(WorkbookError::NotASpreadsheet)
    );
    let text = "公开信（封）,3\n".as_bytes();
    assert_eq!(
        open_workbook(text, LIMIT),
        Err(WorkbookError::NotASpreadsheet)
    );
    let pdf = b"%PDF-1.4\n...";
    assert_eq!(
        open_workbook(pdf, LIMIT),
        Err(WorkbookError::NotASpreadsheet)
    );
    let mut zip = std::io::Cursor::new(Vec::new());
    {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(&mut zip);
        writer
            .start_file(
                "word/document.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
        writer.write_all(b"<w:document/>").unwrap();
        writer.finish().unwrap();
    }
    assert_eq!(
        open_workbook(&zip.into_inner(), LIMIT),
        Err(WorkbookError::NotASpreadsheet)
    );
    let not_ole = [CFB_MAGIC.as_slice(), &[0u8; 600]].concat();
    assert!(matches!(
        open_workbook(&not_ole, LIMIT),
        Err(WorkbookError::Damaged(_) | WorkbookError::NotASpreadsheet)
    ));
}

#[test]
fn the_declared_size_is_checked_before_parsing() {
    let bytes = monthly_template().unwrap();
    assert_eq!(
        open_workbook(&bytes, 1000),
        Err(WorkbookError::TooLarge { limit: 1000 })
    );
}

#[test]
fn a_part_that_inflates_beyond_its_declared_size_is_damaged_not_inflated() {
    let mut bytes = monthly_template().unwrap();
    declare_size(&mut bytes, "xl/worksheets/sheet1.xml", 64);
    let error = open_workbook(&bytes, LIMIT).unwrap_err();
    assert!(matches!(error, WorkbookError::Damaged(_)), "{error:?}");
}

#[test]
fn far_apart_cells_cost_two_cells_not_a_dense_range() {
    let bytes = xlsx_with(&[(0, 0, "a"), (1_048_575, 16_383, "z")]);
    let wb = open_workbook(&bytes, LIMIT).unwrap();
    let sheet = &wb.sheets[0];
    assert_eq!(sheet.cells().count(), 2);
    assert_eq!(sheet.a1(1_048_575, 16_383), "Sheet1!XFD1048576");
    assert_eq!(sheet.cell(1_048_575, 16_383), &CellValue::Text("z".into()));
}

#[test]
fn positions_are_absolute_even_when_the_used_range_starts_later() {
    let bytes = xlsx_with(&[(4, 3, "x"), (6, 5, "y")]);
    let wb = open_workbook(&bytes, LIMIT).unwrap();
    assert_eq!(wb.sheets[0].cell(4, 3), &CellValue::Text("x".into()));
    assert_eq!(wb.sheets[0].a1(6, 5), "Sheet1!F7");
}

#[test]
fn a_workbook_with_too_many_cells_is_refused() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let cells = u32::try_from(MAX_CELLS).unwrap() + 1;
    for i in 0..cells {
        sheet.write_number(i / 100, (i % 100) as u16, 1.0).unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    assert_eq!(
        open_workbook(&bytes, 1 << 26),
        Err(WorkbookError::TooManyCells { limit: MAX_CELLS })
    );
}

#[test]
fn merged_regions_are_kept() {
    let wb = open_workbook(&monthly_template().unwrap(), LIMIT).unwrap();
    assert!(
        wb.sheets[0]
            .merges()
            .iter()
            .any(|m| m.start == (1, 0) && m.end == (1, 10))
    );
}

#[test]
fn every_error_has_a_chinese_message() {
    for error in [
        WorkbookError::NotASpreadsheet,
        WorkbookError::Damaged(String::new()),
        WorkbookError::TooLarge { limit: 1 },
        WorkbookError::TooManyCells { limit: 1 },
        WorkbookError::Encrypted,
    ] {
        let message = error.user_message();
        assert!(message.contains("请"), "{message}");
    }
}

#[test]
fn iso_dates_become_dates() {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 10, 15).unwrap();
    assert_eq!(
        iso_date("2026-10-15"),
        CellValue::Date(date.and_time(chrono::NaiveTime::MIN))
    );
    assert_eq!(
        iso_date("2026-10-15T09:30:00"),
        CellValue::Date(date.and_hms_opt(9, 30, 0).unwrap())
    );
    assert_eq!(iso_date("soon"), CellValue::Text("soon".into()));
}

/// The 004 sample with a value row repeated 6000 times across 16000 columns: 14 KB that calamine
/// would expand to 96 million cells.
fn ods_repeat_bomb() -> Vec<u8> {
    use std::io::Write;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/acceptance-forms/004.ods");
    let original = std::fs::read(path).unwrap();
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(original.as_slice())).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut out);
    for i in 0..source.len() {
        let mut file = source.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut data).unwrap();
        if name == "content.xml" {
            let text = String::from_utf8(data).unwrap();
            let at = text.find("<table:table-row").unwrap();
            let bomb = r#"<table:table-row table:number-rows-repeated="6000"><table:table-cell table:number-columns-repeated="16000" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>"#;
            data = format!("{}{bomb}{}", &text[..at], &text[at..]).into_bytes();
        }
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        writer.start_file(name, options).unwrap();
        writer.write_all(&data).unwrap();
    }
    writer.finish().unwrap();
    out.into_inner()
}

#[test]
fn an_ods_whose_repeats_expand_past_the_limit_is_refused() {
    let bytes = ods_repeat_bomb();
    assert!(bytes.len() < 20_000);
    assert_eq!(
        open_workbook(&bytes, LIMIT),
        Err(WorkbookError::TooManyCells {
            limit: MAX_SHEET_AREA as usize
        })
    );
}
