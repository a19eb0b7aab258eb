//! Finding the monthly form in a workbook: which sheet, and for each label the cell of its value.
//!
//! Labels may sit anywhere. A field label's value is below it when the labels run along a row
//! (horizontal layout) and to its right when they run down a column (vertical layout); the layout
//! is decided per label from its neighbours, falling back on the sheet's majority. Merged label
//! cells are looked under (or beside) as a whole. Header labels (填报单位…) take the value to their
//! right, else below, unless that cell is itself a label.

use std::collections::HashMap;

use crate::domain::Field;
use crate::domain::text::half_width;
use crate::forms::labels::{Header, MonthlyLabel, monthly_labels, normalize};
use crate::forms::{CellValue, FieldKey, Finding, Sheet, Workbook};

/// A value and the cell it came from (for an inline value, the label's own cell).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Spot {
    pub row: u32,
    pub col: u32,
    pub value: CellValue,
}

/// The chosen sheet and what was found on it.
#[derive(Debug)]
pub(super) struct Located<'a> {
    pub sheet: &'a Sheet,
    /// Per field (notice order): `None` when the label is missing; a blank value is a `Spot`
    /// holding `CellValue::Empty` at the cell where the value belongs.
    pub fields: [Option<Spot>; 11],
    /// The first occurrence of each header label; `None` when its value is blank.
    pub headers: HashMap<Header, Option<Spot>>,
    /// The title cell, if any.
    pub title: Option<Spot>,
    pub warnings: Vec<Finding>,
}

#[derive(Debug, Clone)]
struct Hit {
    key: MonthlyLabel,
    row: u32,
    col: u32,
    inline: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Orientation {
    Horizontal,
    Vertical,
}

/// How many rows of bare units (`封`, `（个）`) may sit between a label and its value.
const MAX_UNIT_ROWS: u32 = 2;

/// Finds the form; `None` when the workbook has no sheet.
pub(super) fn locate(wb: &Workbook) -> Option<Located<'_>> {
    let hits: Vec<Vec<Hit>> = wb.sheets.iter().map(label_hits).collect();
    let (chosen, mut warnings) = choose_sheet(wb, &hits)?;
    let sheet = wb.sheets.get(chosen)?;
    let sheet_hits = hits.get(chosen).map(Vec::as_slice).unwrap_or_default();
    warnings.extend(duplicate_warnings(sheet, sheet_hits));
    Some(Located {
        sheet,
        fields: field_spots(sheet, sheet_hits),
        headers: header_spots(sheet, sheet_hits),
        title: title_spot(sheet),
        warnings,
    })
}

fn label_hits(sheet: &Sheet) -> Vec<Hit> {
    let table = monthly_labels();
    let mut hits = Vec::new();
    for (row, col, value) in sheet.cells() {
        let Some(text) = value.as_text() else {
            continue;
        };
        for found in table.match_cell(text) {
            hits.push(Hit {
                key: found.key,
                row,
                col,
                inline: found.inline,
            });
        }
    }
    hits
}

fn field_count(hits: &[Hit]) -> usize {
    Field::ALL
        .iter()
        .filter(|f| hits.iter().any(|h| h.key == MonthlyLabel::Field(**f)))
        .count()
}

/// The first visible sheet holding all eleven labels (else the first hidden one, else the sheet
/// with the most), and a warning when other sheets hold the form too.
fn choose_sheet(wb: &Workbook, hits: &[Vec<Hit>]) -> Option<(usize, Vec<Finding>)> {
    let mut order: Vec<usize> = (0..wb.sheets.len()).collect();
    order.sort_by_key(|&i| wb.sheets.get(i).is_some_and(|s| s.hidden));
    let counts: Vec<usize> = hits.iter().map(|h| field_count(h)).collect();
    let count = |i: usize| counts.get(i).copied().unwrap_or(0);
    let complete = order
        .iter()
        .copied()
        .find(|&i| count(i) == Field::ALL.len());
    let best = complete.or_else(|| {
        let max = order.iter().map(|&i| count(i)).max()?;
        order.iter().copied().find(|&i| count(i) == max)
    })?;
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
                "工作簿中有多张工作表填写了报表（{}、{}），已按工作表「{}」读取，其他工作表未采用。\
                 如需以其他工作表为准，请只保留那一张后重新发送。",
                name,
                others.join("、"),
                name
            ),
        ));
    }
    Some((best, warnings))
}

