//! Intake's own findings and the report of a returned monthly form. A [`Finding`] becomes text
//! (the ingest items, warnings, the lines of a return) in one place, [`crate::forms::finding`].

use super::assess::MonthlyReadingOf;
use super::report::{FormReport, Outcome};
use crate::forms::{FieldKey, Finding};

pub(super) fn problems_of(monthly: &MonthlyReadingOf) -> &[Finding] {
    match &monthly.form {
        Ok(_) => &[],
        Err(problems) => problems,
    }
}

pub(super) fn rejected_form(monthly: &MonthlyReadingOf, problems: &[Finding]) -> FormReport {
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
        errors: problems.to_vec(),
        warnings: monthly.warnings.iter().map(Finding::warning_text).collect(),
    }
}

/// The problem of mail from an address not in the roster.
pub(super) fn sender_error() -> Finding {
    Finding::problem(
        FieldKey::Sender,
        None,
        "发件地址未在报送单位名单中登记：邮件已保存，由工作人员核实，不自动登记、不自动回复。",
    )
}
