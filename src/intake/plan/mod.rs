//! The pure half of settling a message: from the verdict (who sent it, what was read) and the
//! [`Facts`] read from the store beforehand, a [`Plan`]: what to record (monthly versions,
//! cases, photos, addresses marked) and what to answer (kind, recipient, subject, text), with
//! the ingest report as it will be written. No IO here: [`super::apply`] writes a plan in the
//! intake transaction, [`super::facts`] reads what a plan needs.

#[cfg(test)]
mod case_tests;
mod forms;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod withheld_tests;

use crate::clock::local_text;
use crate::config::Config;
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::forms::case::CaseForm;
use crate::forms::monthly::MonthlyForm;
use crate::intake::Answering;
use crate::intake::assess::{Reading, Verdict};
use crate::intake::findings::{problems_of, rejected_form, sender_error};
use crate::intake::report::{IngestReport, Outcome, ReplyReport};
use crate::intake::settle::facts::wants_later_photos;
use crate::intake::settle::facts::{Facts, Previous};
use crate::mail::InboundMessage;
use crate::replies::subject::{TAG_HELP, TAG_PHOTOS, TAG_RECEIPT, TAG_RETURN, reply_subject};
use crate::replies::text::{self, Due, Envelope, Letterhead, Resend};
use crate::sender::SenderCheck;
use crate::store::messages::MessageRow;
use crate::store::outbox::ReplyKind;
use forms::{plan_cases, record};

/// What a message is settled from, besides the facts.
pub(super) struct Input<'a> {
    pub config: &'a Config,
    pub message: &'a InboundMessage,
    pub row: &'a MessageRow,
    pub file: &'a str,
    /// The sender verdict (SPEC §13); `None` when the check is off.
    pub sender_check: Option<&'a SenderCheck>,
    /// Staff approved this message after it was held.
    pub approved: bool,
    /// Whether the sender is mailed its reply (an upload may go without).
    pub answering: Answering,
    pub open_period: Period,
}

/// Everything settling a message will write and send.
pub(super) struct Plan<'p> {
    /// The ingest line; `reply` is what will be queued.
    pub report: IngestReport,
    /// Mail came from this address: if it was marked failing, it works again.
    pub reconfirm: Option<String>,
    /// A bounce of our mail: these addresses are marked failing, for `failing_reason`.
    pub failing: Vec<String>,
    pub failing_reason: String,
    pub submissions: Vec<PlannedSubmission<'p>>,
    pub cases: Vec<PlannedCase<'p>>,
    /// Cases answered by a reply carrying only photos: the stored photos join each of them.
    pub photos_join: Vec<i64>,
    pub reply: Option<PlannedReply>,
    /// The reply was not queued for the hourly limit to this recipient (logged).
    pub rate_limited: Option<String>,
}

/// A monthly form to store as the next version of its unit and period.
pub(super) struct PlannedSubmission<'p> {
    pub unit_code: &'p str,
    pub form: &'p MonthlyForm,
    pub attachment: &'p str,
    pub late: bool,
    pub period_source: String,
    /// The previous version plus one.
    pub version: i64,
}

/// A case form to store, with every stored photo of the mail.
pub(super) struct PlannedCase<'p> {
    pub unit_code: &'p str,
    pub form: &'p CaseForm,
    pub attachment: &'p str,
    pub period: Period,
    pub version: i64,
    /// The case this one corrects (its chain's current version).
    pub replaces: Option<i64>,
}

/// The reply decided for a message.
pub(super) struct PlannedReply {
    pub kind: ReplyKind,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub template: Option<Template>,
}

/// The blank template attached to a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Template {
    Monthly,
    Case,
}

/// The reply's kind, subject tag, text and template, before the rate limit.
struct Answer {
    kind: ReplyKind,
    tag: &'static str,
    body: String,
    template: Option<Template>,
}

