//! Held mail (SPEC §13): a form from a registered address whose sender check failed is not
//! recorded. In the transaction that holds it, the unit's registered addresses are told (a
//! notice of their own, never a reply to the held message, whose writer may not be the unit)
//! and the staff alert is queued, once per message. `held approve` runs the message through
//! the normal intake as if trusted ([`super::Intake::approve_held`]); `held reject` finishes it
//! here: nothing recorded, no reply, the unit told.

use chrono::{DateTime, Duration, Utc};

use super::IntakeError;
use super::assess::{Reading, Verdict};
use super::report::{FormReport, IngestReport, Outcome};
use crate::clock::local_text;
use crate::config::Config;
use crate::domain::echo::printable_line;
use crate::domain::unit::Unit;
use crate::forms::{FieldKey, Finding};
use crate::notify::alerts::{Alert, queue_alert};
use crate::replies::held::{self as words, HeldMail};
use crate::replies::mime::{self, Outgoing};
use crate::replies::queue::{QueueError, queue_mail};
use crate::replies::text::Letterhead;
use crate::sender::{SenderAuth, SenderCheck};
use crate::store::held::{self, Decision};
use crate::store::messages::{self, Finished, MessageRow};
use crate::store::outbox::{self, ReplyKind};
use crate::store::{Store, StoreError, Tx, installation};

/// Whether intake holds this message: from a registered address, carrying a form, a problem
/// that would be answered, or photos, with a verdict the settings hold (`enforce`).
pub(super) fn should_hold(
    settings: &SenderAuth,
    verdict: &Verdict<'_>,
    check: Option<&SenderCheck>,
) -> bool {
    let Verdict::Unit { reading, .. } = verdict else {
        return false;
    };
    let carries = reading.has_forms_or_errors() || !reading.photos.is_empty();
    carries && check.is_some_and(|c| settings.holds(c.verdict))
}

/// The message being held and where it stands.
pub(super) struct Holding<'a> {
    pub config: &'a Config,
    pub row: &'a MessageRow,
    pub from: &'a str,
    pub file: &'a str,
    pub message_id: Option<&'a str>,
    pub now: DateTime<Utc>,
}

impl Holding<'_> {
    /// Holds the message in `tx`: the held row, the ingest line, the notices and the alert.
    pub async fn hold(
        &self,
        tx: &mut Tx,
        unit: &Unit,
        reading: &Reading,
        check: &SenderCheck,
    ) -> Result<IngestReport, StoreError> {
        let report = self.report(unit, reading, check);
        held::hold(tx, self.row.id, unit.code.as_str(), self.now).await?;
        held::note_result(tx, self.row.id, unit.code.as_str(), &report.to_json_line()).await?;
        let told = notify_unit(tx, self.config, self.row, unit, Notice::Held, self.now).await?;
        let alert = Alert::Held {
            message: self.row.id,
            from: printable_line(self.from),
            unit: unit.name.clone(),
        };
        queue_alert(tx, &alert, self.now).await?;
        tracing::warn!(
            id = self.row.id,
            unit = unit.code.as_str(),
            verdict = check.verdict.as_str(),
            told,
            "sender check failed: form held for staff"
        );
        Ok(report)
    }

    fn report(&self, unit: &Unit, reading: &Reading, check: &SenderCheck) -> IngestReport {
        let held_form = |kind: &'static str, attachment: &str, period: Option<String>| FormReport {
            kind,
            attachment: Some(attachment.to_string()),
            outcome: Outcome::Held,
            period,
            period_source: None,
            version: None,
            late: None,
            values: None,
            changed: None,
            errors: vec![],
            warnings: vec![],
        };
        let mut forms: Vec<FormReport> = reading
            .monthly
            .iter()
            .map(|m| {
                let period = m.form.as_ref().ok().map(|f| f.period.to_string());
                held_form("monthly", &m.attachment, period)
            })
            .collect();
        forms.extend(
            reading
                .cases
                .iter()
                .map(|c| held_form("case", &c.attachment, None)),
        );
        let evidence = if check.evidence.is_empty() {
            "no verified signature".to_string()
        } else {
            check.evidence.join("; ")
        };
        IngestReport {
            file: self.file.to_string(),
            message_id: self.message_id.map(str::to_string),
            from: Some(self.from.to_string()),
            unit: Some(unit.code.to_string()),
            outcome: Outcome::Held,
            received_at: self.row.received_at.to_rfc3339(),
            receipt_no: None,
            forms,
            errors: vec![Finding::problem(
                FieldKey::Sender,
                None,
                format!(
                    "发件人验证未通过（{}）：报表暂未登记，待工作人员核实。",
                    check.verdict.chinese()
                ),
            )],
            note: Some(format!(
                "sender check {} ({evidence}): held, nothing recorded; the unit's registered \
                 addresses told; `reportdesk held approve {id}` or `held reject {id}`",
                check.verdict.as_str(),
                id = self.row.id
            )),
            reply: None,
            sender_check: Some(check.verdict),
        }
    }
}

