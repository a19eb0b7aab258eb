//! Tests of the case reader on in-memory sheets and documents, one per label form and rule.

use super::*;
use crate::forms::docx::Block;
use crate::forms::{CellValue, Merge, Sheet};

const FOOTER: &str =
    "填报单位：建胜镇　　填报人：李红　　联系电话：023-68150326　　填报时间：2026年11月20日";

fn names() -> Vec<String> {
    vec!["建胜镇".to_string(), "大渡口区建胜镇人民政府".to_string()]
}

fn read_book(rows: &[&[&str]]) -> CaseReading {
    let wb = Workbook {
        sheets: vec![Sheet::from_text_rows("Sheet1", rows)],
    };
    let names = names();
    read_case_workbook(&wb, &ctx(&names))
}

fn ctx(names: &[String]) -> CaseContext<'_> {
    CaseContext {
        unit_names: Some(names),
        max_chars: CaseContext::DEFAULT_MAX_CHARS,
    }
}

fn read_doc(blocks: Vec<Block>) -> CaseReading {
    let names = names();
    read_case_docx(&Document { blocks }, &ctx(&names))
}

fn paragraphs(lines: &[&str]) -> Vec<Block> {
    lines
        .iter()
        .map(|l| Block::Paragraph(l.to_string()))
        .collect()
}

fn table(rows: &[&[&str]]) -> Block {
    Block::Table(
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect(),
    )
}

fn fields(problems: &[Finding]) -> Vec<&str> {
    problems.iter().map(|p| p.field.key()).collect()
}

#[test]
fn the_official_vertical_layout_reads_with_merged_text_cells() {
    let merge = |row| Merge {
        start: (row, 1),
        end: (row, 5),
    };
    let text = |s: &str| CellValue::Text(s.into());
    let sheet = Sheet::new(
        "Sheet1",
        [
            (0, 0, text("安全生产举报奖励工作典型案例报送表")),
            (2, 0, text("线索来源")),
            (2, 1, text("群众通过举报平台实名举报。")),
            (3, 0, text("简要案情")),
            (3, 1, text("现场核查属实。")),
            (4, 0, text("执法处罚")),
            (4, 1, text("处罚款2万元。")),
            (5, 0, text("奖励发放")),
            (5, 1, text("向举报人发放奖励1000元。")),
            (6, 0, text("备注")),
            (8, 0, text("填报单位")),
            (8, 1, text("建胜镇")),
            (8, 3, text("填报人")),
            (8, 4, text("李红")),
            (9, 0, text("联系电话")),
            (9, 1, CellValue::Number(13594021187.0)),
            (9, 3, text("填报时间")),
        ],
        (2..7).map(merge).collect(),
    );
    let names = names();
    let wb = Workbook {
        sheets: vec![sheet],
    };
    let reading = read_case_workbook(&wb, &ctx(&names));
    let form = reading.form.unwrap();
    assert_eq!(
        form.tip_source.as_deref(),
        Some("群众通过举报平台实名举报。")
    );
    assert_eq!(form.reward_yuan.and_then(Amount::whole_yuan), Some(1000));
    assert_eq!(form.remarks, None);
    assert_eq!(form.filled_by.as_deref(), Some("李红"));
    assert_eq!(form.phone.unwrap().as_str(), "13594021187");
    assert_eq!(form.filled_on, None);
    assert_eq!(
        form.char_count,
        count_chars(
            "群众通过举报平台实名举报。现场核查属实。处罚款2万元。向举报人发放奖励1000元。"
        )
    );
}

#[test]
fn labels_in_a_row_take_the_text_below() {
    let reading = read_book(&[
        &["线索来源", "简要案情", "执法处罚", "奖励发放"],
        &["12345热线", "经查属实", "罚款1万元", "奖励500元"],
    ]);
    let form = reading.form.unwrap();
    assert_eq!(form.facts.as_deref(), Some("经查属实"));
    assert_eq!(form.reward_yuan.and_then(Amount::whole_yuan), Some(500));
}

#[test]
fn a_label_over_several_rows_of_text_joins_them() {
    let reading = read_book(&[
        &["典型案例概述"],
        &["第一段。"],
        &["第二段。"],
        &["备注"],
        &["无"],
    ]);
    let form = reading.form.unwrap();
    assert_eq!(form.overview.as_deref(), Some("第一段。\n第二段。"));
    assert_eq!(form.remarks.as_deref(), Some("无"));
}

#[test]
fn an_overview_cell_with_inline_parts_stays_one_overview_without_its_tip_source() {
    let text =
        "线索来源：热线举报。简要案情：查获钢瓶46个。执法处罚：罚款3万元。奖励发放：奖励2000元。";
    let reading = read_book(&[&["典型案例概述", text], &[FOOTER]]);
    let form = reading.form.unwrap();
    assert_eq!(
        form.overview.as_deref(),
        Some("简要案情：查获钢瓶46个。执法处罚：罚款3万元。奖励发放：奖励2000元。")
    );
    assert_eq!(form.tip_source.as_deref(), Some("线索来源：热线举报。"));
    assert_eq!(form.char_count, count_chars(text));
    assert_eq!(form.reward_yuan.and_then(Amount::whole_yuan), Some(2000));
    assert_eq!(form.unit_text.as_deref(), Some("建胜镇"));
    assert_eq!(form.filled_on.as_deref(), Some("2026年11月20日"));
}

