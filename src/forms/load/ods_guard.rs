//! A guard run before calamine parses an `.ods`.
//!
//! In ods a row or cell can say "repeated N times", and a space run `<text:s text:c="N"/>`. At
//! open, calamine expands the repeats of every row and cell of every table up to the last
//! non-empty one into dense grids held together, cloning each cell's text per repeat (its own cap
//! is 100 million cells, several gigabytes), and pushes N spaces for a space run: a few kilobytes
//! can exhaust memory and abort the process. This reads content.xml (already bounded by the zip
//! size check) with a real XML reader, as calamine does — the same element names, attribute values
//! with their entities decoded (`&#54;000` is 6000), never a substring of another attribute — and
//! estimates the cells and bytes calamine would build, refusing the file beyond the limits.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use super::{MAX_SHEET_AREA, WorkbookError};

const MAX_COLUMNS: u64 = 16_384;
const MAX_ROWS: u64 = 1_048_576;

/// What calamine spends per grid cell: a `Data` and a formula `String`.
const CELL_COST: u64 = 56;

/// The most text (cell values, formulas, space runs, counted with their repeats) all tables of a
/// workbook may expand to. A form holds a few kilobytes.
pub const MAX_TEXT_BYTES: u64 = 32 * 1024 * 1024;

/// Checks an ods whose declared sizes are within `limit`.
pub(super) fn check(bytes: &[u8], limit: u64) -> Result<(), WorkbookError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    let content = zip.by_name("content.xml").map_err(damaged)?;
    let cost = estimate(BufReader::new(content.take(limit)))?;
    if cost.cells > MAX_SHEET_AREA {
        return Err(WorkbookError::TooManyCells {
            limit: MAX_SHEET_AREA as usize,
        });
    }
    if cost.text > MAX_TEXT_BYTES {
        return Err(WorkbookError::TooLarge {
            limit: MAX_TEXT_BYTES,
        });
    }
    Ok(())
}

fn damaged(error: impl std::fmt::Display) -> WorkbookError {
    WorkbookError::Damaged(error.to_string())
}

/// What all tables together would cost calamine: grid cells, and bytes of text.
#[derive(Debug, Default, PartialEq, Eq)]
struct Cost {
    cells: u64,
    text: u64,
}

/// One table being read: rows from the first to the last non-empty row (repeats counted) times
/// the widest non-empty extent, plus the cells materialised row by row before that.
#[derive(Default)]
struct Table {
    rows_seen: u64,
    first_filled_row: Option<u64>,
    last_filled_row_end: u64,
    width: u64,
    materialised: u64,
    text: u64,
    row: Row,
}

#[derive(Default)]
struct Row {
    repeat: u64,
    cols: u64,
    extent: u64,
    /// Text of the row's filled cells, their column repeats counted.
    text: u64,
}

/// The cell being read.
#[derive(Default)]
struct Cell {
    repeat: u64,
    filled: bool,
    text: u64,
}

impl Table {
    fn cost(&self) -> Cost {
        let rows = self
            .first_filled_row
            .map_or(0, |first| self.last_filled_row_end.saturating_sub(first));
        let grid = rows.saturating_mul(self.width);
        Cost {
            cells: grid.saturating_add(self.materialised),
            text: self.text.saturating_add(
                grid.saturating_add(self.materialised)
                    .saturating_mul(CELL_COST),
            ),
        }
    }

    fn start_row(&mut self, repeat: u64) {
        self.row = Row {
            repeat: repeat.clamp(1, MAX_ROWS),
            ..Row::default()
        };
    }

    fn cell(&mut self, cell: &Cell) {
        let repeat = cell.repeat.clamp(1, MAX_COLUMNS);
        self.row.cols = self.row.cols.saturating_add(repeat).min(MAX_COLUMNS);
        if cell.filled {
            self.row.extent = self.row.cols;
            self.row.text = self
                .row
                .text
                .saturating_add(repeat.saturating_mul(cell.text));
        }
    }

    fn end_row(&mut self) {
        let start = self.rows_seen;
        self.rows_seen = self.rows_seen.saturating_add(self.row.repeat).min(MAX_ROWS);
        if self.row.extent > 0 {
            self.first_filled_row.get_or_insert(start);
            self.last_filled_row_end = self.rows_seen;
            self.width = self.width.max(self.row.extent);
            self.materialised = self.materialised.saturating_add(self.row.extent);
            // Text is held once as read, then cloned into the grid per row repeat, twice over
            // (values and formulas).
            let expanded = self
                .row
                .text
                .saturating_mul(self.row.repeat.saturating_add(1));
            self.text = self.text.saturating_add(expanded.saturating_mul(2));
        }
        self.row = Row::default();
    }
}

/// Reads content.xml as calamine will and adds up the cost of every table.
fn estimate(source: impl std::io::BufRead) -> Result<Cost, WorkbookError> {
    let mut reader = quick_xml::Reader::from_reader(source);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.expand_empty_elements = true;
    let mut total = Cost::default();
    let mut table = Table::default();
    let mut cell: Option<Cell> = None;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).map_err(damaged)? {
            Event::Start(e) => match e.name().as_ref() {
                "table:table" => add_table(&mut total, std::mem::take(&mut table)),
                "table:table-row" => {
                    table.start_row(number(&e, "table:number-rows-repeated")?);
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    cell = Some(open_cell(&e)?);
                }
                "text:s" => {
                    let spaces = number(&e, "text:c")?;
                    add_text(cell.as_mut(), spaces);
                }
                _ => add_text(cell.as_mut(), 1),
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table-row" => table.end_row(),
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some(done) = cell.take() {
                        table.cell(&done);
                    }
                }
                _ => {}
            },
            Event::Text(t) => add_text(cell.as_mut(), t.len() as u64),
            Event::GeneralRef(r) => add_text(cell.as_mut(), r.len() as u64),
            Event::CData(t) => add_text(cell.as_mut(), t.len() as u64),
            Event::Eof => break,
            _ => {}
        }
    }
    add_table(&mut total, table);
    Ok(total)
}