/// Plans the settling of one message.
pub(super) fn plan<'p>(input: &Input<'_>, verdict: &'p Verdict<'_>, facts: &Facts) -> Plan<'p> {
    let mut plan = Plan {
        report: empty_report(input),
        reconfirm: None,
        failing: Vec::new(),
        failing_reason: String::new(),
        submissions: Vec::new(),
        cases: Vec::new(),
        photos_join: Vec::new(),
        reply: None,
        rate_limited: None,
    };
    let answer = match verdict {
        Verdict::NoReply { reason } => {
            plan.report.outcome = Outcome::Ignored;
            plan.report.note = Some(format!("not answered: {reason}"));
            if !facts.bounced.is_empty() {
                plan.report.note = Some(format!(
                    "bounce of our mail: {} marked failing",
                    facts.bounced.join(", ")
                ));
                plan.failing = facts.bounced.clone();
                plan.failing_reason = facts.bounce_reason.clone();
            }
            None
        }
        Verdict::UnknownSender { reading } => {
            unknown_sender(&mut plan.report, reading);
            None
        }
        Verdict::Unit { unit, reading } => {
            plan.report.unit = Some(unit.code.to_string());
            plan.reconfirm = plan.report.from.clone();
            Some(unit_mail(input, &mut plan, unit, reading, facts))
        }
    };
    if let Some(answer) = answer {
        reply(input, &mut plan, answer, facts.recent_replies);
    }
    plan
}

/// Why an upload whose uploader unticked 给该单位发回执 was not answered.
pub(super) const WITHHELD_NOTE: &str = "not answered: uploaded without a receipt";

/// The reply to the sender, unless it has no address, hit the hourly limit or is withheld.
fn reply(input: &Input<'_>, plan: &mut Plan<'_>, answer: Answer, recent: i64) {
    let Some(to) = input.message.from.as_ref().map(|m| m.address.clone()) else {
        return;
    };
    if input.answering == Answering::Withheld {
        // Recorded as planned; the note keeps what it said (a help reply, photos linked).
        plan.report.note = Some(match plan.report.note.take() {
            Some(note) => format!("{note}; {WITHHELD_NOTE}"),
            None => WITHHELD_NOTE.into(),
        });
        return;
    }
    let limit = i64::from(input.config.intake.replies_per_sender_per_hour);
    if recent >= limit {
        plan.report.note = Some(format!(
            "not answered: {limit} replies to {to} within the last hour"
        ));
        plan.rate_limited = Some(to);
        return;
    }
    let subject = reply_subject(input.message.subject.trim(), answer.tag);
    plan.report.reply = Some(ReplyReport {
        to: to.clone(),
        subject: subject.clone(),
        kind: answer.kind,
    });
    plan.reply = Some(PlannedReply {
        kind: answer.kind,
        to,
        subject,
        body: answer.body,
        template: answer.template,
    });
}

