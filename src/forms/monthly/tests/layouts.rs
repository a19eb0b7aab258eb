//! Where the eleven values are found: the official layout, vertical and inline layouts, labels over two rows, merged cells, headers and footers.

use super::*;

#[test]
fn reads_the_official_layout() {
    let reading = read(&grid(&official(VALUES, "2026年11月")));
    let form = form(&reading);
    assert_eq!(form.values.as_array(), &EXPECTED);
    assert_eq!(form.value_cells[0], "Sheet1!A6");
    assert_eq!(form.value_cells[10], "Sheet1!K6");
    assert_eq!(form.period, period(2026, 11));
    assert_eq!(form.period_source, PeriodSource::Cell("Sheet1!F2".into()));
    assert_eq!(form.unit_text.as_deref(), Some("跳磴镇"));
    assert_eq!(form.filled_by.as_deref(), Some("张丽"));
    assert_eq!(
        form.phone.as_ref().map(PhoneNumber::as_str),
        Some("13594021187")
    );
    assert_eq!(form.filled_on.as_deref(), Some("2026-11-05"));
    assert!(reading.warnings.is_empty(), "{:?}", reading.warnings);
}

#[test]
fn reads_the_vertical_layout_under_a_header_row() {
    let mut rows = vec![
        vec!["安全生产举报奖励宣传工作月情况报表"],
        vec!["填报单位", "跳磴镇"],
        vec!["报表月份", "2026-10"],
        vec!["项目", "数量"],
    ];
    rows.extend(LABELS.iter().zip(VALUES).map(|(l, v)| vec![*l, v]));
    rows.push(vec!["填报人", "何晓燕"]);
    let reading = read(&grid(&rows));
    let form = form(&reading);
    assert_eq!(form.values.as_array(), &EXPECTED);
    assert_eq!(form.value_cells[1], "Sheet1!B6");
    assert_eq!(form.period, period(2026, 10));
    assert_eq!(form.filled_by.as_deref(), Some("何晓燕"));
}

#[test]
fn skips_a_unit_column_and_finds_values_further_right() {
    let rows: Vec<Vec<&str>> = LABELS
        .iter()
        .zip(VALUES)
        .map(|(l, v)| vec![*l, "", "（个）", "", v])
        .collect();
    let reading = read(&grid(&rows));
    let form = form(&reading);
    assert_eq!(form.values.as_array(), &EXPECTED);
    assert_eq!(form.value_cells[0], "Sheet1!E1");
}

#[test]
fn a_blank_value_in_the_vertical_layout_is_named_by_its_cell() {
    let mut values = VALUES;
    values[3] = "";
    let rows: Vec<Vec<&str>> = LABELS
        .iter()
        .zip(values)
        .map(|(l, v)| vec![*l, v])
        .collect();
    let problem = only_problem(&read(&grid(&rows))).clone();
    assert_eq!(problem.field, "brochures");
    assert_eq!(problem.cell.as_deref(), Some("Sheet1!B4"));
}

#[test]
fn reads_inline_values() {
    let rows: Vec<Vec<String>> = LABELS
        .iter()
        .zip(VALUES)
        .map(|(l, v)| vec![format!("{l}：{v}")])
        .collect();
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let mut rows = rows;
    rows.push(vec!["填报单位：大渡口区跳磴镇人民政府（盖章）"]);
    let reading = read(&grid(&rows));
    let form = form(&reading);
    assert_eq!(form.values.as_array(), &EXPECTED);
    assert_eq!(form.value_cells[2], "Sheet1!A3");
    assert_eq!(
        form.unit_text.as_deref(),
        Some("大渡口区跳磴镇人民政府（盖章）")
    );
}

#[test]
fn reads_labels_in_two_rows_and_units_rows_between() {
    let rows = vec![
        LABELS[..6].to_vec(),
        vec!["封", "次", "个", "册", "个", "张"],
        VALUES[..6].to_vec(),
        LABELS[6..].to_vec(),
        VALUES[6..].to_vec(),
    ];
    let reading = read(&grid(&rows));
    assert_eq!(form(&reading).values.as_array(), &EXPECTED);
    assert_eq!(form(&reading).value_cells[0], "Sheet1!A3");
    assert_eq!(form(&reading).value_cells[6], "Sheet1!A5");
}

#[test]
fn copes_with_merged_label_cells() {
    // Each label merged over two columns (A:B, C:D, …); the value sits under either column.
    let mut cells = Vec::new();
    let mut merges = Vec::new();
    for (i, (label, value)) in LABELS.iter().zip(VALUES).enumerate() {
        let col = 2 * i as u32;
        cells.push((0, col, CellValue::Text((*label).into())));
        let value_col = if i % 2 == 0 { col } else { col + 1 };
        cells.push((1, value_col, CellValue::Text(value.into())));
        merges.push(Merge {
            start: (0, col),
            end: (0, col + 1),
        });
    }
    let reading = read(&book(Sheet::new("表1", cells, merges)));
    let form = form(&reading);
    assert_eq!(form.values.as_array(), &EXPECTED);
    assert_eq!(form.value_cells[1], "表1!D2");
}

#[test]
fn labels_merged_over_two_rows_without_merge_information_still_find_their_values() {
    // An .ods keeps no merges: labels in row 1, their merged lower halves leave row 2 empty.
    let mut cells = Vec::new();
    for (i, (label, value)) in LABELS.iter().zip(VALUES).enumerate() {
        cells.push((0, i as u32, CellValue::Text((*label).into())));
        cells.push((2, i as u32, CellValue::Text(value.into())));
    }
    let reading = read(&book(Sheet::new("Sheet1", cells, vec![])));
    let form = form(&reading);
    assert_eq!(form.values.as_array(), &EXPECTED);
    assert_eq!(form.value_cells[0], "Sheet1!A3");
}

#[test]
fn headers_in_a_row_with_values_below_and_a_one_line_footer() {
    let rows = vec![
        vec!["填报单位", "报表月份", "填报人"],
        vec!["跳磴镇", "2026年10月", "张丽"],
        LABELS.to_vec(),
        VALUES.to_vec(),
        vec![
            "填报单位：跳磴镇　　填报人：张丽　　联系电话：023-68173265　　填报时间：2026年10月9日",
        ],
    ];
    let reading = read(&grid(&rows));
    let form = form(&reading);
    assert_eq!(form.period, period(2026, 10));
    assert_eq!(form.filled_by.as_deref(), Some("张丽"));
    assert_eq!(
        form.phone.as_ref().map(PhoneNumber::as_str),
        Some("023-68173265")
    );
    assert_eq!(form.filled_on.as_deref(), Some("2026年10月9日"));
}
