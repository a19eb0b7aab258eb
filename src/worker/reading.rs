//! What a message's attachments hold: every workbook and Word file opened and read into forms
//! and findings ([`read_attachments`]). This is the work of the reader process (SPEC §12): the
//! whole of open + read runs there, under `worker_seconds` and `worker_memory_mib`, and only its
//! small result ([`Reading`]) travels back. Pure: no database, no clock.

use serde::{Deserialize, Serialize};

use crate::domain::period::Period;
use crate::domain::unit::Roster;
use crate::forms::case::{CaseContext, CaseForm, CaseReading, read_case_docx, read_case_workbook};
use crate::forms::docx::{DocxError, read_docx};
use crate::forms::monthly::{MonthlyForm, ReadContext, read_monthly};
use crate::forms::{
    FieldKey, Finding, FormKind, WorkbookError, detect_docx_kind, detect_kind, open_workbook,
};
use crate::mail::{AttachmentKind, InboundMessage};

/// Everything found in the attachments.
#[derive(Debug, Default, Serialize, Deserialize)]
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
#[derive(Debug, Serialize, Deserialize)]
pub struct MonthlyReadingOf {
    pub attachment: String,
    pub form: Result<MonthlyForm, Vec<Finding>>,
    pub warnings: Vec<Finding>,
}

/// One typical-case form read from one attachment; its findings name that attachment.
#[derive(Debug, Serialize, Deserialize)]
pub struct CaseReadingOf {
    pub attachment: String,
    pub form: Result<CaseForm, Vec<Finding>>,
    pub warnings: Vec<Finding>,
}

/// What reading needs besides the message and the sender's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadSettings {
    /// The period open at the server's receipt time.
    pub open_period: Period,
    pub plausibility_bound: u64,
    pub max_uncompressed_bytes: u64,
}

/// The roster as reading needs it: each unit's sender addresses (lower-cased) and the names its
/// forms may give in 填报单位.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderNames(Vec<(Vec<String>, Vec<String>)>);

impl SenderNames {
    pub fn of(roster: &Roster) -> Self {
        Self(
            roster
                .units()
                .iter()
                .map(|u| (u.addresses.clone(), u.names()))
                .collect(),
        )
    }

    /// Only the unit `address` is registered to, if any: what a job needs to read a message from
    /// `address` (the whole roster, copied and sent to the reader with every message, cost more
    /// than the reading of a small form's header).
    pub fn of_sender(roster: &Roster, address: Option<&str>) -> Self {
        let unit = address.and_then(|a| roster.by_address(a));
        Self(
            unit.map(|u| (u.addresses.clone(), u.names()))
                .into_iter()
                .collect(),
        )
    }

    /// The names of the unit `address` is registered to (case-insensitive, as the roster).
    pub fn names_of(&self, address: &str) -> Option<&[String]> {
        let address = address.trim().to_lowercase();
        self.0
            .iter()
            .find(|(addresses, _)| addresses.contains(&address))
            .map(|(_, names)| names.as_slice())
    }
}

/// Where reading is, as the reader process tells the daemon (so that when it dies or overruns,
/// the daemon can say which file, and whether it was being opened or its forms read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// About to open this file.
    Opening(&'a str),
    /// Opened it; now reading its forms.
    Reading(&'a str),
}

/// Why `message` is never answered, and so not read at all: our own mail, auto-replies,
/// bounces, bulk and list mail, no sender.
pub fn never_answered(message: &InboundMessage, office_address: &str) -> Option<String> {
    let sender = message.from.as_ref().map(|m| m.address.as_str());
    if sender.is_some_and(|s| s.eq_ignore_ascii_case(office_address)) {
        return Some("sent from the office's own address".into());
    }
    if let Some(reason) = &message.no_reply {
        return Some(reason.to_string());
    }
    sender.is_none().then(|| "no sender address".into())
}

/// Opens and reads every attachment of `message` for a sender whose unit goes by `unit_names`
/// (`None`: an unknown sender, whose forms are read but not checked against a unit). Tells
/// `progress` each [`Step`]; each opened file is dropped once read.
pub fn read_attachments(
    message: &InboundMessage,
    settings: &ReadSettings,
    unit_names: Option<&[String]>,
    mut progress: impl FnMut(Step<'_>),
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
        open_period: settings.open_period,
        subject: &message.subject,
        unit_names,
        plausibility_bound: settings.plausibility_bound,
    };
    let case_ctx = CaseContext {
        unit_names,
        max_chars: CaseContext::DEFAULT_MAX_CHARS,
    };
    let budget = settings.max_uncompressed_bytes;
    for (index, attachment) in message.attachments.iter().enumerate() {
        let name = &attachment.name;
        match attachment.kind {
            AttachmentKind::Spreadsheet => {
                progress(Step::Opening(name));
                let workbook = open_workbook(&attachment.bytes, budget);
                progress(Step::Reading(name));
                read_spreadsheet(name, workbook, (&read_ctx, &case_ctx), &mut reading);
            }
            AttachmentKind::Docx => {
                progress(Step::Opening(name));
                let document = read_docx(&attachment.bytes, budget);
                progress(Step::Reading(name));
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
    document: Result<crate::forms::docx::Document, DocxError>,
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
        Ok(document) => match detect_docx_kind(&document) {
            Some(FormKind::Case) => push_case(reading, name, read_case_docx(&document, case_ctx)),
            _ => reading.errors.push(attachment_problem(
                name,
                "Word 文件中没有找到《安全生产举报奖励工作典型案例报送表》的栏目（如“线索来源”“简要案情”或“典型案例概述”），请按附件2的格式填写后重新发送。",
            )),
        },
    }
}

fn read_spreadsheet(
    name: &str,
    workbook: Result<crate::forms::Workbook, WorkbookError>,
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
    match detect_kind(&workbook) {
        Some(FormKind::Monthly) => {
            let result = read_monthly(&workbook, read_ctx);
            let (form, warnings) = in_attachment(name, result.form, result.warnings);
            reading.monthly.push(MonthlyReadingOf {
                attachment: name.to_string(),
                form,
                warnings,
            });
        }
        Some(FormKind::Case) => push_case(reading, name, read_case_workbook(&workbook, case_ctx)),
        None => reading.errors.push(attachment_problem(
            name,
            "表格中没有找到《安全生产举报奖励宣传工作月情况报表》或典型案例报送表的栏目（如“公开信（封）”“企业培训（次）”），请使用附上的模板填写后重新发送。",
        )),
    }
}
