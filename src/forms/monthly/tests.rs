//! Tests of the monthly reader on in-memory sheets.

use chrono::NaiveDate;

use super::*;
use crate::forms::{CellValue, Merge, Sheet};

const LABELS: [&str; 11] = [
    "公开信（封）",
    "网络媒体报道（次）",
    "商圈广场视屏（个）",
    "五进画册（册）",
    "村居（社）宣传专栏（个）",
    "标语海报（）",
    "两单两卡加印二维码（个）",
    "责任公示牌加贴图标（个）",
    "企业培训（次）",
    "建立信息员（人）",
    "获取立案查处以上线索（条）",
];
const VALUES: [&str; 11] = ["438", "1", "0", "55", "28", "112", "72", "8", "9", "4", "2"];
const EXPECTED: [u64; 11] = [438, 1, 0, 55, 28, 112, 72, 8, 9, 4, 2];

fn period(year: i32, month: u32) -> Period {
    Period::new(year, month).unwrap()
}

fn names() -> Vec<String> {
    vec!["跳磴镇".to_string(), "大渡口区跳磴镇人民政府".to_string()]
}

fn read_with(
    wb: &Workbook,
    open: Period,
    subject: &str,
    units: Option<&[String]>,
) -> MonthlyReading {
    let ctx = ReadContext {
        open_period: open,
        subject,
        unit_names: units,
        plausibility_bound: ReadContext::DEFAULT_PLAUSIBILITY_BOUND,
    };
    read_monthly(wb, &ctx)
}

fn read(wb: &Workbook) -> MonthlyReading {
    read_with(wb, period(2026, 11), "", Some(&names()))
}

fn book(sheet: Sheet) -> Workbook {
    Workbook {
        sheets: vec![sheet],
    }
}

fn grid(rows: &[Vec<&str>]) -> Workbook {
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    book(Sheet::from_text_rows("Sheet1", &rows))
}

/// The official layout: title, header pairs, the label row in row 5 and values in row 6.
fn official<'a>(values: [&'a str; 11], month: &'a str) -> Vec<Vec<&'a str>> {
    vec![
        vec!["安全生产举报奖励宣传工作    月情况报表"],
        vec![
            "填报单位",
            "跳磴镇",
            "",
            "",
            "报表月份",
            month,
            "",
            "",
            "填报时间",
            "2026-11-05",
        ],
        vec!["填报人", "张丽", "", "", "联系电话", "13594021187"],
        vec![],
        LABELS.to_vec(),
        values.to_vec(),
    ]
}

fn form(reading: &MonthlyReading) -> &MonthlyForm {
    match &reading.form {
        Ok(form) => form,
        Err(problems) => panic!("expected a form, got {problems:#?}"),
    }
}

fn problems(reading: &MonthlyReading) -> &[Finding] {
    match &reading.form {
        Ok(form) => panic!("expected problems, got {form:#?}"),
        Err(problems) => {
            assert!(problems.iter().all(Finding::is_problem), "{problems:#?}");
            problems
        }
    }
}

fn only_problem(reading: &MonthlyReading) -> &Finding {
    let problems = problems(reading);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    &problems[0]
}

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
fn another_units_form_is_rejected_unless_the_sender_is_unknown() {
    let mut rows = official(VALUES, "2026年11月");
    rows[1][1] = "建胜镇";
    let wb = grid(&rows);
    let problem = only_problem(&read(&wb)).clone();
    assert_eq!(problem.field, "unit");
    assert_eq!(problem.cell.as_deref(), Some("Sheet1!B2"));
    assert!(problem.message.contains("建胜镇") && problem.message.contains("跳磴镇"));
    let unknown = read_with(&wb, period(2026, 11), "", None);
    assert!(unknown.form.is_ok());
}

#[test]
fn an_alias_or_a_longer_official_name_is_accepted() {
    let mut rows = official(VALUES, "2026年11月");
    rows[1][1] = "大渡口区跳磴镇人民政府（盖章）";
    assert!(read(&grid(&rows)).form.is_ok());
}

#[test]
fn a_bad_phone_number_is_an_error() {
    let mut rows = official(VALUES, "2026年11月");
    rows[2][5] = "12345";
    let problem = only_problem(&read(&grid(&rows))).clone();
    assert_eq!(problem.field, "phone");
    assert_eq!(problem.cell.as_deref(), Some("Sheet1!F3"));
    assert!(problem.message.contains("12345"));
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
fn the_period_must_not_be_in_the_future_nor_older_than_twelve_months() {
    let check = |month: &str| read(&grid(&official(VALUES, month)));
    let future = check("2026年12月");
    assert_eq!(only_problem(&future).field, "period");
    assert_eq!(only_problem(&future).cell.as_deref(), Some("Sheet1!F2"));
    assert!(
        only_problem(&check("2025年10月"))
            .message
            .contains("12个月")
    );
    assert_eq!(form(&check("2025年11月")).period, period(2025, 11));
    assert_eq!(form(&check("2026/9")).period, period(2026, 9));
}

#[test]
fn an_unreadable_period_is_an_error_quoting_it() {
    let problem = only_problem(&read(&grid(&official(VALUES, "本月")))).clone();
    assert_eq!(problem.field, "period");
    assert!(problem.message.contains("本月"));
}

#[test]
fn the_period_falls_back_on_title_subject_then_open_period() {
    let mut rows = official(VALUES, "");
    let open = period(2026, 11);
    let opened = read_with(&grid(&rows), open, "报表", None);
    assert_eq!(form(&opened).period, open);
    assert_eq!(form(&opened).period_source, PeriodSource::OpenAtReceipt);

    let subject = read_with(&grid(&rows), open, "跳磴镇10月报表", None);
    assert_eq!(form(&subject).period, period(2026, 10));
    assert_eq!(form(&subject).period_source, PeriodSource::Subject);

    rows[0][0] = "安全生产举报奖励宣传工作9月情况报表";
    let titled = read_with(&grid(&rows), open, "跳磴镇10月报表", None);
    assert_eq!(form(&titled).period, period(2026, 9));
    assert_eq!(
        form(&titled).period_source,
        PeriodSource::Title("安全生产举报奖励宣传工作9月情况报表".into())
    );
}

#[test]
fn a_december_form_received_in_january_is_last_years() {
    let reading = read_with(&grid(&official(VALUES, "12月")), period(2027, 1), "", None);
    assert_eq!(form(&reading).period, period(2026, 12));
}

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

#[test]
fn a_workbook_without_sheets_or_labels_lacks_all_eleven() {
    let empty = read(&Workbook::default());
    assert_eq!(problems(&empty).len(), 11);
    let unrelated = read(&grid(&[vec!["姓名", "电话"]]));
    assert_eq!(problems(&unrelated).len(), 11);
}
