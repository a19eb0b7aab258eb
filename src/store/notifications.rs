//! The `notify_events` and `notifications` tables: what the group robots are to be told, and
//! each part's delivery to each robot (claimed, sent outside any transaction, marked).

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Store, StoreError, Tx};

/// A recorded event not yet expanded into per-channel rows.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub event: String,
    pub key: String,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// One part for one channel, as the fan-out plans it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub channel: String,
    pub kind: &'static str,
    pub part: i64,
    pub parts: i64,
    pub title: String,
    pub body: String,
}

/// A claimed notification.
#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub channel: String,
    pub kind: String,
    pub part: i64,
    pub parts: i64,
    pub title: String,
    pub body: String,
    pub attempts: i64,
}

/// Records an event in the caller's transaction; `false` when `key` was recorded before (the
/// same occurrence raised again: nothing more is sent).
pub async fn record_event(
    tx: &mut Tx,
    event: &str,
    key: &str,
    title: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO notify_events (event, key, title, body, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(event)
    .bind(key)
    .bind(title)
    .bind(body)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Events not yet expanded, oldest first, at most `limit`.
pub async fn unexpanded(store: &Store, limit: i64) -> Result<Vec<EventRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, event, key, title, body, created_at FROM notify_events
         WHERE fanned_out_at IS NULL ORDER BY id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?)
}

/// Expands an event: its rows for every channel and the mark, in one transaction.
pub async fn expand(
    store: &Store,
    event_id: i64,
    rows: &[NewNotification],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    for row in rows {
        sqlx::query(
            "INSERT INTO notifications
             (event_id, channel, kind, part, parts, title, body, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, channel, part) DO NOTHING",
        )
        .bind(event_id)
        .bind(&row.channel)
        .bind(row.kind)
        .bind(row.part)
        .bind(row.parts)
        .bind(&row.title)
        .bind(&row.body)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE notify_events SET fanned_out_at = ? WHERE id = ?")
        .bind(now)
        .bind(event_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Claims the oldest part due at `now` on one of the `ready` channels (configured and under
/// their rate cap), and only when the earlier parts of its message to that channel are done,
/// so parts arrive in order.
pub async fn claim_next(
    store: &Store,
    now: DateTime<Utc>,
    ready: &[String],
) -> Result<Option<NotificationRow>, StoreError> {
    let ready = serde_json::to_string(ready).unwrap_or_else(|_| "[]".into());
    Ok(sqlx::query_as(
        "UPDATE notifications SET state = 'sending', attempts = attempts + 1
         WHERE id = (SELECT n.id FROM notifications n
                     WHERE n.state = 'pending' AND n.next_attempt_at <= ?
                       AND n.channel IN (SELECT value FROM json_each(?))
                       AND NOT EXISTS (SELECT 1 FROM notifications p
                                       WHERE p.event_id = n.event_id AND p.channel = n.channel
                                         AND p.part < n.part AND p.state IN ('pending', 'sending'))
                     ORDER BY n.next_attempt_at, n.id LIMIT 1)
         RETURNING id, channel, kind, part, parts, title, body, attempts",
    )
    .bind(now)
    .bind(ready)
    .fetch_optional(store.pool())
    .await?)
}

/// When the next pending part falls due (for the sender's sleep).
pub async fn next_due(store: &Store) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(
        sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM notifications WHERE state = 'pending'",
        )
        .fetch_one(store.pool())
        .await?,
    )
}

pub async fn mark_sent(store: &Store, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE notifications SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
    )
    .bind(now)
    .bind(id)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A failed attempt: due again at `retry_at`, or given up (`failed`) when `None`.
pub async fn mark_failed(
    store: &Store,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    let state = if retry_at.is_some() {
        "pending"
    } else {
        "failed"
    };
    sqlx::query(
        "UPDATE notifications SET state = ?, last_error = ?,
         next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?",
    )
    .bind(state)
    .bind(error)
    .bind(retry_at)
    .bind(id)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Parts left `sending` by a daemon that stopped mid-send are due again (called at start-up
/// by the one sender).
pub async fn release_claimed(store: &Store, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE notifications SET state = 'pending', next_attempt_at = ? WHERE state = 'sending'",
    )
    .bind(now)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Counts of parts by state, for `status` and tests.
pub async fn counts(store: &Store) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT state, COUNT(*) FROM notifications GROUP BY state ORDER BY state")
            .fetch_all(store.pool())
            .await?,
    )
}

/// Opens a condition (e.g. `mailbox_stale`) unless it is open already; returns the id of the
/// newly opened occurrence.
pub async fn open_condition(
    tx: &mut Tx,
    condition: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO alert_conditions (condition, began_at) VALUES (?, ?)
         ON CONFLICT (condition) WHERE ended_at IS NULL DO NOTHING RETURNING id",
    )
    .bind(condition)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Closes the open occurrence of a condition; returns its id and start when one was open.
pub async fn close_condition(
    tx: &mut Tx,
    condition: &str,
    now: DateTime<Utc>,
) -> Result<Option<(i64, DateTime<Utc>)>, StoreError> {
    Ok(sqlx::query_as(
        "UPDATE alert_conditions SET ended_at = ? WHERE condition = ? AND ended_at IS NULL
         RETURNING id, began_at",
    )
    .bind(now)
    .bind(condition)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The id of the open occurrence of a condition, if any.
pub async fn open_condition_id(store: &Store, condition: &str) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM alert_conditions WHERE condition = ? AND ended_at IS NULL",
    )
    .bind(condition)
    .fetch_optional(store.pool())
    .await?)
}
