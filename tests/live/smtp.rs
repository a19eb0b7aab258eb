//! SMTP through the stack: plaintext with AUTH PLAIN or LOGIN, STARTTLS and implicit TLS
//! (Python's smtplib trusting the test CA), refused logins and the 550 of `reject_recipient`.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::MailStack;
use crate::support::{OFFICE, PASSWORD, UNIT, has_subject, message, report};

/// Sends with smtplib: `mode` is `plain` (AUTH PLAIN), `login` (AUTH LOGIN), `starttls`,
/// `implicit` or `noauth`. TLS verifies the server certificate against `ca` for the host name
/// 127.0.0.1. Err holds smtplib's complaint.
const PY_SEND: &str = r#"
import smtplib, ssl, sys
mode, port, ca, user, password, to = sys.argv[1:7]
raw = sys.stdin.buffer.read()
ctx = ssl.create_default_context(cafile=ca)
try:
    if mode == "implicit":
        s = smtplib.SMTP_SSL("127.0.0.1", int(port), context=ctx, timeout=30)
    else:
        s = smtplib.SMTP("127.0.0.1", int(port), timeout=30)
        if mode == "starttls":
            s.starttls(context=ctx)
    if mode == "login":
        s.ehlo()
        s.user, s.password = user, password
        s.auth("LOGIN", s.auth_login, initial_response_ok=False)
    elif mode != "noauth":
        s.login(user, password)
    s.sendmail(user, [to], raw)
    s.quit()
except smtplib.SMTPRecipientsRefused as e:
    code, text = list(e.recipients.values())[0]
    print(code, text.decode(errors="replace")); sys.exit(1)
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode(errors="replace")); sys.exit(1)
"#;

pub fn python_send(
    stack: &MailStack,
    mode: &str,
    password: &str,
    raw: &[u8],
) -> Result<(), String> {
    let port = match mode {
        "implicit" => stack.smtps_port(),
        _ => stack.smtp_port(),
    };
    let ca = stack.ca_file().display().to_string();
    let mut child = Command::new(crate::harness::python())
        .args([
            "-c",
            PY_SEND,
            mode,
            &port.to_string(),
            &ca,
            UNIT,
            password,
            OFFICE,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

fn stack_with_users() -> MailStack {
    let stack = MailStack::start();
    stack.add_user(OFFICE, PASSWORD);
    stack.add_user(UNIT, PASSWORD);
    stack
}

#[test]
fn plain_smtp_with_auth_delivers_to_the_inbox() {
    let started = Instant::now();
    let stack = stack_with_users();
    report("MailStack::start + 2 users", started.elapsed());
    let sent = Instant::now();
    stack.send(UNIT, OFFICE, &message(UNIT, OFFICE, "plain-1"));
    let inbox = stack.wait_for(OFFICE, "INBOX", 1, Duration::from_secs(10));
    report("SMTP submit until in the Maildir", sent.elapsed());
    assert!(has_subject(&inbox, "plain-1"));
    let text = String::from_utf8_lossy(&inbox[0]);
    assert!(
        text.contains("\r\n.leading dot line\r\n"),
        "dot-stuffing undone: {text}"
    );
    assert!(
        text.contains(&format!("Delivered-To: {OFFICE}")),
        "LMTP headers: {text}"
    );
}

#[test]
fn starttls_implicit_tls_and_auth_login_deliver() {
    let stack = stack_with_users();
    for mode in ["starttls", "implicit", "plain", "login"] {
        let subject = format!("{mode}-1");
        python_send(&stack, mode, PASSWORD, &message(UNIT, OFFICE, &subject))
            .unwrap_or_else(|e| panic!("{mode}: {e}\n{}", stack.logs()));
    }
    let inbox = stack.wait_for(OFFICE, "INBOX", 4, Duration::from_secs(10));
    for mode in ["starttls", "implicit", "plain", "login"] {
        assert!(has_subject(&inbox, &format!("{mode}-1")), "{mode} missing");
    }
}

#[test]
fn wrong_password_and_missing_auth_are_refused() {
    let stack = stack_with_users();
    let raw = message(UNIT, OFFICE, "refused");
    let wrong = python_send(&stack, "plain", "not-the-password", &raw).unwrap_err();
    assert!(wrong.starts_with("535"), "{wrong}");
    let anonymous = python_send(&stack, "noauth", "", &raw).unwrap_err();
    assert!(anonymous.starts_with("530"), "{anonymous}");
    // The marker: a good submission after the refused ones goes the same way (SMTP, LMTP); once
    // it is in, the refused ones would be too.
    stack.send(UNIT, OFFICE, &message(UNIT, OFFICE, "accepted-after"));
    let inbox = stack.wait_for(OFFICE, "INBOX", 1, Duration::from_secs(10));
    assert_eq!(inbox.len(), 1);
    assert!(has_subject(&inbox, "accepted-after") && !has_subject(&inbox, "refused"));
}

#[test]
fn rejected_recipient_gets_a_permanent_550() {
    let stack = stack_with_users();
    stack.reject_recipient(OFFICE);
    let err = stack
        .try_send(UNIT, OFFICE, &message(UNIT, OFFICE, "bounced"))
        .unwrap_err();
    assert_eq!(err.code(), Some(550), "{err}");
    // Other recipients still get mail.
    stack.send(OFFICE, UNIT, &message(OFFICE, UNIT, "receipt-1"));
    stack.wait_for(UNIT, "INBOX", 1, Duration::from_secs(10));
}

#[test]
fn mail_to_an_address_without_mailbox_is_accepted_and_dropped() {
    let stack = stack_with_users();
    stack.send(
        UNIT,
        "someone@elsewhere.example",
        &message(UNIT, OFFICE, "away"),
    );
    stack.send(UNIT, OFFICE, &message(UNIT, OFFICE, "here"));
    let inbox = stack.wait_for(OFFICE, "INBOX", 1, Duration::from_secs(10));
    assert_eq!(inbox.len(), 1);
    assert!(has_subject(&inbox, "here"));
}
