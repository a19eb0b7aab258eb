//! One voice in every text a unit reads (SPEC §16, issue 14): every reply kind and every
//! reminder is rendered for a set of situations, and each text is checked for the same
//! properties: 贵单位 (never 你单位), the month named (never 本月 / 当月), no unit written twice
//! (`3000元 元`), subjects that do not stack on a thread, case returns with the case rules.
//! It sits with the reminders, the higher of the two rooms, so `replies` imports nothing of them.

use chrono::NaiveDate;

use crate::domain::fields::{Field, MonthlyValues};
use crate::domain::period::Period;
use crate::forms::case::Amount;
use crate::forms::{FieldKey, Finding};
use crate::replies::subject::{TAG_HELP, TAG_PHOTOS, TAG_RECEIPT, TAG_RETURN, reply_subject};
use crate::replies::text::*;

use super::schedule::ReminderKind;
use super::text::{reminder_body, reminder_subject};

const OFFICE: &str = "大渡口区安全生产委员会办公室";

fn period(month: u32) -> Period {
    Period::new(2026, month).unwrap()
}

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn head() -> Letterhead {
    Letterhead {
        office_name: OFFICE.into(),
        contact: Some("区安委办 023-68830000".into()),
    }
}

fn env() -> Envelope {
    Envelope {
        unit_name: "跳磴镇".into(),
        received_local: "2026-11-22 10:30".into(),
        receipt_no: "RD-20261122-000007".into(),
        sender_check: None,
    }
}

fn due() -> Due {
    Due {
        period: period(11),
        deadline: date(11, 20),
    }
}

fn form(month: u32, version: i64, late: bool) -> Recorded {
    Recorded {
        attachment: format!("跳磴镇{month}月报表.xlsx"),
        period: period(month),
        period_source: period_source_text(&crate::forms::monthly::PeriodSource::OpenAtReceipt),
        version,
        replaces: (version > 1).then(|| "2026-11-10 09:00".into()),
        values: MonthlyValues::new([3; 11]),
        changes: if version > 1 {
            vec![(Field::ALL[0], 1, 3)]
        } else {
            vec![]
        },
        late,
        deadline: period(month).deadline(20),
        warnings: vec![],
    }
}

fn case(photos: usize, reward: Option<u64>) -> RecordedCase {
    RecordedCase {
        attachment: "典型案例.docx".into(),
        period: period(11),
        photos,
        reward: reward.map(|yuan| Amount::from_fen(yuan * 100)),
        warnings: vec![],
        version: 1,
        replaces: None,
    }
}

fn fix(attachment: &str, message: &str) -> Finding {
    Finding::problem(FieldKey::Attachment, None, message).in_attachment(attachment)
}

/// Every reply body for the situations, with the months it must name.
fn bodies() -> Vec<(&'static str, String, Vec<Period>)> {
    let h = head();
    let e = env();
    let month_fix = [fix(
        "报表.xlsx",
        "企业培训（次）未填写。请填写，没有请填0。",
    )];
    let case_fix = [fix(
        "案例.docx",
        "典型案例内容共 700 字（不计空格），超过 600 字的字数限制。",
    )];
    let both = [month_fix[0].clone(), case_fix[0].clone()];
    vec![
        (
            "receipt, this month",
            receipt_body(&h, &e, &[form(11, 1, false)], &[]),
            vec![period(11)],
        ),
        (
            "receipt, a late form for last month, second version",
            receipt_body(&h, &e, &[form(10, 2, true)], &[]),
            vec![period(10)],
        ),
        (
            "receipt, a case with a reward and photos and one without",
            receipt_body(&h, &e, &[], &[case(2, Some(3000)), case(0, None)]),
            vec![period(11)],
        ),
        (
            "return, monthly",
            return_body(&h, &e, &month_fix, (&[], &[]), Resend::Monthly, due()),
            vec![period(11)],
        ),
        (
            "return, case only, with a form recorded",
            return_body(
                &h,
                &e,
                &case_fix,
                (&[form(10, 1, true)], &[]),
                Resend::Case,
                due(),
            ),
            vec![period(10)],
        ),
        (
            "return, both",
            return_body(
                &h,
                &e,
                &both,
                (&[], &[case(1, Some(500))]),
                Resend::Both,
                due(),
            ),
            vec![period(11)],
        ),
        (
            "help",
            help_body(&h, &e, &["现场.jpg".into()], due()),
            vec![period(11)],
        ),
        (
            "photos",
            photos_body(&h, &e, 3, &["RD-20261112-000003".into()]),
            vec![],
        ),
    ]
}

