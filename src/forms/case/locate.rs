//! Finding the case form's labels and their text, in a workbook or a Word document.
//!
//! Two shapes are read, both with the case label table:
//! - lines (Word paragraphs, or the lines inside one cell): a line with labels starts new entries
//!   (`线索来源：……`, or the notice's four footer pairs on one line); a line without a label
//!   continues the last content part, so a paragraph holding only a label takes the paragraphs
//!   after it up to the next label; a bare footer label takes the one line after it;
//! - grids (a sheet, or a Word table): a label with no text in its own cell takes the nearest cell
//!   to its right (past its merged area), else the cells below it, unless those are labels.
//!
//! The first occurrence of a label that has text wins.

use std::collections::HashSet;

use crate::forms::docx::{Block, Document};
use crate::forms::labels::{CaseLabel, CasePart, case_labels};
use crate::forms::{FieldKey, Finding, Sheet, Workbook};

/// A label's text and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Spot {
    pub text: String,
    pub place: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    label: CaseLabel,
    /// Where the label itself was.
    label_place: Option<String>,
    value: Option<Spot>,
}

/// The labels found and their text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Found {
    entries: Vec<Entry>,
}

impl Found {
    fn add(&mut self, entry: Entry) {
        match self.entries.iter_mut().find(|e| e.label == entry.label) {
            Some(existing) if existing.value.is_none() => existing.value = entry.value,
            Some(_) => {}
            None => self.entries.push(entry),
        }
    }

    fn extend(&mut self, other: Found) {
        for entry in other.entries {
            self.add(entry);
        }
    }

    /// The text of a label, when it was found with text.
    pub fn value(&self, label: CaseLabel) -> Option<&Spot> {
        self.entries
            .iter()
            .find(|e| e.label == label)
            .and_then(|e| e.value.as_ref())
    }

    /// Where a label was, when it was found (with text or not).
    pub fn label_place(&self, label: CaseLabel) -> Option<Option<&str>> {
        self.entries
            .iter()
            .find(|e| e.label == label)
            .map(|e| e.label_place.as_deref())
    }

    /// Drops `guidance` (the blank template's text, compared without whitespace) from the start
    /// of the overview; an overview that was only the guidance is no overview.
    pub fn drop_guidance(&mut self, guidance: &str) {
        let overview = CaseLabel::Part(CasePart::Overview);
        let Some(entry) = self.entries.iter_mut().find(|e| e.label == overview) else {
            return;
        };
        let Some(spot) = &mut entry.value else {
            return;
        };
        if let Some(rest) = strip_prefix_ignoring_whitespace(&spot.text, guidance) {
            let rest = rest.trim();
            if rest.is_empty() {
                entry.value = None;
            } else {
                spot.text = rest.to_string();
            }
        }
    }

    /// How many content parts other than 备注 were found (a measure of how much form there is).
    pub fn part_count(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e.label, CaseLabel::Part(p) if p != CasePart::Remarks))
            .count()
    }
}

/// `text` after `prefix`, both compared with all whitespace ignored; `None` if it does not start so.
fn strip_prefix_ignoring_whitespace<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let mut wanted = prefix.chars().filter(|c| !c.is_whitespace()).peekable();
    for (i, c) in text.char_indices() {
        if wanted.peek().is_none() {
            return text.get(i..);
        }
        if c.is_whitespace() {
            continue;
        }
        if wanted.next() != Some(c) {
            return None;
        }
    }
    wanted.peek().is_none().then_some("")
}

/// The sheet holding the most case labels (a visible one on a tie), and a warning when other
/// sheets hold case labels too.
pub(super) fn locate_workbook(wb: &Workbook) -> (Found, Vec<Finding>) {
    let found: Vec<Found> = wb
        .sheets
        .iter()
        .map(|sheet| locate_grid(sheet, &|row, col| sheet.a1(row, col)))
        .collect();
    let count = |i: usize| found.get(i).map_or(0, Found::part_count);
    let visible = |i: usize| wb.sheets.get(i).is_some_and(|s| !s.hidden);
    let best = (0..wb.sheets.len()).max_by_key(|&i| (count(i), visible(i), usize::MAX - i));
    let Some(best) = best else {
        return (Found::default(), Vec::new());
    };
    let others: Vec<&str> = (0..wb.sheets.len())
        .filter(|&i| i != best && count(i) > 0)
        .filter_map(|i| wb.sheets.get(i).map(|s| s.name.as_str()))
        .collect();
    let mut warnings = Vec::new();
    if !others.is_empty() {
        let name = wb.sheets.get(best).map_or("", |s| s.name.as_str());
        warnings.push(Finding::warning(
            FieldKey::Sheet,
            None,
            format!(
                "工作簿中有多张工作表填写了典型案例（{name}、{}），已按工作表「{name}」读取。\
                 如有多个案例，请每个案例单独一个文件发送。",
                others.join("、")
            ),
        ));
    }
    let chosen = found.into_iter().nth(best).unwrap_or_default();
    (chosen, warnings)
}

/// The labels of a Word document: its paragraphs as lines, its tables as grids.
pub(super) fn locate_document(doc: &Document) -> Found {
    let mut found = Found::default();
    let mut lines: Vec<&str> = Vec::new();
    let mut tables = 0usize;
    for block in &doc.blocks {
        match block {
            Block::Paragraph(text) => lines.extend(text.lines()),
            Block::Table(rows) => {
                add_lines(&mut found, std::mem::take(&mut lines).into_iter(), None);
                tables += 1;
                let sheet = table_sheet(rows);
                let place =
                    |row: u32, col: u32| format!("第{tables}个表格第{}行第{}列", row + 1, col + 1);
                found.extend(locate_grid(&sheet, &place));
            }
        }
    }
    add_lines(&mut found, lines.into_iter(), None);
    found
}

