//! The official typical-case template (附件2, SPEC §4) as an .xlsx.
//!
//! Layout (the vertical one the case reader and acceptance sample 039 know): the title in row 1;
//! the labels 线索来源 / 简要案情 / 执法处罚 / 奖励发放 / 备注 down column A from row 3, each with a
//! wide wrapped text cell merged over B:F; after a blank row the notice's filling note; the footer pairs
//! 填报单位 / 填报人 and 联系电话 / 填报时间 in the last two rows. A4 portrait, one page wide.

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::forms::labels::{CasePart, Header};

/// The title, as in the notice.
pub const CASE_TITLE: &str = "安全生产举报奖励工作典型案例报送表";
/// The file name the case template is attached under.
pub const CASE_TEMPLATE_FILE_NAME: &str = "安全生产举报奖励工作典型案例报送表（模板）.xlsx";

const LAST_COL: u16 = 5;
const FIRST_PART_ROW: u32 = 2;
const PARTS: [(CasePart, f64); 5] = [
    (CasePart::TipSource, 60.0),
    (CasePart::Facts, 120.0),
    (CasePart::Enforcement, 90.0),
    (CasePart::Reward, 60.0),
    (CasePart::Remarks, 40.0),
];
// A blank row after 备注 keeps the note from reading as its text.
const NOTE_ROW: u32 = FIRST_PART_ROW + PARTS.len() as u32 + 1;
const FOOTER_ROW: u32 = NOTE_ROW + 2;
const NOTE: &str = "填表说明：典型案例上报内容包括线索来源、简要案情、执法处罚、奖励发放等相关工作情况，\
    字数不超过600字，并附上工作图片（照片直接作为邮件附件发送）。必要时，相关信息需加密处理。";

/// The texts of a filled copy.
#[derive(Debug, Clone, Default)]
pub struct CaseFill {
    pub tip_source: String,
    pub facts: String,
    pub enforcement: String,
    pub reward: String,
    pub remarks: String,
    pub unit: String,
    pub filled_by: String,
    pub phone: String,
    pub filled_on: String,
}

impl CaseFill {
    fn part(&self, part: CasePart) -> &str {
        match part {
            CasePart::TipSource => &self.tip_source,
            CasePart::Facts => &self.facts,
            CasePart::Enforcement => &self.enforcement,
            CasePart::Reward => &self.reward,
            CasePart::Remarks => &self.remarks,
            CasePart::Overview => "",
        }
    }
}

/// The blank official case template.
pub fn case_template() -> Result<Vec<u8>, XlsxError> {
    build(&CaseFill::default())
}

/// The case template filled in, as a unit would send it back.
pub fn case_filled(fill: &CaseFill) -> Result<Vec<u8>, XlsxError> {
    build(fill)
}

struct Formats {
    title: Format,
    label: Format,
    text: Format,
    note: Format,
    footer_label: Format,
    footer_value: Format,
}

fn formats() -> Formats {
    let (base, boxed) = super::base_and_boxed();
    Formats {
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
        note: base.clone().set_text_wrap().set_font_size(10),
        footer_label: base.clone().set_bold(),
        footer_value: base.set_align(FormatAlign::Left).set_num_format("@"),
    }
}

fn build(fill: &CaseFill) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Sheet1")?;
    let f = formats();
    sheet.merge_range(0, 0, 0, LAST_COL, CASE_TITLE, &f.title)?;
    sheet.set_row_height(0, 36)?;
    sheet.set_column_width(0, 14)?;
    for col in 1..=LAST_COL {
        sheet.set_column_width(col, 14)?;
    }
    for ((part, height), row) in PARTS.iter().zip(FIRST_PART_ROW..) {
        sheet.write_string_with_format(row, 0, part.label(), &f.label)?;
        sheet.merge_range(row, 1, row, LAST_COL, fill.part(*part), &f.text)?;
        sheet.set_row_height(row, *height)?;
    }
    sheet.merge_range(NOTE_ROW, 0, NOTE_ROW, LAST_COL, NOTE, &f.note)?;
    sheet.set_row_height(NOTE_ROW, 42)?;
    write_footer(sheet, &f, fill)?;
    sheet
        .set_portrait()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true);
    sheet.set_print_area(0, 0, FOOTER_ROW + 1, LAST_COL)?;
    workbook.save_to_buffer()
}

/// Footer pairs: the label, then its value merged over the next two columns.
fn write_footer(sheet: &mut Worksheet, f: &Formats, fill: &CaseFill) -> Result<(), XlsxError> {
    let pairs = [
        (FOOTER_ROW, 0, Header::Unit, &fill.unit),
        (FOOTER_ROW, 3, Header::FilledBy, &fill.filled_by),
        (FOOTER_ROW + 1, 0, Header::Phone, &fill.phone),
        (FOOTER_ROW + 1, 3, Header::FilledOn, &fill.filled_on),
    ];
    for (row, col, header, value) in pairs {
        sheet.write_string_with_format(row, col, header.label(), &f.footer_label)?;
        sheet.merge_range(row, col + 1, row, col + 2, value, &f.footer_value)?;
        sheet.set_row_height(row, 24)?;
    }
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
    fn a_filled_copy_reads_back_exactly() {
        let fill = CaseFill {
            tip_source: "群众通过“渝快办”实名举报。".into(),
            facts: "现场核查属实，安全出口被堵塞。".into(),
            enforcement: "责令整改，并处罚款2万元。".into(),
            reward: "向举报人发放奖励1000元。".into(),
            remarks: "举报人信息已保密。".into(),
            unit: "跳磴镇".into(),
            filled_by: "张丽".into(),
            phone: "13594021187".into(),
            filled_on: "2026年11月19日".into(),
        };
        let reading = read(&case_filled(&fill).unwrap());
        let form = reading.form.unwrap();
        assert_eq!(form.tip_source.as_deref(), Some(fill.tip_source.as_str()));
        assert_eq!(form.facts.as_deref(), Some(fill.facts.as_str()));
        assert_eq!(form.enforcement.as_deref(), Some(fill.enforcement.as_str()));
        assert_eq!(form.remarks.as_deref(), Some(fill.remarks.as_str()));
        assert_eq!(form.reward_yuan, Some(Amount::from_fen(100_000)));
        assert_eq!(form.unit_text.as_deref(), Some("跳磴镇"));
        assert_eq!(form.filled_by.as_deref(), Some("张丽"));
        assert_eq!(form.phone.unwrap().as_str(), "13594021187");
        assert_eq!(form.filled_on.as_deref(), Some("2026年11月19日"));
        assert!(reading.warnings.is_empty());
    }
}
