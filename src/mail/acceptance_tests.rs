//! The realistic sample messages (copied from shared/acceptance/out into tests/fixtures/acceptance):
//! sender, subject, attachments and reply decision of each, and no panic on any prefix or
//! corruption of them.

use super::{AttachmentKind, InboundMessage, Limits, NoReplyReason, parse_message};
use AttachmentKind::{Docx, Image, Spreadsheet};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/acceptance");

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".eml"))
        .collect();
    names.sort();
    names
}

fn raw(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn parse(name: &str) -> InboundMessage {
    parse_message(&raw(name), &Limits::default())
}

/// file, sender address, sender name, subject, attachments (name, kind).
type Expected = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, AttachmentKind)],
);

const EXPECTED: &[Expected] = &[
    (
        "001-qq-official-xlsx.eml",
        "12345678@qq.example",
        "跳磴镇安办张丽",
        "跳磴镇10月安全生产举报奖励宣传工作月情况报表",
        &[(
            "跳磴镇10月安全生产举报奖励宣传工作月情况报表.xlsx",
            Spreadsheet,
        )],
    ),
    (
        "002-foxmail-gbk-vertical.eml",
        "bqz_ajb@163.example",
        "八桥镇安监办",
        "八桥镇2026年10月举报奖励宣传工作月报表",
        &[("八桥镇10月月报表.xlsx", Spreadsheet)],
    ),
    (
        "003-outlook-gb2312-lo-xls.eml",
        "jszaqb@163.example",
        "建胜镇安办",
        "回复：关于报送安全生产举报奖励宣传工作月情况报表的通知（建胜镇10月）",
        &[(
            "建胜镇安全生产举报奖励宣传工作月情况报表（10月）.xls",
            Spreadsheet,
        )],
    ),
    (
        "004-thunderbird-rfc2231-ods.eml",
        "xscjd_ajb@dadukou.gov.example",
        "新山村街道 周敏",
        "新山村街道10月安全生产举报奖励宣传工作月情况报表",
        &[(
            "新山村街道2026年10月安全生产举报奖励宣传工作月情况报表.ods",
            Spreadsheet,
        )],
    ),
    (
        "006-late-22nd-date-header-20th.eml",
        "2209381174@qq.example",
        "九宫庙街道",
        "九宫庙街道10月安全生产举报奖励宣传工作月报",
        &[("九宫庙街道10月报表.xlsx", Spreadsheet)],
    ),
    (
        "008-text-values.eml",
        "2846713059@qq.example",
        "八桥镇安监办",
        "八桥镇11月报表",
        &[("八桥镇11月报表.xlsx", Spreadsheet)],
    ),
    (
        "009-zero-markers-floats.eml",
        "xscjd_ajb@dadukou.gov.example",
        "新山村街道安办",
        "新山村街道11月安全生产举报奖励宣传工作月情况报表",
        &[("新山村街道11月.xlsx", Spreadsheet)],
    ),
    (
        "014-no-period-open-period.eml",
        "jtj_aqk@dadukou.gov.example",
        "区交通局安全科",
        "安全生产举报奖励宣传工作月情况报表（区交通局）",
        &[("交通局月情况报表.xlsx", Spreadsheet)],
    ),
    (
        "017-zip-gbk-names.eml",
        "jgmjd@dadukou.gov.example",
        "九宫庙街道办",
        "九宫庙街道11月报表（压缩包）",
        &[(
            "九宫庙街道11月报表.zip/九宫庙街道11月报表/安全生产举报奖励宣传工作月情况报表.xlsx",
            Spreadsheet,
        )],
    ),
    (
        "019-forwarded-rfc822.eml",
        "jxw_aqk@dadukou.gov.example",
        "赵磊",
        "转发: 经信委11月安全生产举报奖励宣传工作月情况报表",
        &[("经信委11月月情况报表.xlsx", Spreadsheet)],
    ),
    (
        "020-invalid-blank-cell.eml",
        "jszaqb@163.example",
        "建胜镇安办",
        "建胜镇11月月情况报表",
        &[("建胜镇11月月情况报表.xlsx", Spreadsheet)],
    ),
    (
        "021-corrected-after-return.eml",
        "jszaqb@163.example",
        "建胜镇安办",
        "回复：退回 建胜镇11月月情况报表（已补填）",
        &[("建胜镇11月月情况报表(修改).xlsx", Spreadsheet)],
    ),
    (
        "023-resubmission-v2.eml",
        "12345678@qq.example",
        "跳磴镇安办张丽",
        "跳磴镇11月月情况报表（更正版）",
        &[("跳磴镇11月月情况报表（更正版）.xlsx", Spreadsheet)],
    ),
    (
        "024-duplicate-same-message-id.eml",
        "12345678@qq.example",
        "跳磴镇安办张丽",
        "跳磴镇11月月情况报表（更正版）",
        &[("跳磴镇11月月情况报表（更正版）.xlsx", Spreadsheet)],
    ),
    (
        "025-invalid-chinese-numeral-xls.eml",
        "bqz_ajb@163.example",
        "八桥镇安监办",
        "八桥镇11月报表（更正）",
        &[("八桥镇11月报表更正.xls", Spreadsheet)],
    ),
    (
        "028-unknown-sender-valid-form.eml",
        "1098765432@qq.example",
        "王芳",
        "跳磴镇11月报表",
        &[("跳磴镇11月报表.xlsx", Spreadsheet)],
    ),
    (
        "031-corrected-v2-xls.eml",
        "bqz_ajb@163.example",
        "八桥镇安监办",
        "八桥镇11月报表（再次更正）",
        &[("八桥镇11月报表更正2.xls", Spreadsheet)],
    ),
    (
        "036-no-attachment.eml",
        "2209381174@qq.example",
        "九宫庙街道",
        "九宫庙街道11月报表（最终版）",
        &[],
    ),
    (
        "039-case-xlsx-2-jpeg.eml",
        "12345678@qq.example",
        "跳磴镇安办张丽",
        "跳磴镇安全生产举报奖励工作典型案例报送",
        &[
            ("跳磴镇典型案例报送表.xlsx", Spreadsheet),
            ("IMG_20261118_093012.jpg", Image),
            ("IMG_20261118_093544.jpg", Image),
        ],
    ),
    (
        "040-case-docx-table-photos.eml",
        "jszaqb@163.example",
        "建胜镇安办",
        "建胜镇典型案例报送（非法储存液化气）",
        &[
            ("附件2：建胜镇典型案例报送表.docx", Docx),
            ("微信图片_20261119101522.png", Image),
            ("现场检查照片.jpg", Image),
        ],
    ),
    (
        "041-auto-replied.eml",
        "1790255418@qq.example",
        "区经信委安全科",
        "自动回复: 关于报送11月安全生产举报奖励宣传工作月情况报表的提醒",
        &[],
    ),
    (
        "043-bounce-dsn.eml",
        "mailer-daemon@qq.example",
        "Mail Delivery System",
        "Undelivered Mail Returned to Sender",
        &[(
            "附件3：安全生产举报奖励宣传工作月情况报表.xlsx",
            Spreadsheet,
        )],
    ),
    (
        "047-case-over-600-chars.eml",
        "2518806637@qq.example",
        "区市场监管局",
        "市场监管局典型案例（涉氨制冷）",
        &[
            ("市场监管局典型案例报送表.docx", Docx),
            ("IMG_0412.jpg", Image),
        ],
    ),
    (
        "048-zip-bomb-xlsx.eml",
        "jtj_aqk@dadukou.gov.example",
        "区交通局安全科",
        "区交通局11月月情况报表（更正）",
        // Refused by the message's uncompressed budget before anything inflates it (below).
        &[],
    ),
    (
        "049-truncated-xlsx.eml",
        "3094471826@qq.example",
        "跃进村街道 罗斌",
        "跃进村街道11月月情况报表（终版）",
        &[("跃进村街道11月月情况报表（终版）.xlsx", Spreadsheet)],
    ),
];

