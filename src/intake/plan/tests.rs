//! Tests of [`super::plan`]: every branch of settling a message, from a verdict and the facts
//! alone (no database, no files).

use chrono::{DateTime, TimeZone, Utc};

use super::{Input, Template, plan};
use crate::config::Config;
use crate::domain::fields::MonthlyValues;
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::forms::case::CaseForm;
use crate::forms::monthly::{MonthlyForm, PeriodSource};
use crate::forms::{FieldKey, Finding};
use crate::intake::Answering;
use crate::intake::assess::{CaseReadingOf, MonthlyReadingOf, Reading, Verdict};
use crate::intake::report::Outcome;
use crate::intake::settle::facts::{Facts, Previous, StoredPhoto};
use crate::mail::{InboundMessage, Mailbox};
use crate::store::messages::MessageRow;
use crate::store::outbox::ReplyKind;

pub(super) const FROM: &str = "bachiao@example.gov.cn";

pub(super) fn config() -> Config {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/reportdesk.toml");
    Config::load(
        std::path::Path::new(path),
        Some(std::path::Path::new("/nonexistent")),
    )
    .expect("the shipped config")
}

pub(super) fn unit(config: &Config) -> Unit {
    config
        .roster
        .by_address(FROM)
        .expect("bachiao in the shipped roster")
}

pub(super) fn received() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 12, 2, 0, 0).unwrap()
}

pub(super) fn row() -> MessageRow {
    MessageRow {
        id: 7,
        message_key: "<m1@x>\nbachiao@example.gov.cn".into(),
        sender: Some(FROM.into()),
        unit_code: None,
        subject: "10月报表".into(),
        received_at: received(),
        raw_path: "raw/ab/ab.eml".into(),
        source: "test:m1".into(),
        state: "received".into(),
        outcome: None,
        result_json: None,
    }
}

pub(super) fn message(subject: &str) -> InboundMessage {
    InboundMessage {
        from: Some(Mailbox {
            name: None,
            address: FROM.into(),
        }),
        subject: subject.into(),
        message_id: Some("<m1@x>".into()),
        ..InboundMessage::default()
    }
}

pub(super) fn october() -> Period {
    Period::parse("2026-10").unwrap()
}

pub(super) fn monthly(attachment: &str, values: [u64; 11]) -> MonthlyReadingOf {
    MonthlyReadingOf {
        attachment: attachment.into(),
        form: Ok(MonthlyForm {
            period: october(),
            period_source: PeriodSource::Cell("Sheet1!F2".into()),
            values: MonthlyValues::new(values),
            value_cells: Default::default(),
            unit_text: Some("八桥镇".into()),
            filled_by: Some("张三".into()),
            phone: None,
            filled_on: None,
        }),
        warnings: vec![],
    }
}

pub(super) fn problem(cell: &str) -> Finding {
    Finding::problem(
        crate::domain::fields::Field::OpenLetters,
        Some(cell.into()),
        "请填写数字",
    )
}

/// Mail from `unit` holding these monthly forms and nothing else.
pub(super) fn forms_of(unit: &Unit, monthly: Vec<MonthlyReadingOf>) -> Verdict<'_> {
    Verdict::Unit {
        unit,
        reading: Reading {
            monthly,
            ..Reading::default()
        },
    }
}

pub(super) fn rejected_monthly() -> MonthlyReadingOf {
    MonthlyReadingOf {
        attachment: "bad.xlsx".into(),
        form: Err(vec![problem("Sheet1!B5")]),
        warnings: vec![],
    }
}

pub(super) fn case(attachment: &str) -> CaseReadingOf {
    CaseReadingOf {
        attachment: attachment.into(),
        form: Ok(CaseForm {
            tip_source: Some("来信".into()),
            facts: Some("某企业违规".into()),
            enforcement: Some("责令整改".into()),
            reward: None,
            reward_yuan: None,
            overview: None,
            remarks: None,
            unit_text: Some("八桥镇".into()),
            filled_by: None,
            phone: None,
            filled_on: None,
            char_count: 300,
        }),
        warnings: vec![],
    }
}

pub(super) fn photo() -> StoredPhoto {
    StoredPhoto {
        sha256: "ab".repeat(32),
        path: format!("photos/ab/{}.jpg", "ab".repeat(32)),
        size: 1000,
    }
}

pub(super) struct Fixture {
    pub config: Config,
    pub row: MessageRow,
    pub message: InboundMessage,
}

