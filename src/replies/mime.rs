//! Replies as whole RFC 5322 messages, ready for the outbox.
//!
//! Every reply is threaded to the unit's mail (In-Reply-To, References), marked
//! `Auto-Submitted` so vacation responders do not answer it, and carries a
//! Message-ID derived from the message it answers, so a resend after a crash is recognisable.
//! Attachment names are written twice: RFC 2231 (`filename*=`) for modern clients and an RFC 2047
//! `name=` on Content-Type for old Chinese clients that only read that.

use std::time::SystemTime;

use base64::Engine;
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::domain::echo::MAX_REFERENCES;
use crate::store::installation::MessageIdSecret;

#[derive(Debug, Error)]
pub enum MimeError {
    #[error("cannot address a reply to {address:?}: {reason}")]
    Address { address: String, reason: String },
    #[error("cannot build the reply: {0}")]
    Build(String),
}

/// A file attached to a reply.
#[derive(Debug, Clone, Copy)]
pub struct FileAttachment<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// Everything a reply needs.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub from_name: &'a str,
    pub from_address: &'a str,
    pub to_address: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The Message-ID of the mail answered, with angle brackets.
    pub in_reply_to: Option<&'a str>,
    /// The References of the mail answered; its own Message-ID is appended.
    pub references: &'a [String],
    pub message_id: &'a str,
    pub date: DateTime<Utc>,
    /// RFC 3834: `auto-replied` for replies, `auto-generated` for reminders.
    pub auto_submitted: &'static str,
    pub attachment: Option<FileAttachment<'a>>,
}

impl<'a> Outgoing<'a> {
    /// A notice the office starts (a reminder, a held-mail notice): from the office, answering
    /// nothing, `auto-generated`, no attachment unless one is set after.
    pub fn notice(
        office: &'a crate::config::Office,
        to_address: &'a str,
        subject: &'a str,
        body: &'a str,
        message_id: &'a str,
        date: DateTime<Utc>,
    ) -> Self {
        Self {
            from_name: &office.name,
            from_address: &office.address,
            to_address,
            subject,
            body,
            in_reply_to: None,
            references: &[],
            message_id,
            date,
            auto_submitted: "auto-generated",
            attachment: None,
        }
    }
}

