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

/// A `.xls` (an OLE compound file holding one `Workbook` stream) whose BIFF globals are a BOF,
/// an empty shared-string table followed by `continues` empty CONTINUE records (four bytes
/// each), and an EOF: calamine takes such a run from its front one record at a time.
pub fn xls_with_continue_run(continues: usize) -> Vec<u8> {
    let record = |typ: u16, data: &[u8]| -> Vec<u8> {
        let len = u16::try_from(data.len()).expect("record length");
        [&typ.to_le_bytes()[..], &len.to_le_bytes(), data].concat()
    };
    let mut bof = vec![0u8; 16];
    bof[..4].copy_from_slice(&[0x00, 0x06, 0x05, 0x00]);
    let mut stream = record(0x0809, &bof);
    stream.extend(record(0x00FC, &[0; 8]));
    for _ in 0..continues {
        stream.extend(record(0x003C, &[]));
    }
    stream.extend(record(0x000A, &[]));
    // At least 4096 bytes: a shorter stream would live in the mini stream.
    stream.resize(stream.len().max(4096), 0);
    compound_file(&stream)
}

/// An OLE compound file (version 3, 512-byte sectors) with `stream` as its `Workbook` entry:
/// the stream's sectors, one directory sector, then the FAT.
fn compound_file(stream: &[u8]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    const FREE: u32 = 0xFFFF_FFFF;
    let data_sectors = stream.len().div_ceil(512);
    let mut fat_sectors = 1;
    while (data_sectors + 1 + fat_sectors).div_ceil(128) > fat_sectors {
        fat_sectors += 1;
    }
    assert!(
        fat_sectors <= 109,
        "stream too long for a header-only DIFAT"
    );
    let dir_sector = data_sectors as u32;
    let mut fat: Vec<u32> = (1..=data_sectors as u32).collect();
    fat[data_sectors - 1] = END;
    fat.push(END);
    fat.extend(std::iter::repeat_n(0xFFFF_FFFD, fat_sectors));
    fat.resize(fat_sectors * 128, FREE);

    let mut out = vec![0u8; 512];
    out[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let mut put = |at: usize, bytes: &[u8]| out[at..at + bytes.len()].copy_from_slice(bytes);
    put(0x18, &0x003Eu16.to_le_bytes());
    put(0x1A, &3u16.to_le_bytes());
    put(0x1C, &0xFFFEu16.to_le_bytes());
    put(0x1E, &9u16.to_le_bytes());
    put(0x20, &6u16.to_le_bytes());
    put(0x2C, &(fat_sectors as u32).to_le_bytes());
    put(0x30, &dir_sector.to_le_bytes());
    put(0x38, &4096u32.to_le_bytes());
    put(0x3C, &END.to_le_bytes());
    put(0x44, &END.to_le_bytes());
    for i in 0..109 {
        let id = if i < fat_sectors {
            dir_sector + 1 + i as u32
        } else {
            FREE
        };
        put(0x4C + 4 * i, &id.to_le_bytes());
    }
    let mut body = stream.to_vec();
    body.resize(data_sectors * 512, 0);
    out.extend(body);
    out.extend(directory_entry("Root Entry", 5, 1, END, 0));
    out.extend(directory_entry("Workbook", 2, FREE, 0, stream.len() as u32));
    out.extend(std::iter::repeat_n(0u8, 256));
    out.extend(fat.iter().flat_map(|id| id.to_le_bytes()));
    out
}

fn directory_entry(name: &str, kind: u8, child: u32, start: u32, size: u32) -> Vec<u8> {
    let mut entry = vec![0u8; 128];
    let name = utf16(name);
    entry[..name.len()].copy_from_slice(&name);
    entry[0x40..0x42].copy_from_slice(&(name.len() as u16 + 2).to_le_bytes());
    entry[0x42] = kind;
    entry[0x43] = 1;
    entry[0x44..0x48].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    entry[0x48..0x4C].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    entry[0x4C..0x50].copy_from_slice(&child.to_le_bytes());
    entry[0x74..0x78].copy_from_slice(&start.to_le_bytes());
    entry[0x78..0x7C].copy_from_slice(&size.to_le_bytes());
    entry
}
