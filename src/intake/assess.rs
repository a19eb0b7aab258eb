//! What a message is and what its attachments hold: the pure half of intake.
//!
//! Given a parsed message and the roster, this decides whom the message is from, whether it may be
//! answered at all, and reads every spreadsheet it carries: as the reader process opened it
//! ([`assess_opened`], the daemon's way), or opening it here ([`assess`]). It touches no database and no clock:
//! versions, receipt numbers and the reply are settled afterwards, in one transaction.

use crate::domain::period::Period;
use crate::domain::unit::{Roster, Unit};
use crate::forms::case::{CaseContext, CaseForm, CaseReading, read_case_docx, read_case_workbook};
use crate::forms::docx::{Document, DocxError, read_docx};
use crate::forms::monthly::{MonthlyForm, ReadContext, read_monthly};
use crate::forms::{
    FieldKey, Finding, FormKind, Workbook, WorkbookError, detect_docx_kind, detect_kind,
    open_workbook,
};
use crate::mail::{AttachmentKind, InboundMessage};
use crate::worker::Opened;

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
    /// Typical-case forms (附件2).
    pub cases: Vec<CaseReadingOf>,
    /// Image attachments: the work photos of the cases (their indexes in the message).
    pub photos: Vec<usize>,
    /// Problems not tied to one form: an unreadable file, a limit exceeded, a workbook with no form.
    pub errors: Vec<Finding>,
    /// Attachments that are not forms at all (pictures, PDFs): noted, not an error.
    pub other_attachments: Vec<String>,
    /// The message went over a limit (SPEC §6): all or nothing, so no form of it is kept and
    /// `errors` says which limit.
    pub over_limit: bool,
}

impl Reading {
    /// Whether the unit sent anything that looks like an attempt to submit a form.
    pub fn has_forms_or_errors(&self) -> bool {
        !self.monthly.is_empty() || !self.errors.is_empty() || !self.cases.is_empty()
    }
}

/// One monthly form read from one attachment; its findings name that attachment.
#[derive(Debug)]
pub struct MonthlyReadingOf {
    pub attachment: String,
    pub form: Result<MonthlyForm, Vec<Finding>>,
    pub warnings: Vec<Finding>,
}

/// One typical-case form read from one attachment; its findings name that attachment.
#[derive(Debug)]
pub struct CaseReadingOf {
    pub attachment: String,
    pub form: Result<CaseForm, Vec<Finding>>,
    pub warnings: Vec<Finding>,
}

/// A reader's findings, now known to be about the attachment `name`.
fn in_attachment<T>(
    name: &str,
    form: Result<T, Vec<Finding>>,
    warnings: Vec<Finding>,
) -> (Result<T, Vec<Finding>>, Vec<Finding>) {
    let named = |findings: Vec<Finding>| -> Vec<Finding> {
        findings
            .into_iter()
            .map(|f| f.in_attachment(name))
            .collect()
    };
    (form.map_err(named), named(warnings))
}

/// A problem of the attachment `name` as a whole rather than of one form's cells.
fn attachment_problem(name: &str, message: impl Into<String>) -> Finding {
    Finding::problem(FieldKey::Attachment, None, message).in_attachment(name)
}

/// Decides who sent `message` and reads its forms, opening each file here.
pub fn assess<'r>(message: &InboundMessage, ctx: &AssessContext<'r>) -> Verdict<'r> {
    assess_opened(message, &[], ctx)
}

/// Decides who sent `message` and reads its forms from the files the reader process opened
/// (`opened[i]` for attachment `i`; a file missing there is opened here).
pub fn assess_opened<'r>(
    message: &InboundMessage,
    opened: &[Opened],
    ctx: &AssessContext<'r>,
) -> Verdict<'r> {
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
            let reading = read_attachments(message, opened, ctx, Some(&names));
            Verdict::Unit { unit, reading }
        }
        None => Verdict::UnknownSender {
            reading: read_attachments(message, opened, ctx, None),
        },
    }
}

