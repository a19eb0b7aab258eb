//! The health verdict (SPEC §17): healthy or degraded, and why, from a few facts in the database.
//! `reportdesk health` exits 0 when healthy and 1 when degraded, so a monitor can call it; the
//! same block is shown by `status`.
//!
//! Degraded when: no mailbox has been read successfully within [`POLL_STALE`] (or ever); a reply
//! has been due for longer than [`OUTBOX_LATE`]; a reply was given up within [`FAILED_WINDOW`];
//! a message is quarantined. Held forms and failing addresses are shown but wait on staff, so
//! they do not degrade the service.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::clock::local_text;
use crate::store::{Store, StoreError, health, reminders};

/// The longest quiet time of the inbound mailbox: IDLE is renewed every 25 minutes and polling
/// is at most every few minutes, so an hour without a successful look means intake is stuck.
pub const POLL_STALE: Duration = Duration::hours(1);
/// How long a due reply may wait before the outbox counts as stuck.
pub const OUTBOX_LATE: Duration = Duration::minutes(30);
/// How far back a reply given up counts against health.
pub const FAILED_WINDOW: Duration = Duration::days(7);

/// What the verdict is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub now: DateTime<Utc>,
    pub last_poll: Option<DateTime<Utc>>,
    pub outbox_waiting: i64,
    pub oldest_due: Option<DateTime<Utc>>,
    pub failed_recently: i64,
    pub failing_addresses: i64,
    pub held: i64,
    pub quarantined: i64,
}

/// The verdict, as `health --json` prints it (times in the office's time zone).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Health {
    pub healthy: bool,
    pub problems: Vec<String>,
    pub last_mailbox_poll: Option<String>,
    pub outbox_waiting: i64,
    pub outbox_oldest_due: Option<String>,
    pub outbox_failed_last_7_days: i64,
    pub failing_addresses: i64,
    pub held: i64,
    pub quarantined: i64,
}

/// Judges `facts`; pure.
pub fn judge(facts: &Facts, tz: Tz) -> Health {
    let mut problems = Vec::new();
    match facts.last_poll {
        None => problems.push("the mailbox has never been read: is `run` running?".to_string()),
        Some(at) if facts.now - at > POLL_STALE => problems.push(format!(
            "the mailbox has not been read since {} ({} min)",
            local_text(at, tz),
            (facts.now - at).num_minutes()
        )),
        Some(_) => {}
    }
    if let Some(due) = facts
        .oldest_due
        .filter(|due| facts.now - *due > OUTBOX_LATE)
    {
        problems.push(format!(
            "a reply has been waiting since {} ({} min); {} not sent",
            local_text(due, tz),
            (facts.now - due).num_minutes(),
            facts.outbox_waiting
        ));
    }
    if facts.failed_recently > 0 {
        problems.push(format!(
            "{} replies given up in the last 7 days (`status` lists them)",
            facts.failed_recently
        ));
    }
    if facts.quarantined > 0 {
        problems.push(format!(
            "{} messages quarantined (`quarantine list`)",
            facts.quarantined
        ));
    }
    Health {
        healthy: problems.is_empty(),
        problems,
        last_mailbox_poll: facts.last_poll.map(|t| local_text(t, tz)),
        outbox_waiting: facts.outbox_waiting,
        outbox_oldest_due: facts.oldest_due.map(|t| local_text(t, tz)),
        outbox_failed_last_7_days: facts.failed_recently,
        failing_addresses: facts.failing_addresses,
        held: facts.held,
        quarantined: facts.quarantined,
    }
}

/// Reads the facts at `now`.
pub async fn facts(store: &Store, now: DateTime<Utc>) -> Result<Facts, StoreError> {
    let (outbox_waiting, oldest_due) = health::backlog(store, now).await?;
    let states = health::message_states(store).await?;
    let count = |state: &str| {
        states
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n)
    };
    Ok(Facts {
        now,
        last_poll: health::last_poll(store).await?,
        outbox_waiting,
        oldest_due,
        failed_recently: health::failed_since(store, now - FAILED_WINDOW).await?,
        failing_addresses: i64::try_from(reminders::failing(store).await?.len()).unwrap_or(0),
        held: count("held"),
        quarantined: count("quarantined"),
    })
}

/// The verdict as lines of text.
pub fn render(health: &Health) -> String {
    let mut out = format!(
        "health: {}\n",
        if health.healthy {
            "healthy"
        } else {
            "DEGRADED"
        }
    );
    for problem in &health.problems {
        out.push_str(&format!("  ! {problem}\n"));
    }
    out.push_str(&format!(
        "  last mailbox poll: {}\n  outbox: {} waiting{}, {} given up in 7 days\n  failing addresses: {}, held: {}, quarantined: {}\n",
        health.last_mailbox_poll.as_deref().unwrap_or("never"),
        health.outbox_waiting,
        health
            .outbox_oldest_due
            .as_ref()
            .map(|t| format!(" (oldest due {t})"))
            .unwrap_or_default(),
        health.outbox_failed_last_7_days,
        health.failing_addresses,
        health.held,
        health.quarantined
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn fine() -> Facts {
        Facts {
            now: at("2026-11-12T10:00:00+08:00"),
            last_poll: Some(at("2026-11-12T09:59:00+08:00")),
            outbox_waiting: 2,
            oldest_due: Some(at("2026-11-12T09:50:00+08:00")),
            failed_recently: 0,
            failing_addresses: 1,
            held: 3,
            quarantined: 0,
        }
    }

    #[test]
    fn fresh_poll_and_a_moving_outbox_are_healthy_even_with_held_forms() {
        let health = judge(&fine(), chrono_tz::Asia::Shanghai);
        assert!(health.healthy, "{:?}", health.problems);
        assert_eq!(health.held, 3);
        assert_eq!(
            health.last_mailbox_poll.as_deref(),
            Some("2026-11-12 09:59")
        );
    }

    #[test]
    fn each_stuck_part_degrades_and_says_why() {
        let tz = chrono_tz::Asia::Shanghai;
        let mut never = fine();
        never.last_poll = None;
        assert!(judge(&never, tz).problems[0].contains("never been read"));
        let mut stale = fine();
        stale.last_poll = Some(at("2026-11-12T08:30:00+08:00"));
        assert!(judge(&stale, tz).problems[0].contains("since 2026-11-12 08:30 (90 min)"));
        let mut late = fine();
        late.oldest_due = Some(at("2026-11-12T09:00:00+08:00"));
        assert!(judge(&late, tz).problems[0].contains("waiting since"));
        let mut failed = fine();
        failed.failed_recently = 2;
        assert!(!judge(&failed, tz).healthy);
        let mut quarantined = fine();
        quarantined.quarantined = 1;
        assert!(judge(&quarantined, tz).problems[0].contains("quarantined"));
    }
}
