//! The `outbox` table: replies queued in the same transaction as what they report, then
//! delivered by a worker that claims one row, sends outside any transaction and marks it.
//! A row is never deleted: a reply that could not be sent stays visible as `failed`.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::{Store, StoreError, Tx};

/// What a queued mail is (the `kind` column; `kind` in the ingest report's `reply`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// A receipt for accepted forms.
    Receipt,
    /// A return: what to fix, with the blank template.
    Return,
    /// Photos received for earlier cases.
    Photos,
    /// No form found: how to report, with the blank template.
    Help,
    /// A reminder before or after the deadline.
    Reminder,
    /// The district's summary sent to the city office (`submit`).
    Upstream,
}

impl ReplyKind {
    /// The stored text: `receipt`, `return`, `photos`, `help`, `reminder`, `upstream`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receipt => "receipt",
            Self::Return => "return",
            Self::Photos => "photos",
            Self::Help => "help",
            Self::Reminder => "reminder",
            Self::Upstream => "upstream",
        }
    }
}

impl std::fmt::Display for ReplyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct NewReply<'a> {
    pub message_row: Option<i64>,
    pub kind: ReplyKind,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub outgoing_id: &'a str,
    pub body: &'a [u8],
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub outgoing_id: String,
    pub body: Vec<u8>,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

pub async fn enqueue(tx: &mut Tx, reply: &NewReply<'_>) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar(
        "INSERT INTO outbox (message_row, kind, recipient, subject, outgoing_id, body, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(reply.message_row)
    .bind(reply.kind.as_str())
    .bind(reply.recipient)
    .bind(reply.subject)
    .bind(reply.outgoing_id)
    .bind(reply.body)
    .bind(reply.created_at)
    .bind(reply.created_at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Whether `outgoing_id` is the Message-ID of a mail we queued.
pub async fn is_ours(tx: &mut Tx, outgoing_id: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM outbox WHERE outgoing_id = ?")
        .bind(outgoing_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some())
}

/// Replies queued for `recipient` since `since`: the per-sender rate limit counts these.
pub async fn count_to_recipient_since(
    tx: &mut Tx,
    recipient: &str,
    since: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = ? AND created_at >= ?")
            .bind(recipient)
            .bind(since)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Claims the oldest reply due at `now`, marking it `sending`; `None` when nothing is due.
/// A row left in `sending` by a crash is due again after `stale`.
pub async fn claim_next(
    store: &Store,
    now: DateTime<Utc>,
    stale: Duration,
) -> Result<Option<OutboxRow>, StoreError> {
    Ok(sqlx::query_as(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = ?
         WHERE id = (SELECT id FROM outbox
                     WHERE state IN ('pending', 'sending') AND next_attempt_at <= ?
                     ORDER BY next_attempt_at, id LIMIT 1)
         RETURNING id, kind, recipient, subject, outgoing_id, body, state, attempts, last_error",
    )
    .bind(now + stale)
    .bind(now)
    .fetch_optional(store.pool())
    .await?)
}

/// Makes replies claimed by a worker that died (state `sending`) due again. Called when the one
/// daemon starts, so a crash between sending and marking delays nothing.
pub async fn release_claimed(store: &Store, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'pending', next_attempt_at = ? WHERE state = 'sending'",
    )
    .bind(now)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected())
}

pub async fn mark_sent(store: &Store, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// A failed attempt: retried at `retry_at`, or given up (`failed`) when `retry_at` is `None`.
pub async fn mark_attempt_failed(
    store: &Store,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    let (state, next) = match retry_at {
        Some(at) => ("pending", Some(at)),
        None => ("failed", None),
    };
    sqlx::query(
        "UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?",
    )
    .bind(state)
    .bind(error)
    .bind(next)
    .bind(id)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A reply the server refused for good, marked `failed` in the caller's transaction (the alert
/// to the staff channels goes in the same one).
pub async fn mark_given_up(tx: &mut Tx, id: i64, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?")
        .bind(error)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Counts of replies by state, for `status`.
pub async fn counts(store: &Store) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")
            .fetch_all(store.pool())
            .await?,
    )
}
