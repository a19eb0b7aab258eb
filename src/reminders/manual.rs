//! Reminders asked for now (the bot's `/remind`), through the same recording and queuing as the
//! scheduled ones: a manual slot `manual:YYYY-MM-DD` per unit, recorded in the same transaction
//! as its mails, so each unit is reminded this way at most once a day.

use chrono::NaiveDate;

use super::ReminderKind;
use super::run::{Queued, Scheduler, queue_reminder};
use crate::domain::period::Period;
use crate::store::{StoreError, reminders};

/// What `/remind` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualOutcome {
    pub period: Period,
    /// Units reminded now (names).
    pub queued: Vec<String>,
    /// Units already reminded by hand today.
    pub already: Vec<String>,
    /// Units with no working address.
    pub no_address: Vec<String>,
}

/// The slot key of a manual reminder on an office-local date.
pub fn manual_slot(date: NaiveDate) -> String {
    format!("manual:{date}")
}

/// What the reminder says, by the date relative to the deadline.
pub fn manual_kind(date: NaiveDate, deadline: NaiveDate) -> ReminderKind {
    match date.cmp(&deadline) {
        std::cmp::Ordering::Less => ReminderKind::DueSoon,
        std::cmp::Ordering::Equal => ReminderKind::FinalDay,
        std::cmp::Ordering::Greater => ReminderKind::Overdue,
    }
}

/// Queues a reminder to every unit without a counting form for the open period.
pub async fn remind_missing_now(sched: Scheduler<'_>) -> Result<ManualOutcome, StoreError> {
    let now = sched.now();
    let today = sched.config.office.zone.today(now);
    let period = Period::open_at(today);
    let status = crate::status::load(sched.config, sched.store, period).await?;
    let failing = reminders::failing_addresses(sched.store).await?;
    let kind = manual_kind(today, sched.config.schedule.deadline(period));
    let mut outcome = ManualOutcome {
        period,
        queued: Vec::new(),
        already: Vec::new(),
        no_address: Vec::new(),
    };
    for missing in &status.missing {
        let Some(unit) = sched.config.roster.by_code(missing.unit.as_str()) else {
            continue;
        };
        let (working, failed) = reminders::split_failing(&unit.addresses, &failing);
        if working.is_empty() {
            outcome.no_address.push(unit.name.clone());
            continue;
        }
        let item = Queued {
            unit: unit.code.to_string(),
            name: unit.name.clone(),
            period,
            slot: manual_slot(today),
            kind,
            recipients: working,
            failing: failed,
        };
        if queue_reminder(sched, &item, now).await? {
            outcome.queued.push(unit.name.clone());
        } else {
            outcome.already.push(unit.name.clone());
        }
    }
    if !outcome.queued.is_empty() {
        sched.outbox_ready.notify_one();
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_follows_the_deadline() {
        let deadline: NaiveDate = "2026-11-20".parse().unwrap();
        let on = |d: &str| manual_kind(d.parse().unwrap(), deadline);
        assert_eq!(on("2026-11-19"), ReminderKind::DueSoon);
        assert_eq!(on("2026-11-20"), ReminderKind::FinalDay);
        assert_eq!(on("2026-11-21"), ReminderKind::Overdue);
        assert_eq!(
            manual_slot("2026-11-21".parse().unwrap()),
            "manual:2026-11-21"
        );
    }
}
