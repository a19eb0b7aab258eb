//! Forms: loading a workbook from an attachment and reading the forms in it.
//!
//! - [`workbook`]: the in-memory `Workbook` / `Sheet` / `CellValue` every reader works on;
//! - [`load`]: `open_workbook`, which tells the format by content and guards against zip bombs;
//! - [`labels`]: label normalisation and the label tables;
//! - [`monthly`]: the monthly form reader and its validation;
//! - [`template`]: the official monthly template.
//!
//! A reader reports what is wrong as [`Problem`]s (the form is returned) and what is merely worth
//! saying as [`Warning`]s, each naming the field and the cell, with a message in Chinese.

pub mod labels;
pub mod load;
pub mod monthly;
pub mod template;
pub mod workbook;

use std::collections::HashSet;

pub use load::{WorkbookError, open_workbook};
pub use workbook::{CellValue, Merge, Sheet, Workbook};

use labels::MonthlyLabel;

/// Something that makes the form unacceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A field key of SPEC §3 (`open_letters`…) or a header name (`unit`, `period`, `phone`…).
    pub field: String,
    /// Where, e.g. `Sheet1!J5`, when it is about one cell.
    pub cell: Option<String>,
    /// What was found and how to fix it, in Chinese.
    pub message: String,
}

/// Something worth telling the unit that does not stop the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub field: String,
    pub cell: Option<String>,
    pub message: String,
}

/// Which form a workbook holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Monthly,
    Case,
}

/// Labels of the typical-case form (SPEC §4), compared after normalisation.
const CASE_LABELS: [&str; 5] = [
    "典型案例概述",
    "线索来源",
    "简要案情",
    "执法处罚",
    "奖励发放",
];
const CASE_TITLE: &str = "典型案例报送表";

/// How many of the eleven monthly labels make a workbook a monthly form.
const MONTHLY_MIN_LABELS: usize = 3;

/// Tells which form a workbook holds by its labels: at least three of the eleven monthly labels
/// make a monthly form; otherwise a case label or the case title makes a case form; otherwise it
/// is not a form.
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
            let normalized = labels::normalize(text);
            let case_label = CASE_LABELS
                .iter()
                .any(|label| normalized == *label || normalized.starts_with(&format!("{label}:")));
            case_like |= case_label || normalized.contains(CASE_TITLE);
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
    fn other_workbooks_are_not_forms() {
        assert_eq!(
            detect_kind(&book(&[&["姓名", "电话"], &["张三", "123"]])),
            None
        );
        assert_eq!(detect_kind(&Workbook::default()), None);
    }
}
