//! An `.xlsx` read straight from its zip: only the parts a form reader uses.
//!
//! calamine's `Xlsx::new` inflated and parsed every part it might need (package relationships,
//! shared strings, the whole style sheet with fonts, fills and borders, the theme for their
//! colours) and read each sheet twice (cells, then merges), from a second parse of the zip
//! directory: most of a form read went there (issue 17). Here the zip directory parsed once by
//! the guards is reused; the workbook, its relationships, the shared strings and the number
//! formats of the style sheet (what tells a date from a number, as calamine tells it) are read
//! from whole inflated parts with a borrowing XML reader, and each sheet once ([`xlsx_sheet`]).
//! Every part is inflated within what is left of the message's budget, whatever it declares.
//!
//! [`xlsx_sheet`]: super::xlsx_sheet

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::SheetVisible;
use quick_xml::events::{BytesStart, Event};

use super::xlsx_sheet::{self, Formats};
use super::xlsx_text::{self, attr, xml_reader};
use super::{MAX_CELLS, WorkbookError, damaged};
use crate::forms::workbook::{Sheet, Workbook};

/// The zip of an xlsx, its parts found ASCII-case-insensitively (`\` read as `/`), inflated
/// within a budget.
struct Package<'z, 'b> {
    zip: &'z mut zip::ZipArchive<Cursor<&'b [u8]>>,
    names: HashMap<String, usize>,
    budget: u64,
}

/// A worksheet as the workbook lists it.
struct SheetEntry {
    name: String,
    path: String,
    hidden: bool,
}

/// Reads every worksheet of the xlsx in `zip`, inflating at most `limit` bytes in all.
pub(super) fn read(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    limit: u64,
) -> Result<Workbook, WorkbookError> {
    let mut package = Package::new(zip, limit);
    let (dir, workbook_name) = package.workbook_location()?;
    let relationships = package.relationships(&format!("{dir}_rels/{workbook_name}.rels"))?;
    let Some(workbook) = package.part(&format!("{dir}{workbook_name}"))? else {
        return Ok(Workbook::default());
    };
    let (entries, is_1904) = sheet_entries(&workbook, &relationships, &dir)?;
    let strings = match package.part(&format!("{dir}sharedStrings.xml"))? {
        Some(xml) => shared_strings(&xml)?,
        None => Vec::new(),
    };
    let formats = match package.part(&format!("{dir}styles.xml"))? {
        Some(xml) => cell_formats(&xml)?,
        None => Vec::new(),
    };
    let formats = Formats::new(formats, is_1904);
    let mut budget = MAX_CELLS;
    let mut sheets = Vec::with_capacity(entries.len());
    for entry in entries {
        let Some(xml) = package.part(&entry.path)? else {
            return Err(WorkbookError::Damaged(format!(
                "worksheet {} ({}) is missing",
                entry.name, entry.path
            )));
        };
        let (cells, merges) = xlsx_sheet::read(&xml, &strings, &formats, &mut budget)?;
        let mut sheet = Sheet::new(entry.name, cells, merges);
        sheet.hidden = entry.hidden;
        sheets.push(sheet);
    }
    Ok(Workbook { sheets })
}

impl<'z, 'b> Package<'z, 'b> {
    fn new(zip: &'z mut zip::ZipArchive<Cursor<&'b [u8]>>, budget: u64) -> Self {
        let names = (0..zip.len())
            .filter_map(|i| {
                let name = zip.name_for_index(i)?.ok()?;
                Some((name.replace('\\', "/").to_ascii_lowercase(), i))
            })
            .collect();
        Self { zip, names, budget }
    }

    /// The part's bytes, inflated within the budget; `None` when the zip has no such part.
    fn part(&mut self, path: &str) -> Result<Option<Vec<u8>>, WorkbookError> {
        let Some(&index) = self.names.get(&path.to_ascii_lowercase()) else {
            return Ok(None);
        };
        let limit = self.budget;
        let mut file = self.zip.by_index(index).map_err(damaged)?;
        let capacity = usize::try_from(file.size().min(limit)).unwrap_or(0);
        let mut bytes = Vec::with_capacity(capacity);
        (&mut file)
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(damaged)?;
        let used = bytes.len() as u64;
        if used > limit {
            return Err(WorkbookError::TooLarge { limit });
        }
        self.budget -= used;
        Ok(Some(bytes))
    }

    /// The folder (`xl/`) and name (`workbook.xml`) of the workbook part, from the package
    /// relationships, as calamine finds them.
    fn workbook_location(&mut self) -> Result<(String, String), WorkbookError> {
        let rels = self
            .part("_rels/.rels")?
            .ok_or_else(|| WorkbookError::Damaged("the package has no _rels/.rels".to_string()))?;
        let target = relationship_list(&rels)?
            .into_iter()
            .find(|r| r.kind.ends_with("/relationships/officeDocument"))
            .map(|r| r.target)
            .ok_or_else(|| WorkbookError::Damaged("no officeDocument relationship".to_string()))?;
        let (dir, name) = target.split_at(target.rfind('/').map_or(0, |i| i + 1));
        let dir = dir.strip_prefix('/').unwrap_or(dir).to_string();
        let name = if name.is_empty() {
            "workbook.xml"
        } else {
            name
        };
        Ok((dir, name.to_string()))
    }

