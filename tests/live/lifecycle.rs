//! The stack's own lifecycle: restart Dovecot, stop/start SMTP, folders, backlogs, two stacks.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::harness::MailStack;
use crate::support::{OFFICE, PASSWORD, UNIT, has_subject, message, report};

#[test]
fn restart_dovecot_keeps_mail_and_ports() {
    let stack = MailStack::start();
    stack.add_user(OFFICE, PASSWORD);
    stack.add_user(UNIT, PASSWORD);
    stack.inject(OFFICE, &message(UNIT, OFFICE, "before-restart"));
    let ports = (stack.imap_port(), stack.imaps_port());
    let restarted = Instant::now();
    stack.restart_dovecot();
    report("restart_dovecot", restarted.elapsed());
    assert_eq!((stack.imap_port(), stack.imaps_port()), ports);
    TcpStream::connect(("127.0.0.1", ports.0)).unwrap();
    stack.send(UNIT, OFFICE, &message(UNIT, OFFICE, "after-restart"));
    let inbox = stack.wait_for(OFFICE, "INBOX", 2, Duration::from_secs(10));
    assert!(has_subject(&inbox, "before-restart") && has_subject(&inbox, "after-restart"));
}

#[test]
fn while_dovecot_is_down_imap_is_refused_and_smtp_answers_451() {
    let stack = MailStack::start();
    stack.add_user(OFFICE, PASSWORD);
    stack.add_user(UNIT, PASSWORD);
    stack.stop_dovecot();
    assert!(TcpStream::connect(("127.0.0.1", stack.imap_port())).is_err());
    assert!(TcpStream::connect(("127.0.0.1", stack.imaps_port())).is_err());
    let err = stack
        .try_send(UNIT, OFFICE, &message(UNIT, OFFICE, "while-down"))
        .unwrap_err();
    assert_eq!(err.code(), Some(451), "{err}");
    stack.start_dovecot();
    stack.send(UNIT, OFFICE, &message(UNIT, OFFICE, "after-start"));
    let inbox = stack.wait_for(OFFICE, "INBOX", 1, Duration::from_secs(10));
    assert!(has_subject(&inbox, "after-start") && !has_subject(&inbox, "while-down"));
}

#[test]
fn stopped_smtp_refuses_connections_until_started_again() {
    let stack = MailStack::start();
    stack.add_user(OFFICE, PASSWORD);
    stack.add_user(UNIT, PASSWORD);
    let ports = (stack.smtp_port(), stack.smtps_port());
    stack.stop_smtp();
    assert!(TcpStream::connect(("127.0.0.1", ports.0)).is_err());
    assert!(TcpStream::connect(("127.0.0.1", ports.1)).is_err());
    let err = stack
        .try_send(UNIT, OFFICE, &message(UNIT, OFFICE, "while-down"))
        .unwrap_err();
    assert_eq!(err.code(), None, "{err}");
    stack.start_smtp();
    assert_eq!((stack.smtp_port(), stack.smtps_port()), ports);
    stack.send(UNIT, OFFICE, &message(UNIT, OFFICE, "after-start"));
    let inbox = stack.wait_for(OFFICE, "INBOX", 1, Duration::from_secs(10));
    assert!(has_subject(&inbox, "after-start"));
}

#[test]
fn injected_backlog_comes_back_in_order_and_folders_are_listed() {
    let stack = MailStack::start();
    stack.add_user(OFFICE, PASSWORD);
    let injected = Instant::now();
    for n in 0..20 {
        stack.inject(OFFICE, &message(UNIT, OFFICE, &format!("backlog-{n:02}")));
    }
    report("inject 20 messages", injected.elapsed());
    let inbox = stack.mailbox(OFFICE, "INBOX");
    assert_eq!(inbox.len(), 20);
    for (n, raw) in inbox.iter().enumerate() {
        assert!(has_subject(
            std::slice::from_ref(raw),
            &format!("backlog-{n:02}")
        ));
    }
    stack.create_folder(OFFICE, "已处理");
    let folders = stack.folders(OFFICE);
    assert!(folders.contains(&"INBOX".to_string()), "{folders:?}");
    assert!(folders.contains(&"已处理".to_string()), "{folders:?}");
    assert!(stack.mailbox(OFFICE, "已处理").is_empty());
}

#[test]
fn two_stacks_side_by_side_are_independent() {
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(MailStack::start);
        let b = s.spawn(MailStack::start);
        (a.join().unwrap(), b.join().unwrap())
    });
    let ports_a = [a.imap_port(), a.imaps_port(), a.smtp_port(), a.smtps_port()];
    let ports_b = [b.imap_port(), b.imaps_port(), b.smtp_port(), b.smtps_port()];
    assert!(ports_a.iter().all(|p| !ports_b.contains(p)));
    for stack in [&a, &b] {
        stack.add_user(OFFICE, PASSWORD);
        stack.add_user(UNIT, PASSWORD);
    }
    a.send(UNIT, OFFICE, &message(UNIT, OFFICE, "to-a"));
    b.send(UNIT, OFFICE, &message(UNIT, OFFICE, "to-b"));
    let inbox_a = a.wait_for(OFFICE, "INBOX", 1, Duration::from_secs(10));
    let inbox_b = b.wait_for(OFFICE, "INBOX", 1, Duration::from_secs(10));
    assert!(has_subject(&inbox_a, "to-a") && !has_subject(&inbox_a, "to-b"));
    assert!(has_subject(&inbox_b, "to-b") && !has_subject(&inbox_b, "to-a"));
    let dir = a.dir().to_path_buf();
    drop(a);
    assert!(!dir.exists(), "the temp dir must be removed on drop");
    b.send(UNIT, OFFICE, &message(UNIT, OFFICE, "b-still-up"));
    b.wait_for(OFFICE, "INBOX", 2, Duration::from_secs(10));
}
