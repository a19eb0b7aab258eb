//! Settling a verdict inside the intake transaction: versions for accepted forms, the outcome
//! on the message, the report, and the reply queued in the outbox.

use chrono::{DateTime, Duration, Utc};

use super::assess::{MonthlyReadingOf, Reading, Verdict};
use super::findings::{problems_of, rejected_form, sender_error};
use super::report::{Change, FormReport, IngestReport, Outcome, ReplyReport};
use crate::clock::local_text;
use crate::config::Config;
use crate::domain::echo::printable_line;
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::forms::Finding;
use crate::forms::monthly::MonthlyForm;
use crate::forms::template::{
    CASE_TEMPLATE_FILE_NAME, TEMPLATE_FILE_NAME, XLSX_CONTENT_TYPE, case_template,
};
use crate::mail::{InboundMessage, NoReplyReason, dsn};
use crate::replies::mime::{self, FileAttachment, Outgoing};
use crate::replies::queue::{QueueError, queue_mail};
use crate::replies::subject::{TAG_HELP, TAG_PHOTOS, TAG_RECEIPT, TAG_RETURN, reply_subject};
use crate::replies::text::{self, Due, Envelope, Letterhead, Recorded, Resend};
use crate::sender::SenderCheck;
use crate::store::installation;
use crate::store::messages::{self, Finished, MessageRow};
use crate::store::outbox::{self, ReplyKind};
use crate::store::reminders;
use crate::store::submissions::{self, NewSubmission};
use crate::store::{StoreError, Tx};

/// A bounce is read for at most this many quoted Message-IDs and failed recipients: a real DSN
/// has one or two of each, and a forged one must not cost a query per line.
const MAX_BOUNCE_IDS: usize = 10;
const MAX_BOUNCE_RECIPIENTS: usize = 50;

pub(crate) struct Settler<'a> {
    pub config: &'a Config,
    pub template: &'a [u8],
    pub message: &'a InboundMessage,
    pub raw: &'a [u8],
    pub row: &'a MessageRow,
    pub file: &'a str,
    pub now: DateTime<Utc>,
    /// The sender verdict (SPEC §13); `None` when the check is off.
    pub sender_check: Option<&'a SenderCheck>,
    /// Staff approved this message after it was held.
    pub approved: bool,
}

/// The reply decided for a message, before it is built.
struct PlannedReply {
    kind: ReplyKind,
    subject_tag: &'static str,
    body: String,
    template: Option<Template>,
}

/// The blank template attached to a reply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Template {
    Monthly,
    Case,
}