fn duplicate_warnings(sheet: &Sheet, hits: &[Hit]) -> Vec<Finding> {
    let mut warnings = Vec::new();
    for field in Field::ALL {
        let cells: Vec<String> = hits
            .iter()
            .filter(|h| h.key == MonthlyLabel::Field(field))
            .map(|h| sheet.a1(h.row, h.col))
            .collect();
        if let [first, _, ..] = cells.as_slice() {
            warnings.push(Finding::warning(
                field,
                Some(first.clone()),
                format!(
                    "「{}」在表中出现了{}次（{}），已按第一处（{}）读取。",
                    field.label(),
                    cells.len(),
                    cells.join("、"),
                    first
                ),
            ));
        }
    }
    warnings
}

fn first_hit(hits: &[Hit], key: MonthlyLabel) -> Option<&Hit> {
    hits.iter().find(|h| h.key == key)
}

fn field_spots(sheet: &Sheet, hits: &[Hit]) -> [Option<Spot>; 11] {
    let firsts: Vec<&Hit> = Field::ALL
        .iter()
        .filter_map(|f| first_hit(hits, MonthlyLabel::Field(*f)))
        .collect();
    let decided: Vec<Option<Orientation>> = firsts
        .iter()
        .map(|h| neighbour_orientation(sheet, h))
        .collect();
    let horizontal = decided
        .iter()
        .filter(|o| **o == Some(Orientation::Horizontal))
        .count();
    let vertical = decided
        .iter()
        .filter(|o| **o == Some(Orientation::Vertical))
        .count();
    let majority = if vertical > horizontal {
        Orientation::Vertical
    } else {
        Orientation::Horizontal
    };
    Field::ALL.map(|field| {
        let hit = first_hit(hits, MonthlyLabel::Field(field))?;
        if let Some(text) = &hit.inline {
            return Some(inline_spot(hit, text));
        }
        let orientation = neighbour_orientation(sheet, hit).unwrap_or(majority);
        Some(match orientation {
            Orientation::Horizontal => value_below(sheet, hit),
            Orientation::Vertical => value_right(sheet, hit),
        })
    })
}

fn inline_spot(hit: &Hit, text: &str) -> Spot {
    Spot {
        row: hit.row,
        col: hit.col,
        value: CellValue::Text(text.to_string()),
    }
}

fn is_any_label(value: &CellValue) -> bool {
    value
        .as_text()
        .is_some_and(|text| !monthly_labels().match_cell(text).is_empty())
}

/// A cell holding only a unit, like `封`, `（个）` or `单位：次`.
fn is_unit_text(value: &CellValue) -> bool {
    const UNITS: [&str; 14] = [
        "封",
        "次",
        "个",
        "册",
        "条",
        "张",
        "幅",
        "人",
        "条/张/幅",
        "单位",
        "处",
        "块",
        "份",
        "篇",
    ];
    let Some(text) = value.as_text() else {
        return false;
    };
    let folded: String = half_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bare = folded
        .trim_start_matches("单位:")
        .trim_start_matches(['(', '（', '['])
        .trim_end_matches([')', '）', ']']);
    !folded.is_empty() && (UNITS.contains(&bare) || normalize(&folded).is_empty())
}

/// Decides from the cells right of and below the label, when they tell.
fn neighbour_orientation(sheet: &Sheet, hit: &Hit) -> Option<Orientation> {
    let (end_row, end_col) = sheet.merge_end(hit.row, hit.col);
    let right = sheet.cell(hit.row, end_col.saturating_add(1));
    let below = sheet.cell(end_row.saturating_add(1), hit.col);
    // Each neighbour's labels are looked up once (they were looked up up to six times each).
    let (right, below) = (Neighbour::of(right), Neighbour::of(below));
    let horizontal = right.field_label || (below.valueish && !right.valueish);
    let vertical = below.field_label || (right.valueish && !below.valueish);
    match (horizontal, vertical) {
        (true, _) if right.field_label => Some(Orientation::Horizontal),
        (_, true) => Some(Orientation::Vertical),
        (true, false) => Some(Orientation::Horizontal),
        (false, false) => None,
    }
}

/// What a label's neighbour holds, for telling the orientation.
struct Neighbour {
    /// A field label.
    field_label: bool,
    /// Not blank, not a label, not a bare unit.
    valueish: bool,
}