#[test]
fn every_fixture_has_an_expectation() {
    let expected: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    assert_eq!(fixture_names(), expected);
}

#[test]
fn sender_subject_and_attachments_of_every_sample() {
    for (file, address, name, subject, attachments) in EXPECTED {
        let m = parse(file);
        let from = m
            .from
            .as_ref()
            .unwrap_or_else(|| panic!("{file}: no sender"));
        assert_eq!(from.address, *address, "{file}");
        assert_eq!(from.name.as_deref(), Some(*name), "{file}");
        assert_eq!(m.subject, *subject, "{file}");
        let got: Vec<(&str, AttachmentKind)> = m
            .attachments
            .iter()
            .map(|a| (a.name.as_str(), a.kind))
            .collect();
        assert_eq!(got, attachments.to_vec(), "{file}");
        if *file != "048-zip-bomb-xlsx.eml" {
            assert!(m.problems.is_empty(), "{file}: {:?}", m.problems);
        }
        assert!(
            m.message_id
                .as_deref()
                .is_some_and(|id| id.starts_with('<') && id.ends_with('>')),
            "{file}"
        );
        assert!(!m.text_body.trim().is_empty(), "{file}: empty body");
        let automatic = file.starts_with("041") || file.starts_with("043");
        assert_eq!(m.no_reply.is_some(), automatic, "{file}: {:?}", m.no_reply);
    }
}

