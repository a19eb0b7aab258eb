//! The worker process under outside force (SPEC §12), with the real binary: SIGTERM to the daemon
//! while the worker hangs on a message, and the worker killed mid-message. In both nothing is
//! lost: the message keeps its raw bytes and its one counted attempt, and the daemon goes on.

use std::process::Child;
use std::time::{Duration, Instant};

use super::craft;
use super::daemon::{Env, children, gone, mail, outcome_of, poison, valid_form, wait_for_worker};

/// The daemon, killed when the test ends however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn signal(pid: u32, signal: i32) {
    // SAFETY: kill(2) on a pid this test started (the daemon) or the daemon's own child.
    unsafe { libc::kill(pid as i32, signal) };
}

/// Waits until `done` holds, generously (the machine is shared), polling.
fn wait_until(what: &str, seconds: u64, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not after {seconds} s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigterm_during_a_hung_read_stops_the_daemon_within_five_seconds() {
    let env = Env::new(600);
    env.deliver("1.hang", &poison("hang"));
    let mut daemon = Running(env.start());
    let worker = wait_for_worker(&daemon.0);
    // The worker is on the message: its attempt is counted before it was handed over.
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    signal(daemon.0.id(), libc::SIGTERM);
    wait_until("the daemon stops", 30, || {
        daemon.0.try_wait().expect("wait").is_some()
    });
    let took = start.elapsed();
    // 5 s promised; the margin is for a loaded machine.
    assert!(took < Duration::from_secs(7), "stopped after {took:?}");
    wait_until("the reader ends with the daemon", 10, || gone(worker));

    // Nothing lost: the message is still waiting, unfinished, its raw bytes kept, one attempt.
    assert_eq!(env.waiting(), 1, "the mail left the inbox");
    assert_eq!(env.query("SELECT state FROM messages", &[]), ["received"]);
    assert_eq!(
        env.query("SELECT CAST(attempts AS TEXT) FROM intake_attempts", &[]),
        ["1"]
    );
    let raw = env.query("SELECT raw_path FROM messages", &[]);
    assert!(
        env.data().join(&raw[0]).is_file(),
        "raw bytes gone: {raw:?}"
    );
    // The next start takes it up again and, with a short deadline, finishes it.
    env.set_worker_seconds(600, 2);
    let reports = env.once();
    assert_eq!(outcome_of(&reports, "hang"), "rejected", "{reports:?}");
    assert_eq!(
        env.query("SELECT CAST(attempts AS TEXT) FROM intake_attempts", &[]),
        ["2"]
    );
    assert_eq!(env.waiting(), 0);
}

#[test]
fn a_worker_killed_mid_message_is_replaced_and_the_next_message_read() {
    let env = Env::new(600);
    env.deliver("1.hang", &poison("hang"));
    env.deliver("2.valid", &valid_form());
    let daemon = Running(env.start());
    let worker = wait_for_worker(&daemon.0);
    std::thread::sleep(Duration::from_millis(300));
    signal(worker, libc::SIGKILL);

    let outcome = |id: &str| {
        env.query(
            "SELECT outcome FROM messages WHERE message_id = ? AND state = 'processed'",
            &[&format!("<{id}@example.gov.cn>")],
        )
    };
    wait_until("both messages finished", 120, || {
        !outcome("hang").is_empty() && !outcome("valid").is_empty()
    });
    // The killed worker's message is finished with a return, tried once, never again.
    assert_eq!(outcome("hang"), ["rejected"]);
    assert_eq!(outcome("valid"), ["accepted"]);
    let hang = "<hang@example.gov.cn>";
    assert_eq!(
        env.query(
            "SELECT CAST(a.attempts AS TEXT) FROM intake_attempts a
             JOIN messages m ON m.id = a.message_row WHERE m.message_id = ?",
            &[hang]
        ),
        ["1"]
    );
    let errors = env.query(
        "SELECT result_json FROM messages WHERE message_id = ?",
        &[hang],
    );
    assert!(errors[0].contains("邮件无法读取"), "{errors:?}");
    // The worker died before naming a file: the return names none (no empty 附件《》).
    assert!(!errors[0].contains("《》"), "{errors:?}");
    // A new worker read the valid form and stays for the next message.
    let now = children(daemon.0.id());
    assert!(gone(worker), "the killed worker is still there");
    assert!(
        now.iter().any(|pid| *pid != worker),
        "no replacement worker: {now:?}"
    );
    assert_eq!(env.waiting(), 0);
}

/// A batch is settled while it is read: the form read before a message that hangs the reader is
/// committed (receipt queued) while the reader is still on the hanging one, not held in an
/// open transaction until the reader gives up.
#[test]
fn a_form_read_before_a_hanging_message_is_committed_while_the_reader_hangs() {
    let env = Env::new(600);
    let form = craft::fixture("forms/f01-official-tiaodeng.xlsx");
    env.deliver("1.before", &mail("11月报表", "before", &form));
    env.deliver("2.hang", &poison("hang"));
    let daemon = Running(env.start());
    let worker = wait_for_worker(&daemon.0);
    let state = |id: &str| {
        env.query(
            "SELECT state FROM messages WHERE message_id = ?",
            &[&format!("<{id}@example.gov.cn>")],
        )
    };
    wait_until("the form before the hang is committed", 60, || {
        state("before") == ["processed"]
    });
    assert_eq!(
        state("hang"),
        ["received"],
        "the hanging one is still being read"
    );
    assert!(!gone(worker), "the worker is still on the hanging message");
    let receipts = env.query(
        "SELECT kind FROM outbox WHERE recipient = 'tiaodeng@example.gov.cn'",
        &[],
    );
    assert_eq!(receipts, ["receipt"], "the receipt was queued with it");
}
