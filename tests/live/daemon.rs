//! The daemon against the real stack: a unit sends its form by SMTP to the office mailbox, the
//! daemon (the real binary, `reportdesk run`) takes it in over IMAP and its receipt arrives in the
//! unit's own INBOX. Plus the faults: Dovecot restarted, SMTP down, a permanent refusal, and the
//! reminders of a restart. The daemon process itself is `running::Daemon`.

use std::time::{Duration, Instant};

use crate::events::{assert_clean_stop, await_log, db_i64, wait_until};
use crate::harness::MailStack;
use crate::running::{
    Daemon, Mode, PLAIN_IDLE, UNITS, add_users, await_count, body_text, form_mail, in_reply_to,
    open_period, roster_path,
};
use crate::support::OFFICE;

/// The whole loop in one mode: a form by SMTP in, its threaded receipt back, the original moved.
fn full_loop(mode: Mode) {
    let stack = MailStack::start();
    let (unit, name) = UNITS[0];
    add_users(&stack, &[unit]);
    let mut daemon = Daemon::configure(&stack, mode, &roster_path());
    daemon.start();
    stack.send(
        unit,
        OFFICE,
        &form_mail(unit, name, "loop-1@town.example", 438),
    );
    let receipts = await_count(&stack, &daemon, unit, "INBOX", 1, Duration::from_secs(30));
    assert_eq!(
        in_reply_to(&receipts[0]).as_deref(),
        Some("loop-1@town.example")
    );
    let body = body_text(&receipts[0]);
    assert!(body.contains("公开信（封）：438"), "{body}");
    assert!(body.contains(&open_period().zh()), "{body}");
    let processed = await_count(
        &stack,
        &daemon,
        OFFICE,
        mode.processed,
        1,
        Duration::from_secs(10),
    );
    assert_eq!(processed.len(), 1);
    assert!(
        stack.mailbox(OFFICE, "INBOX").is_empty(),
        "moved out of the INBOX"
    );
    let (status, took) = daemon.terminate();
    assert_clean_stop(&daemon, status, took);
}

#[test]
fn a_form_sent_by_smtp_is_receipted_within_seconds_with_idle() {
    full_loop(PLAIN_IDLE);
}

#[test]
fn the_same_over_implicit_tls_with_polling_into_a_chinese_folder() {
    full_loop(Mode {
        tls: "implicit",
        idle: false,
        processed: "已处理/报表",
    });
}

#[test]
fn the_same_after_starttls() {
    full_loop(Mode {
        tls: "starttls",
        idle: true,
        processed: "reportdesk/processed",
    });
}

#[test]
fn a_dovecot_restart_loses_and_duplicates_nothing() {
    let stack = MailStack::start();
    add_users(&stack, &[UNITS[0].0, UNITS[1].0]);
    let mut daemon = Daemon::configure(&stack, PLAIN_IDLE, &roster_path());
    daemon.start();
    let (first, first_name) = UNITS[0];
    stack.send(
        first,
        OFFICE,
        &form_mail(first, first_name, "before@town.example", 1),
    );
    await_count(&stack, &daemon, first, "INBOX", 1, Duration::from_secs(30));
    stack.restart_dovecot();
    let (second, second_name) = UNITS[1];
    stack.send(
        second,
        OFFICE,
        &form_mail(second, second_name, "after@town.example", 2),
    );
    await_count(&stack, &daemon, second, "INBOX", 1, Duration::from_secs(60));
    await_count(
        &stack,
        &daemon,
        OFFICE,
        "reportdesk/processed",
        2,
        Duration::from_secs(10),
    );
    // The marker: both receipts sent and both UIDs recorded as done after the reconnect's drain.
    // A second receipt would be a third outbox row, queued before that record.
    wait_until(
        &daemon,
        "both receipts sent and both UIDs recorded",
        Duration::from_secs(30),
        || {
            db_i64(&daemon, "SELECT COUNT(*) FROM outbox WHERE state = 'sent'") >= 2
                && db_i64(
                    &daemon,
                    "SELECT COALESCE(MAX(last_uid), 0) FROM imap_folders",
                ) >= 2
        },
    );
    assert_eq!(
        db_i64(&daemon, "SELECT COUNT(*) FROM outbox"),
        2,
        "one reply per message"
    );
    assert_eq!(stack.mailbox(first, "INBOX").len(), 1, "one receipt only");
    assert_eq!(stack.mailbox(second, "INBOX").len(), 1, "one receipt only");
    assert_eq!(stack.mailbox(OFFICE, "reportdesk/processed").len(), 2);
    assert!(
        daemon.log().contains("reconnecting"),
        "the daemon noticed the restart"
    );
    daemon.terminate();
}

