//! Intake behaviours end to end through the library: versions, duplicates, mail never answered,
//! unknown senders, broken and hostile attachments, the rate limit, and crash recovery.

use std::io::Write;

use reportdesk::store::messages::{self, NewMessage};

use crate::support::{TestEnv, all_errors, deliver, fixtures, ingest, message};

fn form(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("forms").join(name)).expect("fixture form")
}

const TIAODENG: &str = "tiaodeng@example.gov.cn";

#[tokio::test]
async fn a_resubmission_becomes_version_2_and_the_receipt_lists_the_changes() {
    let env = TestEnv::new();
    let app = env.app("2026-11-12T10:00:00+08:00").await;
    let first = message(
        TIAODENG,
        "跳磴镇11月报表",
        "v1@qq.example",
        &[("报表.xlsx", &form("f01-official-tiaodeng.xlsx"))],
    );
    let second = message(
        TIAODENG,
        "跳磴镇11月报表（更正）",
        "v2@qq.example",
        &[("报表.xlsx", &form("f22-resubmission-tiaodeng.xlsx"))],
    );
    let one = ingest(&app, &first, "v1.eml", "2026-11-10T09:00:00+08:00").await;
    let two = ingest(&app, &second, "v2.eml", "2026-11-12T10:00:00+08:00").await;
    assert_eq!(one["forms"][0]["version"], 1);
    assert_eq!(two["outcome"], "accepted");
    assert_eq!(two["forms"][0]["version"], 2);
    let changed = two["forms"][0]["changed"]
        .as_array()
        .expect("changes listed");
    assert!(
        changed
            .iter()
            .any(|c| c["field"] == "open_letters" && c["from"] == 420 && c["to"] == 431),
        "{changed:?}"
    );
    assert_eq!(deliver(&app).await, 2);
    let receipts = env.outbox();
    let text: Vec<String> = receipts.iter().map(|r| body_text(r)).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("第 2 版") && t.contains("公开信（封）：420 → 431")),
        "{text:?}"
    );
    let status = reportdesk::status::load(
        &app.config,
        &app.store,
        reportdesk::domain::period::Period::new(2026, 11).unwrap(),
    )
    .await
    .unwrap();
    let tiaodeng = status
        .submitted
        .iter()
        .find(|s| s.unit == "tiaodeng")
        .expect("submitted");
    assert_eq!(tiaodeng.version, 2);
}

