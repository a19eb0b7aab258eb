//! What a message is and what its attachments hold: the pure half of intake.
//!
//! Given a parsed message and the roster, this decides whom the message is from, whether it may be
//! answered at all, and reads every spreadsheet it carries. It touches no database and no clock:
//! versions, receipt numbers and the reply are settled afterwards, in one transaction.

use crate::domain::period::Period;
use crate::domain::unit::{Roster, Unit};
use crate::forms::monthly::{MonthlyForm, ReadContext, read_monthly};
use crate::forms::{FormKind, Problem, Warning, detect_kind, open_workbook};
use crate::mail::{AttachmentKind, InboundMessage};

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

/// Everything found in the attachments.
#[derive(Debug, Default)]
pub struct Reading {
    pub monthly: Vec<MonthlyReadingOf>,
    /// Typical-case forms (附件2) found; they are held for staff until case intake exists.
    pub cases: Vec<String>,
    /// Problems not tied to one form: an unreadable file, a limit exceeded, a workbook with no form.
    pub errors: Vec<MessageError>,
    /// Attachments that are not forms at all (pictures, PDFs): noted, not an error.
    pub other_attachments: Vec<String>,
}

impl Reading {
    /// Whether the unit sent anything that looks like an attempt to submit a form.
    pub fn has_forms_or_errors(&self) -> bool {
        !self.monthly.is_empty() || !self.errors.is_empty() || !self.cases.is_empty()
    }
}

/// One monthly form read from one attachment.
#[derive(Debug)]
pub struct MonthlyReadingOf {
    pub attachment: String,
    pub form: Result<MonthlyForm, Vec<Problem>>,
    pub warnings: Vec<Warning>,
}

/// A problem with the message rather than with one form's cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageError {
    /// `attachment`, `sender`, …: the `field` of the ingest output.
    pub field: &'static str,
    pub attachment: Option<String>,
    /// Plain Chinese, saying what to do.
    pub message: String,
}

/// Decides who sent `message` and reads its forms.
pub fn assess<'r>(message: &InboundMessage, ctx: &AssessContext<'r>) -> Verdict<'r> {
    let sender = message.from.as_ref().map(|m| m.address.as_str());
    if sender.is_some_and(|s| s.eq_ignore_ascii_case(ctx.office_address)) {
        return Verdict::NoReply {
            reason: "sent from the office's own address".into(),
        };
    }
    if let Some(reason) = &message.no_reply {
        return Verdict::NoReply {
            reason: reason.to_string(),
        };
    }
    let Some(sender) = sender else {
        return Verdict::NoReply {
            reason: "no sender address".into(),
        };
    };
    match ctx.roster.by_address(sender) {
        Some(unit) => {
            let names = unit.names();
            let reading = read_attachments(message, ctx, Some(&names));
            Verdict::Unit { unit, reading }
        }
        None => Verdict::UnknownSender {
            reading: read_attachments(message, ctx, None),
        },
    }
}

fn read_attachments(
    message: &InboundMessage,
    ctx: &AssessContext<'_>,
    unit_names: Option<&[String]>,
) -> Reading {
    let mut reading = Reading::default();
    for problem in &message.problems {
        reading.errors.push(MessageError {
            field: "attachment",
            attachment: Some(problem.name.clone()),
            message: problem.message.clone(),
        });
    }
    let read_ctx = ReadContext {
        open_period: ctx.open_period,
        subject: &message.subject,
        unit_names,
        plausibility_bound: ctx.plausibility_bound,
    };
    for attachment in &message.attachments {
        match attachment.kind {
            AttachmentKind::Spreadsheet => read_spreadsheet(
                &attachment.name,
                &attachment.bytes,
                ctx,
                &read_ctx,
                &mut reading,
            ),
            AttachmentKind::Docx => reading.cases.push(attachment.name.clone()),
            _ => reading.other_attachments.push(attachment.name.clone()),
        }
    }
    reading
}

fn read_spreadsheet(
    name: &str,
    bytes: &[u8],
    ctx: &AssessContext<'_>,
    read_ctx: &ReadContext<'_>,
    reading: &mut Reading,
) {
    let workbook = match open_workbook(bytes, ctx.max_uncompressed_bytes) {
        Ok(workbook) => workbook,
        Err(error) => {
            reading.errors.push(MessageError {
                field: "attachment",
                attachment: Some(name.to_string()),
                message: error.user_message(),
            });
            return;
        }
    };
    match detect_kind(&workbook) {
        Some(FormKind::Monthly) => {
            let result = read_monthly(&workbook, read_ctx);
            reading.monthly.push(MonthlyReadingOf {
                attachment: name.to_string(),
                form: result.form,
                warnings: result.warnings,
            });
        }
        Some(FormKind::Case) => reading.cases.push(name.to_string()),
        None => reading.errors.push(MessageError {
            field: "attachment",
            attachment: Some(name.to_string()),
            message: "表格中没有找到《安全生产举报奖励宣传工作月情况报表》的栏目（如“公开信（封）”“企业培训（次）”），请使用附上的模板填写后重新发送。".into(),
        }),
    }
}