#[test]
fn the_auto_reply_and_the_bounce() {
    let auto = parse("041-auto-replied.eml");
    assert_eq!(
        auto.no_reply,
        Some(NoReplyReason::AutoSubmitted("auto-replied".into()))
    );
    assert_eq!(
        auto.in_reply_to.as_deref(),
        Some("<tencent_ED8BCE82C67A63BBBB236AB506C80A36@qq.example>")
    );
    let bounce = parse("043-bounce-dsn.eml");
    assert_eq!(bounce.no_reply, Some(NoReplyReason::Bounce));
    assert_eq!(bounce.return_path.as_deref(), Some(""));
}

#[test]
fn bodies_are_decoded_from_their_charsets() {
    assert!(
        parse("003-outlook-gb2312-lo-xls.eml")
            .text_body
            .contains("建胜镇10月报表已填好")
    );
    assert!(
        parse("006-late-22nd-date-header-20th.eml")
            .text_body
            .contains("九宫庙街道10月报表")
    );
    assert!(
        parse("004-thunderbird-rfc2231-ods.eml")
            .text_body
            .contains("新山村街道2026年10月")
    );
}

#[test]
fn the_same_message_redelivered_has_the_same_key() {
    let (a, b) = (
        raw("023-resubmission-v2.eml"),
        raw("024-duplicate-same-message-id.eml"),
    );
    let limits = Limits::default();
    let key = super::message_key(&parse_message(&a, &limits), &a);
    assert_eq!(key, super::message_key(&parse_message(&b, &limits), &b));
    assert_eq!(
        key,
        "<tencent_1BB85661D74E2A15BA3B959218F3C3F9@qq.example> 12345678@qq.example"
    );
}

#[test]
fn the_bomb_workbook_is_refused_by_the_message_budget() {
    let m = parse("048-zip-bomb-xlsx.eml");
    assert!(m.attachments.is_empty());
    let problem = &m.problems[0];
    assert_eq!(problem.name, "交通局11月月情况报表（更正）.xlsx");
    assert_eq!(
        problem.kind,
        super::ProblemKind::TooLarge {
            limit: Limits::default().max_uncompressed_bytes
        }
    );
}

#[test]
fn no_prefix_of_any_sample_panics() {
    let limits = Limits::default();
    for name in fixture_names() {
        let raw = raw(&name);
        let step = (raw.len() / 400).max(1);
        for end in (0..raw.len()).step_by(step) {
            let _ = parse_message(&raw[..end], &limits);
        }
    }
}

#[test]
fn no_corruption_of_any_sample_panics() {
    let limits = Limits::default();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for name in fixture_names() {
        let original = raw(&name);
        for _ in 0..200 {
            let mut raw = original.clone();
            for _ in 0..1 + next() % 8 {
                let at = (next() % raw.len() as u64) as usize;
                raw[at] = next() as u8;
            }
            let _ = parse_message(&raw, &limits);
        }
    }
}
