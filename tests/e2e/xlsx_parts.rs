//! Reading what calamine does not show of an .xlsx: row heights and which cells wrap, from the
//! worksheet and style XML parts (zip + quick-xml). Also a docx's parts.

use std::collections::HashMap;
use std::io::Read;

use quick_xml::events::{BytesStart, Event};

/// A part of a zip package, as text.
pub fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut file = zip.by_name(name).unwrap_or_else(|_| panic!("part {name}"));
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8 part");
    text
}

/// A binary part of a zip package.
pub fn part_bytes(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut file = zip.by_name(name).unwrap_or_else(|_| panic!("part {name}"));
    let mut out = Vec::new();
    file.read_to_end(&mut out).expect("part bytes");
    out
}

/// The names of a zip package's parts.
pub fn part_names(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    zip.file_names()
        .filter_map(Result::ok)
        .map(|name| name.into_owned())
        .collect()
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .filter_map(Result::ok)
        .find(|a| AsRef::<str>::as_ref(&a.key) == name)
        .map(|a| a.value.to_string())
}

/// Every start or empty element of an XML text: (local name, element).
fn elements(xml: &str, mut each: impl FnMut(&str, &BytesStart<'_>, bool)) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => each(e.local_name().as_ref(), &e, true),
            Event::Empty(e) => each(e.local_name().as_ref(), &e, false),
            Event::Eof => break,
            _ => {}
        }
    }
}

/// Sheet `n` (1-based) of a workbook: custom row heights by 0-based row, and each cell's style.
pub struct SheetParts {
    pub heights: HashMap<u32, f64>,
    pub styles: HashMap<String, usize>,
}

pub fn sheet_parts(xlsx: &[u8], n: usize) -> SheetParts {
    let xml = part(xlsx, &format!("xl/worksheets/sheet{n}.xml"));
    let mut heights = HashMap::new();
    let mut styles = HashMap::new();
    elements(&xml, |name, e, _| match name {
        "row" => {
            if let (Some(r), Some(ht)) = (attr(e, "r"), attr(e, "ht")) {
                heights.insert(
                    r.parse::<u32>().expect("row number") - 1,
                    ht.parse().expect("height"),
                );
            }
        }
        "c" => {
            if let (Some(r), Some(s)) = (attr(e, "r"), attr(e, "s")) {
                styles.insert(r, s.parse().expect("style index"));
            }
        }
        _ => {}
    });
    SheetParts { heights, styles }
}

/// For each cell format (cellXfs, in order): whether it wraps text.
pub fn wrapping_formats(xlsx: &[u8]) -> Vec<bool> {
    let xml = part(xlsx, "xl/styles.xml");
    let mut in_cell_xfs = false;
    let mut wraps = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event().expect("well-formed styles") {
            Event::Start(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = true,
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
            Event::Start(e) | Event::Empty(e) if in_cell_xfs => match e.local_name().as_ref() {
                "xf" => wraps.push(false),
                "alignment" => {
                    if attr(&e, "wrapText").as_deref() == Some("1")
                        && let Some(last) = wraps.last_mut()
                    {
                        *last = true;
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    wraps
}

/// Whether the cell at `a1` of a sheet wraps its text.
pub fn wraps(parts: &SheetParts, formats: &[bool], a1: &str) -> bool {
    parts
        .styles
        .get(a1)
        .and_then(|s| formats.get(*s))
        .copied()
        .unwrap_or(false)
}

/// The text of a docx's paragraphs (`w:t` runs joined per paragraph), and its picture extents.
pub fn docx_text_and_extents(docx: &[u8]) -> (Vec<String>, Vec<(i64, i64)>) {
    let xml = part(docx, "word/document.xml");
    let mut paragraphs = Vec::new();
    let mut extents = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut current = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().expect("well-formed document") {
            Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
            Event::End(e) if e.local_name().as_ref() == "t" => in_text = false,
            Event::End(e) if e.local_name().as_ref() == "p" => {
                paragraphs.push(std::mem::take(&mut current));
            }
            Event::Text(t) if in_text => current.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                current.push_str(quick_xml::escape::resolve_xml_entity(&r).unwrap_or("?"));
            }
            Event::Empty(e) if e.local_name().as_ref() == "extent" => {
                let cx = attr(&e, "cx").and_then(|v| v.parse().ok()).unwrap_or(0);
                let cy = attr(&e, "cy").and_then(|v| v.parse().ok()).unwrap_or(0);
                extents.push((cx, cy));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (paragraphs, extents)
}
