//! The district summary for the city (汇总上报, SPEC §10): one workbook per month, built from the
//! same query layer as `status` and the bot. Sheet 1 is the 附件3 layout with one row per unit in
//! roster order and a 合计 row, then the notice's checks; sheet 2 the missing units; sheet 3 the
//! month's cases, with tip sources only when an admin asks for them explicitly.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::domain::fields::{Field, MonthlyValues};
use crate::domain::period::Period;
use crate::notice_checks::Check;
use crate::status::cases::CaseView;

/// One unit's row: its counting version, or nothing when it has not reported.
#[derive(Debug, Clone)]
pub struct UnitRow {
    pub name: String,
    pub kind: &'static str,
    pub reported: Option<Reported>,
}

#[derive(Debug, Clone)]
pub struct Reported {
    pub values: MonthlyValues,
    pub received: String,
    pub version: i64,
    pub late: bool,
}

/// Everything the workbook shows.
pub struct ExportData<'a> {
    pub office_name: &'a str,
    pub period: Period,
    pub deadline: String,
    pub rows: &'a [UnitRow],
    pub totals: MonthlyValues,
    pub checks: &'a [Check],
    pub cases: &'a [CaseView],
    /// Show 线索来源: only when an admin asks for it.
    pub with_tip_sources: bool,
}

const FIRST_VALUE_COL: u16 = 2;

/// Builds the workbook.
pub fn workbook(data: &ExportData<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    summary_sheet(book.add_worksheet(), data)?;
    missing_sheet(book.add_worksheet(), data)?;
    cases_sheet(book.add_worksheet(), data)?;
    book.save_to_buffer()
}

fn cell_format() -> Format {
    Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

fn title(sheet: &mut Worksheet, text: &str, last_col: u16) -> Result<(), XlsxError> {
    let format = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    sheet.merge_range(0, 0, 0, last_col, text, &format)?;
    sheet.set_row_height(0, 28)?;
    Ok(())
}

fn a4(sheet: &mut Worksheet, landscape: bool) {
    sheet.set_paper_size(9);
    if landscape {
        sheet.set_landscape();
    }
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 2).ok();
}

fn summary_sheet(sheet: &mut Worksheet, data: &ExportData<'_>) -> Result<(), XlsxError> {
    sheet.set_name("月情况汇总")?;
    let last_col = FIRST_VALUE_COL + 11 + 2;
    title(
        sheet,
        &format!(
            "{} {} 安全生产举报奖励宣传工作月情况汇总表（截止 {}）",
            data.office_name,
            data.period.zh(),
            data.deadline
        ),
        last_col,
    )?;
    let head = cell_format().set_bold().set_background_color(0xDDEBF7);
    let body = cell_format();
    sheet.write_string_with_format(1, 0, "序号", &head)?;
    sheet.write_string_with_format(1, 1, "单位", &head)?;
    for (i, field) in Field::ALL.iter().enumerate() {
        sheet.write_string_with_format(1, FIRST_VALUE_COL + i as u16, field.label(), &head)?;
    }
    for (offset, label) in ["报送时间", "版本", "逾期"].iter().enumerate() {
        sheet.write_string_with_format(1, FIRST_VALUE_COL + 11 + offset as u16, *label, &head)?;
    }
    sheet.set_row_height(1, 45)?;
    let mut row = 2u32;
    for (n, unit) in data.rows.iter().enumerate() {
        sheet.write_number_with_format(row, 0, (n + 1) as f64, &body)?;
        sheet.write_string_with_format(row, 1, &unit.name, &body)?;
        match &unit.reported {
            Some(r) => {
                for (i, (_, value)) in r.values.iter().enumerate() {
                    sheet.write_number_with_format(
                        row,
                        FIRST_VALUE_COL + i as u16,
                        value as f64,
                        &body,
                    )?;
                }
                sheet.write_string_with_format(row, FIRST_VALUE_COL + 11, &r.received, &body)?;
                sheet.write_number_with_format(
                    row,
                    FIRST_VALUE_COL + 12,
                    r.version as f64,
                    &body,
                )?;
                sheet.write_string_with_format(
                    row,
                    FIRST_VALUE_COL + 13,
                    if r.late { "是" } else { "" },
                    &body,
                )?;
            }
            None => {
                for col in FIRST_VALUE_COL..FIRST_VALUE_COL + 11 {
                    sheet.write_blank(row, col, &body)?;
                }
                sheet.write_string_with_format(row, FIRST_VALUE_COL + 11, "未报送", &body)?;
                sheet.write_blank(row, FIRST_VALUE_COL + 12, &body)?;
                sheet.write_blank(row, FIRST_VALUE_COL + 13, &body)?;
            }
        }
        row += 1;
    }
    let bold = cell_format().set_bold();
    sheet.write_string_with_format(row, 0, "", &bold)?;
    sheet.write_string_with_format(row, 1, "合计", &bold)?;
    for (i, (_, value)) in data.totals.iter().enumerate() {
        sheet.write_number_with_format(row, FIRST_VALUE_COL + i as u16, value as f64, &bold)?;
    }
    row += 2;
    sheet.write_string(row, 0, "通知要求完成情况")?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for check in data.checks {
        row += 1;
        sheet.write_string(row, 1, check.kind.zh())?;
        sheet.write_string(row, FIRST_VALUE_COL, check.state.zh())?;
        // The detail may list many units: wrapped across the table's width, not past its edge.
        sheet.merge_range(
            row,
            FIRST_VALUE_COL + 1,
            row,
            last_col,
            &check.detail,
            &wrap,
        )?;
        let lines = check.detail.chars().count() / 70 + 1;
        sheet.set_row_height(row, 15.0 * lines as f64)?;
    }
    sheet.set_column_width(0, 5)?;
    sheet.set_column_width(1, 16)?;
    for col in FIRST_VALUE_COL..FIRST_VALUE_COL + 11 {
        sheet.set_column_width(col, 9)?;
    }
    sheet.set_column_width(FIRST_VALUE_COL + 11, 17)?;
    sheet.set_column_width(FIRST_VALUE_COL + 12, 6)?;
    sheet.set_column_width(FIRST_VALUE_COL + 13, 6)?;
    sheet.set_freeze_panes(2, 2)?;
    a4(sheet, true);
    Ok(())
}

