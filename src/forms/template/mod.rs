//! The official templates: the monthly form (附件3) that the office sends out, as an .xlsx (SPEC §3).
//!
//! Layout (the one the reader and the acceptance samples know, under the notice's mark): the mark
//! 附件3 in row 1; the title in row 2; header label/value pairs in rows 3-4 (填报单位, 报表月份,
//! 填报时间; 填报人, 联系电话); the eleven labels exactly as in the notice in row 6, each broken
//! before a line would overflow its column (never a lone `）`), and their values in row 7,
//! formatted as integers; notes in row 9. A4 landscape, fitted to one page. [`write_monthly_sheet`]
//! draws it on any sheet: the export's district 附件3 is the same layout with the district's
//! values. [`monthly_filled`] writes it with values, for examples and tests. The case template
//! (附件2) is in [`case`].

mod case;

pub use crate::forms::labels::CASE_GUIDANCE;
pub use case::{CASE_TEMPLATE_FILE_NAME, CASE_TITLE, CaseFill, case_filled, case_template};

use rust_xlsxwriter::{
    Color, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use crate::domain::Field;
use crate::forms::labels::Header;

/// The title; the blank before 月 is where units write the month, as in the notice.
pub const TITLE: &str = "安全生产举报奖励宣传工作    月情况报表";
/// The monthly form's mark in the notice.
pub const MONTHLY_MARK: &str = "附件3";

const LAST_COL: u16 = 10;
const MARK_ROW: u32 = 0;
const TITLE_ROW: u32 = 1;
const HEADER_ROW: u32 = 2;
/// The row of the eleven labels (0-based); their values are in the row below.
pub const LABEL_ROW: u32 = 5;
const VALUE_ROW: u32 = LABEL_ROW + 1;
const NOTES_ROW: u32 = VALUE_ROW + 2;
/// Each value column's width: the longest label line (7 CJK characters) and a margin.
const VALUE_COL_WIDTH: f64 = 16.0;
const NOTES: &str = "填表说明：1. 报表月份请写成“2026年11月”这样的格式；\
    2. 各项只填阿拉伯数字，没有请填0，不要空着；3. 每月20日前将本表发送至区安委办邮箱。";

/// Header values and the eleven values of a filled copy.
#[derive(Debug, Clone, Default)]
pub struct TemplateFill {
    pub unit: String,
    pub period: String,
    pub filled_by: String,
    pub phone: String,
    pub filled_on: String,
    pub values: [u64; 11],
}

/// What a monthly sheet shows in the template's layout.
#[derive(Debug, Clone, Copy)]
pub struct MonthlySheet<'a> {
    pub title: &'a str,
    pub fill: Option<&'a TemplateFill>,
    /// Formulas for the eleven values; the fill's values are stored as their results.
    pub formulas: Option<&'a [String; 11]>,
    pub notes: &'a str,
}

/// The file name the template is attached under.
pub const TEMPLATE_FILE_NAME: &str = "安全生产举报奖励宣传工作月情况报表（模板）.xlsx";
/// The content type of an .xlsx attachment.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The blank official template.
pub fn monthly_template() -> Result<Vec<u8>, XlsxError> {
    build(None)
}

/// The template filled in, as a unit would send it back.
pub fn monthly_filled(fill: &TemplateFill) -> Result<Vec<u8>, XlsxError> {
    build(Some(fill))
}

/// For tests: the November 2026 form of `unit` as it sends it back (张敏, every value 3).
#[cfg(test)]
pub(crate) fn november_form_of(unit: &str) -> Vec<u8> {
    monthly_filled(&TemplateFill {
        unit: unit.into(),
        period: "2026年11月".into(),
        filled_by: "张敏".into(),
        phone: "023-68173265".into(),
        filled_on: "2026-11-10".into(),
        values: [3; 11],
    })
    .unwrap()
}

/// A label as printed in the template: broken into lines that fit [`VALUE_COL_WIDTH`], the unit's
/// bracket kept with the words before it. The reader ignores the line breaks (whitespace).
pub fn label_lines(field: Field) -> &'static str {
    match field {
        Field::OpenLetters => "公开信（封）",
        Field::MediaReports => "网络媒体报道\n（次）",
        Field::PlazaScreens => "商圈广场视屏\n（个）",
        Field::Brochures => "五进画册\n（册）",
        Field::CommunityColumns => "村居（社）\n宣传专栏（个）",
        Field::SlogansPosters => "标语海报\n（）",
        Field::QrCodes => "两单两卡加印\n二维码（个）",
        Field::BoardIcons => "责任公示牌\n加贴图标（个）",
        Field::EnterpriseTrainings => "企业培训\n（次）",
        Field::Informants => "建立信息员\n（人）",
        Field::CaseLeads => "获取立案查处\n以上线索（条）",
    }
}

