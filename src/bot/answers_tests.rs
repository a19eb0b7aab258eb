//! Tests of the answer texts: every unit reported, none reported, a list long enough to be
//! split, escaping, and what a group chat sees.

use super::access::Audience;
use super::answers;
use super::text::{MAX_MESSAGE_CHARS, split};
use crate::domain::fields::MonthlyValues;
use crate::domain::period::Period;
use crate::domain::unit::UnitCode;
use crate::notice_checks::{Check, CheckKind, CheckState};
use crate::reminders::manual::ManualOutcome;
use crate::status::summary::Summary;
use crate::status::unit::{UnitHistory, UnitMonth};
use crate::status::{Missing, Status, Submitted};

fn status(submitted: usize, missing: usize) -> Status {
    Status {
        period: Period::parse("2026-11").unwrap(),
        deadline: "2026-11-20".into(),
        submitted: (0..submitted)
            .map(|i| Submitted {
                unit: UnitCode::parse(&format!("u{i}")).unwrap(),
                name: format!("已报单位{i}"),
                received_at: "2026-11-12 10:30".into(),
                version: 1,
                late: i == 0,
                sender_check: None,
                sender_approved: false,
            })
            .collect(),
        missing: (0..missing)
            .map(|i| Missing {
                unit: UnitCode::parse(&format!("m{i}")).unwrap(),
                name: format!("未报单位{i}"),
            })
            .collect(),
        unknown_senders: vec![],
        outbox: Default::default(),
        failing_addresses: vec![],
    }
}

#[test]
fn missing_when_every_unit_reported() {
    let text = answers::missing(&status(11, 0));
    assert_eq!(text, "<b>2026年11月</b> 各单位均已报送（共 11 个）。");
}

#[test]
fn missing_when_none_reported() {
    let text = answers::missing(&status(0, 3));
    assert!(text.starts_with("<b>2026年11月 未报送 3 / 3 个单位</b>（截止 2026-11-20）"));
    assert!(text.contains("1. 未报单位0\n2. 未报单位1\n3. 未报单位2"));
}

#[test]
fn a_long_missing_list_splits_into_messages_within_the_limit() {
    let text = answers::missing(&status(0, 1000));
    let messages = split(&text, MAX_MESSAGE_CHARS);
    assert!(messages.len() >= 4, "{} messages", messages.len());
    assert!(
        messages
            .iter()
            .all(|m| m.chars().count() <= MAX_MESSAGE_CHARS)
    );
    assert!(messages.iter().all(|m| !m.starts_with('\n')));
    assert_eq!(messages.join("\n"), text.trim_end());
}

#[test]
fn status_lists_both_sides_and_marks_late_forms() {
    let text = answers::status(&status(2, 1));
    assert!(text.contains("已报 2，未报 1"));
    assert!(text.contains("已报单位0  2026-11-12 10:30  第1版 逾期"));
    assert!(text.contains("<b>未报送</b>\n未报单位0"));
}

#[test]
fn names_are_escaped() {
    let mut s = status(0, 1);
    s.missing[0].name = "<b>&坏名字".into();
    assert!(answers::missing(&s).contains("1. &lt;b&gt;&amp;坏名字"));
}

