//! A guard run before calamine parses an `.ods`.
//!
//! In ods a row or cell can say "repeated N times". calamine expands the repeats of every row and
//! cell up to the last non-empty one into a dense grid (its own cap is 100 million cells, several
//! gigabytes), so a 14 KB file can exhaust memory and abort the process. This scans content.xml
//! (already bounded by the zip size check) and computes the grid calamine would build.

use std::io::{Cursor, Read};

use super::{MAX_SHEET_AREA, WorkbookError};

const MAX_COLUMNS: u64 = 16_384;
const MAX_ROWS: u64 = 1_048_576;

/// Checks an ods whose declared sizes are within `limit`.
pub(super) fn check(bytes: &[u8], limit: u64) -> Result<(), WorkbookError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| WorkbookError::Damaged(e.to_string()))?;
    let mut content = String::new();
    zip.by_name("content.xml")
        .map_err(|e| WorkbookError::Damaged(e.to_string()))?
        .take(limit)
        .read_to_string(&mut content)
        .map_err(|e| WorkbookError::Damaged(e.to_string()))?;
    if largest_grid(&content) > MAX_SHEET_AREA {
        return Err(WorkbookError::TooManyCells {
            limit: MAX_SHEET_AREA as usize,
        });
    }
    Ok(())
}

/// The per-table grid size: rows from the first to the last non-empty row (repeats counted) times
/// the widest non-empty extent; also at least the cells materialised row by row.
#[derive(Default)]
struct Table {
    rows_seen: u64,
    first_filled_row: Option<u64>,
    last_filled_row_end: u64,
    width: u64,
    materialised: u64,
    // The row being read.
    row_repeat: u64,
    row_cols: u64,
    row_extent: u64,
}

impl Table {
    fn grid(&self) -> u64 {
        let rows = self
            .first_filled_row
            .map_or(0, |first| self.last_filled_row_end.saturating_sub(first));
        rows.saturating_mul(self.width).max(self.materialised)
    }

    fn start_row(&mut self, repeat: u64) {
        self.row_repeat = repeat.clamp(1, MAX_ROWS);
        self.row_cols = 0;
        self.row_extent = 0;
    }

    fn cell(&mut self, repeat: u64, filled: bool) {
        self.row_cols = self.row_cols.saturating_add(repeat.max(1)).min(MAX_COLUMNS);
        if filled {
            self.row_extent = self.row_cols;
        }
    }

    fn end_row(&mut self) {
        let start = self.rows_seen;
        self.rows_seen = self.rows_seen.saturating_add(self.row_repeat).min(MAX_ROWS);
        if self.row_extent > 0 {
            self.first_filled_row.get_or_insert(start);
            self.last_filled_row_end = self.rows_seen;
            self.width = self.width.max(self.row_extent);
            self.materialised = self.materialised.saturating_add(self.row_extent);
        }
    }
}

/// The largest grid any table of `content` would expand to.
fn largest_grid(content: &str) -> u64 {
    let mut largest = 0;
    let mut table = Table::default();
    let mut rest = content;
    while let Some(open) = rest.find('<') {
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('>') else { break };
        let tag = after.get(..close).unwrap_or_default();
        rest = after.get(close + 1..).unwrap_or_default();
        let name = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default();
        let self_closing = tag.ends_with('/');
        match name {
            "table:table" => {
                largest = largest.max(table.grid());
                table = Table::default();
            }
            "table:table-row" => table.start_row(repeat_attr(tag, "table:number-rows-repeated")),
            "table:table-cell" | "table:covered-table-cell" => {
                let filled = !self_closing || tag.contains("office:value-type");
                table.cell(repeat_attr(tag, "table:number-columns-repeated"), filled);
            }
            _ if tag == "/table:table-row" => table.end_row(),
            _ => {}
        }
        if self_closing && name == "table:table-row" {
            table.end_row();
        }
    }
    largest.max(table.grid())
}

/// The number in `attr="N"`, or 1.
fn repeat_attr(tag: &str, attr: &str) -> u64 {
    let Some(at) = tag.find(attr) else { return 1 };
    let value = tag.get(at + attr.len()..).unwrap_or_default();
    let digits: String = value
        .trim_start_matches(['=', '"', '\''])
        .chars()
        .take_while(char::is_ascii_digit)
        .take(12)
        .collect();
    digits.parse().unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(repeat: u64, cells: &str) -> String {
        format!(
            r#"<table:table-row table:number-rows-repeated="{repeat}">{cells}</table:table-row>"#
        )
    }

    const FILLED: &str = r#"<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>"#;

    #[test]
    fn trailing_empty_repeats_cost_nothing() {
        let content = format!(
            "<table:table>{}{}</table:table>",
            row(1, &FILLED.repeat(11)),
            row(
                1_048_000,
                r#"<table:table-cell table:number-columns-repeated="1024"/>"#
            )
        );
        assert_eq!(largest_grid(&content), 11);
    }

    #[test]
    fn repeated_filled_rows_and_cells_are_counted() {
        let wide = FILLED.replace(
            "<table:table-cell ",
            r#"<table:table-cell table:number-columns-repeated="16000" "#,
        );
        let content = format!("<table:table>{}</table:table>", row(6000, &wide));
        assert_eq!(largest_grid(&content), 6000 * 16000);
        let gap = format!(
            "<table:table>{}{}{}</table:table>",
            row(1, FILLED),
            row(500_000, "<table:table-cell/>"),
            row(1, &FILLED.repeat(3))
        );
        assert_eq!(largest_grid(&gap), 500_002 * 3);
    }

    #[test]
    fn repeat_attributes_are_read() {
        assert_eq!(
            repeat_attr(
                r#"table:table-row table:number-rows-repeated="12""#,
                "table:number-rows-repeated"
            ),
            12
        );
        assert_eq!(
            repeat_attr("table:table-row", "table:number-rows-repeated"),
            1
        );
        assert_eq!(
            repeat_attr(
                r#"x table:number-rows-repeated="abc""#,
                "table:number-rows-repeated"
            ),
            1
        );
    }
}
