//! The outbox worker: claims one queued reply, hands it to the outbound transport outside any
//! transaction, then marks it sent, or schedules a retry with backoff.
//!
//! Over SMTP several lanes do this side by side (`[outbound] connections`, 4 by default), each
//! on a reused pooled connection, all under the `max_per_minute` cap. Each lane claims its own
//! row (a claim is one atomic update), so a reply is still handed over by one lane only and
//! marked by it; the Maildir takes 64 at a time, writing one batch's files on a blocking thread
//! while it claims the next.
//!
//! The transport is the local outbox Maildir on the embedded default, or SMTP. A reply the
//! server refuses for good (5xx) is marked `failed` at once and shows in `status`; any other
//! failure is retried with backoff. Nothing is ever deleted from the outbox.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::mail::maildir::Maildir;
use crate::net::pace::{Admission, RateCap};
use crate::net::smtp_client::Smtp;
use crate::notify::alerts::{Alert, queue_alert};
use crate::store::outbox::{self, OutboxRow};
use crate::store::{Store, StoreError};

/// Where replies are handed over.
pub enum Transport {
    Maildir(Maildir),
    Smtp(Smtp),
}

impl Transport {
    /// How many replies may be in flight at once.
    fn lanes(&self) -> usize {
        match self {
            Transport::Maildir(_) => 1,
            Transport::Smtp(smtp) => smtp.connections().max(1),
        }
    }

    fn cap(&self) -> Option<&RateCap> {
        match self {
            Transport::Maildir(_) => None,
            Transport::Smtp(smtp) => smtp.cap(),
        }
    }
}

/// Why one hand-over failed.
struct Failure {
    reason: String,
    permanent: bool,
}

/// What one step of the worker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Sent { id: i64, recipient: String },
    Retrying { id: i64, error: String },
    Failed { id: i64, error: String },
    Idle,
}

/// How long to wait before trying a reply again after a transient failure.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The first wait; each further failure doubles it.
    pub base: Duration,
    /// The longest wait. Transient failures are retried for as long as they last: an SMTP
    /// outage of a day must not lose a receipt.
    pub cap: Duration,
}

impl RetryPolicy {
    /// The configured first wait (`retry_base_seconds`), doubling up to ten minutes.
    pub fn from_base_seconds(base_seconds: u64) -> Self {
        Self {
            base: Duration::seconds(i64::try_from(base_seconds).unwrap_or(30)),
            cap: Duration::minutes(10),
        }
    }

    fn after(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
        let wait = self.base * 2i32.saturating_pow(doublings.min(20));
        wait.min(self.cap)
    }
}

/// The longest one hand-over may take: well below the claim's lease ([`outbox::LEASE`]), so
/// no other process takes a reply over while this one is still sending it.
const HAND_OVER_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Delivers at most one due reply.
pub async fn deliver_one(
    store: &Store,
    transport: &Transport,
    now: DateTime<Utc>,
    retry: RetryPolicy,
) -> Result<Step, StoreError> {
    let Some(row) = outbox::claim_next(store, now, Utc::now()).await? else {
        return Ok(Step::Idle);
    };
    let handed = tokio::time::timeout(HAND_OVER_LIMIT, hand_over(transport, &row))
        .await
        .unwrap_or_else(|_| {
            Err(Failure {
                reason: format!("no answer within {} s", HAND_OVER_LIMIT.as_secs()),
                permanent: false,
            })
        });
    match handed {
        Ok(()) => {
            outbox::mark_sent(store, row.id, now).await?;
            tracing::info!(id = row.id, kind = %row.kind, recipient = %row.recipient, "reply delivered");
            Ok(Step::Sent {
                id: row.id,
                recipient: row.recipient,
            })
        }
        Err(Failure {
            reason: error,
            permanent: true,
        }) => {
            give_up(store, &row, &error, now).await?;
            tracing::warn!(id = row.id, %error, retry = false, "reply not delivered");
            Ok(Step::Failed { id: row.id, error })
        }
        Err(Failure {
            reason: error,
            permanent,
        }) => {
            let retry_at = (!permanent).then(|| now + retry.after(row.attempts));
            outbox::mark_attempt_failed(store, row.id, &error, retry_at).await?;
            tracing::warn!(id = row.id, %error, retry = retry_at.is_some(), "reply not delivered");
            Ok(if retry_at.is_some() {
                Step::Retrying { id: row.id, error }
            } else {
                Step::Failed { id: row.id, error }
            })
        }
    }
}

