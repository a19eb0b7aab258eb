//! Small helpers shared by the live tests: sample messages and timing output.

use std::time::Duration;

/// A plain-text message with a unique subject.
pub fn message(from: &str, to: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@harness.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n本月报表见附件。\r\n.leading dot line\r\n"
    )
    .into_bytes()
}

/// True if one of the raw messages carries this subject.
pub fn has_subject(messages: &[Vec<u8>], subject: &str) -> bool {
    let needle = format!("Subject: {subject}\r\n");
    messages
        .iter()
        .any(|m| String::from_utf8_lossy(m).contains(&needle))
}

/// Prints a figure for the report (visible with `--nocapture`).
pub fn report(what: &str, took: Duration) {
    println!("TIMING {what}: {:.1} ms", took.as_secs_f64() * 1000.0);
}

pub const OFFICE: &str = "office@example.gov.cn";
pub const UNIT: &str = "anjian@town.example.gov.cn";
/// ASCII: Python's smtplib encodes AUTH credentials as ASCII (like most mail auth codes).
pub const PASSWORD: &str = "s3cret-pw";