#[test]
fn replies_wait_in_the_outbox_while_smtp_is_down() {
    let stack = MailStack::start();
    let units: Vec<&str> = UNITS.iter().map(|u| u.0).collect();
    add_users(&stack, &units);
    let mut daemon = Daemon::configure(&stack, PLAIN_IDLE, &roster_path());
    stack.stop_smtp();
    daemon.start();
    for (i, (address, name)) in UNITS.iter().enumerate() {
        stack.inject(
            OFFICE,
            &form_mail(address, name, &format!("down-{i}@town.example"), 10),
        );
    }
    await_count(
        &stack,
        &daemon,
        OFFICE,
        "reportdesk/processed",
        UNITS.len(),
        Duration::from_secs(30),
    );
    let status = daemon
        .command()
        .args(["status", "--json"])
        .output()
        .expect("status runs");
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("status JSON");
    assert_eq!(
        status["submitted"].as_array().map(Vec::len),
        Some(UNITS.len()),
        "recorded while SMTP is down"
    );
    assert!(
        status["outbox"]["pending"].as_i64().unwrap_or(0) >= 1,
        "{status}"
    );
    stack.start_smtp();
    for (address, _) in UNITS {
        let receipts = await_count(
            &stack,
            &daemon,
            address,
            "INBOX",
            1,
            Duration::from_secs(60),
        );
        assert_eq!(receipts.len(), 1);
    }
    daemon.terminate();
}

#[test]
fn a_permanent_refusal_marks_the_reply_failed_and_status_shows_it() {
    let stack = MailStack::start();
    let (unit, name) = UNITS[0];
    add_users(&stack, &[unit]);
    stack.reject_recipient(unit);
    let mut daemon = Daemon::configure(&stack, PLAIN_IDLE, &roster_path());
    daemon.start();
    stack.inject(OFFICE, &form_mail(unit, name, "refused@town.example", 5));
    await_count(
        &stack,
        &daemon,
        OFFICE,
        "reportdesk/processed",
        1,
        Duration::from_secs(30),
    );
    let started = Instant::now();
    loop {
        let out = daemon
            .command()
            .args(["status", "--json"])
            .output()
            .expect("status");
        let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        if status["outbox"]["failed"].as_i64() == Some(1) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{status}\n{}",
            daemon.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let text = daemon.command().arg("status").output().expect("status");
    assert!(String::from_utf8_lossy(&text.stdout).contains("发送失败的回复: 1 封"));
    daemon.terminate();
}

#[test]
fn check_config_says_what_works_and_what_does_not() {
    let stack = MailStack::start();
    add_users(&stack, &[]);
    let mode = Mode {
        tls: "implicit",
        ..PLAIN_IDLE
    };
    let daemon = Daemon::configure(&stack, mode, &roster_path());
    let out = daemon.command().arg("check-config").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("IDLE yes"), "{text}");
    let out = daemon
        .command()
        .env("RD_LIVE_PASSWORD", "wrong")
        .arg("check-config")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL inbound") && text.contains("FAIL outbound"),
        "{text}"
    );
    let out = daemon
        .command()
        .env_remove("RD_LIVE_PASSWORD")
        .arg("check-config")
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("RD_LIVE_PASSWORD"));
}

#[test]
fn the_daemon_sends_the_reminders_due_when_it_starts() {
    let stack = MailStack::start();
    let units: Vec<&str> = UNITS.iter().map(|u| u.0).collect();
    add_users(&stack, &units);
    let mut daemon = Daemon::configure(&stack, PLAIN_IDLE, &roster_path());
    let config = std::fs::read_to_string(&daemon.config)
        .expect("config")
        .replace("send_reminders = false", "send_reminders = true");
    std::fs::write(&daemon.config, config).expect("config");
    daemon.start_with(&["--now", "2026-11-18T09:30:00+08:00"]);
    for (unit, _) in UNITS {
        let mail = await_count(&stack, &daemon, unit, "INBOX", 1, Duration::from_secs(30));
        let parsed = mail_parser::MessageParser::default()
            .parse(&mail[0])
            .expect("mail");
        assert!(
            parsed.subject().is_some_and(|s| s.contains("2026年11月")),
            "{:?}",
            parsed.subject()
        );
        assert_eq!(parsed.attachment_count(), 1, "the template");
    }
    await_log(&daemon, "reminder step done", 1, Duration::from_secs(30));
    daemon.terminate();
    let steps = daemon.log().matches("reminder step done").count();
    let queued = db_i64(
        &daemon,
        "SELECT COUNT(*) FROM outbox WHERE kind = 'reminder'",
    );
    daemon.start_with(&["--now", "2026-11-18T10:30:00+08:00"]);
    // The marker: the restarted daemon's catch-up step has committed every decision it made.
    await_log(
        &daemon,
        "reminder step done",
        steps + 1,
        Duration::from_secs(30),
    );
    let (status, took) = daemon.terminate();
    assert_clean_stop(&daemon, status, took);
    assert_eq!(
        db_i64(
            &daemon,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'reminder'"
        ),
        queued,
        "no reminder queued twice (one per unit of the roster, mailbox or not)"
    );
    for (unit, _) in UNITS {
        assert_eq!(
            stack.mailbox(unit, "INBOX").len(),
            1,
            "{unit}: no second reminder after a restart"
        );
    }
}
