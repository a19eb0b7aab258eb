//! The scheduler: at each planned moment, work out what is due with [`due_at`], record every
//! decision and queue the reminders in one transaction per unit, and log the staff digest. The
//! decision record is the exactly-once guarantee: a restart, a second step or a catch-up after
//! down-time finds it and sends nothing twice.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use tokio::sync::Notify;

use super::{Due, Plan, ReminderKind, UnitState, digest_due, due_at, next_wakeup, text};
use crate::app::App;
use crate::clock::{Clock, local_text};
use crate::config::Config;
use crate::domain::period::Period;
use crate::forms::template::{TEMPLATE_FILE_NAME, XLSX_CONTENT_TYPE};
use crate::replies::mime::{self, FileAttachment, Outgoing};
use crate::replies::queue::{QueueError, queue_mail};
use crate::store::outbox::ReplyKind;
use crate::store::reminders::ReminderOutcome;
use crate::store::{Store, StoreError, installation, reminders, submissions};

/// One reminder queued (or, in a dry run, that would be).
#[derive(Debug, Clone, Serialize)]
pub struct Queued {
    pub unit: String,
    pub name: String,
    pub period: Period,
    pub slot: String,
    pub kind: ReminderKind,
    pub recipients: Vec<String>,
    /// Registered addresses left out because they bounced before.
    pub failing: Vec<String>,
}

/// What one step decided.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StepReport {
    pub now: String,
    pub queued: Vec<Queued>,
    /// Earlier reminders that a later one replaces after down-time (recorded, not sent).
    pub superseded: Vec<Queued>,
    /// Units with no working address: staff must chase them by phone.
    pub no_address: Vec<Queued>,
    pub digest: Option<String>,
}

/// The handles the scheduler and `/remind` use: the configuration, the database, the clock, the
/// blank template the reminders attach, and the two wake-ups (the outbox, the bot's digests).
#[derive(Clone, Copy)]
pub struct Scheduler<'a> {
    pub config: &'a Config,
    pub store: &'a Store,
    pub clock: &'a Clock,
    pub template: &'a [u8],
    /// Woken once reminders are queued, so the delivery task sends them at once.
    pub outbox_ready: &'a Notify,
    /// Woken once a staff digest is recorded, so the bot sends it to the staff chats.
    pub digest_ready: &'a Notify,
}

