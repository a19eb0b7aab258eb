//! One inbound message as the rest of reportdesk needs it: who sent it, what it says it is about,
//! how to thread a reply, whether to reply at all, and the files attached.
//!
//! [`parse_message`] never panics and always returns something: garbage gives an empty message.
//! Limits are enforced here: an oversized message is read for its headers only.

use mail_parser::{Addr, HeaderName, Message};
use sha2::{Digest, Sha256};

use crate::domain::echo::{MAX_KEPT_SUBJECT_CHARS, MAX_REFERENCES, cut_chars, printable_line};

use super::attachments::{Attachment, AttachmentProblem, ProblemKind};
use super::body::first_text_body;
use super::classify::{NoReplyReason, Signals, no_reply_reason};
use super::collect::collect;
use super::headers::Mailbox;
use super::headers::{
    bytes_to_text, decode_unstructured, is_raw_8bit, message_ids, raw_value, root_header, root_raw,
    unfold,
};
use super::limits::Limits;
use super::parse::{Parsed, parse_full, parse_headers};

/// An inbound message, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct InboundMessage {
    /// As written, with its angle brackets (`<…>`); `None` when absent.
    pub message_id: Option<String>,
    pub from: Option<Mailbox>,
    pub reply_to: Option<Mailbox>,
    /// The envelope sender; `Some("")` for `<>` (a bounce).
    pub return_path: Option<String>,
    /// Decoded, trimmed; raw 8-bit GBK recovered.
    pub subject: String,
    /// With angle brackets, like `message_id`.
    pub in_reply_to: Option<String>,
    /// With angle brackets, in header order.
    pub references: Vec<String>,
    /// The first text part, decoded (HTML-only mail turned into text).
    pub text_body: String,
    /// Set when this message must not be answered.
    pub no_reply: Option<NoReplyReason>,
    /// Every attached file, archives and forwarded messages unpacked.
    pub attachments: Vec<Attachment>,
    pub problems: Vec<AttachmentProblem>,
}

/// Parses raw message bytes. Never panics, whatever the bytes.
pub fn parse_message(raw: &[u8], limits: &Limits) -> InboundMessage {
    parse_message_with_password(raw, limits, None)
}

/// [`parse_message`], opening encrypted zips with the sender's archive password.
pub fn parse_message_with_password(
    raw: &[u8],
    limits: &Limits,
    password: Option<&[u8]>,
) -> InboundMessage {
    if raw.len() as u64 > limits.max_message_bytes {
        let limit = limits.max_message_bytes;
        let problem = AttachmentProblem::new("", ProblemKind::MessageTooLarge { limit });
        return headers_only(parse_headers(raw).as_ref(), problem);
    }
    match parse_full(raw) {
        Parsed::Message(message) => complete(&message, limits, password),
        Parsed::TooNested(headers) => {
            let limit = limits.max_depth;
            headers_only(
                headers.as_ref(),
                AttachmentProblem::new("", ProblemKind::TooDeep { limit }),
            )
        }
        Parsed::Broken(headers) => headers_only(
            headers.as_ref(),
            AttachmentProblem::new("", ProblemKind::Damaged),
        ),
        Parsed::Nothing => InboundMessage::default(),
    }
}

/// The top-level headers only, with `problem` as the one thing known about the attachments: for
/// a message nothing else of could be read (the reader gave up on it). Cheap and safe whatever
/// follows the headers.
pub fn parse_headers_only(raw: &[u8], problem: AttachmentProblem) -> InboundMessage {
    headers_only(parse_headers(raw).as_ref(), problem)
}

/// The key that makes processing idempotent (SPEC §6): the Message-ID together with the sender,
/// so a stranger who uses a unit's Message-ID first shadows nothing; a hash of the raw bytes when
/// there is no Message-ID. Migration 0008 rewrote older keys into this shape.
pub fn message_key(msg: &InboundMessage, raw: &[u8]) -> String {
    match &msg.message_id {
        Some(id) => {
            let sender = msg.from.as_ref().map_or("-", |m| m.address.as_str());
            format!("{id} {sender}")
        }
        None => format!("sha256:{}", hex::encode(Sha256::digest(raw))),
    }
}

/// The last [`MAX_REFERENCES`] identifiers: all a reply will echo (SPEC §13).
fn last_references(mut ids: Vec<String>) -> Vec<String> {
    let extra = ids.len().saturating_sub(MAX_REFERENCES);
    ids.drain(..extra);
    ids
}

fn complete(message: &Message<'_>, limits: &Limits, password: Option<&[u8]>) -> InboundMessage {
    let (attachments, problems) = collect(message, limits, password);
    let mut inbound = read_headers(message);
    inbound.text_body = first_text_body(message);
    inbound.no_reply = classify(message, &inbound, !attachments.is_empty());
    inbound.attachments = attachments;
    inbound.problems = problems;
    inbound
}

