//! The official typical-case template (附件2, SPEC §4) as an .xlsx, laid out as in the notice.
//!
//! Layout: the mark 附件2 in row 1; the title in row 2; 典型案例概述 (merged over A:E) and 备注 (F)
//! side by side in row 3, the case box under each in row 4 (the overview box carries the notice's
//! guidance, which the reader ignores); after a blank row, the notice's one-line footer
//! `填报单位：  填报人：  联系电话：  填报时间：  年  月  日` in row 6. A4 portrait, one page.

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::forms::labels::{CASE_GUIDANCE, CasePart, Header};

/// The title, as in the notice.
pub const CASE_TITLE: &str = "安全生产举报奖励工作典型案例报送表";
/// The file name the case template is attached under.
pub const CASE_TEMPLATE_FILE_NAME: &str = "安全生产举报奖励工作典型案例报送表（模板）.xlsx";
/// The case template's mark in the notice.
pub const CASE_MARK: &str = "附件2";

const LAST_COL: u16 = 5;
const TITLE_ROW: u32 = 1;
const LABEL_ROW: u32 = 2;
const BOX_ROW: u32 = 3;
const FOOTER_ROW: u32 = 5;
/// Tall enough for 600 characters at the box's width (about 38 per line), with room to spare.
const BOX_HEIGHT: f64 = 400.0;

/// The texts of a filled copy.
#[derive(Debug, Clone, Default)]
pub struct CaseFill {
    pub overview: String,
    pub remarks: String,
    pub unit: String,
    pub filled_by: String,
    pub phone: String,
    pub filled_on: String,
}

/// The blank official case template.
pub fn case_template() -> Result<Vec<u8>, XlsxError> {
    build(None)
}

/// The case template filled in, as a unit would send it back.
pub fn case_filled(fill: &CaseFill) -> Result<Vec<u8>, XlsxError> {
    build(Some(fill))
}

/// The footer line: the four pairs on one line, blanks to write in when empty.
pub fn footer_text(fill: Option<&CaseFill>) -> String {
    let Some(fill) = fill else {
        return format!(
            "{}：            {}：            {}：                {}：      年    月    日",
            Header::Unit.label(),
            Header::FilledBy.label(),
            Header::Phone.label(),
            Header::FilledOn.label()
        );
    };
    [
        (Header::Unit, &fill.unit),
        (Header::FilledBy, &fill.filled_by),
        (Header::Phone, &fill.phone),
        (Header::FilledOn, &fill.filled_on),
    ]
    .iter()
    .map(|(header, value)| format!("{}：{value}", header.label()))
    .collect::<Vec<_>>()
    .join("　　")
}

struct Formats {
    mark: Format,
    title: Format,
    label: Format,
    text: Format,
    footer: Format,
}

fn formats() -> Formats {
    let (base, boxed) = super::base_and_boxed();
    Formats {
        mark: super::mark_format(),
        title: base
            .clone()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center),
        label: boxed
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(0xF2_F2_F2)),
        text: boxed
            .set_text_wrap()
            .set_align(FormatAlign::Left)
            .set_align(FormatAlign::Top),
        footer: base.set_align(FormatAlign::Left),
    }
}

fn build(fill: Option<&CaseFill>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Sheet1")?;
    let f = formats();
    sheet.write_string_with_format(0, 0, CASE_MARK, &f.mark)?;
    sheet.set_row_height(0, 22)?;
    sheet.merge_range(TITLE_ROW, 0, TITLE_ROW, LAST_COL, CASE_TITLE, &f.title)?;
    sheet.set_row_height(TITLE_ROW, 40)?;
    for col in 0..LAST_COL {
        sheet.set_column_width(col, 14)?;
    }
    sheet.set_column_width(LAST_COL, 18)?;
    write_boxes(sheet, &f, fill)?;
    sheet.set_row_height(BOX_ROW + 1, 10)?;
    sheet.merge_range(
        FOOTER_ROW,
        0,
        FOOTER_ROW,
        LAST_COL,
        &footer_text(fill),
        &f.footer,
    )?;
    sheet.set_row_height(FOOTER_ROW, 26)?;
    sheet
        .set_portrait()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 1)
        .set_print_center_horizontally(true);
    sheet.set_print_area(0, 0, FOOTER_ROW, LAST_COL)?;
    workbook.save_to_buffer()
}

