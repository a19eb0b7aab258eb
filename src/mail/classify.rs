//! Whether a message must not be answered: bounces, automatic replies, bulk and list mail.
//!
//! Answering those starts mail loops (our help text to a vacation responder, which answers again)
//! or spams list members. The checks follow RFC 3834 and what Chinese providers actually send:
//! NetEase and Foxmail vacation replies carry `X-Autoreply`, not `Auto-Submitted`. A subject such
//! as "自动回复:" alone is trusted only on a message with no attachment, so a unit's real form whose
//! subject happens to look automatic is still answered; "回复：" (a plain reply) never counts.

use std::fmt;

use mail_parser::{Message, MimeHeaders};

use super::headers::Mailbox;
use super::headers::root_text;

/// Why a message gets no reply.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NoReplyReason {
    /// `Auto-Submitted` other than `no` (the value), or an equivalent header or sign, described.
    AutoSubmitted(String),
    /// `Precedence: bulk | junk | list | auto_reply` (the value).
    Precedence(String),
    /// `List-Id`, `List-Unsubscribe` or `List-Post` present.
    MailingList,
    /// A delivery status notification: empty Return-Path, MAILER-DAEMON or postmaster, or a
    /// `multipart/report; report-type=delivery-status`.
    Bounce,
}

impl fmt::Display for NoReplyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AutoSubmitted(how) => write!(f, "automatically generated message ({how})"),
            Self::Precedence(value) => write!(f, "bulk mail (Precedence: {value})"),
            Self::MailingList => f.write_str("mailing-list message"),
            Self::Bounce => f.write_str("bounce or delivery status notification"),
        }
    }
}

/// What the checks need besides the raw headers.
pub(crate) struct Signals<'a> {
    pub from: Option<&'a Mailbox>,
    pub return_path: Option<&'a str>,
    pub subject: &'a str,
    pub has_attachments: bool,
}

/// The first reason, in order of certainty, not to answer `message`.
pub(crate) fn no_reply_reason(
    message: &Message<'_>,
    signals: &Signals<'_>,
) -> Option<NoReplyReason> {
    if is_bounce(message, signals) {
        return Some(NoReplyReason::Bounce);
    }
    auto_submitted(message)
        .or_else(|| precedence(message))
        .or_else(|| mailing_list(message))
        .or_else(|| other_report(message))
        .or_else(|| provider_autoreply(message))
        .or_else(|| autoreply_subject(signals))
}

fn is_bounce(message: &Message<'_>, signals: &Signals<'_>) -> bool {
    let empty_return_path = signals.return_path == Some("");
    let daemon = signals.from.is_some_and(|from| {
        let local = from.address.split('@').next().unwrap_or_default();
        local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster")
    });
    empty_return_path || daemon || report_type(message).as_deref() == Some("delivery-status")
}

/// The `report-type` of a top-level `multipart/report`, lower-cased.
fn report_type(message: &Message<'_>) -> Option<String> {
    let content_type = message.parts.first()?.content_type()?;
    let is_report = content_type.ctype().eq_ignore_ascii_case("multipart")
        && content_type
            .subtype()
            .is_some_and(|s| s.eq_ignore_ascii_case("report"));
    is_report.then(|| {
        content_type
            .attribute("report-type")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    })
}

/// The first token of a header value, lower-cased (`auto-replied; owner=x` → `auto-replied`).
fn header_token(message: &Message<'_>, name: &str) -> Option<String> {
    let text = root_text(message, name)?;
    let token = text
        .split([';', '('])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    (!token.is_empty()).then_some(token)
}

fn auto_submitted(message: &Message<'_>) -> Option<NoReplyReason> {
    ["Auto-Submitted", "Autosubmitted"]
        .iter()
        .filter_map(|name| header_token(message, name))
        .find(|value| value != "no")
        .map(NoReplyReason::AutoSubmitted)
}

fn precedence(message: &Message<'_>) -> Option<NoReplyReason> {
    header_token(message, "Precedence")
        .filter(|value| ["bulk", "junk", "list", "auto_reply"].contains(&value.as_str()))
        .map(NoReplyReason::Precedence)
}

fn mailing_list(message: &Message<'_>) -> Option<NoReplyReason> {
    let present = |name: &str| {
        message.parts.first().is_some_and(|root| {
            root.headers
                .iter()
                .any(|h| h.name().eq_ignore_ascii_case(name))
        })
    };
    ["List-Id", "List-Unsubscribe", "List-Post"]
        .iter()
        .any(|name| present(name))
        .then_some(NoReplyReason::MailingList)
}

/// Read receipts and other machine reports (a delivery report is a bounce, checked before).
fn other_report(message: &Message<'_>) -> Option<NoReplyReason> {
    report_type(message)
        .map(|kind| NoReplyReason::AutoSubmitted(format!("multipart/report; report-type={kind}")))
}

/// Vacation replies of Chinese providers and others that do not write `Auto-Submitted`.
fn provider_autoreply(message: &Message<'_>) -> Option<NoReplyReason> {
    [
        "X-Autoreply",
        "X-Autorespond",
        "X-Autoreply-From",
        "X-Autogenerated",
    ]
    .iter()
    .find_map(|name| {
        let value = header_token(message, name)?;
        let negative = ["no", "false", "0"].contains(&value.as_str());
        (!negative).then(|| NoReplyReason::AutoSubmitted(format!("{name}: {value}")))
    })
}