/// A message whose attachments were not read, for the reason `problem` gives.
fn headers_only(message: Option<&Message<'_>>, problem: AttachmentProblem) -> InboundMessage {
    let mut inbound = message.map(read_headers).unwrap_or_default();
    if let Some(message) = message {
        // Attachments are unknown: assume there are some, so a subject alone never silences it.
        inbound.no_reply = classify(message, &inbound, true);
    }
    inbound.problems.push(problem);
    inbound
}

fn classify(
    message: &Message<'_>,
    inbound: &InboundMessage,
    has_attachments: bool,
) -> Option<NoReplyReason> {
    let signals = Signals {
        from: inbound.from.as_ref(),
        return_path: inbound.return_path.as_deref(),
        subject: &inbound.subject,
        has_attachments,
    };
    no_reply_reason(message, &signals)
}

fn read_headers(message: &Message<'_>) -> InboundMessage {
    let ids = |name: &str| root_raw(message, name).map(message_ids).unwrap_or_default();
    InboundMessage {
        message_id: ids("Message-ID").into_iter().next(),
        from: mailbox(message, HeaderName::From),
        reply_to: mailbox(message, HeaderName::ReplyTo),
        return_path: root_raw(message, "Return-Path").map(return_path),
        subject: subject(message),
        in_reply_to: ids("In-Reply-To").into_iter().next(),
        references: last_references(ids("References")),
        ..InboundMessage::default()
    }
}

/// The subject, decoded, without control characters and cut to a bounded length (SPEC §13): it
/// is logged, shown to staff and echoed in the reply.
fn subject(message: &Message<'_>) -> String {
    let decoded = decoded_subject(message);
    cut_chars(&printable_line(&decoded), MAX_KEPT_SUBJECT_CHARS)
        .trim()
        .to_string()
}

