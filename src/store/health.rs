//! The facts `health` and `status` judge (SPEC §17): the last successful look at each inbound
//! mailbox (`mailbox_polls`, written by the inbound tasks), the outbox backlog, recent failures,
//! and messages by state (`held` and `quarantined` come from the sender check and the worker).

use chrono::{DateTime, Utc};

use super::{Store, StoreError};

/// Records a successful look at `mailbox` (e.g. "maildir:inbox", "imap:user@host/INBOX").
pub async fn record_poll(
    store: &Store,
    mailbox: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mailbox_polls (mailbox, polled_at) VALUES (?, ?)
         ON CONFLICT (mailbox) DO UPDATE SET polled_at = excluded.polled_at",
    )
    .bind(mailbox)
    .bind(at)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The latest successful poll of any mailbox.
pub async fn last_poll(store: &Store) -> Result<Option<DateTime<Utc>>, StoreError> {
    let rows: Vec<DateTime<Utc>> = sqlx::query_scalar("SELECT polled_at FROM mailbox_polls")
        .fetch_all(store.pool())
        .await?;
    Ok(rows.into_iter().max())
}

/// Replies not yet sent, and the earliest time one of them became due (`None` when none is
/// due at `now`).
pub async fn backlog(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
    let waiting: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')")
            .fetch_one(store.pool())
            .await?;
    let due: Vec<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT next_attempt_at FROM outbox WHERE state IN ('pending', 'sending')
         ORDER BY next_attempt_at LIMIT 1",
    )
    .fetch_all(store.pool())
    .await?;
    Ok((waiting, due.into_iter().next().filter(|at| *at <= now)))
}

/// Replies given up (`failed`) that were queued since `since`.
pub async fn failed_since(store: &Store, since: DateTime<Utc>) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND created_at >= ?",
        )
        .bind(since)
        .fetch_one(store.pool())
        .await?,
    )
}

/// Messages counted by their `state` (received, processed, and, where the schema has them,
/// held and quarantined).
pub async fn message_states(store: &Store) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT state, COUNT(*) FROM messages GROUP BY state ORDER BY state")
            .fetch_all(store.pool())
            .await?,
    )
}