fn unit_mail<'p>(
    input: &Input<'_>,
    plan: &mut Plan<'p>,
    unit: &'p Unit,
    reading: &'p Reading,
    facts: &Facts,
) -> Answer {
    plan.report.receipt_no = Some(receipt_no(input));
    let (case_reports, recorded_cases, case_fixes) = plan_cases(input, plan, unit, reading, facts);
    let case_fix_count = case_fixes.len();
    let mut fixes = case_fixes;
    let mut recorded = Vec::new();
    let mut latest: Vec<Previous> = facts.previous.clone();
    for monthly in &reading.monthly {
        match &monthly.form {
            Ok(form) => {
                let previous = latest.iter().find(|p| p.period == form.period).cloned();
                let (planned, form_report, text) = record(input, unit, monthly, form, previous);
                latest.retain(|p| p.period != form.period);
                latest.push(Previous {
                    period: form.period,
                    version: planned.version,
                    received_at: input.row.received_at,
                    values: form.values,
                });
                plan.submissions.push(planned);
                plan.report.forms.push(form_report);
                recorded.push(text);
            }
            Err(problems) => {
                plan.report.forms.push(rejected_form(monthly, problems));
                fixes.extend(problems.iter().cloned());
            }
        }
    }
    let report = &mut plan.report;
    report.forms.extend(case_reports);
    report.errors.extend(reading.errors.iter().cloned());
    fixes.extend(reading.errors.iter().cloned());
    let envelope = envelope(input, unit);
    let head = letterhead(input.config);
    let due = Due {
        period: input.open_period,
        deadline: input
            .open_period
            .deadline(input.config.schedule.deadline_day),
    };
    if !fixes.is_empty() {
        report.outcome = Outcome::Rejected;
        let resend = Resend::of(fixes.len() > case_fix_count, case_fix_count > 0);
        let done = (recorded.as_slice(), recorded_cases.as_slice());
        let body = text::return_body(&head, &envelope, &fixes, done, resend, due);
        let template = if resend.attaches_case_template() {
            Template::Case
        } else {
            Template::Monthly
        };
        return answer(ReplyKind::Return, TAG_RETURN, body, Some(template));
    }
    if !recorded.is_empty() || !recorded_cases.is_empty() {
        report.outcome = Outcome::Accepted;
        let body = text::receipt_body(&head, &envelope, &recorded, &recorded_cases);
        return answer(ReplyKind::Receipt, TAG_RECEIPT, body, None);
    }
    report.outcome = Outcome::Ignored;
    if wants_later_photos(reading) && !facts.answered.is_empty() {
        let receipts: Vec<String> = facts.answered.iter().map(|(_, r)| r.clone()).collect();
        let photos = facts.photos.len();
        plan.photos_join = facts.answered.iter().map(|(c, _)| c.id).collect();
        plan.report.note = Some(format!(
            "{photos} photos linked to case(s) {}",
            receipts.join(", ")
        ));
        let body = text::photos_body(&head, &envelope, photos, &receipts);
        return answer(ReplyKind::Photos, TAG_PHOTOS, body, None);
    }
    plan.report.receipt_no = None;
    plan.report.note = Some("no form attached: help reply".into());
    let body = text::help_body(&head, &envelope, &reading.other_attachments, due);
    answer(ReplyKind::Help, TAG_HELP, body, Some(Template::Monthly))
}

fn answer(kind: ReplyKind, tag: &'static str, body: String, template: Option<Template>) -> Answer {
    Answer {
        kind,
        tag,
        body,
        template,
    }
}

/// Mail from an address not in the roster: kept for staff, never answered.
fn unknown_sender(report: &mut IngestReport, reading: &Reading) {
    for monthly in &reading.monthly {
        let mut form = rejected_form(monthly, problems_of(monthly));
        form.errors.push(sender_error());
        report.forms.push(form);
    }
    report.errors.extend(reading.errors.iter().cloned());
    if reading.has_forms_or_errors() {
        report.outcome = Outcome::Rejected;
        report.errors.push(sender_error());
        report.note = Some("unknown sender: kept for staff, not answered".into());
    } else {
        report.note = Some("unknown sender, no form: kept, not answered".into());
    }
}

fn empty_report(input: &Input<'_>) -> IngestReport {
    IngestReport {
        file: input.file.to_string(),
        message_id: input.message.message_id.clone(),
        from: input.message.from.as_ref().map(|m| m.address.clone()),
        unit: None,
        outcome: Outcome::Ignored,
        received_at: input.row.received_at.to_rfc3339(),
        receipt_no: None,
        forms: vec![],
        errors: vec![],
        note: None,
        reply: None,
        sender_check: input.sender_check.map(|c| c.verdict),
    }
}

/// The receipt number of a message: its office-local date of receipt and its row.
pub(super) fn receipt_no(input: &Input<'_>) -> String {
    let date = input.config.office.zone.date_of(input.row.received_at);
    format!("RD-{}-{:06}", date.format("%Y%m%d"), input.row.id)
}

fn envelope(input: &Input<'_>, unit: &Unit) -> Envelope {
    Envelope {
        unit_name: unit.name.clone(),
        received_local: local_text(input.row.received_at, input.config.office.zone.tz()),
        receipt_no: receipt_no(input),
        sender_check: input.sender_check.map(|check| {
            if input.approved {
                format!("{}，已由我办人工核实确认", check.verdict.chinese())
            } else {
                check.verdict.chinese().to_string()
            }
        }),
    }
}

fn letterhead(config: &Config) -> Letterhead {
    Letterhead {
        office_name: config.office.name.clone(),
        contact: config.office.contact.clone(),
    }
}
