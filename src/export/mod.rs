//! The district summary for the city (汇总上报, SPEC §10, §16): one workbook per month, built from
//! the same query layer as `status` and the bot.
//!
//! Sheets, in order: the district's own 附件3 ([`district`]), in the template's layout with the
//! office as 填报单位 and the eleven district totals, ready to send upward as it is; the units one
//! row each in roster order with a 合计 row of formulas ([`units`]); the missing units; the
//! notice's checks (an internal sheet, not for the city); the month's cases, every field wrapped
//! in rows tall enough for their text ([`cases`]), with tip sources only when an admin asks for
//! them. Every sheet prints on A4 landscape, fitted to the page width. Row heights come from
//! [`fit`] (in `forms`, shared with the template). `export --cases-dir` also writes each case as a Word document ([`docx`]).

pub mod case_files;
pub mod cases;
pub mod district;
pub mod docx;
pub mod units;

pub use crate::forms::fit;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::domain::PhoneNumber;
use crate::domain::fields::MonthlyValues;
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
    /// 填报人 and 联系电话 of the district's 附件3 (`[office] reporter`, `phone`).
    pub reporter: Option<&'a str>,
    pub phone: Option<&'a PhoneNumber>,
    pub period: Period,
    /// The day the export is made (office-local): the title says 截至 this day.
    pub made_on: NaiveDate,
    pub rows: &'a [UnitRow],
    pub totals: MonthlyValues,
    pub checks: &'a [Check],
    pub cases: &'a [CaseView],
    /// Show 线索来源: only when an admin asks for it.
    pub with_tip_sources: bool,
    /// Who the workbook is for: the city's copy has no internal sheet and no tip sources.
    pub audience: Audience,
}

/// Who a workbook is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The office itself: every sheet, the internal checks included.
    Office,
    /// The city office (`submit`): the internal checks left out, never a tip source.
    City,
}

/// The sheets' names, in order.
pub const SHEETS: [&str; 5] = [
    "区汇总（附件3）",
    "各单位报送情况",
    "未报送单位",
    "核查情况（内部）",
    "典型案例",
];

/// Builds the workbook.
pub fn workbook(data: &ExportData<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    district::sheet(book.add_worksheet(), data)?;
    units::sheet(book.add_worksheet(), data)?;
    units::missing_sheet(book.add_worksheet(), data)?;
    if data.audience == Audience::Office {
        units::checks_sheet(book.add_worksheet(), data)?;
    }
    cases::sheet(book.add_worksheet(), data)?;
    book.save_to_buffer()
}

/// A boxed, wrapped, centred cell.
pub(crate) fn cell_format() -> Format {
    Format::new()
        .set_font_name("宋体")
        .set_font_size(11)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

/// A boxed, wrapped header cell.
pub(crate) fn head_format() -> Format {
    cell_format().set_bold().set_background_color(0xDDEBF7)
}

/// The title over a table, merged across its columns.
pub(crate) fn title(sheet: &mut Worksheet, text: &str, last_col: u16) -> Result<(), XlsxError> {
    let format = Format::new()
        .set_font_name("宋体")
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    sheet.merge_range(0, 0, 0, last_col, text, &format)?;
    sheet.set_row_height(0, 28)?;
    Ok(())
}

/// A4, landscape, one page wide, the title and header rows repeated on every page.
pub(crate) fn a4_landscape(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    sheet
        .set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_repeat_rows(0, 1)?;
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
    let data = load(config, store, today, period).await?;
    render(&data, with_tip_sources, Audience::Office)
        .map_err(|e| ExportError::Workbook(e.to_string()))
}

/// What a month's workbook is made of, read once.
pub struct MonthData<'a> {
    pub config: &'a crate::config::Config,
    pub period: Period,
    pub made_on: NaiveDate,
    pub rows: Vec<UnitRow>,
    pub summary: crate::status::summary::Summary,
    pub cases: Vec<CaseView>,
}

/// Reads everything a month's workbook shows; `made_on` (office-local) is its 截至 date and
/// decides whether the deadline has passed.
pub async fn load<'a>(
    config: &'a crate::config::Config,
    store: &crate::store::Store,
    made_on: NaiveDate,
    period: Period,
) -> Result<MonthData<'a>, crate::store::StoreError> {
    Ok(MonthData {
        config,
        period,
        made_on,
        rows: unit_rows(config, store, period).await?,
        summary: crate::status::summary::load(config, store, period, made_on).await?,
        cases: crate::status::cases::load(config, store, period).await?,
    })
}

/// The workbook of a month read by [`load`].
pub fn render(
    month: &MonthData<'_>,
    with_tip_sources: bool,
    audience: Audience,
) -> Result<Vec<u8>, XlsxError> {
    let office = &month.config.office;
    workbook(&ExportData {
        office_name: &office.name,
        reporter: office.reporter.as_deref(),
        phone: office.phone.as_ref(),
        period: month.period,
        made_on: month.made_on,
        rows: &month.rows,
        totals: month.summary.totals,
        checks: &month.summary.checks,
        cases: &month.cases,
        with_tip_sources: with_tip_sources && audience == Audience::Office,
        audience,
    })
}

/// Every unit of the roster, in its order, with its counting version of the month.
pub async fn unit_rows(
    config: &crate::config::Config,
    store: &crate::store::Store,
    period: Period,
) -> Result<Vec<UnitRow>, crate::store::StoreError> {
    use crate::domain::unit::UnitKind;
    let tz = config.office.zone.tz();
    let latest = crate::store::submissions::latest_for_period(store, period).await?;
    Ok(config
        .roster
        .current()
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
        .collect())
}
