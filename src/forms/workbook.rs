//! The in-memory workbook the form readers work on: sheets of cells at absolute positions.
//!
//! Whatever the file format, a sheet is a sparse map from absolute 0-based (row, column) to a
//! `CellValue`, plus the merged regions when the format records them (xlsx and xls; not ods).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

/// A workbook: its sheets in the file's order.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Workbook {
    pub sheets: Vec<Sheet>,
}

/// What a cell holds (formulas give their cached value).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub enum CellValue {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    Int(i64),
    Date(NaiveDateTime),
    Bool(bool),
    /// A formula error such as `#REF!`.
    Error(String),
}

impl CellValue {
    /// Empty, or text that is only whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            CellValue::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The value as a person would read it in the cell: whole numbers without `.0`, dates as
    /// `2026-11-05`, text as is.
    pub fn display(&self) -> String {
        match self {
            CellValue::Empty => String::new(),
            CellValue::Text(text) => text.clone(),
            CellValue::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
            CellValue::Number(n) => n.to_string(),
            CellValue::Int(i) => i.to_string(),
            CellValue::Date(dt) if dt.time() == chrono::NaiveTime::MIN => {
                dt.date().format("%Y-%m-%d").to_string()
            }
            CellValue::Date(dt) => dt.format("%Y-%m-%d %H:%M").to_string(),
            CellValue::Bool(true) => "TRUE".to_string(),
            CellValue::Bool(false) => "FALSE".to_string(),
            CellValue::Error(e) => e.clone(),
        }
    }
}

/// A merged region, inclusive on both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Merge {
    pub start: (u32, u32),
    pub end: (u32, u32),
}

/// One sheet.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Sheet {
    pub name: String,
    /// Hidden sheets are read too, but a visible sheet is preferred when both hold a form.
    pub hidden: bool,
    cells: BTreeMap<(u32, u32), CellValue>,
    merges: Vec<Merge>,
}

static EMPTY: CellValue = CellValue::Empty;

impl Sheet {
    /// A sheet from cells at absolute (row, column) positions; empty cells are dropped and a later
    /// cell at the same position replaces an earlier one.
    pub fn new(
        name: impl Into<String>,
        cells: impl IntoIterator<Item = (u32, u32, CellValue)>,
        merges: Vec<Merge>,
    ) -> Self {
        let cells = cells
            .into_iter()
            .filter(|(_, _, value)| *value != CellValue::Empty)
            .map(|(row, col, value)| ((row, col), value))
            .collect();
        Self {
            name: name.into(),
            hidden: false,
            cells,
            merges,
        }
    }

    /// A sheet from rows of text, `""` being an empty cell (for tests and simple conversions).
    pub fn from_text_rows(name: &str, rows: &[&[&str]]) -> Self {
        let cells = rows.iter().zip(0u32..).flat_map(|(row, r)| {
            row.iter().zip(0u32..).map(move |(text, c)| {
                let value = if text.is_empty() {
                    CellValue::Empty
                } else {
                    CellValue::Text((*text).to_string())
                };
                (r, c, value)
            })
        });
        Self::new(name, cells, Vec::new())
    }

    pub fn cell(&self, row: u32, col: u32) -> &CellValue {
        self.cells.get(&(row, col)).unwrap_or(&EMPTY)
    }

    /// The non-empty cells, row by row, left to right.
    pub fn cells(&self) -> impl Iterator<Item = (u32, u32, &CellValue)> {
        self.cells
            .iter()
            .map(|(&(row, col), value)| (row, col, value))
    }

    /// The non-empty cells of one row from column `from` on, left to right.
    pub fn row_from(&self, row: u32, from: u32) -> impl Iterator<Item = (u32, &CellValue)> {
        self.cells
            .range((row, from)..=(row, u32::MAX))
            .map(|(&(_, col), value)| (col, value))
    }

    pub fn merges(&self) -> &[Merge] {
        &self.merges
    }

    /// The bottom-right corner of the merged region whose top-left is (row, col), or the cell itself.
    pub fn merge_end(&self, row: u32, col: u32) -> (u32, u32) {
        self.merges
            .iter()
            .find(|m| m.start == (row, col))
            .map_or((row, col), |m| (m.end.0.max(row), m.end.1.max(col)))
    }

    /// The cell's address as people see it, e.g. `Sheet1!J5`.
    pub fn a1(&self, row: u32, col: u32) -> String {
        let mut out = String::with_capacity(self.name.len() + 12);
        out.push_str(&self.name);
        out.push('!');
        push_a1(&mut out, row, col);
        out
    }
}

/// `J5` for (4, 9).
pub fn a1(row: u32, col: u32) -> String {
    let mut out = String::with_capacity(12);
    push_a1(&mut out, row, col);
    out
}

/// [`a1`] appended to `out`, without the formatting machinery (every value read names its cell).
fn push_a1(out: &mut String, row: u32, col: u32) {
    // Columns up to 2^32 take at most 7 letters (26^7 > 2^32); rows up to 2^32 ten digits.
    let mut letters = [0u8; 8];
    let mut at = letters.len();
    let mut n = u64::from(col) + 1;
    while n > 0 && at > 0 {
        at -= 1;
        letters[at] = b'A' + ((n - 1) % 26) as u8;
        n = (n - 1) / 26;
    }
    let mut digits = [0u8; 20];
    let mut end = digits.len();
    let mut n = u64::from(row) + 1;
    while end > 0 {
        end -= 1;
        digits[end] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in letters.get(at..).unwrap_or_default() {
        out.push(char::from(b));
    }
    for &b in digits.get(end..).unwrap_or_default() {
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_cells_like_excel() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(4, 9), "J5");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(0, 701), "ZZ1");
        assert_eq!(a1(0, 702), "AAA1");
        assert!(a1(u32::MAX, u32::MAX).ends_with("4294967296"));
        let sheet = Sheet::from_text_rows("Sheet1", &[&["a"]]);
        assert_eq!(sheet.a1(5, 8), "Sheet1!I6");
    }

    #[test]
    fn reads_cells_rows_and_merges() {
        let merge = Merge {
            start: (0, 0),
            end: (1, 2),
        };
        let sheet = Sheet::new(
            "S",
            [
                (0, 0, CellValue::Text("t".into())),
                (2, 3, CellValue::Int(4)),
                (2, 1, CellValue::Number(1.5)),
                (3, 0, CellValue::Empty),
            ],
            vec![merge],
        );
        assert_eq!(sheet.cell(2, 3), &CellValue::Int(4));
        assert_eq!(sheet.cell(3, 0), &CellValue::Empty);
        assert_eq!(sheet.cells().count(), 3);
        let row: Vec<u32> = sheet.row_from(2, 2).map(|(c, _)| c).collect();
        assert_eq!(row, [3]);
        assert_eq!(sheet.merge_end(0, 0), (1, 2));
        assert_eq!(sheet.merge_end(2, 3), (2, 3));
    }

    #[test]
    fn displays_values_as_written() {
        assert_eq!(CellValue::Number(13983215678.0).display(), "13983215678");
        assert_eq!(CellValue::Number(3.5).display(), "3.5");
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        assert_eq!(
            CellValue::Date(date.and_hms_opt(0, 0, 0).unwrap()).display(),
            "2026-11-05"
        );
        assert!(CellValue::Text("  ".into()).is_blank());
        assert!(!CellValue::Int(0).is_blank());
    }
}
