//! The `upstream_submissions` table: each sending of a month's summary to the city.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, Tx};

/// One sending, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct UpstreamRow {
    pub period: String,
    pub attempt: i64,
    pub recipient: String,
    pub outbox_id: i64,
    pub attachment: String,
    pub submitted_at: DateTime<Utc>,
    /// The outbox row's state: `pending`, `sending`, `sent` or `failed`.
    pub state: String,
}

/// A sending about to be recorded.
pub struct NewUpstream<'a> {
    pub period: &'a str,
    pub attempt: i64,
    pub recipient: &'a str,
    pub outbox_id: i64,
    pub outgoing_id: &'a str,
    pub attachment: &'a str,
    pub submitted_at: DateTime<Utc>,
}

/// The sendings of a month, first first.
pub async fn of_period_tx(tx: &mut Tx, period: &str) -> Result<Vec<UpstreamRow>, StoreError> {
    Ok(
        sqlx::query_as(
            "SELECT u.period, u.attempt, u.recipient, u.outbox_id, u.attachment, u.submitted_at, o.state
         FROM upstream_submissions u JOIN outbox o ON o.id = u.outbox_id
         WHERE u.period = ? ORDER BY u.attempt",
        )
            .bind(period)
            .fetch_all(&mut **tx)
            .await?,
    )
}

/// The sendings of a month, first first (outside a transaction: for `status`).
pub async fn of_period(store: &Store, period: &str) -> Result<Vec<UpstreamRow>, StoreError> {
    Ok(
        sqlx::query_as(
            "SELECT u.period, u.attempt, u.recipient, u.outbox_id, u.attachment, u.submitted_at, o.state
         FROM upstream_submissions u JOIN outbox o ON o.id = u.outbox_id
         WHERE u.period = ? ORDER BY u.attempt",
        )
            .bind(period)
            .fetch_all(store.pool())
            .await?,
    )
}

pub async fn insert(tx: &mut Tx, new: &NewUpstream<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO upstream_submissions
            (period, attempt, recipient, outbox_id, outgoing_id, attachment, submitted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(new.period)
    .bind(new.attempt)
    .bind(new.recipient)
    .bind(new.outbox_id)
    .bind(new.outgoing_id)
    .bind(new.attachment)
    .bind(new.submitted_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
