//! Trustworthy records (SPEC §6, §13), through the binary on crafted mail: forged bounces, shadowed
//! Message-IDs, unbounded echoes, messages over a limit, tip sources in overviews, photos no case
//! takes, the bot's API URL.

mod bounces;
mod chats_photos;
mod corrections;
mod dedupe;
mod echoes;
mod held;
mod limits;
mod reprocess;
mod tips;

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{TestEnv, fixtures};

pub const TIAODENG: &str = "tiaodeng@example.gov.cn";
pub const BACHIAO: &str = "bachiao@example.gov.cn";
pub const JIANSHENG: &str = "jiansheng@example.gov.cn";
pub const NOW: &str = "2026-11-12T10:00:00+08:00";

pub fn form(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("forms").join(name)).expect("fixture form")
}

/// Runs the binary with `args` at `now`; returns stdout and stderr, asserting success.
pub fn run(env: &TestEnv, now: &str, args: &[&str]) -> (String, String) {
    let output = env
        .command()
        .env("NO_COLOR", "1")
        .args(["--now", now])
        .args(args)
        .output()
        .expect("binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {stderr}",
        output.status
    );
    (
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr,
    )
}

/// Writes `raw` under the test dir and runs `ingest` on it; the one JSON line.
pub fn ingest_file(env: &TestEnv, name: &str, raw: &[u8], now: &str) -> Value {
    let path = write(env, name, raw);
    let path = path.to_string_lossy().into_owned();
    let (out, _) = run(env, now, &["ingest", &path]);
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("one JSON line ({e}): {out}"))
}

pub fn write(env: &TestEnv, name: &str, raw: &[u8]) -> PathBuf {
    let path = env.dir.path().join(name);
    std::fs::write(&path, raw).expect("write message");
    path
}

/// `status --json` for November 2026.
pub fn status_json(env: &TestEnv, now: &str) -> Value {
    let (out, _) = run(env, now, &["status", "--month", "2026-11", "--json"]);
    serde_json::from_str(out.trim()).expect("status JSON")
}

/// The Message-ID header of a raw reply, brackets kept.
pub fn message_id_of(raw: &[u8]) -> String {
    let parsed = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("reply parses");
    format!("<{}>", parsed.message_id().expect("reply has a Message-ID"))
}
