//! The `intake_attempts` table: tries at each message counted before they start, and the
//! messages set aside after failing to finish [`MAX_ATTEMPTS`] times (SPEC §12).

use chrono::{DateTime, Utc};
use sqlx::{FromRow, Row};

use super::writes::Writes;
use super::{Store, StoreError, Tx};

/// Tries a message gets; the one after is not made: the message is quarantined instead.
pub const MAX_ATTEMPTS: i64 = 3;

/// What counting a new attempt decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Go ahead: this is try number `n` (1-based).
    Try(i64),
    /// Failed to finish [`MAX_ATTEMPTS`] times before: now set aside.
    Quarantined,
}

/// A quarantined message, for `status` and `quarantine list`.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Quarantined {
    pub id: i64,
    pub sender: Option<String>,
    pub subject: String,
    pub received_at: DateTime<Utc>,
    pub raw_path: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub quarantined_at: DateTime<Utc>,
}

/// Counts an attempt at message `id`, committed before the caller reads anything of it; once
/// [`MAX_ATTEMPTS`] were made, sets the message aside instead.
pub async fn begin_attempt(
    store: &Store,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Attempt, StoreError> {
    let mut tx = store.begin().await?;
    let outcome = begin_attempts_in(&mut tx, &[id], now).await?.pop();
    tx.commit().await?;
    outcome.ok_or_else(|| StoreError::Sql(sqlx::Error::RowNotFound))
}

/// [`begin_attempt`] for each of `ids` inside the caller's transaction, in one round trip, so
/// what a quarantine causes (the staff alert) is written with it. One result each, in order.
pub async fn begin_attempts_in(
    tx: &mut Tx,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<Vec<Attempt>, StoreError> {
    let mut writes = Writes::new();
    for &id in ids {
        // One statement: a first try is inserted as try 1; a later one counts up, or, once
        // `MAX_ATTEMPTS` were made, sets the message aside (SET reads the row as it was).
        writes
            .push(
                "INSERT INTO intake_attempts (message_row, attempts, last_attempt_at) VALUES (?, 1, ?)
                 ON CONFLICT (message_row) DO UPDATE SET
                   attempts = CASE WHEN quarantined_at IS NULL AND attempts < ?
                                   THEN attempts + 1 ELSE attempts END,
                   last_attempt_at = CASE WHEN quarantined_at IS NULL AND attempts < ?
                                          THEN excluded.last_attempt_at ELSE last_attempt_at END,
                   quarantined_at = CASE WHEN quarantined_at IS NULL AND attempts >= ?
                                         THEN excluded.last_attempt_at ELSE quarantined_at END
                 RETURNING attempts, quarantined_at",
            )
            .bind(id)
            .bind(now)
            .bind(MAX_ATTEMPTS)
            .bind(MAX_ATTEMPTS)
            .bind(MAX_ATTEMPTS);
    }
    let rows = writes.run_one_row_each(tx).await?;
    rows.iter()
        .map(|row| {
            let quarantined: Option<DateTime<Utc>> = row.try_get(1)?;
            Ok(match quarantined {
                Some(_) => Attempt::Quarantined,
                None => Attempt::Try(row.try_get(0)?),
            })
        })
        .collect()
}

/// Why the last try at message `id` failed, if it said.
pub async fn last_error(tx: &mut Tx, id: i64) -> Result<Option<String>, StoreError> {
    let found: Option<(Option<String>,)> =
        sqlx::query_as("SELECT last_error FROM intake_attempts WHERE message_row = ?")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.and_then(|(error,)| error))
}

/// Notes why the current try at message `id` failed (it stays unfinished, to be tried again).
pub async fn note_failure(store: &Store, id: i64, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE intake_attempts SET last_error = ? WHERE message_row = ?")
        .bind(error)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Whether message `id` is set aside.
pub async fn is_quarantined(store: &Store, id: i64) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT message_row FROM intake_attempts WHERE message_row = ? AND quarantined_at IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    Ok(found.is_some())
}

/// Every message set aside and not finished since, oldest first.
pub async fn list(store: &Store) -> Result<Vec<Quarantined>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.sender, m.subject, m.received_at, m.raw_path, a.attempts, a.last_error,
                a.quarantined_at
         FROM intake_attempts a JOIN messages m ON m.id = a.message_row
         WHERE a.quarantined_at IS NOT NULL AND m.state = 'received'
         ORDER BY a.quarantined_at, m.id",
    )
    .fetch_all(store.pool())
    .await?)
}

/// Releases message `id` from quarantine with its attempts reset, so the next pass (or start-up)
/// tries it again; false when it was not quarantined.
pub async fn release(store: &Store, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    let released = release_in(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(released)
}

/// [`release`] inside the caller's transaction (the console writes its audit line with it).
pub async fn release_in(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE intake_attempts SET quarantined_at = NULL, attempts = 0, released_at = ?
         WHERE message_row = ? AND quarantined_at IS NOT NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// How often the running daemon looks for messages released from quarantine.
pub const RELEASED_POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// Messages released from quarantine and not tried since (`quarantine release ID` from another
/// process while the daemon runs), oldest first: the running daemon takes them at its next look.
/// One a try has begun on (the console's release runs it at once) is not listed again.
pub async fn released_untried(store: &Store) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT a.message_row FROM intake_attempts a JOIN messages m ON m.id = a.message_row
         WHERE a.released_at IS NOT NULL AND a.quarantined_at IS NULL AND a.attempts = 0
           AND m.state = 'received'
         ORDER BY a.message_row",
    )
    .fetch_all(store.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::messages::testing::store_with_message;

    #[tokio::test]
    async fn three_tries_then_quarantine_then_release() {
        let (_dir, store, id) = store_with_message().await;
        let now = Utc::now();
        for n in 1..=MAX_ATTEMPTS {
            assert_eq!(
                begin_attempt(&store, id, now).await.unwrap(),
                Attempt::Try(n)
            );
        }
        assert!(!is_quarantined(&store, id).await.unwrap());
        assert_eq!(
            begin_attempt(&store, id, now).await.unwrap(),
            Attempt::Quarantined
        );
        assert!(is_quarantined(&store, id).await.unwrap());
        note_failure(&store, id, "killed").await.unwrap();
        let listed = list(&store).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].id, listed[0].attempts), (id, MAX_ATTEMPTS));
        assert_eq!(listed[0].last_error.as_deref(), Some("killed"));
        assert!(release(&store, id, now).await.unwrap());
        assert!(!release(&store, id, now).await.unwrap());
        assert!(list(&store).await.unwrap().is_empty());
        assert_eq!(
            begin_attempt(&store, id, now).await.unwrap(),
            Attempt::Try(1)
        );
    }
}