impl Fixture {
    pub(super) fn new(subject: &str) -> Self {
        Self {
            config: config(),
            row: row(),
            message: message(subject),
        }
    }

    pub(super) fn input(&self) -> Input<'_> {
        Input {
            config: &self.config,
            message: &self.message,
            row: &self.row,
            file: "m1",
            sender_check: None,
            approved: false,
            answering: Answering::Reply,
            open_period: Period::parse("2026-11").unwrap(),
        }
    }
}

#[test]
fn an_accepted_form_is_version_one_with_a_receipt() {
    let fx = Fixture::new("10月报表");
    let unit = unit(&fx.config);
    let verdict = forms_of(&unit, vec![monthly("a.xlsx", [1; 11])]);
    let plan = plan(&fx.input(), &verdict, &Facts::default());
    assert_eq!(plan.report.outcome, Outcome::Accepted);
    assert_eq!(
        plan.report.receipt_no.as_deref(),
        Some("RD-20261112-000007")
    );
    assert_eq!(plan.submissions.len(), 1);
    assert_eq!(plan.submissions[0].version, 1);
    assert_eq!(plan.report.forms[0].late, Some(plan.submissions[0].late));
    assert_eq!(plan.reconfirm.as_deref(), Some(FROM));
    let reply = plan.reply.expect("a receipt");
    assert_eq!(reply.kind, ReplyKind::Receipt);
    assert_eq!(reply.to, FROM);
    assert_eq!(reply.template, None);
    assert!(reply.body.contains("RD-20261112-000007"), "{}", reply.body);
    assert_eq!(plan.report.reply.map(|r| r.kind), Some(ReplyKind::Receipt));
}

#[test]
fn a_resubmission_is_the_next_version_and_lists_what_changed() {
    let fx = Fixture::new("10月报表（更正）");
    let unit = unit(&fx.config);
    let facts = Facts {
        previous: vec![Previous {
            period: october(),
            version: 2,
            received_at: received() - chrono::Duration::days(3),
            values: MonthlyValues::new([1; 11]),
        }],
        ..Facts::default()
    };
    let verdict = forms_of(&unit, vec![monthly("a.xlsx", [2; 11])]);
    let plan = plan(&fx.input(), &verdict, &facts);
    assert_eq!(plan.submissions[0].version, 3);
    let changed = plan.report.forms[0].changed.as_ref().expect("changes");
    assert_eq!(changed.len(), 11);
    assert!(changed.iter().all(|c| c.from == 1 && c.to == 2));
}

#[test]
fn two_forms_of_one_month_in_one_mail_take_two_versions() {
    let fx = Fixture::new("报表");
    let unit = unit(&fx.config);
    let verdict = forms_of(
        &unit,
        vec![monthly("a.xlsx", [1; 11]), monthly("b.xlsx", [3; 11])],
    );
    let plan = plan(&fx.input(), &verdict, &Facts::default());
    let versions: Vec<i64> = plan.submissions.iter().map(|s| s.version).collect();
    assert_eq!(versions, vec![1, 2]);
    assert!(plan.report.forms[0].changed.is_none());
    assert!(plan.report.forms[1].changed.is_some());
}

#[test]
fn a_form_with_problems_is_returned_with_the_template_and_nothing_recorded() {
    let fx = Fixture::new("报表");
    let unit = unit(&fx.config);
    let verdict = forms_of(&unit, vec![rejected_monthly()]);
    let plan = plan(&fx.input(), &verdict, &Facts::default());
    assert_eq!(plan.report.outcome, Outcome::Rejected);
    assert!(plan.submissions.is_empty() && plan.cases.is_empty());
    let reply = plan.reply.expect("a return");
    assert_eq!(reply.kind, ReplyKind::Return);
    assert_eq!(reply.template, Some(Template::Monthly));
    assert!(reply.body.contains("Sheet1!B5"), "{}", reply.body);
}

#[test]
fn a_good_form_beside_a_bad_one_is_recorded_and_the_mail_returned() {
    let fx = Fixture::new("报表");
    let unit = unit(&fx.config);
    let verdict = forms_of(&unit, vec![monthly("a.xlsx", [1; 11]), rejected_monthly()]);
    let plan = plan(&fx.input(), &verdict, &Facts::default());
    assert_eq!(plan.report.outcome, Outcome::Rejected);
    assert_eq!(plan.submissions.len(), 1);
    assert_eq!(plan.reply.map(|r| r.kind), Some(ReplyKind::Return));
}