fn reminders() -> Vec<(&'static str, String, Vec<Period>)> {
    [
        ReminderKind::DueSoon,
        ReminderKind::FinalDay,
        ReminderKind::Overdue,
    ]
    .into_iter()
    .map(|kind| {
        let body = reminder_body(
            kind,
            "跳磴镇",
            period(11),
            date(11, 20),
            OFFICE,
            None,
            "模板.xlsx",
        );
        let subject = reminder_subject(kind, period(11), OFFICE);
        ("reminder", format!("{subject}\n{body}"), vec![period(11)])
    })
    .collect()
}

/// A unit word written twice in a row, with or without a space: `3000元 元`, `3次次`.
fn doubled_unit(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().find_map(|(i, &c)| {
        if !"元封次个册条人张幅".contains(c) {
            return None;
        }
        let next = chars
            .get(i + 1..)?
            .iter()
            .find(|n| **n != ' ' && **n != '\u{3000}')?;
        (*next == c).then(|| chars.iter().skip(i.saturating_sub(6)).take(10).collect())
    })
}

#[test]
fn every_reply_and_reminder_speaks_in_one_voice() {
    for (what, text, months) in bodies().into_iter().chain(reminders()) {
        assert!(!text.contains("你单位"), "{what}: 你单位\n{text}");
        assert!(!text.contains("我们"), "{what}: 我们\n{text}");
        for vague in ["本月", "当月", "上月"] {
            assert!(!text.contains(vague), "{what}: {vague}\n{text}");
        }
        assert_eq!(doubled_unit(&text), None, "{what}\n{text}");
        for month in months {
            assert!(
                text.contains(&month.zh()),
                "{what}: names {}\n{text}",
                month.zh()
            );
        }
        assert!(text.contains(OFFICE), "{what}: signed\n{text}");
    }
}

#[test]
fn a_late_form_for_last_month_names_that_month_and_its_deadline() {
    let text = receipt_body(&head(), &env(), &[form(10, 2, true)], &[]);
    assert!(
        text.contains("说明：2026年10月报表应于2026年10月20日前报送"),
        "{text}"
    );
    assert!(text.contains("按收件时所在的月份登记"), "{text}");
}

#[test]
fn a_case_return_quotes_the_case_rules_and_not_the_monthly_deadline() {
    let fixes = [fix("案例.docx", "缺少「简要案情」。")];
    let text = return_body(&head(), &env(), &fixes, (&[], &[]), Resend::Case, due());
    assert!(text.contains(CASE_RULES), "{text}");
    assert!(text.contains("600字"), "{text}");
    assert!(text.contains("空白的典型案例报送表模板"), "{text}");
    assert!(!text.contains("月情况报表》请于"), "{text}");
    assert!(!text.contains("20日前"), "{text}");
    assert!(Resend::Case.attaches_case_template());
    let both = return_body(&head(), &env(), &fixes, (&[], &[]), Resend::Both, due());
    assert!(
        both.contains(CASE_RULES) && both.contains("2026年11月20日前报送"),
        "{both}"
    );
    assert!(!Resend::Both.attaches_case_template());
    assert_eq!(Resend::of(false, true), Resend::Case);
    assert_eq!(Resend::of(true, true), Resend::Both);
    assert_eq!(Resend::of(true, false), Resend::Monthly);
}

#[test]
fn a_reward_reads_with_its_unit_once() {
    let text = receipt_body(&head(), &env(), &[], &[case(2, Some(3000))]);
    assert!(text.contains("奖励发放金额：3000元\n"), "{text}");
    assert!(doubled_unit("奖励发放金额：3000元 元").is_some());
    assert!(doubled_unit("3次次").is_some());
}

#[test]
fn subjects_along_a_thread_never_stack() {
    let tags = [TAG_RECEIPT, TAG_RETURN, TAG_PHOTOS, TAG_HELP];
    let mut subject = "跳磴镇11月报表".to_string();
    for turn in 0..12 {
        let tag = tags[turn % tags.len()];
        // The unit answers our last reply; its client adds a prefix of its own.
        let prefix = ["Re: ", "回复：", "RE：", "答复: "][turn % 4];
        subject = reply_subject(&format!("{prefix}{subject}"), tag);
        assert_eq!(subject, format!("Re: 跳磴镇11月报表{tag}"), "turn {turn}");
        assert_eq!(subject.matches("Re:").count(), 1);
        assert_eq!(subject.matches('（').count(), 1);
    }
}