impl Settler<'_> {
    pub async fn settle(
        &self,
        tx: &mut Tx,
        verdict: Verdict<'_>,
        open_period: Period,
    ) -> Result<IngestReport, StoreError> {
        let mut report = self.empty_report();
        let plan = match verdict {
            Verdict::NoReply { reason } => {
                report.outcome = Outcome::Ignored;
                report.note = Some(format!("not answered: {reason}"));
                if self.message.no_reply == Some(NoReplyReason::Bounce) {
                    self.bounce(tx, &mut report).await?;
                }
                None
            }
            Verdict::UnknownSender { reading } => {
                self.unknown_sender(&mut report, &reading);
                None
            }
            Verdict::Unit { unit, reading } => {
                report.unit = Some(unit.code.to_string());
                if let Some(from) = &report.from
                    && reminders::reconfirm(tx, from).await?
                {
                    tracing::info!(address = %from, "mail from a failing address: it works again");
                }
                self.unit_mail(tx, &mut report, unit, reading, open_period)
                    .await?
            }
        };
        if let Some(plan) = plan {
            report.reply = self.queue_reply(tx, &mut report, plan).await?;
        }
        let json = report.to_json_line();
        messages::finish(
            tx,
            &Finished {
                id: self.row.id,
                unit_code: report.unit.as_deref(),
                outcome: report.outcome.as_str(),
                no_reply: report
                    .reply
                    .is_none()
                    .then_some(report.note.as_deref())
                    .flatten(),
                result_json: &json,
                processed_at: self.now,
            },
        )
        .await?;
        Ok(report)
    }

    /// A bounce of one of our own mails marks the failed addresses: they are not mailed again
    /// until mail from them arrives.
    /// Only an address that the quoted message of ours was sent to counts (SPEC §13): a forged
    /// DSN that lists every unit under one real Message-ID marks one address at most.
    async fn bounce(&self, tx: &mut Tx, report: &mut IngestReport) -> Result<(), StoreError> {
        let bounce = dsn::read(self.raw);
        let reason = printable_line(bounce.reason.as_deref().unwrap_or("bounced"));
        let quoted = &bounce.returned_ids[..bounce.returned_ids.len().min(MAX_BOUNCE_IDS)];
        let mut marked = Vec::new();
        for address in bounce.failed.iter().take(MAX_BOUNCE_RECIPIENTS) {
            if !outbox::sent_to_any(tx, quoted, address).await? {
                tracing::info!(address = %printable_line(address), "a bounce names an address our quoted mail was not sent to: ignored");
                continue;
            }
            reminders::mark_failing(tx, address, &reason, self.now).await?;
            tracing::warn!(%address, %reason, "our mail bounced: address marked failing");
            marked.push(address.as_str());
        }
        if !marked.is_empty() {
            report.note = Some(format!(
                "bounce of our mail: {} marked failing",
                marked.join(", ")
            ));
        }
        Ok(())
    }

    fn empty_report(&self) -> IngestReport {
        IngestReport {
            file: self.file.to_string(),
            message_id: self.message.message_id.clone(),
            from: self.message.from.as_ref().map(|m| m.address.clone()),
            unit: None,
            outcome: Outcome::Ignored,
            received_at: self.row.received_at.to_rfc3339(),
            receipt_no: None,
            forms: vec![],
            errors: vec![],
            note: None,
            reply: None,
            sender_check: self.sender_check.map(|c| c.verdict),
        }
    }

    pub(super) fn receipt_no(&self) -> String {
        let date = self.config.office.date_of(self.row.received_at);
        format!("RD-{}-{:06}", date.format("%Y%m%d"), self.row.id)
    }

    fn unknown_sender(&self, report: &mut IngestReport, reading: &Reading) {
        for monthly in &reading.monthly {
            let mut form = rejected_form(monthly, problems_of(monthly));
            form.errors.push(sender_error());
            report.forms.push(form);
        }
        report.errors.extend(reading.errors.iter().cloned());
        if reading.has_forms_or_errors() {
            tracing::warn!(
                sender = report.from.as_deref().unwrap_or("-"),
                subject = %self.message.subject,
                raw = %self.row.raw_path,
                "form from an address not in the roster: kept for staff, not answered"
            );
            report.outcome = Outcome::Rejected;
            report.errors.push(sender_error());
            report.note = Some("unknown sender: kept for staff, not answered".into());
        } else {
            report.note = Some("unknown sender, no form: kept, not answered".into());
        }
    }

    async fn unit_mail(
        &self,
        tx: &mut Tx,
        report: &mut IngestReport,
        unit: &Unit,
        reading: Reading,
        open_period: Period,
    ) -> Result<Option<PlannedReply>, StoreError> {
        let mut recorded = Vec::new();
        let mut fixes = Vec::new();
        report.receipt_no = Some(self.receipt_no());
        let case_period = Period::open_at(self.config.office.date_of(self.row.received_at));
        let cases = self.settle_cases(tx, unit, &reading, case_period).await?;
        let case_fixes = cases.fixes.len();
        fixes.extend(cases.fixes);
        for monthly in &reading.monthly {
            match &monthly.form {
                Ok(form) => {
                    let (form_report, text) = self.record(tx, unit, monthly, form).await?;
                    report.forms.push(form_report);
                    recorded.push(text);
                }
                Err(problems) => {
                    report.forms.push(rejected_form(monthly, problems));
                    fixes.extend(problems.iter().cloned());
                }
            }
        }
        report.forms.extend(cases.reports);
        let recorded_cases = cases.recorded;
        report.errors.extend(reading.errors.iter().cloned());
        fixes.extend(reading.errors.iter().cloned());
        let envelope = self.envelope(unit);
        let head = self.letterhead();
        let due = Due {
            period: open_period,
            deadline: open_period.deadline(self.config.schedule.deadline_day),
        };
        let plan = if !fixes.is_empty() {
            report.outcome = Outcome::Rejected;
            let resend = Resend::of(fixes.len() > case_fixes, case_fixes > 0);
            PlannedReply {
                kind: ReplyKind::Return,
                subject_tag: TAG_RETURN,
                body: text::return_body(
                    &head,
                    &envelope,
                    &fixes,
                    (&recorded, &recorded_cases),
                    resend,
                    due,
                ),
                template: Some(if resend.attaches_case_template() {
                    Template::Case
                } else {
                    Template::Monthly
                }),
            }
        } else if !recorded.is_empty() || !recorded_cases.is_empty() {
            report.outcome = Outcome::Accepted;
            PlannedReply {
                kind: ReplyKind::Receipt,
                subject_tag: TAG_RECEIPT,
                body: text::receipt_body(&head, &envelope, &recorded, &recorded_cases),
                template: None,
            }
        } else if let Some((photos, receipts)) = self.later_photos(tx, unit, &reading).await? {
            report.outcome = Outcome::Ignored;
            report.note = Some(format!(
                "{photos} photos linked to case(s) {}",
                receipts.join(", ")
            ));
            PlannedReply {
                kind: ReplyKind::Photos,
                subject_tag: TAG_PHOTOS,
                body: text::photos_body(&head, &envelope, photos, &receipts),
                template: None,
            }
        } else {
            report.outcome = Outcome::Ignored;
            report.receipt_no = None;
            report.note = Some("no form attached: help reply".into());
            PlannedReply {
                kind: ReplyKind::Help,
                subject_tag: TAG_HELP,
                body: text::help_body(&head, &envelope, &reading.other_attachments, due),
                template: Some(Template::Monthly),
            }
        };
        Ok(Some(plan))
    }

    async fn record(
        &self,
        tx: &mut Tx,
        unit: &Unit,
        monthly: &MonthlyReadingOf,
        form: &MonthlyForm,
    ) -> Result<(FormReport, Recorded), StoreError> {
        let tz = self.config.office.timezone;
        let deadline_day = self.config.schedule.deadline_day;
        let late = form.period.is_late(
            self.config.office.date_of(self.row.received_at),
            deadline_day,
        );
        let previous = submissions::latest(tx, unit.code.as_str(), form.period).await?;
        let receipt_no = self.receipt_no();
        let period_source = text::period_source_text(&form.period_source);
        let version = submissions::insert_next_version(
            tx,
            &NewSubmission {
                unit_code: unit.code.as_str(),
                period: form.period,
                message_row: self.row.id,
                received_at: self.row.received_at,
                late,
                period_source: &period_source,
                attachment: &monthly.attachment,
                filled_by: form.filled_by.as_deref(),
                phone: form.phone.as_ref().map(|p| p.as_str()),
                filled_on: form.filled_on.as_deref(),
                receipt_no: &receipt_no,
                values: &form.values,
            },
        )
        .await?;
        let changes = previous
            .as_ref()
            .map(|p| form.values.diff(&p.values))
            .unwrap_or_default();
        let warnings: Vec<String> = monthly.warnings.iter().map(Finding::warning_text).collect();
        let report = FormReport {
            kind: "monthly",
            attachment: Some(monthly.attachment.clone()),
            outcome: Outcome::Accepted,
            period: Some(form.period.to_string()),
            period_source: Some(period_source.clone()),
            version: Some(version),
            late: Some(late),
            values: Some(form.values),
            changed: previous.as_ref().map(|_| {
                changes
                    .iter()
                    .map(|&(field, from, to)| Change {
                        field: field.key(),
                        from,
                        to,
                    })
                    .collect()
            }),
            errors: vec![],
            warnings: warnings.clone(),
        };
        let text = Recorded {
            attachment: monthly.attachment.clone(),
            period: form.period,
            period_source,
            version,
            replaces: previous.map(|p| local_text(p.received_at, tz)),
            values: form.values,
            changes,
            late,
            deadline: form.period.deadline(deadline_day),
            warnings,
        };
        Ok((report, text))
    }

    fn envelope(&self, unit: &Unit) -> Envelope {
        Envelope {
            unit_name: unit.name.clone(),
            received_local: local_text(self.row.received_at, self.config.office.timezone),
            receipt_no: self.receipt_no(),
            sender_check: self.sender_check.map(|check| {
                if self.approved {
                    format!("{}，已由我办人工核实确认", check.verdict.chinese())
                } else {
                    check.verdict.chinese().to_string()
                }
            }),
        }
    }

    fn letterhead(&self) -> Letterhead {
        Letterhead {
            office_name: self.config.office.name.clone(),
            contact: self.config.office.contact.clone(),
        }
    }

    /// Builds the reply and queues it, unless the sender hit the hourly limit or cannot be
    /// addressed; either way the reason lands in the report's note.
    async fn queue_reply(
        &self,
        tx: &mut Tx,
        report: &mut IngestReport,
        plan: PlannedReply,
    ) -> Result<Option<ReplyReport>, StoreError> {
        let Some(to) = self.message.from.as_ref().map(|m| m.address.as_str()) else {
            return Ok(None);
        };
        let limit = i64::from(self.config.intake.replies_per_sender_per_hour);
        let recent =
            outbox::count_to_recipient_since(tx, to, self.now - Duration::hours(1)).await?;
        if recent >= limit {
            tracing::warn!(recipient = to, "reply rate limit reached; no reply queued");
            report.note = Some(format!(
                "not answered: {limit} replies to {to} within the last hour"
            ));
            return Ok(None);
        }
        let original = self.message.subject.trim();
        let subject = reply_subject(original, plan.subject_tag);
        let key = &self.row.message_key;
        let secret = installation::message_id_secret(tx).await?;
        let message_id = mime::reply_message_id(
            &secret,
            key,
            plan.kind.as_str(),
            &self.config.office.address,
        );
        // The case template is built only for the rare return that needs it.
        let case_bytes;
        let attachment = match plan.template {
            None => None,
            Some(Template::Monthly) => Some((TEMPLATE_FILE_NAME, self.template)),
            Some(Template::Case) => match case_template() {
                Ok(bytes) => {
                    case_bytes = bytes;
                    Some((CASE_TEMPLATE_FILE_NAME, case_bytes.as_slice()))
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot build the case template: the monthly one goes");
                    Some((TEMPLATE_FILE_NAME, self.template))
                }
            },
        };
        let outgoing = Outgoing {
            from_name: &self.config.office.name,
            from_address: &self.config.office.address,
            to_address: to,
            subject: &subject,
            body: &plan.body,
            in_reply_to: self.message.message_id.as_deref(),
            references: &self.message.references,
            message_id: &message_id,
            date: self.now,
            auto_submitted: "auto-replied",
            attachment: attachment.map(|(name, bytes)| FileAttachment {
                name,
                content_type: XLSX_CONTENT_TYPE,
                bytes,
            }),
        };
        match queue_mail(tx, &outgoing, plan.kind, Some(self.row.id)).await {
            Ok(_) => {}
            Err(QueueError::Build(error)) => {
                tracing::warn!(%error, "cannot build the reply");
                report.note = Some(format!("not answered: {error}"));
                return Ok(None);
            }
            Err(QueueError::Store(error)) => return Err(error),
        }
        Ok(Some(ReplyReport {
            to: to.to_string(),
            subject,
            kind: plan.kind,
        }))
    }
}
