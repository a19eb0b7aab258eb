//! The `held_mail` table and the stored sender verdicts (SPEC §13): forms from a registered
//! address whose sender check failed, held unfinished until staff approve or reject them.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Store, StoreError, Tx, text_column};
use crate::sender::Verdict;

/// `SELECT` of [`Held`] for the messages still waiting; a macro so each query stays one literal.
macro_rules! select_held {
    () => {
        "SELECT m.id, h.unit_code AS unit, m.sender, m.subject, m.received_at, h.held_at,
                m.sender_check, m.sender_evidence, m.raw_path
         FROM held_mail h JOIN messages m ON m.id = h.message_row
         WHERE h.decision IS NULL AND m.state = 'received'"
    };
}

/// What staff decided about a held message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approved,
    Rejected,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
        }
    }
}

// `messages.sender_check` is read as a [`Verdict`], once, where a row is read: the column holds
// `pass`, `fail`, `none` or NULL (not checked), and nothing else (a CHECK in migration 0016), so
// any other text is an error, as for a malformed date.
text_column!(Verdict, Verdict::parse, "a sender verdict");

/// A held message waiting for staff, for `held` and `status`.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Held {
    pub id: i64,
    pub unit: String,
    pub sender: Option<String>,
    pub subject: String,
    pub received_at: DateTime<Utc>,
    pub held_at: DateTime<Utc>,
    /// `None` when the message was not checked.
    pub sender_check: Option<Verdict>,
    /// What the verdict rests on (a JSON array of lines as stored; shown as `evidence`).
    #[serde(rename = "evidence", serialize_with = "evidence_as_lines")]
    pub sender_evidence: Option<String>,
    pub raw_path: String,
}

impl Held {
    /// The evidence lines.
    pub fn evidence(&self) -> Vec<String> {
        evidence_lines(self.sender_evidence.as_deref())
    }
}

fn evidence_as_lines<S: serde::Serializer>(
    stored: &Option<String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&evidence_lines(stored.as_deref()), serializer)
}

/// The stored evidence (a JSON array of lines) read back; anything else is no evidence.
pub fn evidence_lines(stored: Option<&str>) -> Vec<String> {
    stored
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}

/// The sender check behind a monthly version, as the status and the board show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionCheck {
    /// `None` when the message was not checked.
    pub verdict: Option<Verdict>,
    /// Staff approved it after it was held.
    pub approved: bool,
    /// The message's `source` (`upload:web:NAME` for a console upload).
    pub source: String,
}

/// unit, version, sender_check, held decision, source.
type CheckRow = (String, i64, Option<Verdict>, Option<String>, String);

/// The sender check behind each monthly version of `period`, by `(unit, version)`.
pub async fn checks_of_period(
    store: &Store,
    period: &str,
) -> Result<std::collections::HashMap<(String, i64), VersionCheck>, StoreError> {
    let rows: Vec<CheckRow> = sqlx::query_as(
        "SELECT s.unit_code, s.version, m.sender_check, h.decision, m.source
         FROM monthly_submissions s JOIN messages m ON m.id = s.message_row
         LEFT JOIN held_mail h ON h.message_row = m.id
         WHERE s.period = ?",
    )
    .bind(period)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(unit, version, verdict, decision, source)| {
            let check = VersionCheck {
                verdict,
                approved: decision.as_deref() == Some(Decision::Approved.as_str()),
                source,
            };
            ((unit, version), check)
        })
        .collect())
}

/// Holds message `id` (from `unit_code`) for staff; false when it was held before.
pub async fn hold(
    tx: &mut Tx,
    id: i64,
    unit_code: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO held_mail (message_row, unit_code, held_at) VALUES (?, ?, ?)
         ON CONFLICT (message_row) DO NOTHING",
    )
    .bind(id)
    .bind(unit_code)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps the ingest line of a held message and the unit its From address names; the message
