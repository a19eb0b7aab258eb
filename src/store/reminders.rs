//! The `reminders`, `digests` and `failing_addresses` tables.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::writes::Writes;
use super::{Store, StoreError, Tx};

/// Every (unit, slot) decided for `period`, sent or not: the exactly-once record.
pub async fn decided(store: &Store, period: &str) -> Result<HashSet<(String, String)>, StoreError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT unit_code, slot FROM reminders WHERE period = ?")
            .bind(period)
            .fetch_all(store.pool())
            .await?;
    Ok(rows.into_iter().collect())
}

/// What became of a planned reminder (the `outcome` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderOutcome {
    /// Queued to the unit's working addresses.
    Sent,
    /// Replaced by a later reminder after down-time: recorded, not sent.
    Superseded,
    /// The unit has no working address: staff must chase it by phone.
    NoAddress,
}

impl ReminderOutcome {
    /// The stored text: `sent`, `superseded`, `no_address`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Superseded => "superseded",
            Self::NoAddress => "no_address",
        }
    }
}

/// Records a decision; `false` when it was already recorded (another step got there first).
pub async fn record(
    tx: &mut Tx,
    unit_code: &str,
    period: &str,
    slot: &str,
    outcome: ReminderOutcome,
    recipients: &[String],
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO reminders (unit_code, period, slot, outcome, recipients, decided_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit_code, period, slot) DO NOTHING",
    )
    .bind(unit_code)
    .bind(period)
    .bind(slot)
    .bind(outcome.as_str())
    .bind(recipients.join(","))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The (period, slot) digests recorded for `period`.
pub async fn digests_of(
    store: &Store,
    period: &str,
) -> Result<HashSet<(String, String)>, StoreError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT period, slot FROM digests WHERE period = ?")
            .bind(period)
            .fetch_all(store.pool())
            .await?;
    Ok(rows.into_iter().collect())
}

/// Records a staff digest in the caller's transaction (the group robots' notification of it
/// goes in the same one); `false` when it was recorded before.
pub async fn record_digest(
    tx: &mut Tx,
    period: &str,
    slot: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO digests (period, slot, text, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (period, slot) DO NOTHING",
    )
    .bind(period)
    .bind(slot)
    .bind(text)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The failing addresses with why and since when.
pub async fn failing(store: &Store) -> Result<Vec<(String, String, DateTime<Utc>)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT address, reason, since FROM failing_addresses ORDER BY address")
            .fetch_all(store.pool())
            .await?,
    )
}

/// The failing addresses alone: those a reminder leaves out.
pub async fn failing_addresses(store: &Store) -> Result<HashSet<String>, StoreError> {
    Ok(failing(store)
        .await?
        .into_iter()
        .map(|(address, _, _)| address)
        .collect())
}

/// A unit's addresses split into (working, failing).
pub fn split_failing(
    addresses: &[String],
    failing: &HashSet<String>,
) -> (Vec<String>, Vec<String>) {
    addresses
        .iter()
        .cloned()
        .partition(|a| !failing.contains(a))
}

pub async fn mark_failing(
    tx: &mut Tx,
    address: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO failing_addresses (address, reason, since) VALUES (?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET reason = excluded.reason",
    )
    .bind(address)
    .bind(reason)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Mail arrived from `address`: it works again. Returns whether it had been failing.
pub async fn reconfirm(tx: &mut Tx, address: &str) -> Result<bool, StoreError> {
    let mut writes = Writes::new();
    reconfirm_into(&mut writes, address);
    Ok(!writes.run(tx).await?.is_empty())
}

/// [`reconfirm`] as one of several [`Writes`]: it returns a row (the address) when the address
/// had been failing.
pub fn reconfirm_into(writes: &mut Writes, address: &str) {
    writes
        .push("DELETE FROM failing_addresses WHERE address = ? RETURNING address")
        .bind(address);
}

/// A recorded staff digest the bot has not yet sent to the staff chats.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingDigest {
    pub period: String,
    pub slot: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// The digests not yet sent to the staff chats, oldest first.
pub async fn digests_for_chats(store: &Store) -> Result<Vec<PendingDigest>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT period, slot, text, created_at FROM digests WHERE chats_done_at IS NULL
         ORDER BY created_at",
    )
    .fetch_all(store.pool())
    .await?)
}

/// Marks a digest as handled for the staff chats.
pub async fn digest_chats_done(
    store: &Store,
    period: &str,
    slot: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE digests SET chats_done_at = ? WHERE period = ? AND slot = ?")
        .bind(now)
        .bind(period)
        .bind(slot)
        .execute(store.pool())
        .await?;
    Ok(())
}
