//! SPEC promises that had no test of their own, through the binary: the receipt says where the
//! period came from (§3); macro-enabled `.xlsm` and WPS `.et` files are read (§6); the Maildir
//! delivery time, never the clock or the Date header, decides lateness, at the office's midnight
//! (§5).

use serde_json::Value;

use crate::support::{TestEnv, deliver_at, fixtures, message};

fn form(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("forms").join(name)).expect("fixture form")
}

/// The expected values of a fixture (tests/fixtures/forms/expected.json).
fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures().join("forms/expected.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["files"][name].clone()
}

/// Runs `ingest` on the messages at `now`; returns one JSON line per message.
fn ingest_all(env: &TestEnv, now: &str, messages: &[(&str, Vec<u8>)]) -> Vec<Value> {
    let mut command = env.command();
    command.args(["--now", now, "ingest"]);
    for (name, raw) in messages {
        let path = env.dir.path().join(name);
        std::fs::write(&path, raw).unwrap();
        command.arg(path);
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// The text of the reply (in the outbox Maildir) to the message with this Message-ID.
fn reply_to(env: &TestEnv, message_id: &str) -> String {
    env.outbox()
        .iter()
        .filter_map(|raw| mail_parser::MessageParser::default().parse(raw))
        .find(|m| m.in_reply_to().as_text() == Some(message_id))
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .unwrap_or_else(|| panic!("no reply to {message_id}"))
}

#[test]
fn the_receipt_says_where_the_period_came_from() {
    let env = TestEnv::new();
    let lines = ingest_all(
        &env,
        "2026-11-12T10:00:00+08:00",
        &[
            (
                "cell.eml",
                message(
                    "tiaodeng@example.gov.cn",
                    "报表",
                    "cell@qq.example",
                    &[("报表.xlsx", &form("f01-official-tiaodeng.xlsx"))],
                ),
            ),
            (
                "title.eml",
                message(
                    "chunhuilu@example.gov.cn",
                    "报表",
                    "title@qq.example",
                    &[("报表.xlsx", &form("f08-period-in-title-chunhuilu.xlsx"))],
                ),
            ),
            (
                "subject.eml",
                message(
                    "yingji@example.gov.cn",
                    "区应急局2026年10月报表",
                    "subject@qq.example",
                    &[("报表.xlsx", &form("f09-no-period-yingji.xlsx"))],
                ),
            ),
            (
                "open.eml",
                message(
                    "yingji@example.gov.cn",
                    "报表",
                    "open@qq.example",
                    &[("报表.xlsx", &form("f09-no-period-yingji.xlsx"))],
                ),
            ),
        ],
    );
    let periods: Vec<&str> = lines
        .iter()
        .map(|l| l["forms"][0]["period"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        periods,
        ["2026-11", "2026-10", "2026-10", "2026-11"],
        "{lines:#?}"
    );
    // 报表月份 sits in D3 of f01 (its sheet XML); f08's title says 2026年10月; f09 has no period.
    let cell = reply_to(&env, "cell@qq.example");
    assert!(
        cell.contains("报表月份") && cell.contains("Sheet1!D3"),
        "{cell}"
    );
    let title = reply_to(&env, "title@qq.example");
    assert!(title.contains("标题"), "{title}");
    let subject = reply_to(&env, "subject@qq.example");
    assert!(subject.contains("邮件主题"), "{subject}");
    let open = reply_to(&env, "open@qq.example");
    assert!(open.contains("收件时"), "{open}");
    for (text, other) in [
        (&cell, "邮件主题"),
        (&subject, "报表月份”，"),
        (&open, "邮件主题"),
    ] {
        assert!(!text.contains(other), "one source named: {text}");
    }
}

/// `.xlsm` saved by LibreOffice ("Calc MS Excel 2007 VBA XML": a macro-enabled workbook part) and
/// an `.et` (WPS's extension on an OLE2/BIFF8 workbook, here saved by LibreOffice as `.xls`; see
/// scripts/fixtures/make_xlsm_et.sh) read as their `.xlsx` sources say.
#[test]
fn macro_enabled_xlsm_and_wps_et_files_are_read() {
    let env = TestEnv::new();
    let lines = ingest_all(
        &env,
        "2026-11-10T10:00:00+08:00",
        &[
            (
                "xlsm.eml",
                message(
                    "jiugongmiao@example.gov.cn",
                    "报表",
                    "xlsm@qq.example",
                    &[(
                        "九宫庙街道11月报表.xlsm",
                        &form("f06-merged-jiugongmiao.xlsm"),
                    )],
                ),
            ),
            (
                "et.eml",
                message(
                    "jiaotong@example.gov.cn",
                    "报表",
                    "et@qq.example",
                    &[("交通局11月报表.et", &form("f03-reordered-jiaotong.et"))],
                ),
            ),
        ],
    );
    for (line, source) in lines
        .iter()
        .zip(["f06-merged-jiugongmiao.xlsx", "f03-reordered-jiaotong.xlsx"])
    {
        let want = expected(source);
        assert_eq!(line["outcome"], "accepted", "{line}");
        assert_eq!(line["forms"][0]["period"], want["period"], "{line}");
        assert_eq!(
            line["forms"][0]["values"], want["values"],
            "{source}: {line}"
        );
    }
}

/// Two forms delivered one second apart around midnight in Shanghai on the deadline (the 20th):
/// 23:59:59 is on time, 00:00:00 on the 21st is late, although that is still the 20th in UTC.
/// The clock (`--now`, the 25th) and the Date headers (the 15th) would say otherwise.
#[test]
fn maildir_delivery_time_decides_lateness_at_midnight_in_shanghai() {
    let env = TestEnv::new();
    let inbox = env.data_dir().join("mail/inbox");
    let dated = |raw: Vec<u8>| {
        let mut with_date = b"Date: Sun, 15 Nov 2026 10:00:00 +0800\r\n".to_vec();
        with_date.extend(raw);
        with_date
    };
    deliver_at(
        &inbox,
        "1.host",
        &dated(message(
            "tiaodeng@example.gov.cn",
            "报表",
            "before@qq.example",
            &[("报表.xlsx", &form("f01-official-tiaodeng.xlsx"))],
        )),
        "2026-11-20T23:59:59+08:00",
    );
    deliver_at(
        &inbox,
        "2.host",
        &dated(message(
            "bachiao@example.gov.cn",
            "报表",
            "after@qq.example",
            &[("报表.xls", &form("f02-vertical-bachiao.xls"))],
        )),
        "2026-11-21T00:00:00+08:00",
    );
    let out = env
        .command()
        .args(["--now", "2026-11-25T10:00:00+08:00", "run", "--once"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let status = env
        .command()
        .args([
            "--now",
            "2026-11-25T10:00:00+08:00",
            "status",
            "--month",
            "2026-11",
            "--json",
        ])
        .output()
        .unwrap();
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    let submitted = status["submitted"].as_array().expect("submitted");
    let of = |unit: &str| {
        submitted
            .iter()
            .find(|s| s["unit"] == unit)
            .unwrap_or_else(|| panic!("{unit} in {status}"))
    };
    assert_eq!(
        of("tiaodeng")["received_at"],
        "2026-11-20 23:59",
        "{status}"
    );
    assert_eq!(of("tiaodeng")["late"], false, "{status}");
    assert_eq!(of("bachiao")["received_at"], "2026-11-21 00:00", "{status}");
    assert_eq!(of("bachiao")["late"], true, "{status}");
}
