//! `run` as an operator starts and stops it: Ctrl-C (SIGINT) stops it cleanly within its grace
//! period, and without `--config` it reads `config/reportdesk.toml` in the working directory.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::guard::Guarded;
use crate::support::{TestEnv, deliver_at, fixtures, message};

/// The daemon's grace period (`src/daemon.rs`) and a loaded machine's margin on top.
const GRACE: Duration = Duration::from_secs(5);
const STOP_MARGIN: Duration = Duration::from_secs(5);

fn wait_for(what: &str, limit: Duration, log: &std::path::Path, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < limit,
            "waited {limit:?} for {what}\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigint_stops_the_daemon_cleanly_after_the_message_in_hand() {
    let env = TestEnv::new();
    let form = std::fs::read(fixtures().join("forms/f01-official-tiaodeng.xlsx")).unwrap();
    deliver_at(
        &env.data_dir().join("mail/inbox"),
        "1.host",
        &message(
            "tiaodeng@example.gov.cn",
            "报表",
            "sigint@qq.example",
            &[("报表.xlsx", &form)],
        ),
        "2026-11-12T09:00:00+08:00",
    );
    let log_path = env.dir.path().join("daemon.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut daemon = Guarded::spawn(
        env.command()
            .args(["--now", "2026-11-12T10:00:00+08:00", "run"])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log),
    )
    .unwrap();
    let read_log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    // The marker: the form was taken in and its receipt delivered to the outbox.
    wait_for("the receipt", Duration::from_secs(30), &log_path, || {
        env.outbox().len() == 1 && read_log().contains("reportdesk running")
    });
    let pid = libc::pid_t::try_from(daemon.id()).unwrap();
    // SAFETY: kill(2) on our own unreaped child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let sent = Instant::now();
    let status = loop {
        if let Some(status) = daemon.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            sent.elapsed() < GRACE + STOP_MARGIN,
            "no exit {:?} after SIGINT\n{}",
            GRACE + STOP_MARGIN,
            read_log()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let log = read_log();
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("stopping") && log.contains("stopped"), "{log}");
    assert!(!log.contains("tasks still busy"), "{log}");
    assert!(
        env.data_dir().join("mail/inbox/cur/1.host:2,S").exists(),
        "the message in hand was finished"
    );
}

/// With no `--config`, `config/reportdesk.toml` under the working directory is read (its
/// roster, its data dir); where there is none, the error names that default path.
#[test]
fn without_config_the_working_dirs_config_reportdesk_toml_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let config_dir = dir.path().join("config");
    std::fs::create_dir(&config_dir).unwrap();
    let shipped =
        std::fs::read_to_string(crate::support::project().join("config/reportdesk.toml")).unwrap();
    std::fs::write(config_dir.join("reportdesk.toml"), shipped).unwrap();
    std::fs::write(
        config_dir.join("units.toml"),
        "[[unit]]\ncode = \"ceshi\"\nname = \"测试镇\"\nkind = \"town\"\naddresses = [\"ceshi@example.gov.cn\"]\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reportdesk"))
        .current_dir(dir.path())
        .args(["--now", "2026-11-12T10:00:00+08:00", "status", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["period"], "2026-11");
    let missing = status["missing"].as_array().expect("missing");
    assert!(
        missing.len() == 1 && missing[0]["unit"] == "ceshi",
        "the roster next to the default config: {status}"
    );
    assert!(
        dir.path().join("var").exists(),
        "the shipped data_dir (var) under the working directory"
    );

    let empty = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reportdesk"))
        .current_dir(empty.path())
        .args(["status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("config/reportdesk.toml"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `quarantine release ID` from another process while `run` is up: the running daemon takes the
/// message at its next look (within seconds), at its receipt time, and sends the receipt; it
/// does not wait for the next start.
#[test]
fn a_message_released_beside_the_running_daemon_is_taken_at_its_next_look() {
    let env = TestEnv::new();
    let received = "2026-11-12T09:00:00+08:00";
    let now = "2026-11-12T10:00:00+08:00";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let id = runtime.block_on(crate::support::quarantined_form(&env, received));
    let log_path = env.dir.path().join("daemon.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut daemon = Guarded::spawn(
        env.command()
            .args(["--now", now, "run"])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log),
    )
    .unwrap();
    let read_log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    wait_for("the daemon", Duration::from_secs(30), &log_path, || {
        read_log().contains("reportdesk running")
    });
    // Set aside: the daemon's start-up left it alone.
    std::thread::sleep(Duration::from_millis(200));
    assert!(env.outbox().is_empty(), "{}", read_log());
    let out = env
        .command()
        .args(["--now", now, "quarantine", "release", &id.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let released = Instant::now();
    wait_for(
        "the released form's receipt",
        Duration::from_secs(60),
        &log_path,
        || env.outbox().len() == 1,
    );
    assert!(
        released.elapsed() < Duration::from_secs(30),
        "taken {:?} after the release",
        released.elapsed()
    );
    let pid = libc::pid_t::try_from(daemon.id()).unwrap();
    // SAFETY: kill(2) on our own unreaped child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = daemon.0.wait().unwrap();
    assert!(status.success(), "{status:?}\n{}", read_log());
    let out = env
        .command()
        .args(["--now", now, "status", "--month", "2026-11", "--json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let submitted = status["submitted"].as_array().expect("submitted");
    assert_eq!(submitted.len(), 1, "{status}");
    assert_eq!(submitted[0]["unit"], "tiaodeng");
    assert_eq!(submitted[0]["received_at"], "2026-11-12 09:00", "{status}");
    assert!(read_log().contains("taking in messages released from quarantine"));
}
