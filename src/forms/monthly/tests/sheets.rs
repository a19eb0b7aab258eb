//! Which sheet is read: the first complete one, a visible one before a hidden one, a label repeated on a sheet.

use super::*;

#[test]
fn the_first_complete_sheet_is_read_and_the_duplicate_noted() {
    let partial = Sheet::from_text_rows("草稿", &[&LABELS[..4], &VALUES[..4]]);
    let mut other = VALUES;
    other[0] = "1";
    let rows_a: Vec<&[&str]> = vec![&LABELS, &VALUES];
    let rows_b: Vec<&[&str]> = vec![&LABELS, &other];
    let wb = Workbook {
        sheets: vec![
            partial,
            Sheet::from_text_rows("Sheet2", &rows_a),
            Sheet::from_text_rows("Sheet3", &rows_b),
        ],
    };
    let reading = read(&wb);
    assert_eq!(form(&reading).values.as_array(), &EXPECTED);
    assert_eq!(form(&reading).value_cells[0], "Sheet2!A2");
    assert_eq!(reading.warnings.len(), 1);
    assert!(reading.warnings[0].message.contains("Sheet2"));
    assert!(reading.warnings[0].message.contains("Sheet3"));
}

#[test]
fn a_visible_sheet_is_preferred_to_a_hidden_one() {
    let mut hidden = Sheet::from_text_rows("旧", &[&LABELS, &["1"; 11]]);
    hidden.hidden = true;
    let visible = Sheet::from_text_rows("新", &[&LABELS, &VALUES]);
    let reading = read(&Workbook {
        sheets: vec![hidden, visible],
    });
    assert_eq!(form(&reading).values.as_array(), &EXPECTED);
}

#[test]
fn a_label_repeated_on_one_sheet_is_read_at_its_first_place_with_a_warning() {
    let rows: Vec<&[&str]> = vec![&LABELS, &VALUES, &[], &LABELS[..1], &["5"]];
    let reading = read(&book(Sheet::from_text_rows("Sheet1", &rows)));
    assert_eq!(form(&reading).values.get(Field::OpenLetters), 438);
    assert_eq!(reading.warnings.len(), 1);
    assert_eq!(reading.warnings[0].cell.as_deref(), Some("Sheet1!A1"));
}
