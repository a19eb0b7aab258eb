//! The `messages` table: every message ever seen, stored before it is parsed.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::writes::Writes;
use super::{Store, StoreError, Tx, text_column};
use crate::domain::outcome::Outcome;
use crate::sender::Verdict;

/// A message as first recorded, before any parsing.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub message_key: &'a str,
    pub message_id: Option<&'a str>,
    pub sender: Option<&'a str>,
    pub subject: &'a str,
    pub received_at: DateTime<Utc>,
    pub raw_path: &'a str,
    pub raw_sha256: &'a str,
    pub source: &'a str,
}

#[derive(Debug, Clone, FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub message_key: String,
    pub sender: Option<String>,
    pub unit_code: Option<String>,
    pub subject: String,
    pub received_at: DateTime<Utc>,
    pub raw_path: String,
    pub source: String,
    pub state: String,
    pub outcome: Option<Outcome>,
    pub result_json: Option<String>,
}

/// What recording a message found.
#[derive(Debug, Clone)]
pub enum Recorded {
    /// New (or recorded before but never finished, after a crash): process it now.
    ToProcess(MessageRow),
    /// Processed before: nothing to do.
    AlreadyProcessed(MessageRow),
}

/// Every [`MessageRow`] column; a macro so each query stays one literal string.
macro_rules! message_columns {
    () => {
        "id, message_key, sender, unit_code, subject, received_at, raw_path, source, state, outcome, result_json"
    };
}

/// `SELECT` of every [`MessageRow`] column.
macro_rules! select_messages {
    () => {
        concat!("SELECT ", message_columns!(), " FROM messages")
    };
}

/// Records a message unless its key is known; tells which it was.
#[tracing::instrument(skip(store, new), fields(key = new.message_key))]
pub async fn record(store: &Store, new: &NewMessage<'_>) -> Result<Recorded, StoreError> {
    let mut tx = store.begin().await?;
    let recorded = record_all(&mut tx, std::slice::from_ref(new)).await?;
    tx.commit().await?;
    recorded
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Sql(sqlx::Error::RowNotFound))
}

/// [`record`] for several messages inside the caller's transaction, in one round trip: a batch
/// is recorded in one commit. One result each, in order (their keys must differ).
pub async fn record_all(tx: &mut Tx, news: &[NewMessage<'_>]) -> Result<Vec<Recorded>, StoreError> {
    let mut writes = Writes::new();
    for new in news {
        // One statement for both cases: a known key's row is "updated" to itself and returned
        // as it was (`DO NOTHING` would return nothing for it and cost a second query).
        writes
            .push(concat!(
                "INSERT INTO messages (message_key, message_id, sender, subject, received_at, raw_path, raw_sha256, source)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (message_key) DO UPDATE SET message_key = excluded.message_key
                 RETURNING ",
                message_columns!()
            ))
            .bind(new.message_key)
            .bind(new.message_id)
            .bind(new.sender)
            .bind(new.subject)
            .bind(new.received_at)
            .bind(new.raw_path)
            .bind(new.raw_sha256)
            .bind(new.source);
    }
    let rows = writes.run_one_row_each(tx).await?;
    rows.iter()
        .map(|row| {
            let row = MessageRow::from_row(row)?;
            Ok(if row.state == "processed" {
                Recorded::AlreadyProcessed(row)
            } else {
                Recorded::ToProcess(row)
            })
        })
        .collect()
}

/// The outcome of processing, written in the same transaction as the data and the reply.
pub struct Finished<'a> {
    pub id: i64,
    pub unit_code: Option<&'a str>,
    pub outcome: Outcome,
    pub no_reply: Option<&'a str>,
    pub result_json: &'a str,
    pub processed_at: DateTime<Utc>,
}

/// A sender verdict (SPEC §13) as stored on its message: the verdict's name and its evidence.
#[derive(Debug, Clone, Copy)]
pub struct StoredCheck<'a> {
    pub verdict: Verdict,
    pub evidence: &'a [String],
}

// `messages.outcome` is read as an [`Outcome`], once, where a row is read: intake writes
// nothing but [`Outcome::as_str`]'s words there, so any other text is an error, as for a
// malformed date.
text_column!(Outcome, Outcome::parse, "an intake outcome");

/// Which message a [`take`] may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taking {
    /// One recorded and not yet processed: new mail, or mail a crash left unfinished.
    Received,
    /// Mail kept from an unknown sender, processed again (`reprocess`): only while it is still
    /// finished as kept (no unit, rejected), so it is never recorded twice.
    Kept,
}

/// The statement of a take that stores the verdict where `$condition` holds.
macro_rules! take_where {
    ($condition:literal) => {
        concat!(
            "UPDATE messages SET sender_check = COALESCE(?, sender_check),
                    sender_evidence = COALESCE(?, sender_evidence)
             WHERE id = ? AND ",
            $condition
        )
    };
}

