//! The small writer: a [`Plan`] written inside the intake transaction: bounced addresses, cases
//! with their photos and photos joining earlier cases first (each needs a row's id), then in one
//! round trip ([`Writes`]) the sender's address working again, the monthly versions, the reply
//! into the outbox and the outcome on the message. Decides nothing, except that a reply that
//! cannot be built (a malformed address) is noted instead of queued.

use super::Settler;
use super::facts::{Known, Previous, StoredPhoto};
use crate::forms::template::{
    CASE_TEMPLATE_FILE_NAME, TEMPLATE_FILE_NAME, XLSX_CONTENT_TYPE, case_template,
};
use crate::intake::plan::{Plan, PlannedReply, PlannedSubmission, Template};
use crate::intake::report::IngestReport;
use crate::replies::mime::{self, FileAttachment, MimeError, Outgoing};
use crate::replies::queue::queue_mail_into;
use crate::store::cases::{self, NewCase};
use crate::store::messages::{self, Finished};
use crate::store::reminders;
use crate::store::submissions::{self, NewSubmission};
use crate::store::writes::Writes;
use crate::store::{Framing, StoreError, Tx};

impl Settler<'_> {
    /// Writes `plan`; returns the ingest report as written.
    pub(super) async fn apply(
        &self,
        tx: &mut Tx,
        plan: Plan<'_>,
        photos: &[StoredPhoto],
        known: &mut Known,
        (first, framing): (Writes, &Framing),
    ) -> Result<IngestReport, StoreError> {
        let mut report = plan.report;
        // The take (`first`), the version, the reply, the outcome and the framing's release go
        // in one round trip (the common case is a monthly form and its receipt); bounces, cases
        // and photos need writes of their own (cases their new ids), after the take.
        let writes_first =
            !plan.failing.is_empty() || !plan.cases.is_empty() || !plan.photos_join.is_empty();
        let mut writes = if writes_first {
            first.run(tx).await?;
            Writes::new()
        } else {
            first
        };
        if let Some(from) = &plan.reconfirm {
            reminders::reconfirm_into(&mut writes, from);
        }
        for address in &plan.failing {
            reminders::mark_failing(tx, address, &plan.failing_reason, self.now).await?;
            tracing::warn!(%address, reason = %plan.failing_reason, "our mail bounced: address marked failing");
        }
        let receipt_no = report.receipt_no.clone().unwrap_or_default();
        for case in &plan.cases {
            let new = NewCase {
                unit_code: case.unit_code,
                period: &case.period.to_string(),
                message_row: self.row.id,
                received_at: self.row.received_at,
                attachment: case.attachment,
                receipt_no: &receipt_no,
                form: case.form,
                version: case.version,
            };
            let id = cases::insert(tx, &new).await?;
            if let Some(prior) = case.replaces {
                cases::replace(tx, prior, id, photos.is_empty()).await?;
            }
            self.add_photos(tx, id, photos).await?;
        }
        for planned in &plan.submissions {
            let form = planned.form;
            let new = NewSubmission {
                unit_code: planned.unit_code,
                period: form.period,
                message_row: self.row.id,
                received_at: self.row.received_at,
                late: planned.late,
                period_source: &planned.period_source,
                attachment: planned.attachment,
                filled_by: form.filled_by.as_deref(),
                phone: form.phone.as_ref().map(|p| p.as_str()),
                filled_on: form.filled_on.as_deref(),
                receipt_no: &receipt_no,
                values: &form.values,
            };
            submissions::insert_version_into(&mut writes, &new, planned.version);
        }
        for &case in &plan.photos_join {
            self.add_photos(tx, case, photos).await?;
        }
        if let Some(recipient) = &plan.rate_limited {
            tracing::warn!(recipient = %recipient, "reply rate limit reached; no reply queued");
        }
        if let Some(reply) = &plan.reply
            && let Err(error) = self.queue_reply(&mut writes, reply)
        {
            tracing::warn!(%error, "cannot build the reply");
            report.note = Some(format!("not answered: {error}"));
            report.reply = None;
        }
        self.finish(&mut writes, &report);
        framing.close(&mut writes);
        let reconfirmed = !writes.run(tx).await?.is_empty();
        self.note_written(known, &plan.submissions, plan.reply.as_ref(), &report);
        if let (Some(from), true) = (&plan.reconfirm, reconfirmed) {
            tracing::info!(address = %from, "mail from a failing address: it works again");
        }
        Ok(report)
    }

    /// Tells `known` the versions and the reply just written.
    fn note_written(
        &self,
        known: &mut Known,
        submissions: &[PlannedSubmission<'_>],
        reply: Option<&PlannedReply>,
        report: &IngestReport,
    ) {
        for planned in submissions {
            let form = planned.form;
            let version = Previous {
                period: form.period,
                version: planned.version,
                received_at: self.row.received_at,
                values: form.values,
            };
            known.wrote(planned.unit_code, version);
        }
        if let (Some(reply), Some(_)) = (reply, &report.reply) {
            known.queued(&reply.to);
        }
    }

    async fn add_photos(
        &self,
        tx: &mut Tx,
        case: i64,
        photos: &[StoredPhoto],
    ) -> Result<(), StoreError> {
        for photo in photos {
            cases::add_photo(
                tx,
                case,
                &photo.sha256,
                &photo.path,
                photo.size,
                self.row.id,
            )
            .await?;
        }
        Ok(())
    }

    /// Builds the reply (threaded, with its template when it takes one) and queues it.
    fn queue_reply(&self, writes: &mut Writes, reply: &PlannedReply) -> Result<(), MimeError> {
        let office = &self.config.office;
        let key = &self.row.message_key;
        let message_id =
            mime::reply_message_id(self.secret, key, reply.kind.as_str(), &office.address);
        // The case template is built only for the rare return that needs it.
        let case_bytes;
        let attachment = match reply.template {
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
            in_reply_to: self.message.message_id.as_deref(),
            references: &self.message.references,
            auto_submitted: "auto-replied",
            attachment: attachment.map(|(name, bytes)| FileAttachment {
                name,
                content_type: XLSX_CONTENT_TYPE,
                bytes,
            }),
            ..Outgoing::notice(
                office,
                &reply.to,
                &reply.subject,
                &reply.body,
                &message_id,
                self.now,
            )
        };
        queue_mail_into(writes, &outgoing, reply.kind, Some(self.row.id))
    }

    /// The outcome on the message, with its ingest line.
    fn finish(&self, writes: &mut Writes, report: &IngestReport) {
        let json = report.to_json_line();
        let no_reply = report
            .reply
            .is_none()
            .then_some(report.note.as_deref())
            .flatten();
        let finished = Finished {
            id: self.row.id,
            unit_code: report.unit.as_deref(),
            outcome: report.outcome,
            no_reply,
            result_json: &json,
            processed_at: self.now,
        };
        messages::finish_into(writes, &finished);
    }
}
