//! The units sheet (one row per unit in roster order, a 合计 row of `SUM` formulas with their
//! values stored), the missing units, and the notice's checks on their own internal sheet.

use rust_xlsxwriter::{Format, FormatAlign, Formula, Worksheet, XlsxError, utility};

use super::{ExportData, SHEETS, a4_landscape, cell_format, fit, head_format, title};
use crate::domain::fields::Field;
use crate::domain::text::zh_date;

/// The first column of the eleven values.
pub const FIRST_VALUE_COL: u16 = 2;
const FIRST_UNIT_ROW: u32 = 2;
const VALUE_WIDTH: f64 = 12.0;
const AFTER: [(&str, f64); 3] = [("报送时间", 11.0), ("版本", 6.0), ("逾期", 6.0)];

/// The row of the 合计 (0-based).
pub fn total_row(data: &ExportData<'_>) -> u32 {
    FIRST_UNIT_ROW + data.rows.len() as u32
}

/// The A1 name of value `index` (0..11) in `row`.
pub fn value_cell(row: u32, index: usize) -> String {
    utility::row_col_to_cell(row, FIRST_VALUE_COL + index as u16)
}

/// A label broken into lines of at most five characters, for the narrow value columns here.
pub fn narrow_label(field: Field) -> &'static str {
    match field {
        Field::OpenLetters => "公开信\n（封）",
        Field::MediaReports => "网络媒体\n报道（次）",
        Field::PlazaScreens => "商圈广场\n视屏（个）",
        Field::Brochures => "五进画册\n（册）",
        Field::CommunityColumns => "村居（社）\n宣传专栏\n（个）",
        Field::SlogansPosters => "标语海报\n（）",
        Field::QrCodes => "两单两卡\n加印二维码\n（个）",
        Field::BoardIcons => "责任公示牌\n加贴图标\n（个）",
        Field::EnterpriseTrainings => "企业培训\n（次）",
        Field::Informants => "建立信息员\n（人）",
        Field::CaseLeads => "获取立案\n查处以上\n线索（条）",
    }
}

pub(super) fn sheet(sheet: &mut Worksheet, data: &ExportData<'_>) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[1])?;
    let last_col = FIRST_VALUE_COL + 11 + AFTER.len() as u16 - 1;
    let heading = format!(
        "{}各单位安全生产举报奖励宣传工作月情况（截至{}）",
        data.period.zh(),
        zh_date(data.made_on)
    );
    title(sheet, &heading, last_col)?;
    header(sheet)?;
    let body = cell_format();
    for (n, unit) in data.rows.iter().enumerate() {
        let row = FIRST_UNIT_ROW + n as u32;
        sheet.write_number_with_format(row, 0, (n + 1) as f64, &body)?;
        sheet.write_string_with_format(row, 1, &unit.name, &body)?;
        let after = FIRST_VALUE_COL + 11;
        match &unit.reported {
            Some(r) => {
                for (i, (_, value)) in r.values.iter().enumerate() {
                    let col = FIRST_VALUE_COL + i as u16;
                    sheet.write_number_with_format(row, col, value as f64, &body)?;
                }
                sheet.write_string_with_format(row, after, &r.received, &body)?;
                sheet.write_number_with_format(row, after + 1, r.version as f64, &body)?;
                sheet.write_string_with_format(
                    row,
                    after + 2,
                    if r.late { "是" } else { "" },
                    &body,
                )?;
            }
            None => {
                for col in FIRST_VALUE_COL..after {
                    sheet.write_blank(row, col, &body)?;
                }
                sheet.write_string_with_format(row, after, "未报送", &body)?;
                sheet.write_blank(row, after + 1, &body)?;
                sheet.write_blank(row, after + 2, &body)?;
            }
        }
        sheet.set_row_height(
            row,
            fit::row_height([(unit.name.as_str(), 14.0)]).max(2.0 * fit::LINE_PT + 4.0),
        )?;
    }
    totals(sheet, data)?;
    sheet.set_freeze_panes(FIRST_UNIT_ROW, FIRST_VALUE_COL)?;
    a4_landscape(sheet)
}

fn header(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    let head = head_format();
    sheet.write_string_with_format(1, 0, "序号", &head)?;
    sheet.write_string_with_format(1, 1, "单位", &head)?;
    sheet.set_column_width(0, 5)?;
    sheet.set_column_width(1, 14)?;
    let mut lines = 1;
    for (i, field) in Field::ALL.iter().enumerate() {
        let col = FIRST_VALUE_COL + i as u16;
        let label = narrow_label(*field);
        sheet.write_string_with_format(1, col, label, &head)?;
        sheet.set_column_width(col, VALUE_WIDTH)?;
        lines = lines.max(fit::wrapped_lines(label, VALUE_WIDTH));
    }
    for (offset, (label, width)) in AFTER.iter().enumerate() {
        let col = FIRST_VALUE_COL + 11 + offset as u16;
        sheet.write_string_with_format(1, col, *label, &head)?;
        sheet.set_column_width(col, *width)?;
    }
    sheet.set_row_height(1, lines as f64 * fit::LINE_PT + 6.0)?;
    Ok(())
}

