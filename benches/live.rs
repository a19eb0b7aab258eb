//! The live mailbox measured against the real stack of the integration tests (a private Dovecot
//! and SMTP server on loopback), with the release binary as the daemon:
//!
//! 1. receipt latency: a unit sends a form by SMTP, one at a time, 200 times; the time until its
//!    receipt is in the unit's INBOX (IDLE on; Dovecot adds ~0.5 s before its IDLE push);
//! 2. backlog: 2,000 forms waiting in the office INBOX when the daemon starts; the time until all
//!    are moved to the processed folder and all receipts delivered, and the daemon's peak RSS.
//!    Then, on a fresh stack filled the same way, issue 17's obvious Python script over IMAP
//!    (scripts/compare/obvious_imap_intake.py: imaplib, one message at a time, openpyxl, one
//!    sqlite3 commit per form, reply files instead of SMTP, UID MOVE), timed from spawn to exit
//!    against the daemon's taken-in-and-moved figure (skipped, saying so, when `python3` has no
//!    openpyxl);
//! 3. receipts: 2,000 replies queued in an outbox, delivered through the stack's SMTP server
//!    with `[outbound] connections = 1` (one connection, one reply at a time: the delivery of
//!    before issue 17) and then `= 4`, in one run; the time until the outbox is empty (only
//!    with BENCH_LIVE=receipts).
//!
//!     BENCH_LIVE=latency|backlog|receipts scripts/bench-live     (one part only)
//!
//!     scripts/bench-live            (= cargo bench --bench live)

/// The live tests' own harness and helpers, shared rather than copied.
#[path = "../tests/live"]
#[allow(dead_code, unused_imports)]
mod live {
    pub mod events;
    #[path = "../common/guard.rs"]
    pub mod guard;
    pub mod harness;
    pub mod running;
    pub mod support;
}
use live::{events, guard, harness, running, support};

use std::time::{Duration, Instant};

use harness::MailStack;
use running::{Daemon, PLAIN_IDLE, add_users, await_count, form_mail, roster_path};
use support::OFFICE;

const LATENCY_MESSAGES: usize = 200;
const BACKLOG: usize = 2000;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // BENCH_LIVE=latency or =backlog runs one part only; the receipts part (~3 minutes) runs
    // only when asked for (=receipts), so `cargo bench` stays under 10 minutes.
    let only = std::env::var("BENCH_LIVE").unwrap_or_default();
    if only.is_empty() || only == "latency" {
        latency();
    }
    if only.is_empty() || only == "backlog" {
        backlog();
    }
    if only == "receipts" {
        receipts();
    }
}

const RECEIPTS: usize = 2000;

