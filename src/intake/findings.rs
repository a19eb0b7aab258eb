//! The one place where what intake found (a form's [`Problem`]s and [`Warning`]s, the mail's
//! [`MessageError`]s) becomes items of the ingest report ([`ErrorItem`], SPEC §7) and lines of
//! the return ([`Fix`]).

use super::assess::{MessageError, MonthlyReadingOf};
use super::report::{ErrorItem, FormReport, Outcome};
use crate::forms::{Problem, Warning};
use crate::replies::text::Fix;

pub(super) fn problems_of(monthly: &MonthlyReadingOf) -> &[Problem] {
    match &monthly.form {
        Ok(_) => &[],
        Err(problems) => problems,
    }
}

pub(super) fn rejected_form(monthly: &MonthlyReadingOf, problems: &[Problem]) -> FormReport {
    let period = monthly.form.as_ref().ok().map(|f| f.period.to_string());
    FormReport {
        kind: "monthly",
        attachment: Some(monthly.attachment.clone()),
        outcome: Outcome::Rejected,
        period,
        period_source: None,
        version: None,
        late: None,
        values: None,
        changed: None,
        errors: problems.iter().map(error_item_of).collect(),
        warnings: monthly.warnings.iter().map(warning_text).collect(),
    }
}

pub(super) fn fix_of(attachment: Option<&str>, problem: &Problem) -> Fix {
    Fix {
        attachment: attachment.map(str::to_string),
        cell: problem.cell.clone(),
        message: problem.message.clone(),
    }
}

pub(super) fn warning_text(warning: &Warning) -> String {
    match &warning.cell {
        Some(cell) => format!("{cell}：{}", warning.message),
        None => warning.message.clone(),
    }
}

pub(super) fn error_item(error: &MessageError) -> ErrorItem {
    ErrorItem {
        field: error.field.to_string(),
        cell: None,
        message: match &error.attachment {
            Some(name) => format!("附件《{name}》：{}", error.message),
            None => error.message.clone(),
        },
    }
}

pub(super) fn sender_error() -> ErrorItem {
    ErrorItem {
        field: "sender".into(),
        cell: None,
        message:
            "发件地址未在报送单位名单中登记：邮件已保存，由工作人员核实，不自动登记、不自动回复。"
                .into(),
    }
}

/// A form's problem as an item of the ingest report.
pub(super) fn error_item_of(problem: &Problem) -> ErrorItem {
    ErrorItem {
        field: problem.field.clone(),
        cell: problem.cell.clone(),
        message: problem.message.clone(),
    }
}

/// A problem of the mail itself (not of one form) as a line of the return.
pub(super) fn fix_of_error(error: &MessageError) -> Fix {
    Fix {
        attachment: error.attachment.clone(),
        cell: None,
        message: error.message.clone(),
    }
}