impl Neighbour {
    fn of(value: &CellValue) -> Self {
        let matches = value
            .as_text()
            .map(|text| monthly_labels().match_cell(text))
            .unwrap_or_default();
        Self {
            field_label: matches
                .iter()
                .any(|m| matches!(m.key, MonthlyLabel::Field(_))),
            valueish: !value.is_blank() && matches.is_empty() && !is_unit_text(value),
        }
    }
}

/// The value under a label (anywhere under a merged label), skipping rows of bare units.
fn value_below(sheet: &Sheet, hit: &Hit) -> Spot {
    let (end_row, end_col) = sheet.merge_end(hit.row, hit.col);
    let first_row = end_row.saturating_add(1);
    for row in first_row..=first_row.saturating_add(MAX_UNIT_ROWS) {
        let found = sheet
            .row_from(row, hit.col)
            .take_while(|(col, _)| *col <= end_col)
            .find(|(_, v)| !v.is_blank());
        match found {
            Some((_, value)) if is_unit_text(value) => continue,
            Some((col, value)) if !is_any_label(value) => {
                return Spot {
                    row,
                    col,
                    value: value.clone(),
                };
            }
            None if row == first_row && lost_vertical_merge(sheet, row, hit.col, end_col) => {
                continue;
            }
            _ => break,
        }
    }
    blank_at(first_row, hit.col)
}

/// Whether `row` is the lower half of labels merged over two rows in a file that keeps no merge
/// information (.ods): the whole row is empty and the next row has a value under the label.
fn lost_vertical_merge(sheet: &Sheet, row: u32, col: u32, end_col: u32) -> bool {
    sheet.row_from(row, 0).all(|(_, v)| v.is_blank())
        && sheet
            .row_from(row.saturating_add(1), col)
            .take_while(|(c, _)| *c <= end_col)
            .any(|(_, v)| !v.is_blank() && !is_any_label(v))
}

/// The nearest value to the right of a label, skipping bare units and stopping at another label.
fn value_right(sheet: &Sheet, hit: &Hit) -> Spot {
    let (_, end_col) = sheet.merge_end(hit.row, hit.col);
    let mut blank_col = end_col.saturating_add(1);
    for (col, value) in sheet.row_from(hit.row, blank_col) {
        if value.is_blank() {
            continue;
        }
        if is_unit_text(value) {
            blank_col = col.saturating_add(1);
            continue;
        }
        if is_any_label(value) {
            break;
        }
        return Spot {
            row: hit.row,
            col,
            value: value.clone(),
        };
    }
    blank_at(hit.row, blank_col)
}

fn blank_at(row: u32, col: u32) -> Spot {
    Spot {
        row,
        col,
        value: CellValue::Empty,
    }
}

fn header_spots(sheet: &Sheet, hits: &[Hit]) -> HashMap<Header, Option<Spot>> {
    let mut headers = HashMap::new();
    for hit in hits {
        let MonthlyLabel::Header(header) = hit.key else {
            continue;
        };
        if headers.contains_key(&header) {
            continue;
        }
        let spot = match &hit.inline {
            Some(text) => Some(inline_spot(hit, text)),
            None => header_value(sheet, hit),
        };
        headers.insert(header, spot);
    }
    headers
}

/// A header's value: the next cell to the right, else the cell below, unless it is a label.
fn header_value(sheet: &Sheet, hit: &Hit) -> Option<Spot> {
    let (end_row, end_col) = sheet.merge_end(hit.row, hit.col);
    let right = sheet
        .row_from(hit.row, end_col.saturating_add(1))
        .find(|(_, v)| !v.is_blank());
    if let Some((col, value)) = right
        && !is_any_label(value)
    {
        return Some(Spot {
            row: hit.row,
            col,
            value: value.clone(),
        });
    }
    let row = end_row.saturating_add(1);
    let (col, value) = sheet
        .row_from(row, hit.col)
        .take_while(|(col, _)| *col <= end_col)
        .find(|(_, v)| !v.is_blank())?;
    (!is_any_label(value) && !is_unit_text(value)).then(|| Spot {
        row,
        col,
        value: value.clone(),
    })
}

/// The title: the first text cell that is not a label and mentions a report (`报表`, `情况表`, `月报`).
fn title_spot(sheet: &Sheet) -> Option<Spot> {
    sheet.cells().find_map(|(row, col, value)| {
        let text = value.as_text()?;
        let is_title = ["报表", "情况表", "月报"].iter().any(|w| text.contains(w))
            && monthly_labels().match_cell(text).is_empty();
        is_title.then(|| Spot {
            row,
            col,
            value: value.clone(),
        })
    })
}