struct Formats {
    mark: Format,
    title: Format,
    header_label: Format,
    header_value: Format,
    phone_value: Format,
    label: Format,
    value: Format,
    notes: Format,
}

/// The templates' shared look: 宋体 11 pt, and the same with a thin grey box.
pub(super) fn base_and_boxed() -> (Format, Format) {
    let base = Format::new()
        .set_font_name("宋体")
        .set_font_size(11)
        .set_align(FormatAlign::VerticalCenter);
    let boxed = base
        .clone()
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0x80_80_80));
    (base, boxed)
}

/// The notice's mark (附件2, 附件3): 黑体, top left, as official attachments are marked.
pub(super) fn mark_format() -> Format {
    Format::new()
        .set_font_name("黑体")
        .set_font_size(14)
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::VerticalCenter)
}

fn formats() -> Formats {
    let (base, boxed) = base_and_boxed();
    Formats {
        mark: mark_format(),
        title: base
            .clone()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center),
        header_label: base.clone().set_bold(),
        header_value: base.clone().set_align(FormatAlign::Left),
        phone_value: base
            .clone()
            .set_align(FormatAlign::Left)
            .set_num_format("@"),
        label: boxed
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(0xF2_F2_F2)),
        value: boxed.set_num_format("0").set_align(FormatAlign::Center),
        notes: base.set_text_wrap().set_font_size(10),
    }
}

fn build(fill: Option<&TemplateFill>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Sheet1")?;
    write_monthly_sheet(
        sheet,
        &MonthlySheet {
            title: TITLE,
            fill,
            formulas: None,
            notes: NOTES,
        },
    )?;
    workbook.save_to_buffer()
}

/// Draws the monthly form (附件3) on `sheet`, set up to print on one A4 landscape page.
pub fn write_monthly_sheet(
    sheet: &mut Worksheet,
    page: &MonthlySheet<'_>,
) -> Result<(), XlsxError> {
    let f = formats();
    sheet.write_string_with_format(MARK_ROW, 0, MONTHLY_MARK, &f.mark)?;
    sheet.set_row_height(MARK_ROW, 22)?;
    sheet.merge_range(TITLE_ROW, 0, TITLE_ROW, LAST_COL, page.title, &f.title)?;
    sheet.set_row_height(TITLE_ROW, 36)?;
    write_headers(sheet, &f, page.fill)?;
    sheet.set_row_height(LABEL_ROW - 1, 8)?;
    write_table(sheet, &f, page)?;
    sheet.merge_range(NOTES_ROW, 0, NOTES_ROW, LAST_COL, page.notes, &f.notes)?;
    sheet.set_row_height(NOTES_ROW, 30)?;
    set_up_page(sheet)
}

/// Header pairs: the label, then its value merged over the next columns.
fn write_headers(
    sheet: &mut Worksheet,
    f: &Formats,
    fill: Option<&TemplateFill>,
) -> Result<(), XlsxError> {
    let text = |pick: fn(&TemplateFill) -> &str| fill.map(pick).unwrap_or_default().to_string();
    let pairs = [
        (HEADER_ROW, 0, 3, Header::Unit, text(|x| &x.unit)),
        (HEADER_ROW, 4, 7, Header::Period, text(|x| &x.period)),
        (
            HEADER_ROW,
            8,
            LAST_COL,
            Header::FilledOn,
            text(|x| &x.filled_on),
        ),
        (
            HEADER_ROW + 1,
            0,
            3,
            Header::FilledBy,
            text(|x| &x.filled_by),
        ),
        (HEADER_ROW + 1, 4, 7, Header::Phone, text(|x| &x.phone)),
    ];
    for (row, col, last_col, header, value) in pairs {
        sheet.write_string_with_format(row, col, header.label(), &f.header_label)?;
        let format = if header == Header::Phone {
            &f.phone_value
        } else {
            &f.header_value
        };
        sheet.merge_range(row, col + 1, row, last_col, &value, format)?;
        sheet.set_row_height(row, 22)?;
    }
    Ok(())
}