/// stays unfinished (`received`) until staff decide.
pub async fn note_result(
    tx: &mut Tx,
    id: i64,
    unit_code: &str,
    result_json: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE messages SET unit_code = ?, result_json = ? WHERE id = ?")
        .bind(unit_code)
        .bind(result_json)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records staff's decision on held message `id`; false when it is not waiting for one. Who
/// decided (`by`: the console user's name, `cli`, or `chat:ID`) and when go to the audit log
/// (`web_audit`, action `held.approve` / `held.reject`) in the same transaction.
pub async fn decide(
    tx: &mut Tx,
    id: i64,
    decision: Decision,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE held_mail SET decision = ?, decided_at = ?
         WHERE message_row = ? AND decision IS NULL",
    )
    .bind(decision.as_str())
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let action = match decision {
        Decision::Approved => "held.approve",
        Decision::Rejected => "held.reject",
    };
    super::staff::audit(tx, now, by, action, &id.to_string(), "").await?;
    Ok(true)
}

/// The held message `id` while it waits for staff.
pub async fn pending(store: &Store, id: i64) -> Result<Option<Held>, StoreError> {
    Ok(sqlx::query_as(concat!(select_held!(), " AND m.id = ?"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?)
}

/// Which of the messages `ids` are held waiting for staff (one query for a batch).
pub async fn pending_among(tx: &mut Tx, ids: &[i64]) -> Result<HashSet<i64>, StoreError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let ids_json = super::json_ids(ids);
    let held: Vec<(i64,)> = sqlx::query_as(
        "SELECT h.message_row FROM held_mail h JOIN messages m ON m.id = h.message_row
         WHERE h.decision IS NULL AND m.state = 'received'
           AND h.message_row IN (SELECT value FROM json_each(?))",
    )
    .bind(ids_json)
    .fetch_all(&mut **tx)
    .await?;
    Ok(held.into_iter().map(|(id,)| id).collect())
}

/// Every held message waiting for staff, oldest first.
pub async fn list(store: &Store) -> Result<Vec<Held>, StoreError> {
    Ok(
        sqlx::query_as(concat!(select_held!(), " ORDER BY h.held_at, m.id"))
            .fetch_all(store.pool())
            .await?,
    )
}

/// Whether staff approved message `id` after it was held.
pub async fn approved(store: &Store, id: i64) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT message_row FROM held_mail WHERE message_row = ? AND decision = 'approved'",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    Ok(found.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::messages::Taking;
    use crate::store::messages::testing::store_with_message;
    use crate::store::writes::Writes;

    /// The verdict is read as the enum wherever a row holds it; the column holds nothing else.
    #[tokio::test]
    async fn a_stored_verdict_reads_back_as_the_enum_and_only_a_verdict_is_stored() {
        let (_dir, store, id) = store_with_message().await;
        let mut tx = store.begin().await.unwrap();
        let evidence = ["dkim=fail".to_string()];
        let check = crate::store::messages::StoredCheck {
            verdict: Verdict::Fail,
            evidence: &evidence,
        };
        assert!(
            crate::store::messages::take(&mut tx, Writes::new(), id, Some(check), Taking::Received)
                .await
                .unwrap()
        );
        assert!(hold(&mut tx, id, "bachiao", Utc::now()).await.unwrap());
        tx.commit().await.unwrap();
        let held = pending(&store, id).await.unwrap().expect("held");
        assert_eq!(held.sender_check, Some(Verdict::Fail));
        assert_eq!(held.evidence(), ["dkim=fail"]);
        let logged = super::super::console::message(&store, id).await.unwrap();
        assert_eq!(logged.expect("logged").sender_check, Some(Verdict::Fail));
        let bogus = sqlx::query("UPDATE messages SET sender_check = 'bogus' WHERE id = ?")
            .bind(id)
            .execute(store.pool())
            .await;
        assert!(
            bogus.is_err(),
            "text other than pass | fail | none is refused"
        );
    }
}