/// `Auto-Submitted` (RFC 3834), so vacation responders and other robots leave our mail alone.
#[derive(Debug, Clone)]
struct AutoSubmitted(String);

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(value.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The reply's own Message-ID: the same for the same answered message and purpose, and
/// unpredictable without the installation's secret (SPEC §13), so a forged bounce cannot quote it.
pub fn reply_message_id(
    secret: &MessageIdSecret,
    message_key: &str,
    purpose: &str,
    office_address: &str,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(secret.as_bytes());
    hasher.update(format!("\n{message_key}\n{purpose}").as_bytes());
    let digest = hasher.finalize();
    let domain = office_address
        .rsplit_once('@')
        .map_or("reportdesk.invalid", |(_, d)| d);
    format!("<rd.{}.{purpose}@{domain}>", hex::encode(&digest[..12]))
}

fn mailbox(name: Option<&str>, address: &str) -> Result<Mailbox, MimeError> {
    let parsed = address
        .parse()
        .map_err(|e: lettre::address::AddressError| MimeError::Address {
            address: address.to_string(),
            reason: e.to_string(),
        })?;
    Ok(Mailbox::new(name.map(str::to_string), parsed))
}

/// Builds the whole message.
pub fn build(out: &Outgoing<'_>) -> Result<Vec<u8>, MimeError> {
    let mut builder = Message::builder()
        .from(mailbox(Some(out.from_name), out.from_address)?)
        .to(mailbox(None, out.to_address)?)
        .subject(out.subject)
        .message_id(Some(out.message_id.to_string()))
        .date(SystemTime::from(out.date))
        .header(AutoSubmitted(out.auto_submitted.to_string()));
    if let Some(parent) = out.in_reply_to {
        builder = builder.in_reply_to(parent.to_string());
        builder = builder.references(references_chain(out.references, parent).join(" "));
    }
    let text = SinglePart::plain(out.body.to_string());
    let message = match out.attachment {
        None => builder.singlepart(text),
        Some(file) => builder.multipart(
            MultiPart::mixed()
                .singlepart(text)
                .singlepart(attachment_part(file)?),
        ),
    };
    message
        .map(|m| m.formatted())
        .map_err(|e| MimeError::Build(e.to_string()))
}

/// The References of a reply: the answered mail's own, then its Message-ID, keeping the last
/// [`MAX_REFERENCES`] only (SPEC §13: a 6 MB References header is not copied back).
fn references_chain<'a>(references: &'a [String], parent: &'a str) -> Vec<&'a str> {
    let mut chain: Vec<&str> = references
        .iter()
        .map(String::as_str)
        .filter(|id| *id != parent)
        .collect();
    chain.push(parent);
    let extra = chain.len().saturating_sub(MAX_REFERENCES);
    chain.split_off(extra)
}

fn attachment_part(file: FileAttachment<'_>) -> Result<SinglePart, MimeError> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(file.name.as_bytes());
    let content_type = ContentType::parse(&format!(
        "{}; name=\"=?UTF-8?B?{encoded}?=\"",
        file.content_type
    ))
    .map_err(|e| MimeError::Build(e.to_string()))?;
    Ok(Attachment::new(file.name.to_string()).body(file.bytes.to_vec(), content_type))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MimeHeaders;

    fn outgoing<'a>(attachment: Option<FileAttachment<'a>>) -> Outgoing<'a> {
        Outgoing {
            from_name: "大渡口区安全生产委员会办公室",
            from_address: "office@example.gov.cn",
            to_address: "tiaodeng@example.gov.cn",
            subject: "Re: 跳磴镇11月报表（回执）",
            body: "跳磴镇：\n已登记。\n",
            in_reply_to: Some("<abc@qq.com>"),
            references: &[],
            message_id: "<rd.1.receipt@example.gov.cn>",
            date: "2026-11-12T02:30:00Z".parse().unwrap(),
            auto_submitted: "auto-replied",
            attachment,
        }
    }

    #[test]
    fn a_reply_is_threaded_and_marked_auto_replied() {
        let raw = build(&outgoing(None)).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert_eq!(parsed.subject(), Some("Re: 跳磴镇11月报表（回执）"));
        assert_eq!(parsed.in_reply_to().as_text(), Some("abc@qq.com"));
        assert_eq!(parsed.references().as_text(), Some("abc@qq.com"));
        assert_eq!(parsed.message_id(), Some("rd.1.receipt@example.gov.cn"));
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("Auto-Submitted: auto-replied"));
        assert_eq!(
            parsed
                .body_text(0)
                .unwrap()
                .replace("\r\n", "\n")
                .trim_end(),
            "跳磴镇：\n已登记。"
        );
    }

    #[test]
    fn an_attachment_name_is_readable_both_ways() {
        let file = FileAttachment {
            name: "月情况报表模板.xlsx",
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes: b"PK-not-really",
        };
        let raw = build(&outgoing(Some(file))).unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("name=\"=?UTF-8?B?"), "{text}");
        assert!(text.contains("filename*"), "{text}");
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let attachment = parsed.attachment(0).unwrap();
        assert_eq!(attachment.attachment_name(), Some("月情况报表模板.xlsx"));
        assert_eq!(attachment.contents(), b"PK-not-really");
    }

    #[test]
    fn references_keep_the_last_ten_ending_with_the_answered_mail() {
        let many: Vec<String> = (0..40).map(|i| format!("<r{i}@x>")).collect();
        let chain = references_chain(&many, "<abc@qq.com>");
        assert_eq!(chain.len(), MAX_REFERENCES);
        assert_eq!(chain[0], "<r31@x>");
        assert_eq!(chain[9], "<abc@qq.com>");
        let with_parent = vec!["<a@x>".to_string(), "<abc@qq.com>".to_string()];
        assert_eq!(
            references_chain(&with_parent, "<abc@qq.com>"),
            vec!["<a@x>", "<abc@qq.com>"]
        );
    }

    #[test]
    fn reply_ids_are_deterministic_per_message_and_purpose() {
        let ours = MessageIdSecret::fixed(7);
        let a = reply_message_id(&ours, "<x@qq.com>", "receipt", "office@example.gov.cn");
        assert_eq!(
            a,
            reply_message_id(&ours, "<x@qq.com>", "receipt", "office@example.gov.cn")
        );
        assert_ne!(
            a,
            reply_message_id(&ours, "<x@qq.com>", "return", "office@example.gov.cn")
        );
        let other_installation = MessageIdSecret::fixed(8);
        assert_ne!(
            a,
            reply_message_id(
                &other_installation,
                "<x@qq.com>",
                "receipt",
                "office@example.gov.cn"
            ),
            "without our secret nobody computes our IDs"
        );
        assert!(a.ends_with("@example.gov.cn>"));
    }
}