/// The label row and the value row.
fn write_table(
    sheet: &mut Worksheet,
    f: &Formats,
    page: &MonthlySheet<'_>,
) -> Result<(), XlsxError> {
    for (field, col) in Field::ALL.iter().zip(0u16..) {
        sheet.write_string_with_format(LABEL_ROW, col, label_lines(*field), &f.label)?;
        let value = page
            .fill
            .and_then(|fill| fill.values.get(field.index()).copied());
        let formula = page.formulas.and_then(|all| all.get(field.index()));
        match (value, formula) {
            (Some(value), Some(formula)) => {
                let formula = Formula::new(formula).set_result(value.to_string());
                sheet.write_formula_with_format(VALUE_ROW, col, formula, &f.value)?;
            }
            (Some(value), None) => {
                sheet.write_number_with_format(VALUE_ROW, col, value as f64, &f.value)?;
            }
            (None, _) => {
                sheet.write_blank(VALUE_ROW, col, &f.value)?;
            }
        }
        sheet.set_column_width(col, VALUE_COL_WIDTH)?;
    }
    sheet.set_row_height(LABEL_ROW, 40)?;
    sheet.set_row_height(VALUE_ROW, 30)?;
    Ok(())
}

fn set_up_page(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 1)
        .set_print_center_horizontally(true)
        .set_margins(0.5, 0.5, 0.75, 0.75, 0.3, 0.3);
    sheet.set_print_area(0, 0, NOTES_ROW, LAST_COL)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Period;
    use crate::forms::monthly::{PeriodSource, ReadContext, read_monthly};
    use crate::forms::{FormKind, detect_kind, open_workbook};

    fn context(names: &[String]) -> ReadContext<'_> {
        ReadContext {
            open_period: Period::new(2026, 11).unwrap(),
            subject: "",
            unit_names: Some(names),
            plausibility_bound: ReadContext::DEFAULT_PLAUSIBILITY_BOUND,
        }
    }

    #[test]
    fn the_blank_template_reads_as_eleven_blank_values() {
        let bytes = monthly_template().unwrap();
        let wb = open_workbook(&bytes, 1 << 20).unwrap();
        assert_eq!(detect_kind(&wb), Some(FormKind::Monthly));
        let names = vec!["跳磴镇".to_string()];
        let reading = read_monthly(&wb, &context(&names));
        let problems = reading.form.unwrap_err();
        assert_eq!(problems.len(), 11, "{problems:#?}");
        for (problem, field) in problems.iter().zip(Field::ALL) {
            assert_eq!(problem.field, field.key());
            assert!(problem.message.contains("请填写，没有请填0"));
        }
        assert_eq!(problems[9].cell.as_deref(), Some("Sheet1!J7"));
    }

    #[test]
    fn a_filled_copy_reads_back_exactly() {
        let fill = TemplateFill {
            unit: "跳磴镇".into(),
            period: "2026年10月".into(),
            filled_by: "张丽".into(),
            phone: "023-68173265".into(),
            filled_on: "2026年10月12日".into(),
            values: [438, 1, 0, 55, 28, 112, 72, 8, 9, 4, 2],
        };
        let bytes = monthly_filled(&fill).unwrap();
        let wb = open_workbook(&bytes, 1 << 20).unwrap();
        let names = vec!["跳磴镇".to_string()];
        let reading = read_monthly(&wb, &context(&names));
        let form = reading.form.unwrap();
        assert_eq!(form.values.as_array(), &fill.values);
        assert_eq!(form.period, Period::new(2026, 10).unwrap());
        assert_eq!(form.period_source, PeriodSource::Cell("Sheet1!F3".into()));
        assert_eq!(form.unit_text.as_deref(), Some("跳磴镇"));
        assert_eq!(form.filled_by.as_deref(), Some("张丽"));
        assert_eq!(form.phone.unwrap().as_str(), "023-68173265");
        assert_eq!(form.filled_on.as_deref(), Some("2026年10月12日"));
        assert_eq!(form.value_cells[0], "Sheet1!A7");
        assert!(reading.warnings.is_empty(), "{:?}", reading.warnings);
    }

    #[test]
    fn the_title_has_a_blank_month() {
        assert!(TITLE.contains("工作    月情况报表"));
    }

    #[test]
    fn every_label_is_the_notices_and_no_line_overflows_its_column() {
        for field in Field::ALL {
            let lines = label_lines(field);
            assert_eq!(lines.replace('\n', ""), field.label());
            for line in lines.lines() {
                let units = crate::forms::fit::text_units(line) as f64;
                assert!(units + 2.0 <= VALUE_COL_WIDTH, "{line:?}");
                assert!(!line.starts_with('）'), "{line:?}");
            }
        }
    }
}
