//! Small hostile inputs built in the test from real fixtures: each is a few kilobytes that used to
//! abort, stall or swell the process (issue 11).

use std::io::{Cursor, Read, Write};
use std::path::PathBuf;

pub fn fixture(relative: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Rebuilds a zip, letting `edit` change each member's bytes (by name).
pub fn rezip(original: &[u8], edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut source = zip::ZipArchive::new(Cursor::new(original)).expect("a zip");
    let mut out = Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut out);
    for i in 0..source.len() {
        let mut file = source.by_index(i).expect("member");
        let name = file.name().expect("name").to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data).expect("inflate");
        let data = edit(&name, data);
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        writer.start_file(name, options).expect("start");
        writer.write_all(&data).expect("write");
    }
    writer.finish().expect("finish");
    out.into_inner()
}

/// A zip of `files`, deflated.
pub fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        writer.start_file(*name, options).expect("start");
        writer.write_all(data).expect("write");
    }
    writer.finish().expect("finish");
    out.into_inner()
}

/// The official template with its shared strings declaring `unique_count` of them.
pub fn xlsx_with_unique_count(unique_count: &str) -> Vec<u8> {
    let template = reportdesk::forms::template::monthly_template().expect("template");
    rezip(&template, |name, data| {
        if !name.eq_ignore_ascii_case("xl/sharedStrings.xml") {
            return data;
        }
        let text = String::from_utf8(data).expect("utf-8");
        let start = text.find("<sst").expect("sst");
        let end = start + text[start..].find('>').expect("sst end");
        format!(
            "{}<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"{unique_count}\"{}",
            &text[..start],
            &text[end..]
        )
        .into_bytes()
    })
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A real `.xls` whose workbook stream is renamed `name` in the compound file's directory and
/// whose first sheet's DIMENSIONS record declares 16 million rows by 255 columns.
pub fn xls_renamed_with_huge_dimensions(name: &str) -> Vec<u8> {
    let mut bytes = fixture("acceptance-forms/003.xls");
    let from = utf16("Workbook");
    let to = utf16(name);
    assert_eq!(from.len(), to.len());
    let at = bytes
        .windows(from.len())
        .position(|w| w == from.as_slice())
        .expect("Workbook entry");
    bytes[at..at + to.len()].copy_from_slice(&to);
    // Every BIFF8 DIMENSIONS record: type 0x0200, length 14.
    let needle = [0x00, 0x02, 0x0E, 0x00];
    let positions: Vec<usize> = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect();
    assert!(!positions.is_empty(), "no DIMENSIONS record");
    for at in positions {
        bytes[at + 8..at + 12].copy_from_slice(&0x00FF_FFFFu32.to_le_bytes());
        bytes[at + 14..at + 16].copy_from_slice(&0x00FFu16.to_le_bytes());
    }
    bytes
}

/// The 004 ods sample with one value row inserted as `row` (raw XML).
pub fn ods_with_row(row: &str) -> Vec<u8> {
    let original = fixture("acceptance-forms/004.ods");
    rezip(&original, |name, data| {
        if name != "content.xml" {
            return data;
        }
        let text = String::from_utf8(data).expect("utf-8");
        let at = text.find("<table:table-row").expect("a row");
        format!("{}{row}{}", &text[..at], &text[at..]).into_bytes()
    })
}

/// A `.docx` whose one table has `cells` cells, each spanning 64 grid columns.
pub fn docx_of_spans(cells: usize) -> Vec<u8> {
    let cell = r#"<w:tc><w:tcPr><w:gridSpan w:val="64"/></w:tcPr><w:p/></w:tc>"#;
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl>"#,
    );
    for _ in 0..cells / 100 {
        xml.push_str("<w:tr>");
        xml.push_str(&cell.repeat(100));
        xml.push_str("</w:tr>");
    }
    xml.push_str("</w:tbl></w:body></w:document>");
    zip_of(&[("word/document.xml", xml.as_bytes())])
}

/// A workbook quick to open and slow to read: `cells` cells that all hold `text`, which the
/// file stores once (one shared string), so the opener's work is small and the label
/// splitter's, run on every cell, large.
pub fn xlsx_read_heavy(cells: u32, text: &str) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for i in 0..cells {
        sheet
            .write_string(i / 200, (i % 200) as u16, text)
            .expect("cell");
    }
    workbook.save_to_buffer().expect("xlsx")
}
