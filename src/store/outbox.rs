//! The `outbox` table: replies queued in the same transaction as what they report, then
//! delivered by a worker that claims one row, sends outside any transaction and marks it.
//! A row is never deleted: a reply that could not be sent stays visible as `failed`.
//!
//! Several processes deliver side by side (the daemon, `ingest`, `remind`): a claim is one
//! atomic `UPDATE … RETURNING`, so two never claim the same row, and it carries a lease
//! ([`LEASE`], by the wall clock, not the injectable one) so a claim left by a process that
//! hung is taken over only after the lease, and one left by a process that is gone is released
//! at once ([`release_orphans`]). A live process never has its claim taken.

use chrono::{DateTime, Duration, Utc};
use sqlx::{FromRow, Row};

use super::writes::Writes;
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
    /// To a unit's registered addresses: a form in its name is held for confirmation (SPEC §13).
    Held,
    /// To a unit's registered addresses: staff rejected a form held in its name.
    HeldRejected,
}

impl ReplyKind {
    /// The stored text: `receipt`, `return`, `photos`, `help`, `reminder`, `upstream`, `held`,
    /// `held_rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receipt => "receipt",
            Self::Return => "return",
            Self::Photos => "photos",
            Self::Help => "help",
            Self::Reminder => "reminder",
            Self::Upstream => "upstream",
            Self::Held => "held",
            Self::HeldRejected => "held_rejected",
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

/// The `INSERT` of a reply; a macro so [`enqueue`] can add its `RETURNING`.
macro_rules! insert_reply {
    () => {
        "INSERT INTO outbox (message_row, kind, recipient, subject, outgoing_id, body, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    };
}

pub async fn enqueue(tx: &mut Tx, reply: &NewReply<'_>) -> Result<i64, StoreError> {
    let mut writes = Writes::new();
    push_reply(
        &mut writes,
        concat!(insert_reply!(), " RETURNING id"),
        reply,
    );
    let rows = writes.run(tx).await?;
    let id = rows.first().map(|row| row.try_get(0)).transpose()?;
    id.ok_or_else(|| StoreError::Sql(sqlx::Error::RowNotFound))
}

/// [`enqueue`] as one of several [`Writes`] (its id is not returned).
pub fn enqueue_into(writes: &mut Writes, reply: &NewReply<'_>) {
    push_reply(writes, insert_reply!(), reply);
}

fn push_reply(writes: &mut Writes, statement: &'static str, reply: &NewReply<'_>) {
    writes
        .push(statement)
        .bind(reply.message_row)
        .bind(reply.kind.as_str())
        .bind(reply.recipient)
        .bind(reply.subject)
        .bind(reply.outgoing_id)
        .bind(reply.body)
        .bind(reply.created_at)
        .bind(reply.created_at);
}

/// Whether one of `outgoing_ids` is the Message-ID of a mail we queued for `recipient`: a bounce
/// counts for that address only then.
pub async fn sent_to_any(
    tx: &mut Tx,
    outgoing_ids: &[String],
    recipient: &str,
) -> Result<bool, StoreError> {
    for id in outgoing_ids {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM outbox WHERE outgoing_id = ? AND lower(recipient) = lower(?)",
        )
        .bind(id)
        .bind(recipient)
        .fetch_optional(&mut **tx)
        .await?;
        if found.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
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

/// How long a claim holds before another process may take it over. The hand-over of one reply
/// is bounded well below this (`delivery`), so a live process never loses its claim.
pub const LEASE: Duration = Duration::minutes(5);

/// This process as a claimer: "host:pid:start-nanos". The start time tells a reused pid apart.
fn claimer() -> &'static str {
    static CLAIMER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CLAIMER.get_or_init(|| {
        let start = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{}:{}:{start}", host_name(), std::process::id())
    })
}

fn host_name() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it or fails.
    let rc = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len() - 1) };
    if rc != 0 {
        return "unknown-host".into();
    }
    let end = buffer.iter().position(|&b| b == 0).unwrap_or(0);
    String::from_utf8_lossy(&buffer[..end]).replace(':', "_")
}