fn body_text(raw: &[u8]) -> String {
    let parsed = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("reply parses");
    parsed
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_same_message_twice_is_a_duplicate_with_one_reply_only() {
    let env = TestEnv::new();
    let app = env.app("2026-11-12T10:00:00+08:00").await;
    let raw = message(
        TIAODENG,
        "报表",
        "same@qq.example",
        &[("报表.xlsx", &form("f01-official-tiaodeng.xlsx"))],
    );
    let first = ingest(&app, &raw, "a.eml", "2026-11-12T10:00:00+08:00").await;
    let again = ingest(&app, &raw, "a-again.eml", "2026-11-12T10:05:00+08:00").await;
    assert_eq!(first["outcome"], "accepted");
    assert_eq!(again["outcome"], "duplicate");
    assert!(again["reply"].is_null());
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(env.outbox().len(), 1);
}

#[tokio::test]
async fn a_message_without_message_id_is_keyed_by_its_bytes() {
    let env = TestEnv::new();
    let app = env.app("2026-11-12T10:00:00+08:00").await;
    let raw = String::from_utf8(message(
        TIAODENG,
        "报表",
        "x@y",
        &[("报表.xlsx", &form("f01-official-tiaodeng.xlsx"))],
    ))
    .unwrap()
    .replace("Message-ID: <x@y>\r\n", "");
    let first = ingest(&app, raw.as_bytes(), "a.eml", "2026-11-12T10:00:00+08:00").await;
    let again = ingest(&app, raw.as_bytes(), "a.eml", "2026-11-12T10:01:00+08:00").await;
    assert_eq!(first["outcome"], "accepted");
    assert_eq!(again["outcome"], "duplicate");
}

#[tokio::test]
async fn an_unknown_sender_is_kept_for_staff_and_not_answered() {
    let env = TestEnv::new();
    let app = env.app("2026-11-12T10:00:00+08:00").await;
    let raw = message(
        "stranger@qq.example",
        "跳磴镇报表",
        "u@qq.example",
        &[("报表.xlsx", &form("f01-official-tiaodeng.xlsx"))],
    );
    let line = ingest(&app, &raw, "u.eml", "2026-11-12T10:00:00+08:00").await;
    assert_eq!(line["outcome"], "rejected");
    assert!(line["unit"].is_null());
    assert!(line["reply"].is_null());
    assert!(all_errors(&line).iter().any(|e| e["field"] == "sender"));
    let period = reportdesk::domain::period::Period::new(2026, 11).unwrap();
    let status = reportdesk::status::load(&app.config, &app.store, period)
        .await
        .unwrap();
    assert!(
        status.submitted.is_empty(),
        "an unknown sender's form is not the unit's data"
    );
    assert_eq!(status.unknown_senders.len(), 1);
    assert_eq!(status.unknown_senders[0].from, "stranger@qq.example");
    let stored = env.data_dir().join(&status.unknown_senders[0].stored_at);
    assert_eq!(
        std::fs::read(stored).unwrap(),
        raw,
        "the raw message is kept"
    );
    assert_eq!(deliver(&app).await, 0);
}

#[tokio::test]
async fn mail_that_must_never_be_answered_gets_no_reply() {
    let env = TestEnv::new();
    let app = env.app("2026-11-12T10:00:00+08:00").await;
    let base = String::from_utf8(message(TIAODENG, "自动回复", "auto@qq.example", &[])).unwrap();
    let cases = [
        (
            "auto",
            base.replace(
                "MIME-Version",
                "Auto-Submitted: auto-replied\r\nMIME-Version",
            ),
        ),
        (
            "bulk",
            base.replace("MIME-Version", "Precedence: bulk\r\nMIME-Version")
                .replace("auto@", "bulk@"),
        ),
        (
            "list",
            base.replace(
                "MIME-Version",
                "List-Id: <units.example.gov.cn>\r\nMIME-Version",
            )
            .replace("auto@", "list@"),
        ),
        (
            "bounce",
            base.replace(
                "From: <tiaodeng@example.gov.cn>",
                "From: MAILER-DAEMON@qq.example\r\nReturn-Path: <>",
            )
            .replace("auto@", "bounce@"),
        ),
        (
            "self",
            base.replace(
                "From: <tiaodeng@example.gov.cn>",
                "From: <Office@Example.gov.cn>",
            )
            .replace("auto@", "self@"),
        ),
    ];
    for (name, raw) in cases {
        let line = ingest(&app, raw.as_bytes(), name, "2026-11-12T10:00:00+08:00").await;
        assert_eq!(line["outcome"], "ignored", "{name}: {line}");
        assert!(line["reply"].is_null(), "{name}: {line}");
    }
    assert_eq!(deliver(&app).await, 0);
}

fn zip_bomb_xlsx() -> Vec<u8> {
    let base = form("f01-official-tiaodeng.xlsx");
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..source.len() {
        let file = source.by_index_raw(i).unwrap();
        out.raw_copy_file(file).unwrap();
    }
    out.start_file("xl/worksheets/sheet9.xml", options).unwrap();
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..200 {
        out.write_all(&zeros).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[tokio::test]
async fn hostile_and_broken_attachments_get_a_clear_return() {
    let env = TestEnv::new();
    let app = env.app("2026-11-12T10:00:00+08:00").await;
    let good = form("f01-official-tiaodeng.xlsx");
    let truncated = good[..good.len() / 2].to_vec();
    let bomb = zip_bomb_xlsx();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("truncated", truncated, "损坏"),
        (
            "renamed-txt",
            "填报单位：跳磴镇\n公开信（封）3\n".as_bytes().to_vec(),
            "不是可以读取的表格",
        ),
        ("zip-bomb", bomb, "超过100MB"),
    ];
    for (name, bytes, says) in cases {
        let raw = message(
            TIAODENG,
            "报表",
            &format!("{name}@qq.example"),
            &[("报表.xlsx", &bytes)],
        );
        let line = ingest(&app, &raw, name, "2026-11-12T10:00:00+08:00").await;
        assert_eq!(line["outcome"], "rejected", "{name}: {line}");
        assert_eq!(line["reply"]["kind"], "return", "{name}: {line}");
        let errors = all_errors(&line);
        assert!(
            errors.iter().any(|e| e["field"] == "attachment"
                && e["message"].as_str().unwrap_or("").contains(says)),
            "{name}: {errors:?}"
        );
    }
    assert_eq!(deliver(&app).await, 3);
    let returns = env.outbox();
    assert!(
        returns.iter().all(|r| {
            let parsed = mail_parser::MessageParser::default().parse(r).unwrap();
            parsed.attachment_count() == 1
        }),
        "every return carries the blank template"
    );
}

#[tokio::test]
async fn two_hundred_attachments_are_refused_past_the_limit() {
    let env = TestEnv::new();
    let app = env.app("2026-11-12T10:00:00+08:00").await;
    let names: Vec<String> = (0..200).map(|i| format!("照片{i}.txt")).collect();
    let mut attachments: Vec<(&str, &[u8])> =
        names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let good = form("f01-official-tiaodeng.xlsx");
    attachments.insert(0, ("报表.xlsx", &good));
    let raw = message(TIAODENG, "报表", "many@qq.example", &attachments);
    let line = ingest(&app, &raw, "many", "2026-11-12T10:00:00+08:00").await;
    assert_eq!(line["outcome"], "rejected", "{line}");
    assert!(
        all_errors(&line)
            .iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains("50")),
        "{line}"
    );
}

#[tokio::test]
async fn replies_to_one_sender_are_limited_per_hour() {
    let env = TestEnv::new();
    let app = env.app("2026-11-12T10:00:00+08:00").await;
    let mut replied = 0;
    for i in 0..12 {
        let raw = message(TIAODENG, "你好", &format!("loop{i}@qq.example"), &[]);
        let line = ingest(&app, &raw, "loop", "2026-11-12T10:00:00+08:00").await;
        if line["reply"].is_object() {
            replied += 1;
        }
    }
    assert_eq!(
        replied, 10,
        "replies_per_sender_per_hour in the shipped config"
    );
}

#[tokio::test]
async fn a_message_recorded_before_a_crash_is_finished_on_the_next_pass() {
    let env = TestEnv::new();
    let app = env.app("2026-11-12T10:00:00+08:00").await;
    let raw = message(
        TIAODENG,
        "报表",
        "crash@qq.example",
        &[("报表.xlsx", &form("f01-official-tiaodeng.xlsx"))],
    );
    let raw_path = "raw/manual/crash.eml";
    let full = env.data_dir().join(raw_path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(&full, &raw).unwrap();
    let received = crate::support::at("2026-11-12T09:00:00+08:00");
    messages::record(
        &app.store,
        &NewMessage {
            message_key: &format!("<crash@qq.example> {TIAODENG}"),
            message_id: Some("<crash@qq.example>"),
            sender: Some(TIAODENG),
            subject: "报表",
            received_at: received,
            raw_path,
            raw_sha256: "unused",
            source: "test",
        },
    )
    .await
    .unwrap();
    let summary = reportdesk::daemon::pass(&app).await.unwrap();
    assert_eq!(summary.reports.len(), 1);
    assert_eq!(summary.reports[0].outcome.as_str(), "accepted");
    assert_eq!(
        summary.reports[0].received_at,
        received.to_rfc3339(),
        "the original receipt time counts"
    );
    assert_eq!(summary.replies_delivered, 1);
    assert!(
        reportdesk::daemon::pass(&app)
            .await
            .unwrap()
            .reports
            .is_empty(),
        "finished once"
    );
}

#[tokio::test]
async fn a_receipt_is_threaded_to_the_units_mail() {
    let env = TestEnv::new();
    let app = env.app("2026-11-12T10:00:00+08:00").await;
    let raw = message(
        TIAODENG,
        "跳磴镇11月报表",
        "thread@qq.example",
        &[("报表.xlsx", &form("f01-official-tiaodeng.xlsx"))],
    );
    ingest(&app, &raw, "t.eml", "2026-11-12T10:00:00+08:00").await;
    deliver(&app).await;
    let reply = &env.outbox()[0];
    let parsed = mail_parser::MessageParser::default().parse(reply).unwrap();
    assert_eq!(parsed.in_reply_to().as_text(), Some("thread@qq.example"));
    assert!(parsed.subject().unwrap().starts_with("Re: 跳磴镇11月报表"));
    assert_eq!(
        parsed.to().unwrap().first().unwrap().address(),
        Some(TIAODENG)
    );
    let text = String::from_utf8_lossy(reply);
    assert!(text.contains("Auto-Submitted: auto-replied"));
    let body = body_text(reply);
    assert!(body.contains("回执编号：RD-20261112-"), "{body}");
    assert!(body.contains("公开信（封）：420"), "{body}");
}