#[test]
fn a_mail_over_a_limit_records_nothing_and_says_which_limit() {
    let fx = Fixture::new("报表");
    let unit = unit(&fx.config);
    let reading = Reading {
        errors: vec![Finding::problem(
            FieldKey::Attachment,
            None,
            "邮件附件超过 50 个",
        )],
        over_limit: true,
        ..Reading::default()
    };
    let verdict = Verdict::Unit {
        unit: &unit,
        reading,
    };
    let plan = plan(&fx.input(), &verdict, &Facts::default());
    assert_eq!(plan.report.outcome, Outcome::Rejected);
    assert!(plan.submissions.is_empty() && plan.cases.is_empty() && plan.photos_join.is_empty());
    let reply = plan.reply.expect("a return");
    assert_eq!(reply.kind, ReplyKind::Return);
    assert!(reply.body.contains("50 个"), "{}", reply.body);
}

#[test]
fn a_mail_without_a_form_gets_help_and_no_receipt_number() {
    let fx = Fixture::new("你好");
    let unit = unit(&fx.config);
    let verdict = Verdict::Unit {
        unit: &unit,
        reading: Reading::default(),
    };
    let plan = plan(&fx.input(), &verdict, &Facts::default());
    assert_eq!(plan.report.outcome, Outcome::Ignored);
    assert_eq!(plan.report.receipt_no, None);
    let reply = plan.reply.expect("help");
    assert_eq!(reply.kind, ReplyKind::Help);
    assert_eq!(reply.template, Some(Template::Monthly));
}

#[test]
fn an_unknown_sender_is_kept_and_never_answered() {
    let fx = Fixture::new("报表");
    let reading = Reading {
        monthly: vec![monthly("a.xlsx", [1; 11])],
        ..Reading::default()
    };
    let verdict = Verdict::UnknownSender { reading };
    let plan = plan(&fx.input(), &verdict, &Facts::default());
    assert_eq!(plan.report.outcome, Outcome::Rejected);
    assert!(plan.reply.is_none() && plan.report.reply.is_none());
    assert!(plan.submissions.is_empty() && plan.reconfirm.is_none());
    assert_eq!(
        plan.report.errors.last().map(|e| e.field),
        Some(FieldKey::Sender)
    );
    assert_eq!(
        plan.report.note.as_deref(),
        Some("unknown sender: kept for staff, not answered")
    );
}

#[test]
fn a_bounce_marks_only_the_addresses_the_facts_confirm() {
    let fx = Fixture::new("Undelivered Mail");
    let verdict = Verdict::NoReply {
        reason: "bounce".into(),
    };
    let quiet = plan(&fx.input(), &verdict, &Facts::default());
    assert!(quiet.failing.is_empty());
    assert_eq!(quiet.report.note.as_deref(), Some("not answered: bounce"));
    let facts = Facts {
        bounced: vec!["gone@example.gov.cn".into()],
        bounce_reason: "550 no such user".into(),
        ..Facts::default()
    };
    let marked = plan(&fx.input(), &verdict, &facts);
    assert_eq!(marked.failing, vec!["gone@example.gov.cn".to_string()]);
    assert_eq!(marked.failing_reason, "550 no such user");
    assert!(marked.reply.is_none());
    assert_eq!(
        marked.report.note.as_deref(),
        Some("bounce of our mail: gone@example.gov.cn marked failing")
    );
}

#[test]
fn over_the_hourly_limit_the_form_is_recorded_but_not_answered() {
    let fx = Fixture::new("报表");
    let unit = unit(&fx.config);
    let limit = i64::from(fx.config.intake.replies_per_sender_per_hour);
    let facts = Facts {
        recent_replies: limit,
        ..Facts::default()
    };
    let verdict = forms_of(&unit, vec![monthly("a.xlsx", [1; 11])]);
    let plan = plan(&fx.input(), &verdict, &facts);
    assert_eq!(plan.submissions.len(), 1);
    assert!(plan.reply.is_none() && plan.report.reply.is_none());
    assert_eq!(plan.rate_limited.as_deref(), Some(FROM));
    assert_eq!(
        plan.report.note,
        Some(format!(
            "not answered: {limit} replies to {FROM} within the last hour"
        ))
    );
}
