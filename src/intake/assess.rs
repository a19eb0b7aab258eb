//! Whom a message is from and so how it is handled: the pure half of intake.
//!
//! What its attachments hold is read by the reader process ([`crate::worker::reading`], under
//! its deadline and memory limit); [`verdict`] then decides, from the parsed message and the
//! roster, whether it may be answered at all and whether it is a unit's. It touches no database
//! and no clock: versions, receipt numbers and the reply are settled afterwards, in one
//! transaction.

use crate::domain::period::Period;
use crate::domain::unit::{Roster, Unit};
use crate::mail::{InboundMessage, Limits};
use crate::worker::reading::SenderNames;
pub use crate::worker::reading::{
    CaseReadingOf, MonthlyReadingOf, ReadSettings, Reading, never_answered, read_attachments,
};
use crate::worker::{Job, Purpose};

/// What intake needs to know besides the message.
#[derive(Debug, Clone, Copy)]
pub struct AssessContext<'a> {
    pub roster: &'a Roster,
    pub office_address: &'a str,
    /// The period open at the server's receipt time.
    pub open_period: Period,
    pub plausibility_bound: u64,
    pub max_uncompressed_bytes: u64,
}

impl AssessContext<'_> {
    /// What the reader needs of this context.
    pub fn read_settings(&self) -> ReadSettings {
        ReadSettings {
            open_period: self.open_period,
            plausibility_bound: self.plausibility_bound,
            max_uncompressed_bytes: self.max_uncompressed_bytes,
        }
    }

    /// The reader's job for `raw`, from `sender` (its From address as the headers give it):
    /// the whole of open + read, with the names of the sender's unit in this context's roster.
    pub fn job(
        &self,
        raw: &[u8],
        sender: Option<&str>,
        limits: &Limits,
        password: Option<&[u8]>,
    ) -> Job {
        let senders = SenderNames::of_sender(self.roster, sender);
        let purpose = Purpose {
            office_address: self.office_address,
            settings: self.read_settings(),
            senders: &senders,
        };
        Job::new(raw, limits, password, purpose)
    }
}

/// Who sent the message, and so how it is handled.
#[derive(Debug)]
pub enum Verdict<'r> {
    /// Never answered: auto-replies, bounces, bulk and list mail, our own mail.
    NoReply { reason: String },
    /// From an address not in the roster: kept and shown to staff, never answered with data.
    UnknownSender { reading: Reading },
    /// From a registered unit.
    Unit { unit: &'r Unit, reading: Reading },
}

/// The verdict on `message`, whose attachments were read (by the reader process) into
/// `reading` for the unit `roster` gives its sender; a message never answered drops it.
pub fn verdict<'r>(
    message: &InboundMessage,
    reading: Reading,
    roster: &'r Roster,
    office_address: &str,
) -> Verdict<'r> {
    if let Some(reason) = never_answered(message, office_address) {
        return Verdict::NoReply { reason };
    }
    let unit = message
        .from
        .as_ref()
        .and_then(|m| roster.by_address(&m.address));
    match unit {
        Some(unit) => Verdict::Unit { unit, reading },
        None => Verdict::UnknownSender { reading },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::unit::tiaodeng_roster;
    use crate::forms::template::november_form_of;
    use crate::mail::{Attachment, AttachmentKind, Mailbox, NoReplyReason};

    fn form() -> Vec<u8> {
        november_form_of("跳磴镇")
    }

    fn case_docx() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/cases/c02-four-part-table-bachiao.docx"
        ))
        .unwrap()
    }

    fn from(address: &str, attachments: Vec<Attachment>) -> InboundMessage {
        InboundMessage {
            from: Some(Mailbox {
                name: None,
                address: address.into(),
            }),
            attachments,
            ..InboundMessage::default()
        }
    }

    fn attachment(name: &str, kind: AttachmentKind, bytes: Vec<u8>) -> Attachment {
        Attachment {
            name: name.into(),
            kind,
            bytes,
        }
    }

    /// Decides who sent `message` and reads its forms in this process: what the worker and
    /// [`verdict`] do together.
    fn assess<'r>(message: &InboundMessage, ctx: &AssessContext<'r>) -> Verdict<'r> {
        let reading = match never_answered(message, ctx.office_address) {
            Some(_) => Reading::default(),
            None => {
                let unit = message
                    .from
                    .as_ref()
                    .and_then(|m| ctx.roster.by_address(&m.address));
                let names = unit.map(|u| u.names());
                read_attachments(message, &ctx.read_settings(), names.as_deref(), |_| {})
            }
        };
        verdict(message, reading, ctx.roster, ctx.office_address)
    }

    fn verdict_of(message: &InboundMessage, roster: &Roster) -> String {
        let ctx = AssessContext {
            roster,
            office_address: "office@example.gov.cn",
            open_period: Period::new(2026, 11).unwrap(),
            plausibility_bound: 100_000,
            max_uncompressed_bytes: 1 << 20,
        };
        match assess(message, &ctx) {
            Verdict::NoReply { reason } => format!("no reply: {reason}"),
            Verdict::UnknownSender { reading } => {
                format!("unknown: {} monthly", reading.monthly.len())
            }
            Verdict::Unit { unit, reading } => format!(
                "{}: {} monthly ok, {} cases, {} errors, {} others, {} photos",
                unit.code,
                reading.monthly.iter().filter(|m| m.form.is_ok()).count(),
                reading.cases.len(),
                reading.errors.len(),
                reading.other_attachments.len(),
                reading.photos.len()
            ),
        }
    }

    #[test]
    fn a_registered_unit_s_forms_are_read() {
        let roster = tiaodeng_roster();
        let message = from(
            "td@example.gov.cn",
            vec![
                attachment("报表.xlsx", AttachmentKind::Spreadsheet, form()),
                attachment("照片.jpg", AttachmentKind::Image, vec![0xFF, 0xD8]),
                attachment("案例.docx", AttachmentKind::Docx, case_docx()),
                attachment("坏.docx", AttachmentKind::Docx, vec![]),
                attachment("坏.xlsx", AttachmentKind::Spreadsheet, b"oops".to_vec()),
                attachment("说明.pdf", AttachmentKind::Other, b"%PDF".to_vec()),
            ],
        );
        assert_eq!(
            verdict_of(&message, &roster),
            "tiaodeng: 1 monthly ok, 1 cases, 2 errors, 1 others, 1 photos"
        );
    }

    #[test]
    fn mail_never_answered_is_not_read_even_with_a_form() {
        let roster = tiaodeng_roster();
        let mut bounce = from(
            "td@example.gov.cn",
            vec![attachment("模板.xlsx", AttachmentKind::Spreadsheet, form())],
        );
        bounce.no_reply = Some(NoReplyReason::Bounce);
        assert!(verdict_of(&bounce, &roster).starts_with("no reply"));
        let ours = from("Office@Example.gov.cn", vec![]);
        assert_eq!(
            verdict_of(&ours, &roster),
            "no reply: sent from the office's own address"
        );
        let anonymous = InboundMessage::default();
        assert_eq!(
            verdict_of(&anonymous, &roster),
            "no reply: no sender address"
        );
    }

    #[test]
    fn an_unknown_sender_s_form_is_read_but_not_as_a_unit_s() {
        let roster = tiaodeng_roster();
        let message = from(
            "someone@qq.example",
            vec![attachment("报表.xlsx", AttachmentKind::Spreadsheet, form())],
        );
        assert_eq!(verdict_of(&message, &roster), "unknown: 1 monthly");
    }
}