/// A reply refused for good: marked failed, and staff alerted (SPEC §14), in one transaction.
async fn give_up(
    store: &Store,
    row: &OutboxRow,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    outbox::mark_given_up(&mut tx, row.id, error).await?;
    let alert = Alert::SmtpFailed {
        outbox: row.id,
        recipient: row.recipient.clone(),
        error: error.to_string(),
    };
    queue_alert(&mut tx, &alert, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Delivers every reply due now; returns how many went out. The transport's lanes run side by
/// side. A transient failure ends the round for every lane (each finishes the reply it holds):
/// the server is probably down, and the other replies wait for the next round rather than each
/// knocking on a closed door. Replies a crashed process left mid-send are due again first.
pub async fn deliver_due(
    store: &Store,
    transport: &Transport,
    now: DateTime<Utc>,
    retry: RetryPolicy,
) -> Result<usize, StoreError> {
    let released = outbox::release_orphans(store, now).await?;
    if released > 0 {
        tracing::warn!(
            released,
            "replies left mid-send by a stopped process are due again"
        );
    }
    if let Transport::Maildir(maildir) = transport {
        return maildir_rounds(store, maildir, now, retry).await;
    }
    let stop = AtomicBool::new(false);
    let lanes = (0..transport.lanes()).map(|_| lane(store, transport, now, retry, &stop));
    let mut sent = 0;
    for result in futures_util::future::join_all(lanes).await {
        sent += result?;
    }
    Ok(sent)
}

/// Replies handed to the local outbox Maildir at most this many at a time.
const MAILDIR_BATCH: usize = 64;

/// The Maildir's delivery in batches: claim up to [`MAILDIR_BATCH`] due replies at once, write
/// them with one sync of `new/` ([`Maildir::deliver_batch`], on a blocking thread while the
/// next batch is claimed), then mark them sent in one transaction. A crash in between leaves
/// them claimed; they are due again at the next start and written under the same names, so a
/// reply never appears twice in the Maildir. Once a batch fails, the batch already claimed is
/// still tried (and marked for a retry if it fails too), and no more is claimed this round.
async fn maildir_rounds(
    store: &Store,
    maildir: &Maildir,
    now: DateTime<Utc>,
    retry: RetryPolicy,
) -> Result<usize, StoreError> {
    let mut sent = 0;
    let mut failing = false;
    let mut rows = outbox::claim_batch(store, now, Utc::now(), MAILDIR_BATCH).await?;
    while !rows.is_empty() {
        let rows_now = std::sync::Arc::new(rows);
        let claim_next = async {
            if failing {
                Ok(Vec::new())
            } else {
                outbox::claim_batch(store, now, Utc::now(), MAILDIR_BATCH).await
            }
        };
        let (results, next) = tokio::join!(write_replies(maildir, &rows_now), claim_next);
        let delivered = mark_written(store, &rows_now, results, now, retry).await?;
        sent += delivered;
        failing |= delivered < rows_now.len();
        rows = next?;
    }
    Ok(sent)
}

/// Writes `rows` into the Maildir on a blocking thread: one result per row, in order.
async fn write_replies(
    maildir: &Maildir,
    rows: &std::sync::Arc<Vec<OutboxRow>>,
) -> Vec<Result<(), String>> {
    let (maildir, batch) = (maildir.clone(), rows.clone());
    let job = tokio::task::spawn_blocking(move || {
        let mails: Vec<(&str, &[u8])> = batch
            .iter()
            .map(|r| (r.outgoing_id.as_str(), r.body.as_slice()))
            .collect();
        maildir
            .deliver_batch(&mails)
            .into_iter()
            .map(|result| result.map(|_| ()).map_err(|e| e.to_string()))
            .collect()
    });
    job.await.unwrap_or_else(|error| {
        let why = format!("the writing thread failed: {error}");
        rows.iter().map(|_| Err(why.clone())).collect()
    })
}

/// Marks the replies written as sent (one transaction) and each failed one for a retry;
/// returns how many were written.
async fn mark_written(
    store: &Store,
    rows: &[OutboxRow],
    results: Vec<Result<(), String>>,
    now: DateTime<Utc>,
    retry: RetryPolicy,
) -> Result<usize, StoreError> {
    let mut delivered = Vec::with_capacity(rows.len());
    for (row, result) in rows.iter().zip(results) {
        match result {
            Ok(()) => delivered.push(row.id),
            Err(error) => {
                let retry_at = now + retry.after(row.attempts);
                outbox::mark_attempt_failed(store, row.id, &error, Some(retry_at)).await?;
                tracing::warn!(id = row.id, %error, retry = true, "reply not delivered");
            }
        }
    }
    outbox::mark_all_sent(store, &delivered, now).await?;
    for row in rows.iter().filter(|r| delivered.contains(&r.id)) {
        tracing::info!(id = row.id, kind = %row.kind, recipient = %row.recipient, "reply delivered");
    }
    Ok(delivered.len())
}

/// One lane: claims and hands over replies one after another until none is due or the round
/// stops.
async fn lane(
    store: &Store,
    transport: &Transport,
    now: DateTime<Utc>,
    retry: RetryPolicy,
    stop: &AtomicBool,
) -> Result<usize, StoreError> {
    let mut sent = 0;
    while !stop.load(Ordering::Relaxed) {
        let admission = admit(transport).await;
        let step = deliver_one(store, transport, now, retry).await;
        match step {
            Ok(Step::Sent { .. }) => sent += 1,
            Ok(Step::Failed { .. }) => {}
            Ok(Step::Idle) => {
                refund(transport, admission);
                return Ok(sent);
            }
            Ok(Step::Retrying { .. }) => {
                stop.store(true, Ordering::Relaxed);
                return Ok(sent);
            }
            Err(error) => {
                stop.store(true, Ordering::Relaxed);
                return Err(error);
            }
        }
    }
    Ok(sent)
}

async fn admit(transport: &Transport) -> Option<Admission> {
    match transport.cap() {
        Some(cap) => Some(cap.admit().await),
        None => None,
    }
}

fn refund(transport: &Transport, admission: Option<Admission>) {
    if let (Some(cap), Some(admission)) = (transport.cap(), admission) {
        cap.refund(admission);
    }
}

async fn hand_over(transport: &Transport, row: &OutboxRow) -> Result<(), Failure> {
    match transport {
        Transport::Maildir(maildir) => maildir
            .deliver(&row.outgoing_id, &row.body)
            .map(|_| ())
            .map_err(|e| Failure {
                reason: e.to_string(),
                permanent: false,
            }),
        Transport::Smtp(smtp) => smtp
            .send(&row.recipient, &row.body)
            .await
            .map_err(|e| Failure {
                reason: e.to_string(),
                permanent: e.permanent,
            }),
    }
}

/// The delivery task: sends what is due, then sleeps until `ready` is woken (a reply was
/// queued), `idle_check` has passed (retries fall due on their own; `[outbound]
/// check_seconds`), or the daemon stops.
pub async fn run(
    store: &Store,
    transport: Transport,
    clock: &Clock,
    retry: RetryPolicy,
    ready: &Notify,
    idle_check: std::time::Duration,
    cancel: CancellationToken,
) {
    loop {
        match deliver_due(store, &transport, clock.now(), retry).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "replies delivered"),
            Err(error) => tracing::error!(%error, "outbox delivery failed; trying again"),
        }
        tracing::debug!(?idle_check, "outbox looked at; waiting for a wake-up");
        tokio::select! {
            () = cancel.cancelled() => return,
            () = ready.notified() => {}
            () = tokio::time::sleep(idle_check) => {}
        }
    }
}

#[cfg(test)]
mod tests;
