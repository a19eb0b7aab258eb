//! Read queries of the staff web console that the shared query layer has no use for: returned
//! forms not yet fixed, every version of a unit's forms with the message that carried it, the
//! message log with filters, the sender check of each version, and the counts of the health
//! panel.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreError};
use crate::domain::fields::{Field, MonthlyValues};
use crate::domain::outcome::Outcome;
use crate::sender::Verdict;

/// The newest rejected message of each registered unit received in `[from, until)`; a held
/// message staff rejected (a forged From) is not the unit's return and does not count.
pub async fn rejected_by_unit(
    store: &Store,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT unit_code, MAX(received_at) AS at FROM messages
          WHERE outcome = 'rejected' AND unit_code IS NOT NULL
            AND received_at >= ? AND received_at < ?
            AND id NOT IN (SELECT message_row FROM held_mail WHERE decision = 'rejected')
          GROUP BY unit_code",
    )
    .bind(from)
    .bind(until)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push((row.try_get("unit_code")?, row.try_get("at")?));
    }
    Ok(out)
}

/// One stored version of a unit's monthly form, with the message that brought it.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub period: String,
    pub version: i64,
    pub received_at: DateTime<Utc>,
    pub late: bool,
    pub receipt_no: String,
    pub attachment: String,
    pub message_row: i64,
    pub source: String,
    pub values: MonthlyValues,
}

/// Every version of the unit's forms for periods from `first_period` (YYYY-MM) on, oldest first.
pub async fn versions_of_unit(
    store: &Store,
    unit_code: &str,
    first_period: &str,
) -> Result<Vec<VersionRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.*, m.source FROM monthly_submissions s JOIN messages m ON m.id = s.message_row
          WHERE s.unit_code = ? AND s.period >= ? ORDER BY s.period, s.version",
    )
    .bind(unit_code)
    .bind(first_period)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let mut values = [0u64; 11];
            for (slot, field) in values.iter_mut().zip(Field::ALL) {
                *slot = u64::try_from(row.try_get::<i64, _>(field.key())?).unwrap_or(0);
            }
            Ok(VersionRow {
                period: row.try_get("period")?,
                version: row.try_get("version")?,
                received_at: row.try_get("received_at")?,
                late: row.try_get::<i64, _>("late")? != 0,
                receipt_no: row.try_get("receipt_no")?,
                attachment: row.try_get("attachment")?,
                message_row: row.try_get("message_row")?,
                source: row.try_get("source")?,
                values: MonthlyValues::new(values),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// A message as the log lists it: the columns of [`super::messages::MessageRow`] that a page
/// shows (not the key, not the stored report, which can be long) and the sender verdict.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoggedMessage {
    pub id: i64,
    pub sender: Option<String>,
    pub unit_code: Option<String>,
    pub subject: String,
    pub received_at: DateTime<Utc>,
    pub raw_path: String,
    pub source: String,
    pub state: String,
    pub outcome: Option<Outcome>,
    /// The sender verdict (SPEC §13); `None` when not checked.
    pub sender_check: Option<Verdict>,
}

/// `SELECT` of every [`LoggedMessage`] column; a macro so each query stays one literal string.
macro_rules! select_logged {
    () => {
        "SELECT id, sender, unit_code, subject, received_at, raw_path, source, state, outcome, sender_check FROM messages"
    };
}

/// What the message log shows.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// `messages.state` (received, processed, and the states other parts add: held, quarantined…).
    pub state: Option<String>,
    pub outcome: Option<Outcome>,
    /// Only mail from addresses not in the roster.
    pub unknown_only: bool,
    pub unit: Option<String>,
}

/// The newest `limit` messages that pass the filter.
pub async fn message_log(
    store: &Store,
    filter: &LogFilter,
    limit: u32,
) -> Result<Vec<LoggedMessage>, StoreError> {
    let mut sql = String::from(concat!(select_logged!(), " WHERE 1 = 1"));
    if filter.state.is_some() {
        sql.push_str(" AND state = ?");
    }
    if filter.outcome.is_some() {
        sql.push_str(" AND outcome = ?");
    }
    if filter.unknown_only {
        sql.push_str(" AND unit_code IS NULL AND sender IS NOT NULL");
    }
    if filter.unit.is_some() {
        sql.push_str(" AND unit_code = ?");
    }
    sql.push_str(" ORDER BY received_at DESC, id DESC LIMIT ?");
    // Only the fixed fragments above are joined; every value is bound.
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    let outcome = filter.outcome.map(Outcome::as_str);
    let values = [filter.state.as_deref(), outcome, filter.unit.as_deref()];
    for value in values.into_iter().flatten() {
        query = query.bind(value);
    }
    Ok(query.bind(limit).fetch_all(store.pool()).await?)
}

/// The distinct values of `messages.state`, for the log's filter.
pub async fn message_states(store: &Store) -> Result<Vec<(String, i64)>, StoreError> {
    let rows =
        sqlx::query("SELECT state, COUNT(*) AS n FROM messages GROUP BY state ORDER BY state")
            .fetch_all(store.pool())
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push((row.try_get("state")?, row.try_get("n")?));
    }
    Ok(out)
}

/// A message by its row id.
pub async fn message(store: &Store, id: i64) -> Result<Option<LoggedMessage>, StoreError> {
    Ok(sqlx::query_as(concat!(select_logged!(), " WHERE id = ?"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?)
}

/// The newest receipt time of any message (the last mail taken in), and the oldest reply still
/// waiting to go out, for the health panel.
pub async fn last_received_and_oldest_pending(
    store: &Store,
) -> Result<(Option<DateTime<Utc>>, Option<DateTime<Utc>>), StoreError> {
    let last: Option<DateTime<Utc>> = sqlx::query_scalar("SELECT MAX(received_at) FROM messages")
        .fetch_one(store.pool())
        .await?;
    let oldest: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT MIN(created_at) FROM outbox WHERE state IN ('pending', 'sending')",
    )
    .fetch_one(store.pool())
    .await?;
    Ok((last, oldest))
}

/// Replies that failed for good, newest first.
pub async fn failed_replies(
    store: &Store,
    limit: u32,
) -> Result<Vec<(String, String, Option<String>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT recipient, subject, last_error FROM outbox WHERE state = 'failed'
          ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push((
            row.try_get("recipient")?,
            row.try_get("subject")?,
            row.try_get("last_error")?,
        ));
    }
    Ok(out)
}

/// When each IMAP folder was last synced (`server/folder`, time), for the health panel.
pub async fn imap_syncs(store: &Store) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT server || ' ' || folder AS name, updated_at FROM imap_folders ORDER BY server, folder",
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push((row.try_get("name")?, row.try_get("updated_at")?));
    }
    Ok(out)
}