/// Claims the oldest reply due at `now` (the injectable clock), marking it `sending` under this
/// process's lease; `None` when nothing is due. A `sending` row whose lease has run out by the
/// wall clock `wall` (its claimer stopped or hung) is due again.
pub async fn claim_next(
    store: &Store,
    now: DateTime<Utc>,
    wall: DateTime<Utc>,
) -> Result<Option<OutboxRow>, StoreError> {
    Ok(sqlx::query_as(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_by = ?, lease_until = ?
         WHERE id = (SELECT id FROM outbox
                     WHERE (state = 'pending' AND next_attempt_at <= ?)
                        OR (state = 'sending' AND (lease_until IS NULL OR lease_until <= ?))
                     ORDER BY next_attempt_at, id LIMIT 1)
         RETURNING id, kind, recipient, subject, outgoing_id, body, state, attempts, last_error",
    )
    .bind(claimer())
    .bind(wall + LEASE)
    .bind(now)
    .bind(wall)
    .fetch_optional(store.pool())
    .await?)
}

/// Claims up to `limit` replies due at `now`, oldest first, as [`claim_next`] claims one: one
/// atomic update, so no other process claims any of them.
pub async fn claim_batch(
    store: &Store,
    now: DateTime<Utc>,
    wall: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<OutboxRow>, StoreError> {
    let mut rows: Vec<OutboxRow> = sqlx::query_as(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_by = ?, lease_until = ?
         WHERE id IN (SELECT id FROM outbox
                      WHERE (state = 'pending' AND next_attempt_at <= ?)
                         OR (state = 'sending' AND (lease_until IS NULL OR lease_until <= ?))
                      ORDER BY next_attempt_at, id LIMIT ?)
         RETURNING id, kind, recipient, subject, outgoing_id, body, state, attempts, last_error",
    )
    .bind(claimer())
    .bind(wall + LEASE)
    .bind(now)
    .bind(wall)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(store.pool())
    .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Makes due again the replies claimed by a process of this host that is gone (crashed or
/// killed mid-send), without waiting for their lease; a live claimer's rows are never touched,
/// nor rows claimed on another host (those wait for their lease). Returns how many.
pub async fn release_orphans(store: &Store, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let claims: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT id, claimed_by FROM outbox WHERE state = 'sending'")
            .fetch_all(store.pool())
            .await?;
    let host = host_name();
    let mut released = 0;
    for (id, claimed_by) in claims {
        if claimed_by.as_deref().is_some_and(|c| !is_orphan(c, &host)) {
            continue;
        }
        let done = sqlx::query(
            "UPDATE outbox SET state = 'pending', next_attempt_at = ?, claimed_by = NULL, lease_until = NULL
             WHERE id = ? AND state = 'sending' AND claimed_by IS ?",
        )
        .bind(now)
        .bind(id)
        .bind(claimed_by)
        .execute(store.pool())
        .await?;
        released += done.rows_affected();
    }
    Ok(released)
}

/// Whether `claimer` ("host:pid:start") is a process of `host` that no longer exists.
fn is_orphan(claimer: &str, host: &str) -> bool {
    let mut parts = claimer.rsplitn(3, ':');
    let (_start, pid, claim_host) = (parts.next(), parts.next(), parts.next());
    let Some(pid) = pid.and_then(|p| p.parse::<libc::pid_t>().ok()) else {
        return false;
    };
    if claim_host != Some(host) || pid <= 0 || claimer == self::claimer() {
        return false;
    }
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

/// Marks a reply sent, unless another process took its claim over meanwhile.
pub async fn mark_sent(store: &Store, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL, lease_until = NULL
         WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ?)",
    )
    .bind(now)
    .bind(id)
    .bind(claimer())
    .execute(store.pool())
    .await?;
    if done.rows_affected() == 0 {
        tracing::warn!(
            id,
            "reply sent after its claim was taken over (lease ran out)"
        );
    }
    Ok(())
}

/// Marks replies sent in one statement, as [`mark_sent`] marks one.
pub async fn mark_all_sent(
    store: &Store,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let ids_json = super::json_ids(ids);
    let marked: Vec<(i64,)> = sqlx::query_as(
        "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL, lease_until = NULL
         WHERE id IN (SELECT value FROM json_each(?)) AND (claimed_by IS NULL OR claimed_by = ?)
         RETURNING id",
    )
    .bind(now)
    .bind(ids_json)
    .bind(claimer())
    .fetch_all(store.pool())
    .await?;
    for &id in ids {
        if !marked.iter().any(|&(m,)| m == id) {
            tracing::warn!(
                id,
                "reply sent after its claim was taken over (lease ran out)"
            );
        }
    }
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
        "UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), lease_until = NULL
         WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ?)",
    )
    .bind(state)
    .bind(error)
    .bind(next)
    .bind(id)
    .bind(claimer())
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

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