/// Takes a recorded message for processing as the first write of the transaction that settles
/// it, storing its sender verdict when there is one: false when it cannot be taken (already
/// processed: another process beside this one got there first). Being a write, it holds
/// SQLite's write lock from here to the commit, so two processes can never settle the same
/// message. `opening` runs first in the same round trip.
pub async fn take(
    tx: &mut Tx,
    opening: Writes,
    id: i64,
    check: Option<StoredCheck<'_>>,
    taking: Taking,
) -> Result<bool, StoreError> {
    let mut writes = opening;
    let sql = match taking {
        Taking::Received => take_where!("state = 'received' RETURNING id"),
        Taking::Kept => take_where!(
            "state = 'processed' AND unit_code IS NULL AND outcome = 'rejected' RETURNING id"
        ),
    };
    bind_take(writes.push(sql), id, check);
    Ok(!writes.run(tx).await?.is_empty())
}

/// [`take`] of a message [`received_among`] found still received in the same transaction (which
/// holds the write lock, so it still is): as one of its [`Writes`], with nothing to learn back.
pub fn take_received_into(writes: &mut Writes, id: i64, check: Option<StoredCheck<'_>>) {
    bind_take(writes.push(take_where!("state = 'received'")), id, check);
}

/// Which of `ids` are still recorded and not processed, read inside the settling transaction.
pub async fn received_among(tx: &mut Tx, ids: &[i64]) -> Result<HashSet<i64>, StoreError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let ids_json = super::json_ids(ids);
    let received: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM messages
         WHERE state = 'received' AND id IN (SELECT value FROM json_each(?))",
    )
    .bind(ids_json)
    .fetch_all(&mut **tx)
    .await?;
    Ok(received.into_iter().map(|(id,)| id).collect())
}

fn bind_take(writes: &mut Writes, id: i64, check: Option<StoredCheck<'_>>) {
    let evidence = check.map(|c| serde_json::to_string(c.evidence).unwrap_or_else(|_| "[]".into()));
    writes
        .bind(check.map(|c| c.verdict.as_str()))
        .bind(evidence)
        .bind(id);
}

pub async fn finish(tx: &mut Tx, done: &Finished<'_>) -> Result<(), StoreError> {
    let mut writes = Writes::new();
    finish_into(&mut writes, done);
    writes.run(tx).await?;
    Ok(())
}

/// [`finish`] as one of several [`Writes`].
pub fn finish_into(writes: &mut Writes, done: &Finished<'_>) {
    writes
        .push(
            "UPDATE messages SET state = 'processed', unit_code = ?, outcome = ?, no_reply = ?,
                    result_json = ?, processed_at = ? WHERE id = ?",
        )
        .bind(done.unit_code)
        .bind(done.outcome.as_str())
        .bind(done.no_reply)
        .bind(done.result_json)
        .bind(done.processed_at)
        .bind(done.id);
}

/// The message recorded under `id`.
pub async fn by_id(store: &Store, id: i64) -> Result<Option<MessageRow>, StoreError> {
    Ok(sqlx::query_as(concat!(select_messages!(), " WHERE id = ?"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?)
}

/// Messages recorded but never finished (the daemon stopped in between), quarantined and held
/// ones aside.
pub async fn unfinished(store: &Store) -> Result<Vec<MessageRow>, StoreError> {
    Ok(sqlx::query_as(concat!(
        select_messages!(),
        " WHERE state = 'received' AND id NOT IN
           (SELECT message_row FROM intake_attempts WHERE quarantined_at IS NOT NULL)
           AND id NOT IN (SELECT message_row FROM held_mail WHERE decision IS NULL)
         ORDER BY id"
    ))
    .fetch_all(store.pool())
    .await?)
}

/// Processed messages with forms from senders not in the roster, received in `[from, until)`,
/// newest first: staff should look at them.
pub async fn from_unknown_senders(
    store: &Store,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<MessageRow>, StoreError> {
    Ok(sqlx::query_as(concat!(
        select_messages!(),
        " WHERE state = 'processed' AND unit_code IS NULL AND outcome = 'rejected'
           AND received_at >= ? AND received_at < ?
         ORDER BY received_at DESC"
    ))
    .bind(from)
    .bind(until)
    .fetch_all(store.pool())
    .await?)
}

/// For the store's tests: a fresh database in a temporary folder holding one message.
#[cfg(test)]
pub(crate) mod testing {
    use chrono::Utc;

    use super::{NewMessage, Recorded, record};
    use crate::store::Store;

    /// The folder (kept alive by the caller), the store and the message's row id.
    pub(crate) async fn store_with_message() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::open(&url).await.unwrap();
        let new = NewMessage {
            message_key: "<k@x>",
            message_id: Some("<k@x>"),
            sender: Some("a@b.c"),
            subject: "s",
            received_at: Utc::now(),
            raw_path: "raw/k.eml",
            raw_sha256: "00",
            source: "test",
        };
        let Recorded::ToProcess(row) = record(&store, &new).await.unwrap() else {
            panic!("new message")
        };
        (dir, store, row.id)
    }
}