/// The 合计 row: `=SUM(C3:C20)` and so on, each with the district total stored as its value.
fn totals(sheet: &mut Worksheet, data: &ExportData<'_>) -> Result<(), XlsxError> {
    let row = total_row(data);
    let bold = cell_format().set_bold();
    sheet.write_string_with_format(row, 0, "", &bold)?;
    sheet.write_string_with_format(row, 1, "合计", &bold)?;
    for (i, (_, total)) in data.totals.iter().enumerate() {
        let col = FIRST_VALUE_COL + i as u16;
        let formula = if data.rows.is_empty() {
            Formula::new("=0")
        } else {
            let range = utility::cell_range(FIRST_UNIT_ROW, col, row - 1, col);
            Formula::new(format!("=SUM({range})"))
        };
        sheet.write_formula_with_format(row, col, formula.set_result(total.to_string()), &bold)?;
    }
    for col in FIRST_VALUE_COL + 11..FIRST_VALUE_COL + 11 + AFTER.len() as u16 {
        sheet.write_blank(row, col, &bold)?;
    }
    sheet.set_row_height(row, 24)?;
    Ok(())
}

pub(super) fn missing_sheet(sheet: &mut Worksheet, data: &ExportData<'_>) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[2])?;
    title(sheet, &format!("{} 未报送单位", data.period.zh()), 2)?;
    let head = head_format();
    let body = cell_format();
    for (col, label) in ["序号", "单位", "类别"].iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *label, &head)?;
    }
    let missing = data.rows.iter().filter(|u| u.reported.is_none());
    for (n, unit) in missing.enumerate() {
        let row = FIRST_UNIT_ROW + n as u32;
        sheet.write_number_with_format(row, 0, (n + 1) as f64, &body)?;
        sheet.write_string_with_format(row, 1, &unit.name, &body)?;
        sheet.write_string_with_format(row, 2, unit.kind, &body)?;
        sheet.set_row_height(row, fit::LINE_PT + 6.0)?;
    }
    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, 24)?;
    sheet.set_column_width(2, 10)?;
    sheet.set_freeze_panes(FIRST_UNIT_ROW, 0)?;
    sheet.set_paper_size(9).set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 1)?;
    Ok(())
}

const CHECK_COLS: [(&str, f64); 4] = [
    ("序号", 5.0),
    ("要求", 30.0),
    ("情况", 10.0),
    ("说明", 90.0),
];

/// The notice's checks: for the office, not for the city (the sheet's name says so).
pub(super) fn checks_sheet(sheet: &mut Worksheet, data: &ExportData<'_>) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[3])?;
    let heading = format!(
        "{}通知要求完成情况（内部核查，截至{}）",
        data.period.zh(),
        zh_date(data.made_on)
    );
    title(sheet, &heading, CHECK_COLS.len() as u16 - 1)?;
    let head = head_format();
    for (col, (label, width)) in CHECK_COLS.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *label, &head)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    let body = cell_format();
    let left = Format::new()
        .set_font_name("宋体")
        .set_font_size(11)
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::VerticalCenter);
    for (n, check) in data.checks.iter().enumerate() {
        let row = FIRST_UNIT_ROW + n as u32;
        sheet.write_number_with_format(row, 0, (n + 1) as f64, &body)?;
        sheet.write_string_with_format(row, 1, check.kind.zh(), &left)?;
        sheet.write_string_with_format(row, 2, check.state.zh(), &body)?;
        sheet.write_string_with_format(row, 3, &check.detail, &left)?;
        let height = fit::row_height([
            (check.kind.zh(), CHECK_COLS[1].1),
            (check.detail.as_str(), CHECK_COLS[3].1),
        ]);
        sheet.set_row_height(row, height)?;
    }
    a4_landscape(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_labels_are_the_notices_and_fit_their_columns() {
        for field in Field::ALL {
            let label = narrow_label(field);
            assert_eq!(label.replace('\n', ""), field.label());
            assert_eq!(
                fit::wrapped_lines(label, VALUE_WIDTH),
                label.lines().count(),
                "{label}"
            );
            assert!(
                label.lines().all(|l| !l.starts_with('）') || l == "（）"),
                "{label}"
            );
        }
    }
}
