//! The mailbox watchdog: the IMAP task reports each successful poll and each failure to a
//! [`MailboxHealth`] handle; the watchdog alerts once when no poll has succeeded for 30 minutes
//! and once more when one succeeds again. The outage is an `alert_conditions` row opened and
//! closed in the same transaction as its alert, so a restart neither repeats nor loses either.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio_util::sync::CancellationToken;

use super::alerts::{Alert, queue_alert};
use crate::store::{Store, StoreError, notifications};

/// How long without a successful poll before staff are told.
pub const STALE_AFTER: TimeDelta = TimeDelta::minutes(30);
const CONDITION: &str = "mailbox_stale";
const CHECK_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
struct Seen {
    last_ok: Option<DateTime<Utc>>,
    failing_since: Option<DateTime<Utc>>,
    last_error: String,
}

/// What the inbound task reports; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct MailboxHealth {
    seen: Arc<Mutex<Seen>>,
}

impl MailboxHealth {
    /// A poll (or IDLE round) succeeded at `now`.
    pub fn polled(&self, now: DateTime<Utc>) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.last_ok = Some(now);
            seen.failing_since = None;
        }
    }

    /// A connection or poll failed at `now`.
    pub fn failed(&self, now: DateTime<Utc>, error: &str) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.failing_since.get_or_insert(now);
            seen.last_error = error.chars().take(300).collect();
        }
    }

    fn snapshot(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>, String) {
        self.seen.lock().map_or((None, None, String::new()), |s| {
            (s.last_ok, s.failing_since, s.last_error.clone())
        })
    }
}

/// What the watchdog decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Failing for 30 minutes or more without a success since: open the outage.
    Stale,
    /// A success after the outage opened: close it.
    Recovered,
    Nothing,
}

/// Pure: the outage opens when polls have failed since `failing_since` and nothing succeeded
/// for [`STALE_AFTER`]; it closes at the first success after it opened.
pub fn decide(
    last_ok: Option<DateTime<Utc>>,
    failing_since: Option<DateTime<Utc>>,
    open: bool,
    now: DateTime<Utc>,
) -> Verdict {
    match (open, failing_since) {
        (false, Some(since)) => {
            let quiet_since = last_ok.map_or(since, |ok| ok.max(since));
            if now - quiet_since >= STALE_AFTER {
                Verdict::Stale
            } else {
                Verdict::Nothing
            }
        }
        (true, None) if last_ok.is_some() => Verdict::Recovered,
        _ => Verdict::Nothing,
    }
}

/// Applies the verdict at `now`: opens or closes the outage with its alert, in one transaction.
pub async fn check(
    store: &Store,
    health: &MailboxHealth,
    now: DateTime<Utc>,
) -> Result<Verdict, StoreError> {
    let (last_ok, failing_since, error) = health.snapshot();
    let open = notifications::open_condition_id(store, CONDITION).await?;
    let verdict = decide(last_ok, failing_since, open.is_some(), now);
    let mut tx = store.begin().await?;
    match verdict {
        Verdict::Stale => {
            if let Some(occurrence) = notifications::open_condition(&mut tx, CONDITION, now).await?
            {
                queue_alert(&mut tx, &Alert::MailboxStale { occurrence, error }, now).await?;
            }
        }
        Verdict::Recovered => {
            if let Some((occurrence, _)) =
                notifications::close_condition(&mut tx, CONDITION, now).await?
            {
                queue_alert(&mut tx, &Alert::MailboxRecovered { occurrence }, now).await?;
            }
        }
        Verdict::Nothing => {}
    }
    tx.commit().await?;
    Ok(verdict)
}

/// The watchdog task: checks every 30 seconds until cancelled. `now` is the sender's clock.
pub async fn run(
    store: Store,
    health: MailboxHealth,
    now: impl Fn() -> DateTime<Utc> + Send,
    cancel: CancellationToken,
) {
    loop {
        if let Err(error) = check(&store, &health, now()).await {
            tracing::error!(%error, "mailbox watchdog failed; trying again");
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(CHECK_EVERY) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + TimeDelta::minutes(minutes)
    }

    #[test]
    fn thirty_minutes_of_failures_open_an_outage_once() {
        assert_eq!(
            decide(Some(t(0)), Some(t(1)), false, t(29)),
            Verdict::Nothing
        );
        assert_eq!(decide(Some(t(0)), Some(t(1)), false, t(31)), Verdict::Stale);
        assert_eq!(decide(None, Some(t(0)), false, t(30)), Verdict::Stale);
        // Open already: not again, while it still fails.
        assert_eq!(
            decide(Some(t(0)), Some(t(1)), true, t(90)),
            Verdict::Nothing
        );
    }

    #[test]
    fn the_first_success_closes_it() {
        assert_eq!(decide(Some(t(95)), None, true, t(95)), Verdict::Recovered);
        assert_eq!(decide(Some(t(95)), None, false, t(95)), Verdict::Nothing);
        assert_eq!(decide(None, None, false, t(95)), Verdict::Nothing);
    }

    #[test]
    fn the_handle_tracks_the_latest_report() {
        let health = MailboxHealth::default();
        health.failed(t(0), "connection refused");
        health.failed(t(5), "connection refused again");
        let (ok, since, error) = health.snapshot();
        assert_eq!((ok, since), (None, Some(t(0))));
        assert_eq!(error, "connection refused again");
        health.polled(t(6));
        assert_eq!(health.snapshot().1, None);
    }
}