fn missing_sheet(sheet: &mut Worksheet, data: &ExportData<'_>) -> Result<(), XlsxError> {
    sheet.set_name("未报送单位")?;
    title(sheet, &format!("{} 未报送单位", data.period.zh()), 2)?;
    let head = cell_format().set_bold();
    let body = cell_format();
    for (col, label) in ["序号", "单位", "类别"].iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *label, &head)?;
    }
    let missing = data.rows.iter().filter(|u| u.reported.is_none());
    for (n, unit) in missing.enumerate() {
        let row = 2 + n as u32;
        sheet.write_number_with_format(row, 0, (n + 1) as f64, &body)?;
        sheet.write_string_with_format(row, 1, &unit.name, &body)?;
        sheet.write_string_with_format(row, 2, unit.kind, &body)?;
    }
    sheet.set_column_width(1, 20)?;
    sheet.set_column_width(2, 10)?;
    sheet.set_freeze_panes(2, 0)?;
    a4(sheet, false);
    Ok(())
}

fn cases_sheet(sheet: &mut Worksheet, data: &ExportData<'_>) -> Result<(), XlsxError> {
    sheet.set_name("典型案例")?;
    let mut labels = vec!["序号", "单位", "收到时间", "案情摘要", "奖励发放", "照片"];
    if data.with_tip_sources {
        labels.push("线索来源");
    }
    title(
        sheet,
        &format!("{} 典型案例", data.period.zh()),
        labels.len() as u16 - 1,
    )?;
    let head = cell_format().set_bold();
    let body = cell_format().set_align(FormatAlign::Left);
    for (col, label) in labels.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *label, &head)?;
    }
    for (n, case) in data.cases.iter().enumerate() {
        let row = 2 + n as u32;
        let summary = case
            .facts
            .as_deref()
            .or(case.overview.as_deref())
            .unwrap_or_default();
        sheet.write_number_with_format(row, 0, (n + 1) as f64, &body)?;
        sheet.write_string_with_format(row, 1, &case.unit_name, &body)?;
        sheet.write_string_with_format(row, 2, &case.received, &body)?;
        sheet.write_string_with_format(row, 3, summary, &body)?;
        sheet.write_string_with_format(row, 4, case.reward_yuan.as_deref().unwrap_or(""), &body)?;
        sheet.write_number_with_format(row, 5, case.photos as f64, &body)?;
        if data.with_tip_sources {
            sheet.write_string_with_format(
                row,
                6,
                case.tip_source.as_deref().unwrap_or(""),
                &body,
            )?;
        }
    }
    for (col, width) in [5.0, 16.0, 17.0, 60.0, 12.0, 6.0, 30.0].iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    a4(sheet, true);
    Ok(())
}

/// Why the workbook could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("cannot build the summary workbook: {0}")]
    Workbook(String),
}

/// Reads the month through the shared query layer and builds its workbook.
/// `today` is the office-local date (it decides whether the deadline has passed).
pub async fn build(
    config: &crate::config::Config,
    store: &crate::store::Store,
    today: chrono::NaiveDate,
    period: Period,
    with_tip_sources: bool,
) -> Result<Vec<u8>, ExportError> {
    use crate::domain::unit::UnitKind;
    let tz = config.office.timezone;
    let latest = crate::store::submissions::latest_for_period(store, period).await?;
    let summary = crate::status::summary::load(config, store, period, today).await?;
    let cases = crate::status::cases::load(config, store, period).await?;
    let rows: Vec<UnitRow> = config
        .roster
        .units()
        .iter()
        .map(|unit| UnitRow {
            name: unit.name.clone(),
            kind: match unit.kind {
                UnitKind::Town => "镇",
                UnitKind::Subdistrict => "街道",
                UnitKind::Department => "部门",
            },
            reported: latest
                .iter()
                .find(|s| s.unit_code == unit.code.as_str())
                .map(|s| Reported {
                    values: s.values,
                    received: crate::clock::local_text(s.received_at, tz),
                    version: s.version,
                    late: s.late,
                }),
        })
        .collect();
    let data = ExportData {
        office_name: &config.office.name,
        period,
        deadline: summary.deadline.clone(),
        rows: &rows,
        totals: summary.totals,
        checks: &summary.checks,
        cases: &cases,
        with_tip_sources,
    };
    workbook(&data).map_err(|e| ExportError::Workbook(e.to_string()))
}
