//! The xlsx reader against calamine's, on every xlsx fixture and on workbooks written by
//! rust_xlsxwriter (shared strings, rich text, dates, formulas, hidden sheets, merges).

use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};

use super::*;

/// The workbook as calamine reads it (what `open_workbook` did before issue 17).
fn calamine_workbook(bytes: &[u8]) -> Workbook {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let mut sheets = Vec::new();
    for meta in book.sheets_metadata().to_vec() {
        if meta.typ != SheetType::WorkSheet {
            continue;
        }
        let mut cells = Vec::new();
        let mut reader = book.worksheet_cells_reader(&meta.name).unwrap();
        while let Some(cell) = reader.next_cell().unwrap() {
            let value = match cell.get_value() {
                DataRef::SharedString(s) => CellValue::Text((*s).to_string()),
                DataRef::Float(f) => CellValue::Number(*f),
                DataRef::String(s) => CellValue::Text(s.clone()),
                DataRef::Bool(b) => CellValue::Bool(*b),
                DataRef::DateTime(dt) => dt
                    .as_datetime()
                    .map_or(CellValue::Number(dt.as_f64()), CellValue::Date),
                DataRef::DateTimeIso(s) => iso_date(s),
                DataRef::Error(e) => CellValue::Error(e.to_string()),
                DataRef::Empty => CellValue::Empty,
                other => panic!("unexpected {other:?}"),
            };
            let (row, col) = cell.get_position();
            cells.push((row, col, value));
        }
        drop(reader);
        let merges = book
            .merge_cells_by_sheet_name(&meta.name)
            .unwrap()
            .iter()
            .map(merge_of)
            .collect();
        let mut sheet = Sheet::new(meta.name.clone(), cells, merges);
        sheet.hidden = meta.visible != SheetVisible::Visible;
        sheets.push(sheet);
    }
    Workbook { sheets }
}

fn assert_same(name: &str, bytes: &[u8]) {
    let ours = open_workbook(bytes, 1 << 24).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(ours, calamine_workbook(bytes), "{name}");
}

#[test]
fn every_xlsx_fixture_reads_as_calamine_reads_it() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    let mut read = 0;
    for dir in ["forms", "acceptance-forms", "cases"] {
        for entry in std::fs::read_dir(format!("{root}{dir}")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.display().to_string();
            let bytes = std::fs::read(&path).unwrap();
            let zip_xlsx = bytes.starts_with(b"PK") && !name.ends_with(".ods");
            if !zip_xlsx || name.contains("truncated") || name.contains("notaform") {
                continue;
            }
            if name.ends_with(".docx") || Xlsx::new(Cursor::new(&bytes[..])).is_err() {
                continue;
            }
            if let Err(WorkbookError::TooLarge { .. }) = open_workbook(&bytes, 1 << 24) {
                continue; // the zip bomb of 048, refused before either reader sees it
            }
            assert_same(&name, &bytes);
            read += 1;
        }
    }
    assert!(read >= 35, "only {read} fixtures read");
}

#[test]
fn written_workbooks_read_as_calamine_reads_them() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook as Writer};
    let mut writer = Writer::new();
    let sheet = writer.add_worksheet().set_name("月报").unwrap();
    let date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    sheet.write_string(0, 0, "填报单位：跳磴镇").unwrap();
    sheet.write_string(0, 1, "  a_x000D_b &<> ").unwrap();
    sheet.write_number(1, 0, 420.0).unwrap();
    sheet.write_number(1, 1, 3.5).unwrap();
    sheet.write_boolean(1, 2, true).unwrap();
    let when = ExcelDateTime::from_ymd(2026, 11, 5).unwrap();
    sheet
        .write_datetime_with_format(1, 3, &when, &date)
        .unwrap();
    sheet
        .write_formula(1, 4, Formula::new("=A2+B2").set_result("423.5"))
        .unwrap();
    sheet
        .merge_range(3, 0, 4, 2, "合并", &Format::new())
        .unwrap();
    let bold = Format::new().set_bold();
    let rich = [(&bold, "公开"), (&Format::default(), "信（封）")];
    sheet.write_rich_string(2, 0, &rich).unwrap();
    let hidden = writer.add_worksheet().set_name("隐藏").unwrap();
    hidden.write_string(1_048_575, 16_383, "far").unwrap();
    hidden.set_hidden(true);
    let bytes = writer.save_to_buffer().unwrap();
    assert_same("written", &bytes);
    let ours = open_workbook(&bytes, 1 << 24).unwrap();
    assert_eq!(
        ours.sheets[0].cell(2, 0),
        &CellValue::Text("公开信（封）".into())
    );
    assert!(matches!(ours.sheets[0].cell(1, 3), CellValue::Date(_)));
    assert!(ours.sheets[1].hidden);
}