fn table_sheet(rows: &[Vec<String>]) -> Sheet {
    let cells = rows.iter().zip(0u32..).flat_map(|(row, r)| {
        row.iter()
            .zip(0u32..)
            .map(move |(text, c)| (r, c, crate::forms::CellValue::Text(text.clone())))
    });
    Sheet::new("表格", cells.filter(|(_, _, v)| !v.is_blank()), Vec::new())
}

fn add_lines<'a>(found: &mut Found, lines: impl Iterator<Item = &'a str>, place: Option<String>) {
    for entry in read_lines(lines, place) {
        found.add(entry);
    }
}

/// The entries of a run of lines (see the module doc).
fn read_lines<'a>(lines: impl Iterator<Item = &'a str>, place: Option<String>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    // The entry that takes the lines without a label, if any.
    let mut open: Option<usize> = None;
    for line in lines {
        let matches = case_labels().match_cell(line);
        if matches.is_empty() {
            let Some(entry) = open.and_then(|i| entries.get_mut(i)) else {
                continue;
            };
            if line.trim().is_empty() {
                continue;
            }
            let spot = entry.value.get_or_insert_with(|| Spot {
                text: String::new(),
                place: place.clone(),
            });
            if !spot.text.is_empty() {
                spot.text.push('\n');
            }
            spot.text.push_str(line.trim());
            if matches!(entry.label, CaseLabel::Header(_)) {
                open = None;
            }
            continue;
        }
        for found in matches {
            let takes_more = matches!(found.key, CaseLabel::Part(_)) || found.inline.is_none();
            entries.push(Entry {
                label: found.key,
                label_place: place.clone(),
                value: found.inline.map(|text| Spot {
                    text,
                    place: place.clone(),
                }),
            });
            open = takes_more.then_some(entries.len() - 1);
        }
    }
    entries
}

/// The labels of a grid; `place` names a cell. A cell taken as a label's text is not searched
/// for labels itself: an overview written as `线索来源：……简要案情：……` stays one overview.
fn locate_grid(sheet: &Sheet, place: &dyn Fn(u32, u32) -> String) -> Found {
    let mut found = Found::default();
    let mut taken: HashSet<(u32, u32)> = HashSet::new();
    for (row, col, value) in sheet.cells() {
        let Some(text) = value.as_text() else {
            continue;
        };
        if taken.contains(&(row, col)) {
            continue;
        }
        let mut entries = read_lines(text.lines(), Some(place(row, col)));
        if let Some(last) = entries.last_mut()
            && last.value.is_none()
            && let Some((spot, cells)) = neighbour_value(sheet, row, col, last.label, place)
        {
            last.value = Some(spot);
            taken.extend(cells);
        }
        for entry in entries {
            found.add(entry);
        }
    }
    found
}

/// Whether the cell holds a label that ends the text of `label`: any label, except that an
/// overview's text may itself be written as `线索来源：……简要案情：……`.
fn ends_text_of(label: CaseLabel, sheet: &Sheet, row: u32, col: u32) -> bool {
    let Some(text) = sheet.cell(row, col).as_text() else {
        return false;
    };
    let entries = read_lines(text.lines(), None);
    if label == CaseLabel::Part(CasePart::Overview) {
        entries
            .iter()
            .any(|e| !matches!(e.label, CaseLabel::Part(p) if CasePart::FOUR.contains(&p)))
    } else {
        !entries.is_empty()
    }
}

/// The text right of the label (past its merged area), else below it: one cell for a footer
/// label, the cells down to the next blank row or label for a content part.
fn neighbour_value(
    sheet: &Sheet,
    row: u32,
    col: u32,
    label: CaseLabel,
    place: &dyn Fn(u32, u32) -> String,
) -> Option<(Spot, Vec<(u32, u32)>)> {
    let (end_row, end_col) = sheet.merge_end(row, col);
    let right = sheet
        .row_from(row, end_col.saturating_add(1))
        .find(|(_, v)| !v.is_blank());
    if let Some((right_col, value)) = right
        && !ends_text_of(label, sheet, row, right_col)
    {
        let spot = Spot {
            text: value.display().trim().to_string(),
            place: Some(place(row, right_col)),
        };
        return Some((spot, vec![(row, right_col)]));
    }
    let mut lines = Vec::new();
    let mut cells = Vec::new();
    for below in end_row.saturating_add(1)..=end_row.saturating_add(MAX_ROWS_BELOW) {
        let Some((below_col, value)) = sheet
            .row_from(below, col)
            .take_while(|(c, _)| *c <= end_col)
            .find(|(_, v)| !v.is_blank())
        else {
            break;
        };
        if ends_text_of(label, sheet, below, below_col) {
            break;
        }
        cells.push((below, below_col));
        lines.push(value.display().trim().to_string());
        if matches!(label, CaseLabel::Header(_)) {
            break;
        }
    }
    let &(first_row, first_col) = cells.first()?;
    let spot = Spot {
        text: lines.join("\n"),
        place: Some(place(first_row, first_col)),
    };
    Some((spot, cells))
}

/// How many rows of text under a content label are joined (a case is at most a few paragraphs).
const MAX_ROWS_BELOW: u32 = 50;