#[test]
fn a_docx_table_with_the_one_line_footer_reads() {
    let reading = read_doc(vec![
        Block::Paragraph("安全生产举报奖励工作典型案例报送表".into()),
        table(&[
            &["典型案例概述", "线索来源：热线。奖励发放：奖励2000元。"],
            &["备注", "照片见附件"],
        ]),
        Block::Paragraph(String::new()),
        Block::Paragraph(FOOTER.into()),
    ]);
    let form = reading.form.unwrap();
    assert_eq!(form.remarks.as_deref(), Some("照片见附件"));
    assert_eq!(form.phone.unwrap().as_str(), "023-68150326");
    assert_eq!(form.filled_by.as_deref(), Some("李红"));
}

#[test]
fn a_docx_table_of_four_parts_with_text_below_or_beside() {
    let reading = read_doc(vec![table(&[
        &["线索来源", "信件举报"],
        &["简要案情", "经查属实"],
        &["执法处罚", ""],
        &["", "责令整改"],
        &["奖励发放", "奖励0.3万元"],
    ])]);
    let problems = reading.form.unwrap_err();
    assert_eq!(fields(&problems), ["enforcement"]);
    assert_eq!(problems[0].cell.as_deref(), Some("第1个表格第3行第1列"));
    assert!(problems[0].message.contains("「执法处罚」未填写"));
}

#[test]
fn labelled_paragraphs_inline_and_label_then_text() {
    let reading = read_doc(paragraphs(&[
        "附件2",
        "一、线索来源：群众来信举报。",
        "二、简要案情",
        "经现场核查，",
        "",
        "举报属实。",
        "三、执法处罚：罚款5000元。",
        "四、奖励发放",
        "发放奖金人民币叁仟元。",
        "填报单位",
        "建胜镇",
        FOOTER,
    ]));
    let form = reading.form.unwrap();
    assert_eq!(form.tip_source.as_deref(), Some("群众来信举报。"));
    assert_eq!(form.facts.as_deref(), Some("经现场核查，\n举报属实。"));
    assert_eq!(form.reward_yuan.and_then(Amount::whole_yuan), Some(3000));
    assert_eq!(form.unit_text.as_deref(), Some("建胜镇"));
}

#[test]
fn no_case_text_is_one_problem() {
    let reading = read_doc(paragraphs(&[
        "安全生产举报奖励工作典型案例报送表",
        "典型案例概述",
        FOOTER,
    ]));
    let problems = reading.form.unwrap_err();
    assert_eq!(fields(&problems), ["overview"]);
    assert!(
        problems[0]
            .message
            .contains("线索来源、简要案情、执法处罚、奖励发放")
    );
}

#[test]
fn each_missing_part_is_named() {
    let reading = read_doc(paragraphs(&["线索来源：热线", "执法处罚：罚款", FOOTER]));
    let problems = reading.form.unwrap_err();
    assert_eq!(fields(&problems), ["facts", "reward"]);
    assert!(problems[0].message.contains("缺少「简要案情」"));
}

#[test]
fn text_over_the_limit_quotes_the_count() {
    let long = format!("奖励发放：{}", "字 ".repeat(601));
    let reading = read_doc(paragraphs(&[
        "线索来源：甲",
        "简要案情：乙",
        "执法处罚：丙",
        &long,
    ]));
    let problems = reading.form.unwrap_err();
    assert_eq!(fields(&problems), ["reward"]);
    assert!(
        problems[0].message.contains("共 604 字"),
        "{}",
        problems[0].message
    );
    assert!(problems[0].message.contains("600 字"));
    let names = names();
    let lenient = CaseContext {
        unit_names: Some(&names),
        max_chars: 700,
    };
    let doc = Document {
        blocks: paragraphs(&["典型案例概述", &"字".repeat(700), "备注", &"注".repeat(50)]),
    };
    let form = read_case_docx(&doc, &lenient).form.unwrap();
    assert_eq!(form.char_count, 700);
}

#[test]
fn another_unit_and_a_bad_phone_are_problems() {
    let reading = read_book(&[
        &["典型案例概述", "案情。"],
        &["填报单位", "跳磴镇", "联系电话", "12345"],
    ]);
    let problems = reading.form.unwrap_err();
    assert_eq!(fields(&problems), ["unit", "phone"]);
    assert_eq!(problems[0].cell.as_deref(), Some("Sheet1!B2"));
    assert!(problems[1].message.contains("“12345”"));
    let unknown = CaseContext {
        unit_names: None,
        max_chars: 600,
    };
    let wb = Workbook {
        sheets: vec![Sheet::from_text_rows(
            "S",
            &[&["典型案例概述", "案情。"], &["填报单位：跳磴镇"]],
        )],
    };
    assert!(read_case_workbook(&wb, &unknown).form.is_ok());
}

#[test]
fn the_sheet_with_the_case_is_chosen() {
    let wb = Workbook {
        sheets: vec![
            Sheet::from_text_rows("说明", &[&["请填写"]]),
            Sheet::from_text_rows("案例", &[&["典型案例概述", "案情。"]]),
        ],
    };
    let names = names();
    let reading = read_case_workbook(&wb, &ctx(&names));
    assert!(reading.form.is_ok());
    assert!(reading.warnings.is_empty());
    assert_eq!(
        read_case_workbook(&Workbook::default(), &ctx(&names))
            .form
            .unwrap_err()
            .len(),
        1
    );
}

#[test]
fn the_photo_warning_asks_for_photos() {
    assert!(missing_photos_warning().message.contains("照片"));
}