fn decoded_subject(message: &Message<'_>) -> String {
    let Some(header) = root_header(message, "Subject") else {
        return String::new();
    };
    match raw_value(&message.raw_message, header) {
        Some(raw) if is_raw_8bit(raw) => decode_unstructured(raw),
        _ => header
            .value
            .as_text()
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// The first address of an address header; a raw 8-bit GBK display name is recovered by
/// re-parsing the header after decoding its bytes.
fn mailbox(message: &Message<'_>, name: HeaderName<'static>) -> Option<Mailbox> {
    let header = root_header(message, name.as_str())?;
    let raw = raw_value(&message.raw_message, header)?;
    if !is_raw_8bit(raw) {
        return to_mailbox(header.value.as_address()?.first()?);
    }
    let synthetic = format!("{}:{}\r\n\r\n", name.as_str(), bytes_to_text(raw));
    let reparsed = parse_headers(synthetic.as_bytes())?;
    let address = reparsed.header(name)?.as_address()?;
    to_mailbox(address.first()?)
}

fn to_mailbox(addr: &Addr<'_>) -> Option<Mailbox> {
    let address = printable_line(addr.address()?).trim().to_lowercase();
    if address.is_empty() {
        return None;
    }
    let name = addr
        .name()
        .map(printable_line)
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    Some(Mailbox { name, address })
}

/// `<a@b>` → `a@b`, `<>` → empty, a bare address as written.
fn return_path(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(&unfold(raw)).trim().to_string();
    match text.strip_prefix('<').and_then(|rest| rest.split_once('>')) {
        Some((inner, _)) => inner.trim().to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[u8]) -> InboundMessage {
        parse_message(raw, &Limits::default())
    }

    #[test]
    fn ids_keep_brackets_and_threading_headers_are_read() {
        let twice = parse(b"Subject: first\r\nSubject: second\r\n\r\n");
        assert_eq!(twice.subject, "first");
        let m = parse(
            b"Message-Id: <a@b>\r\nIn-Reply-To: <r@x>\r\nReferences: <p@x>\r\n <r@x>\r\n\r\nhi",
        );
        assert_eq!(m.message_id.as_deref(), Some("<a@b>"));
        assert_eq!(m.in_reply_to.as_deref(), Some("<r@x>"));
        assert_eq!(m.references, vec!["<p@x>", "<r@x>"]);
        assert_eq!(parse(b"Subject: x\r\n\r\nhi").message_id, None);
    }

    #[test]
    fn the_sender_is_lower_cased_and_its_gbk_name_recovered() {
        let mut raw = b"From: \"".to_vec();
        raw.extend(encoding_rs::GBK.encode("八桥镇安监办").0.iter());
        raw.extend_from_slice(b"\" <BQZ_AJB@163.Example>\r\nReply-To: <Office@X.cn>\r\n\r\n");
        let m = parse(&raw);
        let from = m.from.unwrap();
        assert_eq!(from.name.as_deref(), Some("八桥镇安监办"));
        assert_eq!(from.address, "bqz_ajb@163.example");
        assert_eq!(
            m.reply_to.unwrap(),
            Mailbox {
                name: None,
                address: "office@x.cn".into()
            }
        );
    }

    #[test]
    fn a_raw_gbk_subject_is_recovered_and_encoded_words_still_work() {
        let mut raw = b"Subject: ".to_vec();
        raw.extend(encoding_rs::GBK.encode("跳磴镇10月报表").0.iter());
        raw.extend_from_slice(b"\r\n\r\n");
        assert_eq!(parse(&raw).subject, "跳磴镇10月报表");
        let encoded = b"Subject: =?GBK?B?sMvHxdXyMTDUwtTCsaix7Q==?=\r\n\r\n";
        assert_eq!(parse(encoded).subject, "八桥镇10月月报表");
    }

    #[test]
    fn return_path_forms() {
        assert_eq!(
            parse(b"Return-Path: <>\r\n\r\n").return_path.as_deref(),
            Some("")
        );
        assert_eq!(
            parse(b"Return-Path: <a@b.c>\r\n\r\n")
                .return_path
                .as_deref(),
            Some("a@b.c")
        );
        assert_eq!(
            parse(b"Return-Path: a@b.c\r\n\r\n").return_path.as_deref(),
            Some("a@b.c")
        );
        assert_eq!(parse(b"Subject: x\r\n\r\n").return_path, None);
    }

    #[test]
    fn an_oversized_message_keeps_its_headers_but_no_attachments() {
        let limits = Limits {
            max_message_bytes: 100,
            ..Limits::default()
        };
        let mut raw =
            b"From: a@b.c\r\nSubject: big\r\nContent-Type: application/zip; name=a.zip\r\n\r\n"
                .to_vec();
        raw.extend_from_slice(&[b'A'; 200]);
        let m = parse_message(&raw, &limits);
        assert_eq!(m.subject, "big");
        assert_eq!(m.from.unwrap().address, "a@b.c");
        assert!(m.attachments.is_empty());
        assert_eq!(m.problems.len(), 1);
        assert_eq!(
            m.problems[0].kind,
            ProblemKind::MessageTooLarge { limit: 100 }
        );
    }

    #[test]
    fn the_key_is_the_message_id_with_the_sender_or_a_hash() {
        let raw = b"Message-ID: <k@x>\r\n\r\n";
        assert_eq!(message_key(&parse(raw), raw), "<k@x> -");
        let unit = b"From: TD@Example.gov.cn\r\nMessage-ID: <k@x>\r\n\r\n";
        let stranger = b"From: evil@example.com\r\nMessage-ID: <k@x>\r\n\r\n";
        assert_eq!(message_key(&parse(unit), unit), "<k@x> td@example.gov.cn");
        assert_ne!(
            message_key(&parse(unit), unit),
            message_key(&parse(stranger), stranger)
        );
        let raw = b"Subject: none\r\n\r\n";
        let key = message_key(&parse(raw), raw);
        assert!(key.starts_with("sha256:") && key.len() == 7 + 64, "{key}");
        assert_eq!(key, message_key(&parse(raw), raw));
    }

    #[test]
    fn subjects_and_references_are_bounded_and_printable() {
        let mut raw = b"From: a@b.c\r\nSubject: \x1b[2J".to_vec();
        raw.extend(std::iter::repeat_n(b'x', 5_000));
        raw.extend_from_slice(b"\r\nReferences:");
        for i in 0..50 {
            raw.extend_from_slice(format!(" <r{i}@x>").as_bytes());
        }
        raw.extend_from_slice(b"\r\n\r\nbody\r\n");
        let m = parse(&raw);
        assert!(m.subject.starts_with("[2Jxxx"), "{}", &m.subject[..10]);
        assert_eq!(m.subject.chars().count(), MAX_KEPT_SUBJECT_CHARS);
        assert_eq!(m.references.len(), MAX_REFERENCES);
        assert_eq!(m.references.last().map(String::as_str), Some("<r49@x>"));
    }

    #[test]
    fn nothing_at_all_gives_an_empty_message() {
        assert_eq!(parse(b""), InboundMessage::default());
        let _ = parse(b"\xff\xfe\x00garbage\r\n\r\n");
        let headers_only = parse(b"From: a@b.c\r\nSubject: only headers\r\n");
        assert_eq!(headers_only.subject, "only headers");
        assert!(headers_only.attachments.is_empty());
    }
}