/// 2,000 queued replies through the stack's SMTP server, one connection then four, in one run.
fn receipts() {
    let stack = MailStack::start();
    let units = &running::UNITS;
    add_users(&stack, &units.iter().map(|u| u.0).collect::<Vec<_>>());
    let daemon = Daemon::configure(&stack, PLAIN_IDLE, &roster_path());
    let config = reportdesk::config::Config::load(&daemon.config, None).expect("config");
    let reportdesk::config::Outbound::Smtp(settings) = &config.outbound else {
        panic!("the live config sends by SMTP");
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut figures = Vec::new();
    for connections in [1, 4] {
        let already: usize = units.iter().map(|(u, _)| stack.count(u, "INBOX")).sum();
        let dir = tempfile::tempdir().expect("temp dir");
        let sending = reportdesk::config::Sending {
            connections,
            max_per_minute: None,
        };
        let took = runtime.block_on(async {
            let url = format!("sqlite://{}", dir.path().join("r.db").display());
            let store = reportdesk::store::Store::open(&url).await.expect("store");
            queue_receipts(&store, connections).await;
            let password = secrecy::SecretString::from(support::PASSWORD.to_string());
            let smtp =
                reportdesk::net::smtp_client::Smtp::new(settings, &password, OFFICE, sending)
                    .expect("smtp");
            let transport = reportdesk::delivery::Transport::Smtp(smtp);
            let retry = reportdesk::delivery::RetryPolicy::from_base_seconds(1);
            let started = Instant::now();
            let sent =
                reportdesk::delivery::deliver_due(&store, &transport, chrono::Utc::now(), retry)
                    .await
                    .expect("deliver");
            assert_eq!(sent, RECEIPTS, "every receipt handed over");
            started.elapsed()
        });
        let now: usize = units.iter().map(|(u, _)| stack.count(u, "INBOX")).sum();
        assert_eq!(now - already, RECEIPTS, "every receipt in its unit's INBOX");
        figures.push((connections, took));
    }
    for (connections, took) in &figures {
        println!(
            "{RECEIPTS} receipts through the test SMTP server, connections = {connections}: {:.1} s ({:.1} ms a receipt)",
            took.as_secs_f64(),
            took.as_secs_f64() * 1000.0 / RECEIPTS as f64
        );
    }
    if let [(_, one), (_, four)] = figures.as_slice() {
        println!(
            "ratio: {:.2}x faster with 4 connections",
            one.as_secs_f64() / four.as_secs_f64()
        );
    }
}

/// `RECEIPTS` receipts of about 2 KB, to the units in turn, queued in one transaction.
async fn queue_receipts(store: &reportdesk::store::Store, run: u32) {
    use reportdesk::store::outbox::{NewReply, ReplyKind, enqueue};
    let units = &running::UNITS;
    let now = chrono::Utc::now();
    let mut tx = store.begin().await.expect("begin");
    for i in 0..RECEIPTS {
        let (unit, name) = units[i % units.len()];
        let id = format!("<receipt-{run}-{i}@office.example>");
        let body = format!(
            "From: <{OFFICE}>\r\nTo: <{unit}>\r\nSubject: receipt {i}\r\nMessage-ID: {id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n{}\r\n",
            format!("{name} 2026年11月报表已收到。\r\n").repeat(50)
        );
        let reply = NewReply {
            message_row: None,
            kind: ReplyKind::Receipt,
            recipient: unit,
            subject: "receipt",
            outgoing_id: &id,
            body: body.as_bytes(),
            created_at: now,
        };
        enqueue(&mut tx, &reply).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn latency() {
    let stack = MailStack::start();
    let units = &running::UNITS;
    add_users(&stack, &units.iter().map(|u| u.0).collect::<Vec<_>>());
    let mut daemon = Daemon::configure(&stack, PLAIN_IDLE, &roster_path());
    daemon.start();
    await_count(&stack, &daemon, OFFICE, "INBOX", 0, Duration::from_secs(1));
    std::thread::sleep(Duration::from_millis(500));
    let mut latencies = Vec::with_capacity(LATENCY_MESSAGES);
    for i in 0..LATENCY_MESSAGES {
        let (unit, name) = units[i % units.len()];
        let already = stack.mailbox(unit, "INBOX").len();
        let raw = form_mail(unit, name, &format!("lat-{i}@town.example"), i as u64);
        let started = Instant::now();
        stack.send(unit, OFFICE, &raw);
        loop {
            if stack.mailbox(unit, "INBOX").len() > already {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no receipt for message {i}\n{}",
                daemon.log()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        latencies.push(started.elapsed());
    }
    daemon.terminate();
    latencies.sort();
    println!(
        "receipt latency over {LATENCY_MESSAGES} forms sent by SMTP (IDLE): p50 {}, p99 {}, max {}",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO))
    );
}

fn backlog() {
    let daemon_took = daemon_backlog();
    python_backlog(daemon_took);
}

/// The office INBOX of a fresh stack holding `BACKLOG` forms from the units in turn.
fn fill_backlog(stack: &MailStack) {
    let units = &running::UNITS;
    add_users(stack, &units.iter().map(|u| u.0).collect::<Vec<_>>());
    // Dovecot must know the INBOX exists before files appear in it.
    stack.inject(
        OFFICE,
        &form_mail(units[0].0, units[0].1, "backlog-seed@town.example", 0),
    );
    for i in 1..BACKLOG {
        let (unit, name) = units[i % units.len()];
        let raw = form_mail(unit, name, &format!("backlog-{i}@town.example"), i as u64);
        stack.drop_into_inbox(OFFICE, &format!("{i:05}.bench"), &raw);
    }
}

/// The daemon on a filled stack: prints its figures and returns the time until all forms were
/// taken in and moved. The stack is gone when this returns.
fn daemon_backlog() -> Duration {
    let stack = MailStack::start();
    let units = &running::UNITS;
    fill_backlog(&stack);
    let mut daemon = Daemon::configure(&stack, PLAIN_IDLE, &roster_path());
    daemon.start();
    let pid = daemon.pid();
    let per_unit = BACKLOG / units.len();
    let taken_in = wait_until(&daemon, || {
        stack.count(OFFICE, PLAIN_IDLE.processed) >= BACKLOG
    });
    let receipted = wait_until(&daemon, || {
        units
            .iter()
            .all(|(unit, _)| stack.count(unit, "INBOX") >= per_unit)
    });
    let peak_kib = peak_rss_kib(pid);
    daemon.terminate();
    println!(
        "backlog of {BACKLOG} forms: all taken in and moved after {:.1} s, all receipts delivered after {:.1} s, daemon peak RSS {:.1} MiB",
        taken_in.as_secs_f64(),
        receipted.as_secs_f64(),
        peak_kib as f64 / 1024.0
    );
    taken_in
}

/// Issue 17's side by side over IMAP: scripts/compare/obvious_imap_intake.py (imaplib, one
/// message at a time, openpyxl, one sqlite3 commit each, reply files, UID MOVE) on a fresh
/// stack filled the same way, timed from spawn to exit. Skipped, saying so, without openpyxl.
fn python_backlog(daemon_took: Duration) {
    let has_openpyxl = std::process::Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_openpyxl {
        println!(
            "backlog over IMAP against the obvious Python script: skipped, python3 cannot import openpyxl (pip install openpyxl)"
        );
        return;
    }
    let stack = MailStack::start();
    fill_backlog(&stack);
    let dir = tempfile::tempdir().expect("temp dir");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts/compare/obvious_imap_intake.py");
    let folder = PLAIN_IDLE.processed;
    let started = Instant::now();
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg("127.0.0.1")
        .arg(stack.imap_port().to_string())
        .args([OFFICE, support::PASSWORD, folder])
        .arg(dir.path().join("obvious.db"))
        .arg(dir.path().join("replies"))
        .output()
        .expect("python3 runs");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "obvious_imap_intake.py failed ({}): {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        stack.logs()
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        BACKLOG.to_string(),
        "the script's count"
    );
    assert_eq!(
        stack.count(OFFICE, folder),
        BACKLOG,
        "all moved by the script"
    );
    assert_eq!(
        stack.count(OFFICE, "INBOX"),
        0,
        "the INBOX emptied by the script"
    );
    println!(
        "backlog of {BACKLOG} forms over IMAP: reportdesk taken in and moved after {:.1} s, the obvious Python script (imaplib) {:.1} s ({:.1} ms a form): {:.1}×",
        daemon_took.as_secs_f64(),
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / BACKLOG as f64,
        took.as_secs_f64() / daemon_took.as_secs_f64()
    );
}

/// Polls `done` every 20 ms (counting files, not reading them) and returns when it holds, as
/// time since the daemon started.
fn wait_until(daemon: &Daemon, done: impl Fn() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "timed out\n{}",
            daemon.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    daemon.uptime()
}

/// VmHWM of a running process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