fn add_table(total: &mut Cost, table: Table) {
    let cost = table.cost();
    total.cells = total.cells.saturating_add(cost.cells);
    total.text = total.text.saturating_add(cost.text);
}

/// Content inside a cell: it is filled, and costs its length.
fn add_text(cell: Option<&mut Cell>, len: u64) {
    if let Some(cell) = cell {
        cell.filled = true;
        cell.text = cell.text.saturating_add(len);
    }
}

/// A cell's repeat count, whether it holds anything, and the text of its attributes.
fn open_cell(e: &BytesStart<'_>) -> Result<Cell, WorkbookError> {
    let mut cell = Cell {
        repeat: number(e, "table:number-columns-repeated")?,
        ..Cell::default()
    };
    for attribute in e.attributes().with_checks(false) {
        let attribute = attribute.map_err(damaged)?;
        let key = attribute.key.as_ref();
        if key.starts_with("office:") || key.starts_with("calcext:") || key == "table:formula" {
            cell.filled = true;
            cell.text = cell.text.saturating_add(attribute.value.len() as u64);
        }
    }
    Ok(cell)
}

/// The number an attribute holds, its entities decoded (`&#54;000` is 6000); the largest when the
/// attribute is written twice; 1 when absent or not a number. Damaged when the attributes cannot
/// be read.
fn number(e: &BytesStart<'_>, name: &str) -> Result<u64, WorkbookError> {
    let mut largest = None;
    for attribute in e.attributes().with_checks(false) {
        let attribute = attribute.map_err(damaged)?;
        if attribute.key.as_ref() != name {
            continue;
        }
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(damaged)?;
        let n = leading_number(&value);
        largest = Some(largest.map_or(n, |l: u64| l.max(n)));
    }
    Ok(largest.unwrap_or(1))
}

/// The digits at the start of `text` (after blanks) as a number, saturating; 1 when none.
fn leading_number(text: &str) -> u64 {
    let digits = text.trim_start().trim_start_matches('+');
    let mut value: Option<u64> = None;
    for c in digits.chars() {
        let Some(d) = c.to_digit(10) else { break };
        let so_far = value.unwrap_or(0);
        value = Some(so_far.saturating_mul(10).saturating_add(u64::from(d)));
    }
    value.unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(content: &str) -> Cost {
        estimate(content.as_bytes()).unwrap()
    }

    fn row(repeat: &str, cells: &str) -> String {
        format!(
            r#"<table:table-row table:number-rows-repeated="{repeat}">{cells}</table:table-row>"#
        )
    }

    const FILLED: &str = r#"<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>"#;

    #[test]
    fn trailing_empty_repeats_cost_nothing() {
        let content = format!(
            "<table:table>{}{}</table:table>",
            row("1", &FILLED.repeat(11)),
            row(
                "1048000",
                r#"<table:table-cell table:number-columns-repeated="1024"/>"#
            )
        );
        assert_eq!(cost(&content).cells, 22);
    }

    #[test]
    fn repeated_filled_rows_and_cells_are_counted() {
        let wide = FILLED.replace(
            "<table:table-cell ",
            r#"<table:table-cell table:number-columns-repeated="16000" "#,
        );
        let content = format!("<table:table>{}</table:table>", row("6000", &wide));
        assert!(cost(&content).cells >= 6000 * 16000);
        let gap = format!(
            "<table:table>{}{}{}</table:table>",
            row("1", FILLED),
            row("500000", "<table:table-cell/>"),
            row("1", &FILLED.repeat(3))
        );
        assert!(cost(&gap).cells >= 500_002 * 3);
    }

    #[test]
    fn tables_add_up() {
        let one = format!("<table:table>{}</table:table>", row("1000", FILLED));
        assert_eq!(cost(&one.repeat(3)).cells, 3 * cost(&one).cells);
    }

    #[test]
    fn numbers_are_read_with_entities_decoded() {
        let content = |value: &str| {
            format!(
                "<table:table>{}</table:table>",
                row(value, &FILLED.repeat(2))
            )
        };
        assert!(cost(&content("&#54;000")).cells >= 12_000);
        assert!(cost(&content("&#x36;000")).cells >= 12_000);
        assert_eq!(cost(&content("abc")).cells, cost(&content("1")).cells);
        assert_eq!(leading_number(" 12x"), 12);
        assert_eq!(leading_number("99999999999999999999999"), u64::MAX);
        assert_eq!(leading_number(""), 1);
    }

    #[test]
    fn an_attribute_name_inside_a_value_is_not_the_attribute() {
        let content = format!(
            "<table:table>{}</table:table>",
            r#"<table:table-row table:style-name="table:number-rows-repeated=&quot;1&quot;" table:number-rows-repeated="7000">"#
                .to_string()
                + FILLED
                + "</table:table-row>"
        );
        assert!(cost(&content).cells >= 7000);
    }

    #[test]
    fn text_is_weighed_with_its_repeats() {
        let long = format!(
            r#"<table:table-cell office:value-type="string" office:string-value="{}"/>"#,
            "x".repeat(1000)
        );
        let content = format!("<table:table>{}</table:table>", row("100000", &long));
        assert!(cost(&content).text > 100_000 * 1000);
        let spaces = r#"<table:table-cell office:value-type="string"><text:p><text:s text:c="4000000000"/></text:p></table:table-cell>"#;
        let content = format!("<table:table>{}</table:table>", row("1", spaces));
        assert!(cost(&content).text > 4_000_000_000);
    }
}
