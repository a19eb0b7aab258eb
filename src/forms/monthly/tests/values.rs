//! What a value cell may hold: blanks, unreadable text, typed cells, nothing markers, implausible numbers, missing labels.

use chrono::NaiveDate;

use super::*;

#[test]
fn a_blank_value_cell_is_an_error_naming_label_and_cell() {
    let mut values = VALUES;
    values[8] = "";
    let reading = read(&grid(&official(values, "2026年11月")));
    let problem = only_problem(&reading);
    assert_eq!(problem.field, "enterprise_trainings");
    assert_eq!(problem.cell.as_deref(), Some("Sheet1!I6"));
    assert!(problem.message.contains("企业培训（次）"));
    assert!(problem.message.contains("请填写，没有请填0"));
}

#[test]
fn unreadable_values_are_errors_quoting_what_was_found() {
    let mut values = VALUES;
    values[1] = "三次";
    values[2] = "3.5";
    values[3] = "-2";
    let reading = read(&grid(&official(values, "2026年11月")));
    let problems = problems(&reading);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert_eq!(problems[0].field, "media_reports");
    assert_eq!(problems[0].cell.as_deref(), Some("Sheet1!B6"));
    assert!(problems[0].message.contains("三次"));
    assert!(problems[1].message.contains("3.5"));
    assert!(problems[2].message.contains("-2"));
}

#[test]
fn typed_cells_are_read() {
    let mut cells: Vec<(u32, u32, CellValue)> = LABELS
        .iter()
        .enumerate()
        .map(|(i, l)| (0, i as u32, CellValue::Text((*l).into())))
        .collect();
    for (i, n) in EXPECTED.iter().enumerate() {
        let value = if i % 2 == 0 {
            CellValue::Number(*n as f64)
        } else {
            CellValue::Int(*n as i64)
        };
        cells.push((1, i as u32, value));
    }
    cells.push((3, 0, CellValue::Text("报表月份".into())));
    let date = NaiveDate::from_ymd_opt(2026, 10, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    cells.push((3, 1, CellValue::Date(date)));
    cells.push((4, 0, CellValue::Text("联系电话".into())));
    cells.push((4, 1, CellValue::Number(13983215678.0)));
    let reading = read(&book(Sheet::new("Sheet1", cells, Vec::new())));
    let form = form(&reading);
    assert_eq!(form.values.as_array(), &EXPECTED);
    assert_eq!(form.period, period(2026, 10));
    assert_eq!(
        form.phone.as_ref().map(PhoneNumber::as_str),
        Some("13983215678")
    );
}

#[test]
fn a_missing_label_is_an_error_naming_the_label_to_add() {
    let mut rows = official(VALUES, "2026年11月");
    rows[4][5] = "备注";
    let problem = only_problem(&read(&grid(&rows))).clone();
    assert_eq!(problem.field, "slogans_posters");
    assert_eq!(problem.cell, None);
    assert!(problem.message.contains("标语海报（）"));
}

#[test]
fn nothing_markers_are_zero_with_a_warning() {
    let mut values = VALUES;
    values[2] = "无";
    values[5] = "/";
    values[7] = "—";
    let reading = read(&grid(&official(values, "2026年11月")));
    let form = form(&reading);
    assert_eq!(form.values.get(Field::PlazaScreens), 0);
    assert_eq!(form.values.get(Field::SlogansPosters), 0);
    assert_eq!(form.values.get(Field::BoardIcons), 0);
    let cells: Vec<_> = reading.warnings.iter().map(|w| w.cell.as_deref()).collect();
    assert_eq!(
        cells,
        [Some("Sheet1!C6"), Some("Sheet1!F6"), Some("Sheet1!H6")]
    );
    assert!(reading.warnings[0].message.contains("无"));
    assert_eq!(reading.warnings[0].field, "plaza_screens");
}

#[test]
fn implausibly_large_values_are_a_warning() {
    let mut values = VALUES;
    values[0] = "150000";
    let reading = read(&grid(&official(values, "2026年11月")));
    assert_eq!(form(&reading).values.get(Field::OpenLetters), 150000);
    assert_eq!(reading.warnings.len(), 1);
    assert_eq!(reading.warnings[0].field, "open_letters");
    assert_eq!(reading.warnings[0].cell.as_deref(), Some("Sheet1!A6"));
}

#[test]
fn all_problems_are_collected() {
    let mut values = VALUES;
    values[0] = "";
    let mut rows = official(values, "2027年1月");
    rows[1][1] = "八桥镇";
    rows[2][5] = "无";
    let fields: Vec<String> = problems(&read(&grid(&rows)))
        .iter()
        .map(|p| p.field.to_string())
        .collect();
    assert_eq!(fields, ["open_letters", "period", "unit", "phone"]);
}

#[test]
fn a_workbook_without_sheets_or_labels_lacks_all_eleven() {
    let empty = read(&Workbook::default());
    assert_eq!(problems(&empty).len(), 11);
    let unrelated = read(&grid(&[vec!["姓名", "电话"]]));
    assert_eq!(problems(&unrelated).len(), 11);
}