    /// The workbook's relationships by id: (target, type).
    fn relationships(
        &mut self,
        path: &str,
    ) -> Result<HashMap<String, Relationship>, WorkbookError> {
        let rels = self
            .part(path)?
            .ok_or_else(|| WorkbookError::Damaged(format!("the package has no {path}")))?;
        Ok(relationship_list(&rels)?
            .into_iter()
            .filter_map(|r| Some((r.id.clone()?, r)))
            .collect())
    }
}

struct Relationship {
    id: Option<String>,
    target: String,
    kind: String,
}

fn relationship_list(xml: &[u8]) -> Result<Vec<Relationship>, WorkbookError> {
    let mut reader = xml_reader(xml);
    let mut found = Vec::new();
    loop {
        match reader.read_event().map_err(damaged)? {
            Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                found.push(Relationship {
                    id: attr(&e, "Id")?,
                    target: attr(&e, "Target")?.unwrap_or_default(),
                    kind: attr(&e, "Type")?.unwrap_or_default(),
                });
            }
            Event::Eof => return Ok(found),
            _ => {}
        }
    }
}

/// The worksheets the workbook lists, in its order, and whether it counts dates from 1904.
fn sheet_entries(
    xml: &[u8],
    relationships: &HashMap<String, Relationship>,
    dir: &str,
) -> Result<(Vec<SheetEntry>, bool), WorkbookError> {
    let mut reader = xml_reader(xml);
    let mut entries = Vec::new();
    let mut is_1904 = false;
    loop {
        match reader.read_event().map_err(damaged)? {
            Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                if let Some(entry) = sheet_entry(&e, relationships, dir)? {
                    entries.push(entry);
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "workbookPr" => {
                if let Some(v) = attr(&e, "date1904")? {
                    is_1904 = v == "1" || v == "true";
                }
            }
            Event::Eof => return Ok((entries, is_1904)),
            _ => {}
        }
    }
}

/// A `<sheet>` of the workbook, when it is a worksheet (chart and dialog sheets are skipped).
fn sheet_entry(
    e: &BytesStart<'_>,
    relationships: &HashMap<String, Relationship>,
    dir: &str,
) -> Result<Option<SheetEntry>, WorkbookError> {
    let name = attr(e, "name")?.unwrap_or_default();
    let state = attr(e, "state")?;
    let hidden = match state.as_deref() {
        None | Some("visible") => SheetVisible::Visible,
        Some("hidden") => SheetVisible::Hidden,
        Some(_) => SheetVisible::VeryHidden,
    } != SheetVisible::Visible;
    let mut rel_id = None;
    for attribute in e.attributes().with_checks(false) {
        let attribute = attribute.map_err(damaged)?;
        if attribute.key.local_name().as_ref() == "id" {
            rel_id = Some(attribute.value.to_string());
        }
    }
    let relationship = rel_id
        .and_then(|id| relationships.get(&id))
        .ok_or_else(|| WorkbookError::Damaged(format!("sheet {name} has no relationship")))?;
    if relationship.kind.rsplit('/').next() != Some("worksheet") {
        return Ok(None);
    }
    let target = &relationship.target;
    let path = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("{dir}{target}"),
    };
    Ok(Some(SheetEntry { name, path, hidden }))
}

/// The shared strings, in order (rich text runs joined, phonetic runs left out), at most
/// [`MAX_CELLS`] of them.
fn shared_strings(xml: &[u8]) -> Result<Vec<String>, WorkbookError> {
    let mut reader = xml_reader(xml);
    let mut strings = Vec::new();
    loop {
        match reader.read_event().map_err(damaged)? {
            Event::Start(e) if e.local_name().as_ref() == "si" => {
                if strings.len() == MAX_CELLS {
                    return Err(WorkbookError::TooManyCells { limit: MAX_CELLS });
                }
                strings.push(xlsx_text::rich_string(&mut reader, e.name())?);
            }
            Event::Eof => return Ok(strings),
            _ => {}
        }
    }
}

/// Per cell format (`cellXfs`, by index), whether it shows a date, as calamine decides.
fn cell_formats(xml: &[u8]) -> Result<Vec<xlsx_sheet::CellFormat>, WorkbookError> {
    let mut reader = xml_reader(xml);
    let mut custom: HashMap<String, String> = HashMap::new();
    let mut formats = Vec::new();
    let mut in_cell_xfs = false;
    loop {
        match reader.read_event().map_err(damaged)? {
            Event::Start(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId")?, attr(&e, "formatCode")?)
                    {
                        custom.insert(id, code);
                    }
                }
                "cellXfs" => in_cell_xfs = true,
                "xf" if in_cell_xfs => {
                    if formats.len() == MAX_CELLS {
                        return Err(WorkbookError::TooManyCells { limit: MAX_CELLS });
                    }
                    let format =
                        attr(&e, "numFmtId")?.map_or(xlsx_sheet::CellFormat::Other, |id| {
                            match custom.get(&id) {
                                Some(code) => xlsx_sheet::custom_format(code),
                                None => xlsx_sheet::builtin_format(&id),
                            }
                        });
                    formats.push(format);
                }
                _ => {}
            },
            // Nothing after the cell formats tells a date from a number (custom number formats
            // come before them, and calamine reads them as they come too): the rest of the
            // style sheet (named styles, colours, extensions) is not parsed.
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => return Ok(formats),
            Event::Eof => return Ok(formats),
            _ => {}
        }
    }
}