fn history() -> UnitHistory {
    UnitHistory {
        unit: UnitCode::parse("bachiao").unwrap(),
        name: "八桥镇".into(),
        months: vec![UnitMonth {
            period: Period::new(2026, 11).unwrap(),
            received_at: "2026-11-12 10:30".into(),
            version: 2,
            late: false,
            values: MonthlyValues::new([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
            filled_by: Some("张三".into()),
            phone: Some("13800000000".into()),
        }],
    }
}

#[test]
fn a_unit_in_private_shows_who_filled_it_in_a_group_does_not() {
    let private = answers::unit(&history(), Audience::Private);
    assert!(private.contains("最近一期：2026年11月（2026-11-12 10:30 第2版）"));
    assert!(private.contains("获取立案查处以上线索 11 条"));
    assert!(private.contains("填表人：张三  电话：13800000000"));
    let group = answers::unit(&history(), Audience::Group);
    assert!(group.contains("获取立案查处以上线索 11 条"));
    assert!(!group.contains("张三") && !group.contains("13800000000"));
}

#[test]
fn a_unit_that_never_reported() {
    let mut h = history();
    h.months.clear();
    assert!(answers::unit(&h, Audience::Private).contains("近12个月没有报送记录"));
}

#[test]
fn summary_shows_totals_checks_and_missing() {
    let summary = Summary {
        period: Period::parse("2026-11").unwrap(),
        deadline: "2026-11-20".into(),
        units: 3,
        reported: 2,
        late: 1,
        missing: vec![Missing {
            unit: UnitCode::parse("bachiao").unwrap(),
            name: "八桥镇".into(),
        }],
        totals: MonthlyValues::new([5; 11]),
        checks: vec![Check {
            kind: CheckKind::CaseLeads,
            state: CheckState::Met,
            detail: "本月立案线索合计 5".into(),
        }],
    };
    let text = answers::summary(&summary);
    assert!(text.contains("已报 2/3，其中逾期 1；未报 1"));
    assert!(text.contains("公开信 5 封"));
    assert!(text.contains("全区每月至少1条立案线索：已达到（本月立案线索合计 5）"));
    assert!(text.contains("企业培训与二维码（只列数量）：企业培训 5 次，两单两卡加印二维码 5 个"));
    assert!(text.ends_with("<b>未报送</b>\n八桥镇\n"));
}

#[test]
fn remind_says_what_was_sent_and_what_was_not() {
    let outcome = ManualOutcome {
        period: Period::parse("2026-11").unwrap(),
        queued: vec!["八桥镇".into()],
        already: vec!["跳磴镇".into()],
        no_address: vec!["区教委".into()],
    };
    let text = answers::remind(&outcome);
    assert!(text.contains("已向 1 个未报送单位发出2026年11月报表提醒：八桥镇"));
    assert!(text.contains("今天已提醒过、不再重复发送 1 个：跳磴镇"));
    assert!(text.contains("没有可用邮箱、请电话联系 1 个：区教委"));
    let none = ManualOutcome {
        queued: vec![],
        already: vec![],
        no_address: vec![],
        ..outcome
    };
    assert_eq!(
        answers::remind(&none),
        "2026年11月 各单位均已报送，无需提醒。"
    );
}

#[test]
fn help_lists_every_command_in_chinese() {
    let text = answers::help();
    for command in [
        "/missing", "/status", "/unit", "/summary", "/remind", "/help",
    ] {
        assert!(text.contains(command), "{command}");
    }
    assert!(text.contains("未报送的单位"));
    assert!(text.contains("谁还没报"));
}

mod cases {
    use crate::bot::access::CaseDetail;
    use crate::bot::answers::cases;
    use crate::domain::period::Period;
    use crate::domain::unit::UnitCode;
    use crate::status::cases::CaseView;

    fn view() -> CaseView {
        CaseView {
            unit: UnitCode::parse("jiansheng").unwrap(),
            unit_name: "建胜镇".into(),
            received: "2026-11-12 10:00".into(),
            receipt_no: "RD-20261112-000003".into(),
            tip_source: Some("群众王某电话举报".into()),
            facts: Some(
                "某企业在有限空间作业时未落实审批制度，且未配备检测仪器与防护用品，存在重大隐患。"
                    .into(),
            ),
            enforcement: Some("责令停产整顿，罚款3万元".into()),
            reward: Some("发放举报奖励2000元".into()),
            reward_yuan: Some("2000 元".into()),
            overview: None,
            remarks: None,
            photos: 2,
        }
    }

    #[test]
    fn the_tip_source_reaches_admins_in_private_chats_only() {
        let period = Period::new(2026, 11).unwrap();
        let full = cases(period, &[view()], CaseDetail::Full);
        assert!(full.contains("线索来源：群众王某电话举报"), "{full}");
        let line = cases(period, &[view()], CaseDetail::OneLine);
        assert!(!line.contains("王某"), "{line}");
        assert!(
            line.contains("建胜镇") && line.contains("；奖励 2000 元"),
            "{line}"
        );
        let counts = cases(period, &[view(), view()], CaseDetail::Counts);
        assert!(
            counts.contains("典型案例 2 件") && counts.contains("建胜镇：2 件"),
            "{counts}"
        );
        assert!(!counts.contains("有限空间"), "{counts}");
        assert_eq!(
            cases(period, &[], CaseDetail::Full),
            "<b>2026年11月</b> 尚无典型案例。"
        );
    }
}
