//! Replies never echo unbounded sender text, and control characters from mail are never printed
//! raw (SPEC §13).

use super::{NOW, TIAODENG, form, run, status_json, write};
use crate::support::{TestEnv, message};

/// A message with `subject` and a References header of `references` IDs.
fn crafted(from: &str, subject: &str, id: &str, references: usize, form: &[u8]) -> Vec<u8> {
    let refs: Vec<String> = (0..references)
        .map(|i| format!("<ref{i}@qq.example>"))
        .collect();
    let raw = String::from_utf8(message(from, subject, id, &[("报表.xlsx", form)])).unwrap();
    let header = format!("References: {}\r\nMIME-Version: 1.0", refs.join("\r\n "));
    raw.replacen("MIME-Version: 1.0", &header, 1).into_bytes()
}

#[test]
fn a_huge_subject_and_references_are_not_echoed_in_the_reply() {
    let env = TestEnv::new();
    let subject = format!("\u{1b}[31m跳磴镇{}", "报表".repeat(20_000));
    let raw = crafted(
        TIAODENG,
        &subject,
        "huge@qq.example",
        3_000,
        &form("f01-official-tiaodeng.xlsx"),
    );
    let path = write(&env, "huge.eml", &raw);
    let (out, _) = run(&env, NOW, &["ingest", &path.to_string_lossy()]);
    assert!(!out.contains('\u{1b}'), "no escape reaches stdout");
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["outcome"], "accepted", "{line}");
    let subject = line["reply"]["subject"].as_str().unwrap();
    assert!(
        subject.chars().count() <= 200,
        "{} characters",
        subject.chars().count()
    );
    assert!(
        subject.starts_with("Re: [31m跳磴镇报表") && subject.ends_with("（回执）"),
        "{subject}"
    );

    let reply = &env.outbox()[0];
    assert!(
        reply.len() < 64 * 1024,
        "the reply is {} bytes",
        reply.len()
    );
    let parsed = mail_parser::MessageParser::default().parse(reply).unwrap();
    let references = parsed.references().as_text_list().unwrap_or_default();
    assert_eq!(references.len(), 10, "{references:?}");
    assert_eq!(
        references.last().map(|r| r.as_ref()),
        Some("huge@qq.example")
    );
    assert_eq!(
        references.first().map(|r| r.as_ref()),
        Some("ref2991@qq.example")
    );
    assert!(parsed.subject().unwrap().chars().count() <= 200);
}

#[test]
fn escape_codes_in_a_strangers_subject_are_never_printed_raw() {
    let env = TestEnv::new();
    let subject = "\u{1b}]0;owned\u{7}\u{1b}[2J报表\r\n伪造\u{202e}txt.exe";
    let raw = crafted(
        "someone@evil.example",
        subject,
        "esc@qq.example",
        1,
        &form("f01-official-tiaodeng.xlsx"),
    );
    let path = write(&env, "esc.eml", &raw);
    let output = env
        .command()
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .args(["--now", NOW, "ingest"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(
        logs.contains("kept for staff"),
        "the stranger's mail is logged: {logs}"
    );
    assert!(!logs.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{logs:?}");
    assert!(!output.stdout.contains(&0x1b));

    let (text, _) = run(&env, NOW, &["status", "--month", "2026-11"]);
    assert!(text.contains("someone@evil.example"), "{text}");
    assert!(text.contains("报表  伪造txt.exe"), "{text}");
    assert!(
        !text.contains(['\u{1b}', '\u{7}', '\u{202e}', '\r']),
        "{text:?}"
    );
    let json = status_json(&env, NOW);
    let listed = json["unknown_senders"][0]["subject"].as_str().unwrap();
    assert!(!listed.contains(['\u{1b}', '\u{7}']), "{listed:?}");
}