/// 典型案例概述 and 备注 side by side, their boxes below.
fn write_boxes(
    sheet: &mut Worksheet,
    f: &Formats,
    fill: Option<&CaseFill>,
) -> Result<(), XlsxError> {
    let overview = CasePart::Overview.label();
    sheet.merge_range(LABEL_ROW, 0, LABEL_ROW, LAST_COL - 1, overview, &f.label)?;
    sheet.write_string_with_format(LABEL_ROW, LAST_COL, CasePart::Remarks.label(), &f.label)?;
    sheet.set_row_height(LABEL_ROW, 26)?;
    let text = fill.map_or(CASE_GUIDANCE, |fill| fill.overview.as_str());
    sheet.merge_range(BOX_ROW, 0, BOX_ROW, LAST_COL - 1, text, &f.text)?;
    let remarks = fill.map_or("", |fill| fill.remarks.as_str());
    sheet.write_string_with_format(BOX_ROW, LAST_COL, remarks, &f.text)?;
    sheet.set_row_height(BOX_ROW, BOX_HEIGHT)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::case::{Amount, CaseContext, read_case_workbook};
    use crate::forms::{FormKind, detect_kind, open_workbook};

    fn read(bytes: &[u8]) -> crate::forms::case::CaseReading {
        let wb = open_workbook(bytes, 1 << 20).unwrap();
        assert_eq!(detect_kind(&wb), Some(FormKind::Case));
        let names = vec!["跳磴镇".to_string()];
        read_case_workbook(
            &wb,
            &CaseContext {
                unit_names: Some(&names),
                max_chars: CaseContext::DEFAULT_MAX_CHARS,
            },
        )
    }

    #[test]
    fn the_blank_template_is_a_case_form_without_content() {
        let problems = read(&case_template().unwrap()).form.unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "overview");
    }

    #[test]
    fn the_blank_footer_is_the_notices_line() {
        let line = footer_text(None);
        assert!(line.starts_with("填报单位："), "{line}");
        assert!(line.ends_with("年    月    日"), "{line}");
        assert_eq!(line.lines().count(), 1);
    }

    #[test]
    fn a_filled_copy_reads_back_exactly() {
        let fill = CaseFill {
            overview:
                "线索来源：群众通过“渝快办”实名举报。\n简要案情：现场核查属实，安全出口被堵塞。\n\
                       执法处罚：责令整改，并处罚款2万元。\n奖励发放：向举报人发放奖励1000元。"
                    .into(),
            remarks: "举报人信息已保密。".into(),
            unit: "跳磴镇".into(),
            filled_by: "张丽".into(),
            phone: "13594021187".into(),
            filled_on: "2026年11月19日".into(),
        };
        let reading = read(&case_filled(&fill).unwrap());
        let form = reading.form.unwrap();
        // The tip-source sentence leaves the overview for the tip source (SPEC §4).
        let (tip, rest) = fill.overview.split_once('\n').unwrap();
        assert_eq!(form.tip_source.as_deref(), Some(tip));
        assert_eq!(form.overview.as_deref(), Some(rest));
        assert_eq!(form.remarks.as_deref(), Some(fill.remarks.as_str()));
        assert_eq!(form.reward_yuan, Some(Amount::from_fen(100_000)));
        assert_eq!(form.unit_text.as_deref(), Some("跳磴镇"));
        assert_eq!(form.filled_by.as_deref(), Some("张丽"));
        assert_eq!(form.phone.unwrap().as_str(), "13594021187");
        assert_eq!(form.filled_on.as_deref(), Some("2026年11月19日"));
        assert!(reading.warnings.is_empty());
    }

    #[test]
    fn a_case_typed_after_the_guidance_reads_without_it() {
        let fill = CaseFill {
            overview: format!(
                "{CASE_GUIDANCE}\n某企业违规动火作业，经查属实，罚款1万元，奖励举报人500元。"
            ),
            ..CaseFill::default()
        };
        let form = read(&case_filled(&fill).unwrap()).form.unwrap();
        assert_eq!(
            form.overview.as_deref(),
            Some("某企业违规动火作业，经查属实，罚款1万元，奖励举报人500元。")
        );
        assert_eq!(form.filled_on, None, "a blank date is no date");
    }
}