/// Which notice a unit gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    Held,
    Rejected,
}

/// Queues the notice to each of the unit's registered addresses (under the hourly per-address
/// limit); returns how many were queued.
async fn notify_unit(
    tx: &mut Tx,
    config: &Config,
    row: &MessageRow,
    unit: &Unit,
    notice: Notice,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let received = local_text(row.received_at, config.office.zone.tz());
    let mail = HeldMail {
        unit_name: &unit.name,
        from: row.sender.as_deref().unwrap_or("-"),
        subject: &row.subject,
        received_local: &received,
    };
    let head = Letterhead {
        office_name: config.office.name.clone(),
        contact: config.office.contact.clone(),
    };
    let (kind, subject, body) = match notice {
        Notice::Held => (
            ReplyKind::Held,
            words::held_subject(&mail),
            words::held_body(&head, &mail),
        ),
        Notice::Rejected => (
            ReplyKind::HeldRejected,
            words::rejected_subject(&mail),
            words::rejected_body(&head, &mail),
        ),
    };
    let secret = installation::message_id_secret(tx).await?;
    let limit = i64::from(config.intake.replies_per_sender_per_hour);
    let mut queued = 0;
    for address in &unit.addresses {
        if outbox::count_to_recipient_since(tx, address, now - Duration::hours(1)).await? >= limit {
            tracing::warn!(recipient = %address, "hourly limit reached: held-mail notice not queued");
            continue;
        }
        let key = format!("{}\n{address}", row.message_key);
        let message_id =
            mime::reply_message_id(&secret, &key, kind.as_str(), &config.office.address);
        let outgoing = Outgoing::notice(&config.office, address, &subject, &body, &message_id, now);
        match queue_mail(tx, &outgoing, kind, Some(row.id)).await {
            Ok(_) => queued += 1,
            Err(QueueError::Build(error)) => {
                tracing::warn!(%error, recipient = %address, "cannot build the held-mail notice");
            }
            Err(QueueError::Store(error)) => return Err(error),
        }
    }
    Ok(queued)
}

/// What `held reject` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rejected {
    pub id: i64,
    pub unit: String,
    /// Notices queued to the unit's registered addresses.
    pub told: usize,
}

/// `held reject ID`: the held message is finished with nothing recorded and no reply; the
/// unit's registered addresses are told. `by` is recorded with the decision (the one path of
/// the CLI, the web console and the admin chat commands).
pub async fn reject(
    config: &Config,
    store: &Store,
    id: i64,
    now: DateTime<Utc>,
    by: &str,
) -> Result<Rejected, IntakeError> {
    let held = held::pending(store, id)
        .await?
        .ok_or(IntakeError::NotHeld { id })?;
    let row = messages::by_id(store, id)
        .await?
        .ok_or(IntakeError::NotHeld { id })?;
    let mut tx = store.begin().await?;
    if !held::decide(&mut tx, id, Decision::Rejected, by, now).await? {
        return Err(IntakeError::NotHeld { id });
    }
    let mut line: serde_json::Value = row
        .result_json
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    line["outcome"] = "rejected".into();
    line["note"] = "held, then rejected by staff: nothing recorded, not answered".into();
    messages::finish(
        &mut tx,
        &Finished {
            id,
            unit_code: Some(&held.unit),
            outcome: Outcome::Rejected,
            no_reply: Some("held, then rejected by staff"),
            result_json: &line.to_string(),
            processed_at: now,
        },
    )
    .await?;
    let told = match config.roster.by_code(&held.unit) {
        Some(unit) => notify_unit(&mut tx, config, &row, &unit, Notice::Rejected, now).await?,
        None => 0,
    };
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(id, unit = %held.unit, told, "held message rejected by staff");
    Ok(Rejected {
        id,
        unit: held.unit,
        told,
    })
}
