//! The daemon against servers that are not the easy case: receipt time taken from INTERNALDATE
//! (IMAP APPEND with a date) at the office's midnight, and a Dovecot that offers neither MOVE nor
//! IDLE, where processed mail is copied and flagged \Seen and new mail is found by polling.

use std::time::Duration;

use reportdesk::domain::period::Period;

use crate::events::{assert_clean_stop, db_i64, wait_until};
use crate::harness::{MailStack, Options};
use crate::running::{
    Daemon, PLAIN_IDLE, UNITS, add_users, await_count, form_mail, form_mail_for, roster_path,
};
use crate::support::OFFICE;

/// Dovecot 2.3's CAPABILITY without IDLE and MOVE (nor the extensions the client never uses).
const NO_MOVE_NO_IDLE: &str = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT \
    THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED \
    I18NLEVEL=1 ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY LITERAL+ SPECIAL-USE";

/// Two forms whose INTERNALDATEs straddle midnight in Shanghai after the deadline day: 23:59:59
/// on the 20th is on time, 00:00:00 on the 21st (still the 20th in UTC) is late. The daemon's
/// clock (the 25th) and the Date headers (the 15th) would both say otherwise.
#[test]
fn the_internaldate_decides_lateness_at_midnight_in_shanghai() {
    let stack = MailStack::start();
    let (first, first_name) = UNITS[0];
    let (second, second_name) = UNITS[1];
    add_users(&stack, &[first, second]);
    let mut daemon = Daemon::configure(&stack, PLAIN_IDLE, &roster_path());
    let november = Period::new(2026, 11).expect("period");
    let dated = |raw: Vec<u8>| {
        let mut with_date = b"Date: Sun, 15 Nov 2026 10:00:00 +0800\r\n".to_vec();
        with_date.extend(raw);
        with_date
    };
    stack.append(
        OFFICE,
        "INBOX",
        &dated(form_mail_for(
            first,
            first_name,
            "on-time@town.example",
            1,
            november,
        )),
        "20-Nov-2026 23:59:59 +0800",
    );
    stack.append(
        OFFICE,
        "INBOX",
        &dated(form_mail_for(
            second,
            second_name,
            "late@town.example",
            2,
            november,
        )),
        "21-Nov-2026 00:00:00 +0800",
    );
    let now = "2026-11-25T10:00:00+08:00";
    daemon.start_with(&["--now", now]);
    for unit in [first, second] {
        await_count(&stack, &daemon, unit, "INBOX", 1, Duration::from_secs(30));
    }
    let out = daemon
        .command()
        .args(["--now", now, "status", "--month", "2026-11", "--json"])
        .output()
        .expect("status runs");
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    let of = |name: &str| {
        status["submitted"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["name"] == name))
            .unwrap_or_else(|| panic!("{name} in {status}"))
            .clone()
    };
    assert_eq!(
        of(first_name)["received_at"],
        "2026-11-20 23:59",
        "{status}"
    );
    assert_eq!(of(first_name)["late"], false, "{status}");
    assert_eq!(
        of(second_name)["received_at"],
        "2026-11-21 00:00",
        "{status}"
    );
    assert_eq!(of(second_name)["late"], true, "{status}");
    let (exit, took) = daemon.terminate();
    assert_clean_stop(&daemon, exit, took);
}

#[test]
fn without_move_the_daemon_copies_and_flags_seen_and_without_idle_it_polls() {
    let stack = MailStack::start_with(Options {
        imap_capability: Some(NO_MOVE_NO_IDLE.into()),
        rawlog: true,
    });
    let (first, first_name) = UNITS[0];
    let (second, second_name) = UNITS[1];
    add_users(&stack, &[first, second]);
    let mut daemon = Daemon::configure(&stack, PLAIN_IDLE, &roster_path());
    let check = daemon.command().arg("check-config").output().expect("runs");
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        text.contains("IDLE no") && text.contains("MOVE no"),
        "{text}"
    );
    daemon.start();
    stack.send(
        first,
        OFFICE,
        &form_mail(first, first_name, "copy-1@town.example", 1),
    );
    await_count(&stack, &daemon, first, "INBOX", 1, Duration::from_secs(30));
    // A second form after the daemon went back to waiting: found by polling (no IDLE offered).
    stack.send(
        second,
        OFFICE,
        &form_mail(second, second_name, "copy-2@town.example", 2),
    );
    await_count(&stack, &daemon, second, "INBOX", 1, Duration::from_secs(30));
    await_count(
        &stack,
        &daemon,
        OFFICE,
        "reportdesk/processed",
        2,
        Duration::from_secs(10),
    );
    // The marker: both UIDs recorded as done after their commit, so the copies left in the
    // INBOX are past the point where they could be taken in again.
    wait_until(
        &daemon,
        "both UIDs recorded",
        Duration::from_secs(30),
        || {
            db_i64(
                &daemon,
                "SELECT COALESCE(MAX(last_uid), 0) FROM imap_folders",
            ) >= 2
        },
    );
    let (exit, took) = daemon.terminate();
    assert_clean_stop(&daemon, exit, took);
    assert_eq!(db_i64(&daemon, "SELECT COUNT(*) FROM messages"), 2);
    assert_eq!(
        db_i64(&daemon, "SELECT COUNT(*) FROM outbox"),
        2,
        "one receipt each"
    );
    assert_eq!(stack.mailbox(first, "INBOX").len(), 1);
    assert_eq!(stack.mailbox(second, "INBOX").len(), 1);
    let flags = stack.flags(OFFICE, "INBOX");
    assert_eq!(flags.len(), 2, "nothing deleted from the INBOX: {flags:?}");
    assert!(flags.iter().all(|f| f.contains("\\Seen")), "{flags:?}");
    let commands = stack.imap_commands(OFFICE).to_uppercase();
    assert!(commands.contains("UID COPY"), "{commands}");
    assert!(commands.contains("+FLAGS.SILENT (\\SEEN)"), "{commands}");
    assert!(
        !commands.contains(" MOVE "),
        "MOVE was not offered: {commands}"
    );
    assert!(
        !commands.contains(" IDLE"),
        "IDLE was not offered: {commands}"
    );
    assert!(
        !commands.contains("EXPUNGE"),
        "nothing is deleted: {commands}"
    );
}
