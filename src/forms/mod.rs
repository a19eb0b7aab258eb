//! Forms: loading a workbook from an attachment and reading the forms in it.
//!
//! - [`workbook`]: the in-memory `Workbook` / `Sheet` / `CellValue` every reader works on;
//! - [`load`]: `open_workbook`, which tells the format by content and guards against zip bombs;
//! - [`labels`]: label normalisation and the label tables (monthly and case);
//! - [`monthly`]: the monthly form reader and its validation;
//! - [`docx`]: a Word `.docx` read into paragraphs and tables;
//! - [`case`]: the typical-case form reader (spreadsheet or Word) and its rules;
//! - [`header_checks`]: the 填报单位 and 联系电话 checks both forms share;
//! - [`template`]: the official monthly and case templates; [`fit`]: how wide text is in a cell
//!   (row heights of the template and of the export);
//! - [`finding`]: what a reader found, as one [`Finding`] type with a severity.
//!
//! A reader reports what is wrong as problems (the form is returned) and what is merely worth
//! saying as warnings: [`Finding`]s, each naming the field and the cell, with a message in Chinese.

pub mod case;
pub mod docx;
pub mod finding;
pub mod fit;
pub mod header_checks;
pub mod labels;
pub mod load;
pub mod monthly;
pub mod template;
pub mod workbook;

use std::collections::HashSet;

pub use finding::{FieldKey, Finding, Severity};
pub use load::{WorkbookError, open_workbook};
pub use workbook::{CellValue, Merge, Sheet, Workbook};

use labels::{CaseLabel, CasePart, MonthlyLabel};

/// Which form a workbook holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Monthly,
    Case,
}

const CASE_TITLE: &str = "典型案例报送表";

/// How many of the eleven monthly labels make a workbook a monthly form.
const MONTHLY_MIN_LABELS: usize = 3;

/// Tells which form a workbook holds by its labels: at least three of the eleven monthly labels
/// make a monthly form; otherwise a case content label (备注 aside) or the case title makes a
/// case form; otherwise it is not a form.
pub fn detect_kind(wb: &Workbook) -> Option<FormKind> {
    let table = labels::monthly_labels();
    let mut monthly_fields = HashSet::new();
    let mut case_like = false;
    for sheet in &wb.sheets {
        for (_, _, value) in sheet.cells() {
            let Some(text) = value.as_text() else {
                continue;
            };
            for found in table.match_cell(text) {
                if let MonthlyLabel::Field(field) = found.key {
                    monthly_fields.insert(field);
                }
            }
            case_like |= is_case_text(text);
        }
    }
    if monthly_fields.len() >= MONTHLY_MIN_LABELS {
        Some(FormKind::Monthly)
    } else if case_like {
        Some(FormKind::Case)
    } else {
        None
    }
}

/// Tells whether a Word document holds a case form (the only form read from Word documents).
pub fn detect_docx_kind(doc: &docx::Document) -> Option<FormKind> {
    let texts = doc.blocks.iter().flat_map(|block| match block {
        docx::Block::Paragraph(text) => vec![text.as_str()],
        docx::Block::Table(rows) => rows.iter().flatten().map(String::as_str).collect(),
    });
    let mut texts = texts;
    texts
        .any(|text| text.lines().any(is_case_text))
        .then_some(FormKind::Case)
}

/// A case content label (with or without its text) or the case title.
fn is_case_text(text: &str) -> bool {
    let content_label = labels::case_labels()
        .match_cell(text)
        .iter()
        .any(|m| matches!(m.key, CaseLabel::Part(p) if p != CasePart::Remarks));
    // Normalising only drops characters, so the title's first one must be there already.
    content_label || text.contains('典') && labels::normalize(text).contains(CASE_TITLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(rows: &[&[&str]]) -> Workbook {
        Workbook {
            sheets: vec![Sheet::from_text_rows("Sheet1", rows)],
        }
    }

    #[test]
    fn three_monthly_labels_make_a_monthly_form() {
        let wb = book(&[&["公开信（封）", "画册", "标语"], &["1", "2", "3"]]);
        assert_eq!(detect_kind(&wb), Some(FormKind::Monthly));
        let two = book(&[&["公开信（封）", "画册"]]);
        assert_eq!(detect_kind(&two), None);
    }

    #[test]
    fn case_labels_make_a_case_form() {
        let wb = book(&[&["安全生产举报奖励工作典型案例报送表"]]);
        assert_eq!(detect_kind(&wb), Some(FormKind::Case));
        let wb = book(&[&["线索来源", "群众举报"], &["简要案情：某企业……"]]);
        assert_eq!(detect_kind(&wb), Some(FormKind::Case));
    }

    #[test]
    fn word_documents_with_case_labels_are_case_forms() {
        use docx::{Block, Document};
        let doc = Document {
            blocks: vec![Block::Table(vec![vec!["典型案例概述".into(), "……".into()]])],
        };
        assert_eq!(detect_docx_kind(&doc), Some(FormKind::Case));
        let doc = Document {
            blocks: vec![Block::Paragraph("附件\n二、简要案情：……".into())],
        };
        assert_eq!(detect_docx_kind(&doc), Some(FormKind::Case));
        let doc = Document {
            blocks: vec![Block::Paragraph("备注：无".into())],
        };
        assert_eq!(detect_docx_kind(&doc), None);
        assert_eq!(detect_docx_kind(&Document::default()), None);
    }

    #[test]
    fn other_workbooks_are_not_forms() {
        assert_eq!(
            detect_kind(&book(&[&["姓名", "电话"], &["张三", "123"]])),
            None
        );
        assert_eq!(detect_kind(&Workbook::default()), None);
    }
}
