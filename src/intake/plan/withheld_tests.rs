//! Tests of [`super::plan`] for an upload whose uploader unticked 给该单位发回执
//! ([`Answering::Withheld`]): recorded exactly as with a reply, nothing planned for the unit,
//! and the report says why.

use super::tests::{Fixture, forms_of, monthly, rejected_monthly, unit};
use super::{Input, WITHHELD_NOTE, plan};
use crate::intake::Answering;
use crate::intake::assess::{Reading, Verdict};
use crate::intake::report::Outcome;
use crate::intake::settle::facts::Facts;

fn withheld(fx: &Fixture) -> Input<'_> {
    Input {
        answering: Answering::Withheld,
        ..fx.input()
    }
}

#[test]
fn an_upload_without_a_receipt_is_recorded_as_with_one_and_not_answered() {
    let fx = Fixture::new("网页上传的报表");
    let unit = unit(&fx.config);
    let verdict = forms_of(&unit, vec![monthly("a.xlsx", [1; 11])]);
    let answered = plan(&fx.input(), &verdict, &Facts::default());
    let quiet = plan(&withheld(&fx), &verdict, &Facts::default());
    assert_eq!(quiet.report.outcome, Outcome::Accepted);
    assert_eq!(quiet.report.receipt_no, answered.report.receipt_no);
    assert_eq!(
        quiet.report.receipt_no.as_deref(),
        Some("RD-20261112-000007")
    );
    assert_eq!(quiet.report.forms, answered.report.forms);
    let versions =
        |p: &super::Plan<'_>| -> Vec<i64> { p.submissions.iter().map(|s| s.version).collect() };
    assert_eq!(versions(&quiet), versions(&answered));
    assert_eq!(quiet.reconfirm, answered.reconfirm);
    assert!(answered.reply.is_some() && answered.report.note.is_none());
    assert!(quiet.reply.is_none() && quiet.report.reply.is_none());
    assert!(quiet.rate_limited.is_none());
    assert_eq!(quiet.report.note.as_deref(), Some(WITHHELD_NOTE));
    let line = quiet.report.to_json_line();
    assert!(line.contains("uploaded without a receipt"), "{line}");
}

#[test]
fn an_upload_without_a_receipt_that_fails_its_checks_is_not_returned_by_mail() {
    let fx = Fixture::new("网页上传的报表");
    let unit = unit(&fx.config);
    let verdict = forms_of(&unit, vec![monthly("a.xlsx", [1; 11]), rejected_monthly()]);
    let plan = plan(&withheld(&fx), &verdict, &Facts::default());
    assert_eq!(plan.report.outcome, Outcome::Rejected);
    assert_eq!(plan.submissions.len(), 1);
    assert!(
        plan.report.forms[1]
            .errors
            .iter()
            .any(|e| e.message.contains("请填写数字"))
    );
    assert!(plan.reply.is_none() && plan.report.reply.is_none());
    assert_eq!(plan.report.note.as_deref(), Some(WITHHELD_NOTE));
}

#[test]
fn an_upload_without_a_receipt_keeps_the_note_it_had() {
    let fx = Fixture::new("网页上传的报表");
    let unit = unit(&fx.config);
    let verdict = Verdict::Unit {
        unit: &unit,
        reading: Reading::default(),
    };
    let plan = plan(&withheld(&fx), &verdict, &Facts::default());
    assert_eq!(plan.report.outcome, Outcome::Ignored);
    assert!(plan.reply.is_none());
    assert_eq!(
        plan.report.note,
        Some(format!("no form attached: help reply; {WITHHELD_NOTE}"))
    );
}