fn read_attachments(
    message: &InboundMessage,
    opened: &[Opened],
    ctx: &AssessContext<'_>,
    unit_names: Option<&[String]>,
) -> Reading {
    let mut reading = Reading::default();
    for problem in &message.problems {
        reading.over_limit |= problem.kind.is_limit();
        // A problem of the whole message (the reader gave up before naming a file) has no name:
        // its text says 邮件 already, so no empty 附件《》 is put ahead of it.
        let error = Finding::problem(FieldKey::Attachment, None, problem.message.clone());
        reading.errors.push(if problem.name.is_empty() {
            error
        } else {
            error.in_attachment(&problem.name)
        });
    }
    if reading.over_limit {
        return nothing_kept(reading);
    }
    let read_ctx = ReadContext {
        open_period: ctx.open_period,
        subject: &message.subject,
        unit_names,
        plausibility_bound: ctx.plausibility_bound,
    };
    let case_ctx = CaseContext {
        unit_names,
        max_chars: CaseContext::DEFAULT_MAX_CHARS,
    };
    for (index, attachment) in message.attachments.iter().enumerate() {
        let name = &attachment.name;
        match attachment.kind {
            AttachmentKind::Spreadsheet => {
                let own;
                let workbook = match opened.get(index) {
                    Some(Opened::Workbook(result)) => result,
                    _ => {
                        own = open_workbook(&attachment.bytes, ctx.max_uncompressed_bytes);
                        &own
                    }
                };
                read_spreadsheet(name, workbook, (&read_ctx, &case_ctx), &mut reading);
            }
            AttachmentKind::Docx => {
                let own;
                let document = match opened.get(index) {
                    Some(Opened::Document(result)) => result,
                    _ => {
                        own = read_docx(&attachment.bytes, ctx.max_uncompressed_bytes);
                        &own
                    }
                };
                read_word(name, document, &case_ctx, &mut reading);
            }
            AttachmentKind::Image => reading.photos.push(index),
            _ => reading.other_attachments.push(name.clone()),
        }
    }
    if reading.over_limit {
        return nothing_kept(reading);
    }
    reading
}

/// All or nothing (SPEC §6): a message over a limit keeps no form and no photo; the errors name
/// the limit and say that nothing of the message was recorded.
fn nothing_kept(mut reading: Reading) -> Reading {
    reading.monthly.clear();
    reading.cases.clear();
    reading.photos.clear();
    reading.errors.push(Finding::problem(
        FieldKey::Limit,
        None,
        "这封邮件超出了上面所说的限制，其中的报表和照片都没有登记。请按说明处理后重新发送整封邮件。",
    ));
    reading
}

fn push_case(reading: &mut Reading, name: &str, case: CaseReading) {
    let (form, warnings) = in_attachment(name, case.form, case.warnings);
    reading.cases.push(CaseReadingOf {
        attachment: name.to_string(),
        form,
        warnings,
    });
}

fn read_word(
    name: &str,
    document: &Result<Document, DocxError>,
    case_ctx: &CaseContext<'_>,
    reading: &mut Reading,
) {
    match document {
        Err(error) => {
            reading.over_limit |= matches!(error, DocxError::TooLarge { .. });
            reading
                .errors
                .push(attachment_problem(name, error.user_message()))
        }
        Ok(document) => match detect_docx_kind(document) {
            Some(FormKind::Case) => push_case(reading, name, read_case_docx(document, case_ctx)),
            _ => reading.errors.push(attachment_problem(
                name,
                "Word 文件中没有找到《安全生产举报奖励工作典型案例报送表》的栏目（如“线索来源”“简要案情”或“典型案例概述”），请按附件2的格式填写后重新发送。",
            )),
        },
    }
}

fn read_spreadsheet(
    name: &str,
    workbook: &Result<Workbook, WorkbookError>,
    (read_ctx, case_ctx): (&ReadContext<'_>, &CaseContext<'_>),
    reading: &mut Reading,
) {
    let workbook = match workbook {
        Ok(workbook) => workbook,
        Err(error) => {
            reading.over_limit |= matches!(
                error,
                WorkbookError::TooLarge { .. } | WorkbookError::TooManyCells { .. }
            );
            reading
                .errors
                .push(attachment_problem(name, error.user_message()));
            return;
        }
    };
    match detect_kind(workbook) {
        Some(FormKind::Monthly) => {
            let result = read_monthly(workbook, read_ctx);
            let (form, warnings) = in_attachment(name, result.form, result.warnings);
            reading.monthly.push(MonthlyReadingOf {
                attachment: name.to_string(),
                form,
                warnings,
            });
        }
        Some(FormKind::Case) => push_case(reading, name, read_case_workbook(workbook, case_ctx)),
        None => reading.errors.push(attachment_problem(
            name,
            "表格中没有找到《安全生产举报奖励宣传工作月情况报表》或典型案例报送表的栏目（如“公开信（封）”“企业培训（次）”），请使用附上的模板填写后重新发送。",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::template::{TemplateFill, monthly_filled};
    use crate::mail::{Attachment, Mailbox, NoReplyReason};

    const ROSTER: &str = r#"
[[unit]]
code = "tiaodeng"
name = "跳磴镇"
kind = "town"
addresses = ["td@example.gov.cn"]
"#;

    fn form() -> Vec<u8> {
        monthly_filled(&TemplateFill {
            unit: "跳磴镇".into(),
            period: "2026年11月".into(),
            filled_by: "张敏".into(),
            phone: "023-68173265".into(),
            filled_on: "2026-11-10".into(),
            values: [3; 11],
        })
        .unwrap()
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
        let roster = Roster::parse(ROSTER).unwrap();
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
        let roster = Roster::parse(ROSTER).unwrap();
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
        let roster = Roster::parse(ROSTER).unwrap();
        let message = from(
            "someone@qq.example",
            vec![attachment("报表.xlsx", AttachmentKind::Spreadsheet, form())],
        );
        assert_eq!(verdict_of(&message, &roster), "unknown: 1 monthly");
    }
}
