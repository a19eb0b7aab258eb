//! `health`, the health block of `status`, plain and JSON logs, and output into a closed pipe
//! (SPEC §17), through the binary.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use serde_json::Value;

use crate::support::{TestEnv, message};

fn health(env: &TestEnv, now: &str) -> (Option<i32>, Value) {
    let out = env
        .command()
        .args(["--now", now, "health", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let value = serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("{e}: {text}{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), value)
}

#[test]
fn health_follows_the_mailbox_polls_and_the_outbox() {
    let env = TestEnv::new();
    let (code, value) = health(&env, "2026-11-12T10:00:00+08:00");
    assert_eq!(code, Some(1), "{value}");
    assert!(
        value["problems"][0]
            .as_str()
            .unwrap()
            .contains("never been read")
    );

    let once = env
        .command()
        .args(["--now", "2026-11-12T10:00:00+08:00", "run", "--once"])
        .output()
        .unwrap();
    assert!(
        once.status.success(),
        "{}",
        String::from_utf8_lossy(&once.stderr)
    );
    let (code, value) = health(&env, "2026-11-12T10:20:00+08:00");
    assert_eq!(code, Some(0), "{value}");
    assert_eq!(value["healthy"], true);
    assert_eq!(value["last_mailbox_poll"], "2026-11-12 10:00");
    let (code, value) = health(&env, "2026-11-12T11:30:00+08:00");
    assert_eq!(code, Some(1), "an hour and a half without a look: {value}");
    assert!(
        value["problems"][0]
            .as_str()
            .unwrap()
            .contains("not been read since")
    );

    // A reply that cannot go out (nothing listens on the SMTP port) makes the outbox stuck.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    super::lock::smtp_config(&env, port);
    let mail = env.dir.path().join("a.eml");
    std::fs::write(
        &mail,
        message("bachiao@example.gov.cn", "你好", "h1@x", &[]),
    )
    .unwrap();
    let ingest = env
        .command()
        .env("REPORTDESK_TEST_SMTP_PASSWORD", "x")
        .args(["--now", "2026-11-12T11:30:00+08:00", "ingest"])
        .arg(&mail)
        .output()
        .unwrap();
    assert!(
        ingest.status.success(),
        "{}",
        String::from_utf8_lossy(&ingest.stderr)
    );
    let once = env
        .command()
        .env("REPORTDESK_TEST_SMTP_PASSWORD", "x")
        .args(["--now", "2026-11-12T11:31:00+08:00", "run", "--once"])
        .output()
        .unwrap();
    assert!(
        once.status.success(),
        "{}",
        String::from_utf8_lossy(&once.stderr)
    );
    let (code, value) = health(&env, "2026-11-12T11:40:00+08:00");
    assert_eq!(code, Some(0), "due for 10 minutes is still fine: {value}");
    assert_eq!(value["outbox_waiting"], 1);
    let (code, value) = health(&env, "2026-11-12T12:20:00+08:00");
    assert_eq!(code, Some(1), "{value}");
    assert!(
        value["problems"]
            .to_string()
            .contains("a reply has been waiting since")
    );

    let status = env
        .command()
        .args(["--now", "2026-11-12T12:20:00+08:00", "status", "--json"])
        .output()
        .unwrap();
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["health"]["healthy"], false);
    assert_eq!(status["health"]["outbox_waiting"], 1);
}

#[test]
fn logs_are_plain_off_a_terminal_and_json_on_request() {
    let env = TestEnv::new();
    let mail = env.dir.path().join("a.eml");
    std::fs::write(
        &mail,
        message("bachiao@example.gov.cn", "你好", "l1@x", &[]),
    )
    .unwrap();
    let plain = env
        .command()
        .env("RUST_LOG", "info")
        .args(["--now", "2026-11-12T10:00:00+08:00", "ingest"])
        .arg(&mail)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert!(stderr.contains("message processed"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes into a pipe: {stderr:?}"
    );

    std::fs::write(
        &mail,
        message("bachiao@example.gov.cn", "你好", "l2@x", &[]),
    )
    .unwrap();
    let json = env
        .command()
        .env("RUST_LOG", "info")
        .args([
            "--log-format",
            "json",
            "--now",
            "2026-11-12T10:00:00+08:00",
            "ingest",
        ])
        .arg(&mail)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&json.stderr);
    let lines: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "message processed"),
        "{stderr}"
    );
}

#[test]
fn status_into_a_closed_pipe_ends_quietly() {
    // 3,000 units: the missing list is far larger than a pipe's buffer.
    let dir = tempfile::tempdir().unwrap();
    let mut roster = String::new();
    for n in 0..3000 {
        roster.push_str(&format!(
            "[[unit]]\ncode = \"u{n:04}\"\nname = \"测试单位{n:04}\"\nkind = \"town\"\naddresses = [\"u{n:04}@town.example.cn\"]\n\n"
        ));
    }
    let path = dir.path().join("units.toml");
    std::fs::write(&path, roster).unwrap();
    let env = TestEnv::with_roster(&path, crate::support::DEFAULT_OFFICE);
    let mut child = env
        .command()
        .args(["--now", "2026-11-12T10:00:00+08:00", "status"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let stdout = child.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut first).unwrap();
    } // the reader goes away, like `head -1`
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!first.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
        "{:?}: {stderr}",
        out.status
    );
}
