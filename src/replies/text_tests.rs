//! The reply texts, one situation at a time (the properties shared by all are in `reminders::voice_tests`).
use super::*;
use crate::forms::FieldKey;

fn head() -> Letterhead {
    Letterhead {
        office_name: "大渡口区安全生产委员会办公室".into(),
        contact: Some("区安委办 023-68830000".into()),
    }
}

fn env() -> Envelope {
    Envelope {
        unit_name: "跳磴镇".into(),
        received_local: "2026-11-12 10:30".into(),
        receipt_no: "RD-20261112-000007".into(),
        sender_check: None,
    }
}

fn due() -> Due {
    Due {
        period: Period::new(2026, 11).unwrap(),
        deadline: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
    }
}

fn recorded(version: i64) -> Recorded {
    let mut values = [1u64; 11];
    values[0] = 301;
    Recorded {
        attachment: "跳磴镇11月报表.xlsx".into(),
        period: Period::new(2026, 11).unwrap(),
        period_source: "取自表内“报表月份”（Sheet1!B3）".into(),
        version,
        replaces: (version > 1).then(|| "2026-11-10 09:00".into()),
        values: MonthlyValues::new(values),
        changes: if version > 1 {
            vec![(Field::ALL[0], 280, 301)]
        } else {
            vec![]
        },
        late: false,
        deadline: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        warnings: vec!["Sheet1!C6 填的“无”，按 0 登记。".into()],
    }
}

#[test]
fn a_receipt_lists_every_value_the_version_and_the_changes() {
    let body = receipt_body(&head(), &env(), &[recorded(2)], &[]);
    assert!(body.starts_with("跳磴镇：\n"));
    assert!(body.contains("2026年11月"));
    assert!(body.contains("回执编号：RD-20261112-000007"));
    assert!(body.contains("公开信（封）：301"));
    for field in Field::ALL {
        assert!(body.contains(shown_label(field)), "{}", field.label());
    }
    assert!(body.contains("标语海报：1\n"));
    assert!(body.contains("第 2 版（替换 2026-11-10 09:00"));
    assert!(body.contains("公开信（封）：280 → 301"));
    assert!(body.contains("按 0 登记"));
    assert!(body.contains("023-68830000"));
}

#[test]
fn a_late_receipt_says_so() {
    let mut form = recorded(1);
    form.late = true;
    let body = receipt_body(&head(), &env(), &[form], &[]);
    assert!(body.contains("说明：2026年11月报表应于2026年11月20日前报送"));
    assert!(body.contains("逾期"));
    assert!(!body.contains("变动"));
}

#[test]
fn a_return_numbers_each_fix_with_file_and_cell() {
    let fixes = vec![
        Finding::problem(
            Field::EnterpriseTrainings,
            Some("Sheet1!I6".into()),
            "企业培训（次）未填写。请填写，没有请填0。",
        )
        .in_attachment("报表.xlsx"),
        Finding::problem(FieldKey::Attachment, None, "压缩包已损坏").in_attachment("照片.zip"),
    ];
    let body = return_body(&head(), &env(), &fixes, (&[], &[]), Resend::Monthly, due());
    assert!(
        body.contains("1. 附件《报表.xlsx》Sheet1!I6：企业培训（次）未填写。请填写，没有请填0。")
    );
    assert!(body.contains("2. 附件《照片.zip》：压缩包已损坏"));
    assert!(body.contains("空白的月情况报表模板"));
    assert!(!body.contains("已登记："));
}

#[test]
fn a_receipt_for_a_case_counts_its_photos_and_the_reward_or_asks_for_photos() {
    let case = RecordedCase {
        attachment: "典型案例.docx".into(),
        period: Period::new(2026, 11).unwrap(),
        photos: 2,
        reward: Some(Amount::from_fen(200_000)),
        warnings: vec![],
        version: 1,
        replaces: None,
    };
    let body = receipt_body(&head(), &env(), &[], std::slice::from_ref(&case));
    assert!(body.contains("如需更正本案例，请直接回复本邮件"), "{body}");
    assert!(body.contains("典型案例报送表 1 份已收到并登记"), "{body}");
    assert!(body.contains("工作照片：2 张"));
    assert!(body.contains("奖励发放金额：2000元\n"));
    let without = RecordedCase {
        photos: 0,
        warnings: vec!["请回复本邮件补发现场或工作照片".into()],
        ..case
    };
    let body = receipt_body(&head(), &env(), &[recorded(1)], &[without]);
    assert!(body.contains("月情况报表》、典型案例报送表 1 份"), "{body}");
    assert!(body.contains("提示：请回复本邮件补发"));
}

#[test]
fn a_help_reply_explains_how_to_submit() {
    let body = help_body(&head(), &env(), &["现场.jpg".into()], due());
    assert!(body.contains("没有找到需要登记的报表"));
    assert!(body.contains("现场.jpg"));
    assert!(body.contains("xlsx、xls、ods、et"));
}