/// Subjects that announce an automatic reply, at the very start.
const AUTOREPLY_PREFIXES: [&str; 9] = [
    "自动回复",
    "自動回覆",
    "自动答复",
    "假期自动回复",
    "auto reply",
    "auto-reply",
    "autoreply",
    "automatic reply",
    "out of office",
];

fn autoreply_subject(signals: &Signals<'_>) -> Option<NoReplyReason> {
    if signals.has_attachments {
        return None;
    }
    let subject = signals.subject.trim_start().to_lowercase();
    AUTOREPLY_PREFIXES
        .iter()
        .find(|prefix| subject.starts_with(*prefix))
        .map(|prefix| NoReplyReason::AutoSubmitted(format!("subject starts with \"{prefix}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{Limits, parse_message};

    fn reason(raw: &str) -> Option<NoReplyReason> {
        parse_message(raw.as_bytes(), &Limits::default()).no_reply
    }

    const PLAIN: &str =
        "From: <unit@x.cn>\r\nReturn-Path: <unit@x.cn>\r\nSubject: 回复：跳磴镇报表\r\n\r\n";

    #[test]
    fn an_ordinary_reply_is_answered() {
        assert_eq!(reason(PLAIN), None);
        assert_eq!(reason(&format!("Auto-Submitted: no\r\n{PLAIN}")), None);
        assert_eq!(reason(&format!("X-Autoreply: no\r\n{PLAIN}")), None);
        assert_eq!(reason(&format!("Precedence: normal\r\n{PLAIN}")), None);
    }

    #[test]
    fn auto_submitted_other_than_no() {
        let raw = format!("Auto-Submitted: Auto-Replied; owner=x\r\n{PLAIN}");
        assert_eq!(
            reason(&raw),
            Some(NoReplyReason::AutoSubmitted("auto-replied".into()))
        );
        let raw = format!("Auto-Submitted: auto-generated\r\n{PLAIN}");
        assert_eq!(
            reason(&raw),
            Some(NoReplyReason::AutoSubmitted("auto-generated".into()))
        );
    }

    #[test]
    fn precedence_bulk_junk_list() {
        for value in ["bulk", "junk", "list", "Bulk"] {
            let raw = format!("Precedence: {value}\r\n{PLAIN}");
            assert_eq!(
                reason(&raw),
                Some(NoReplyReason::Precedence(value.to_lowercase()))
            );
        }
    }

    #[test]
    fn list_headers() {
        for header in [
            "List-Id: <safety.x.cn>",
            "List-Unsubscribe: <mailto:u@x.cn>",
            "List-Post: NO",
        ] {
            assert_eq!(
                reason(&format!("{header}\r\n{PLAIN}")),
                Some(NoReplyReason::MailingList),
                "{header}"
            );
        }
    }

    #[test]
    fn bounces() {
        let empty = "Return-Path: <>\r\nFrom: <unit@x.cn>\r\n\r\n";
        assert_eq!(reason(empty), Some(NoReplyReason::Bounce));
        assert_eq!(
            reason("From: MAILER-DAEMON@qq.com (Mail Delivery System)\r\n\r\n"),
            Some(NoReplyReason::Bounce)
        );
        assert_eq!(
            reason("From: <Postmaster@163.com>\r\n\r\n"),
            Some(NoReplyReason::Bounce)
        );
        let dsn = "From: <mta@x.cn>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b--\r\n";
        assert_eq!(reason(dsn), Some(NoReplyReason::Bounce));
        let mdn = "From: <unit@x.cn>\r\nContent-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n--b--\r\n";
        assert!(matches!(reason(mdn), Some(NoReplyReason::AutoSubmitted(_))));
    }

    #[test]
    fn chinese_providers_vacation_headers() {
        let raw = format!("X-Autoreply: yes\r\n{PLAIN}");
        assert_eq!(
            reason(&raw),
            Some(NoReplyReason::AutoSubmitted("X-Autoreply: yes".into()))
        );
        assert!(reason(&format!("X-Autorespond: 1\r\n{PLAIN}")).is_some());
    }

    #[test]
    fn an_autoreply_subject_counts_only_without_attachments() {
        let bare = "From: <unit@x.cn>\r\nSubject: 自动回复: 关于报送11月报表的提醒\r\n\r\n我休假了";
        assert!(matches!(
            reason(bare),
            Some(NoReplyReason::AutoSubmitted(_))
        ));
        assert!(reason("From: <u@x.cn>\r\nSubject: Out of Office: report\r\n\r\nx").is_some());
        let with_form = "From: <unit@x.cn>\r\nSubject: 自动回复\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream; name=\"a.xlsx\"\r\n\r\nxx\r\n--b--\r\n";
        assert_eq!(reason(with_form), None);
        assert_eq!(
            reason("From: <unit@x.cn>\r\nSubject: 关于自动回复的问题\r\n\r\nx"),
            None
        );
    }

    #[test]
    fn display_is_english() {
        assert_eq!(
            NoReplyReason::Bounce.to_string(),
            "bounce or delivery status notification"
        );
        assert_eq!(
            NoReplyReason::Precedence("bulk".into()).to_string(),
            "bulk mail (Precedence: bulk)"
        );
        assert!(
            NoReplyReason::AutoSubmitted("auto-replied".into())
                .to_string()
                .contains("auto-replied")
        );
        assert_eq!(
            NoReplyReason::MailingList.to_string(),
            "mailing-list message"
        );
    }
}