impl<'a> Scheduler<'a> {
    /// The scheduler's handles, borrowed from the app (which imports no task).
    pub fn of(app: &'a App) -> Self {
        Self {
            config: &app.config,
            store: &app.store,
            clock: &app.clock,
            template: &app.template,
            outbox_ready: &app.outbox_ready,
            digest_ready: &app.digest_ready,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

fn office_local(sched: Scheduler<'_>, at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&sched.config.office.zone.tz())
        .naive_local()
}

/// What is due now, and what each unit's state is; reads only.
async fn plan(sched: Scheduler<'_>, now: NaiveDateTime) -> Result<Plan, StoreError> {
    let period = Period::open_at(now.date());
    let reported: HashSet<String> = submissions::latest_for_period(sched.store, period)
        .await?
        .into_iter()
        .map(|s| s.unit_code)
        .collect();
    let roster = sched.config.roster.current();
    let units: Vec<UnitState> = roster
        .units()
        .iter()
        .map(|u| UnitState::new(u, reported.contains(u.code.as_str())))
        .collect();
    let decided = reminders::decided(sched.store, &period.to_string()).await?;
    let already = |unit: &str, p: Period, slot: &str| {
        p == period && decided.contains(&(unit.to_string(), slot.to_string()))
    };
    Ok(due_at(&sched.config.schedule, now, &units, &already))
}

/// One step at the sched's clock: queue what is due (or, with `dry_run`, only say what is).
pub async fn step(sched: Scheduler<'_>, dry_run: bool) -> Result<StepReport, StoreError> {
    let now_utc = sched.now();
    let now = office_local(sched, now_utc);
    let plan = plan(sched, now).await?;
    let failing = reminders::failing_addresses(sched.store).await?;
    let mut report = StepReport {
        now: local_text(now_utc, sched.config.office.zone.tz()),
        ..StepReport::default()
    };
    for due in &plan.send {
        let queued = queued(due, &failing);
        if queued.recipients.is_empty() {
            report.no_address.push(queued);
        } else {
            report.queued.push(queued);
        }
    }
    report.superseded = plan
        .superseded
        .iter()
        .map(|d| queued(d, &failing))
        .collect();
    report
        .no_address
        .extend(plan.no_address.iter().map(|d| queued(d, &failing)));
    if dry_run {
        return Ok(report);
    }
    let mut sent = Vec::new();
    for item in report.queued.drain(..) {
        if queue_reminder(sched, &item, now_utc).await? {
            sent.push(item);
        }
    }
    report.queued = sent;
    for (items, outcome) in [
        (&report.superseded, ReminderOutcome::Superseded),
        (&report.no_address, ReminderOutcome::NoAddress),
    ] {
        for item in items {
            let mut tx = sched.store.begin().await?;
            reminders::record(
                &mut tx,
                &item.unit,
                &item.period.to_string(),
                &item.slot,
                outcome,
                &[],
                now_utc,
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
            if outcome == ReminderOutcome::NoAddress {
                tracing::warn!(unit = %item.unit, slot = %item.slot, "no working address: reminder not sent");
            }
        }
    }
    report.digest = digest(sched, now, now_utc).await?;
    if !report.queued.is_empty() {
        sched.outbox_ready.notify_one();
    }
    Ok(report)
}

fn queued(due: &Due, failing: &HashSet<String>) -> Queued {
    let (working, failed) = reminders::split_failing(&due.addresses, failing);
    Queued {
        unit: due.unit.clone(),
        name: due.name.clone(),
        period: due.period,
        slot: due.slot.key(),
        kind: due.slot.kind,
        recipients: working,
        failing: failed,
    }
}

/// Records the reminder and queues one mail per address, in one transaction. `false` when it was
/// recorded already (a concurrent step, e.g. `remind` beside the daemon).
pub(super) async fn queue_reminder(
    sched: Scheduler<'_>,
    item: &Queued,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    queue_reminder_with(sched.store, sched.config, sched.template, item, now).await
}

/// Records the reminder's slot and queues its mails in one transaction; `false` when the slot
/// was decided before (nothing queued). Takes handles, so the web console's 催办 shares it.
pub async fn queue_reminder_with(
    store: &crate::store::Store,
    config: &crate::config::Config,
    template: &[u8],
    item: &Queued,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    if !reminders::record(
        &mut tx,
        &item.unit,
        &item.period.to_string(),
        &item.slot,
        ReminderOutcome::Sent,
        &item.recipients,
        now,
    )
    .await?
    {
        return Ok(false);
    }
    let secret = installation::message_id_secret(&mut tx).await?;
    let period = item.period;
    let subject = text::reminder_subject(item.kind, period, &config.office.name);
    let body = text::reminder_body(
        item.kind,
        &item.name,
        period,
        config.schedule.deadline(period),
        &config.office.name,
        config.office.contact.as_deref(),
        TEMPLATE_FILE_NAME,
    );
    for address in &item.recipients {
        let key = format!(
            "reminder:{}:{}:{}:{address}",
            item.unit, item.period, item.slot
        );
        let message_id = mime::reply_message_id(
            &secret,
            &key,
            ReplyKind::Reminder.as_str(),
            &config.office.address,
        );
        let outgoing = Outgoing {
            attachment: Some(FileAttachment {
                name: TEMPLATE_FILE_NAME,
                content_type: XLSX_CONTENT_TYPE,
                bytes: template,
            }),
            ..Outgoing::notice(&config.office, address, &subject, &body, &message_id, now)
        };
        match queue_mail(&mut tx, &outgoing, ReplyKind::Reminder, None).await {
            Ok(_) => {}
            Err(QueueError::Build(error)) => {
                tracing::error!(%error, %address, "cannot build a reminder");
            }
            Err(QueueError::Store(error)) => return Err(error),
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(unit = %item.unit, slot = %item.slot, recipients = item.recipients.len(), "reminder queued");
    Ok(true)
}

/// The staff digest, once per slot: recorded and logged; the bot sends recorded digests to the
/// staff chats (woken by [`Scheduler::digest_ready`]).
async fn digest(
    sched: Scheduler<'_>,
    now: NaiveDateTime,
    now_utc: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let period = Period::open_at(now.date());
    let recorded = reminders::digests_of(sched.store, &period.to_string()).await?;
    let Some((period, slot)) = digest_due(&sched.config.schedule, now, &|p, key| {
        recorded.contains(&(p.to_string(), key.to_string()))
    }) else {
        return Ok(None);
    };
    let status = crate::status::load(sched.config, sched.store, period).await?;
    let reported: Vec<(String, String, bool)> = status
        .submitted
        .iter()
        .map(|s| (s.name.clone(), s.received_at.clone(), s.late))
        .collect();
    let missing: Vec<String> = status.missing.iter().map(|m| m.name.clone()).collect();
    let text = text::staff_digest(
        period,
        sched.config.schedule.deadline(period),
        &reported,
        &missing,
        now,
    );
    let mut tx = sched.store.begin().await?;
    let recorded =
        reminders::record_digest(&mut tx, &period.to_string(), &slot.key(), &text, now_utc).await?;
    if recorded {
        // The group robots' copy, in the same transaction (SPEC §14).
        let event = if slot.kind == ReminderKind::Overdue {
            crate::notify::Event::Overdue
        } else {
            crate::notify::Event::Digest
        };
        crate::notify::alerts::queue_digest(
            &mut tx,
            event,
            &period.to_string(),
            &slot.key(),
            &text,
            now_utc,
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    if recorded {
        tracing::info!(period = %period, slot = %slot.key(), "staff digest:\n{text}");
        sched.digest_ready.notify_one();
        Ok(Some(text))
    } else {
        Ok(None)
    }
}

/// The scheduler task: a step now (the catch-up after down-time), then one at every planned
/// moment, until cancelled.
pub async fn run(sched: Scheduler<'_>, cancel: CancellationToken) {
    loop {
        match step(sched, false).await {
            // After every decision of the step is committed: tests wait for this line.
            Ok(report) => tracing::info!(
                now = %report.now,
                queued = report.queued.len(),
                "reminder step done"
            ),
            Err(error) => {
                tracing::error!(%error, "reminder step failed; trying again in a minute");
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(60)) => continue,
                }
            }
        }
        let wait = until_next(sched);
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Time until the next planned moment; at most an hour, so a changed system clock is noticed.
fn until_next(sched: Scheduler<'_>) -> Duration {
    let now = sched.now();
    let next_local = next_wakeup(&sched.config.schedule, office_local(sched, now));
    let next = sched
        .config
        .office
        .zone
        .tz()
        .from_local_datetime(&next_local)
        .earliest()
        .map_or(now, |t| t.with_timezone(&Utc));
    (next - now)
        .to_std()
        .unwrap_or(Duration::from_secs(1))
        .clamp(Duration::from_secs(1), Duration::from_secs(3600))
}
