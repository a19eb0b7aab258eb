//! Tests of [`super::plan`] for typical-case forms: new cases and their photos, corrections,
//! returns, photos sent later.

use super::tests::{Fixture, case, october, photo, problem, received, unit};
use super::{Template, plan};
use crate::domain::period::Period;
use crate::intake::assess::{CaseReadingOf, Reading, Verdict};
use crate::intake::settle::facts::Facts;
use crate::store::cases::Current;
use crate::store::outbox::ReplyKind;

#[test]
fn a_new_case_takes_the_photos_and_warns_without_them() {
    let fx = Fixture::new("典型案例");
    let unit = unit(&fx.config);
    let reading = Reading {
        cases: vec![case("case.docx")],
        photos: vec![1],
        ..Reading::default()
    };
    let verdict = Verdict::Unit {
        unit: &unit,
        reading,
    };
    let with = Facts {
        photos: vec![photo()],
        ..Facts::default()
    };
    let plan_with = plan(&fx.input(), &verdict, &with);
    assert_eq!(plan_with.cases.len(), 1);
    assert_eq!(plan_with.cases[0].version, 1);
    assert_eq!(plan_with.cases[0].replaces, None);
    assert_eq!(plan_with.cases[0].period, Period::parse("2026-11").unwrap());
    assert!(plan_with.report.forms[0].warnings.is_empty());
    assert_eq!(plan_with.reply.map(|r| r.kind), Some(ReplyKind::Receipt));
    let plan_without = plan(&fx.input(), &verdict, &Facts::default());
    assert_eq!(plan_without.report.forms[0].warnings.len(), 1);
}

#[test]
fn a_case_correction_is_the_next_version_in_the_month_of_the_case() {
    let fx = Fixture::new("典型案例（更正）");
    let unit = unit(&fx.config);
    let reading = Reading {
        cases: vec![case("case.docx")],
        ..Reading::default()
    };
    let facts = Facts {
        corrected: Some(Current {
            id: 41,
            version: 2,
            period: "2026-10".into(),
            received_at: received() - chrono::Duration::days(20),
        }),
        ..Facts::default()
    };
    let verdict = Verdict::Unit {
        unit: &unit,
        reading,
    };
    let plan = plan(&fx.input(), &verdict, &facts);
    let planned = &plan.cases[0];
    assert_eq!((planned.version, planned.replaces), (3, Some(41)));
    assert_eq!(planned.period, october());
    assert!(
        plan.report.forms[0].warnings.is_empty(),
        "a correction needs no new photos"
    );
}

#[test]
fn a_returned_case_alone_attaches_the_case_template() {
    let fx = Fixture::new("典型案例");
    let unit = unit(&fx.config);
    let reading = Reading {
        cases: vec![CaseReadingOf {
            attachment: "case.docx".into(),
            form: Err(vec![problem("表格!B3")]),
            warnings: vec![],
        }],
        ..Reading::default()
    };
    let verdict = Verdict::Unit {
        unit: &unit,
        reading,
    };
    let plan = plan(&fx.input(), &verdict, &Facts::default());
    assert!(plan.cases.is_empty());
    let reply = plan.reply.expect("a return");
    assert_eq!(reply.template, Some(Template::Case));
}

#[test]
fn photos_in_a_reply_to_a_receipt_join_the_answered_cases() {
    let fx = Fixture::new("Re: 回执");
    let unit = unit(&fx.config);
    let reading = Reading {
        photos: vec![1],
        ..Reading::default()
    };
    let answered = Current {
        id: 5,
        version: 1,
        period: "2026-11".into(),
        received_at: received(),
    };
    let facts = Facts {
        answered: vec![(answered, "RD-20261101-000003".into())],
        photos: vec![photo()],
        ..Facts::default()
    };
    let verdict = Verdict::Unit {
        unit: &unit,
        reading,
    };
    let plan = plan(&fx.input(), &verdict, &facts);
    assert_eq!(plan.photos_join, vec![5]);
    assert_eq!(
        plan.report.note.as_deref(),
        Some("1 photos linked to case(s) RD-20261101-000003")
    );
    assert_eq!(plan.reply.map(|r| r.kind), Some(ReplyKind::Photos));
}
