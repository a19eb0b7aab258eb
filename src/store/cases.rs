//! The `cases` and `case_photos` tables.

use chrono::{DateTime, Utc};

use super::{StoreError, Tx};
use crate::forms::case::CaseForm;

/// An accepted case form about to be stored.
pub struct NewCase<'a> {
    pub unit_code: &'a str,
    pub period: &'a str,
    pub message_row: i64,
    pub received_at: DateTime<Utc>,
    pub attachment: &'a str,
    pub receipt_no: &'a str,
    pub form: &'a CaseForm,
}

pub async fn insert(tx: &mut Tx, new: &NewCase<'_>) -> Result<i64, StoreError> {
    let form = new.form;
    let id = sqlx::query_scalar(
        "INSERT INTO cases (unit_code, period, message_row, received_at, attachment, receipt_no,
            tip_source, facts, enforcement, reward, reward_fen, overview, remarks, filled_by, phone,
            filled_on, char_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.unit_code)
    .bind(new.period)
    .bind(new.message_row)
    .bind(new.received_at)
    .bind(new.attachment)
    .bind(new.receipt_no)
    .bind(form.tip_source.as_deref())
    .bind(form.facts.as_deref())
    .bind(form.enforcement.as_deref())
    .bind(form.reward.as_deref())
    .bind(
        form.reward_yuan
            .map(|a| i64::try_from(a.fen()).unwrap_or(i64::MAX)),
    )
    .bind(form.overview.as_deref())
    .bind(form.remarks.as_deref())
    .bind(form.filled_by.as_deref())
    .bind(form.phone.as_ref().map(|p| p.as_str()))
    .bind(form.filled_on.as_deref())
    .bind(i64::try_from(form.char_count).unwrap_or(i64::MAX))
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Links a stored photo to a case; a photo already linked is left as it is.
pub async fn add_photo(
    tx: &mut Tx,
    case_id: i64,
    sha256: &str,
    path: &str,
    size: u64,
    message_row: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_photos (case_id, sha256, path, size, message_row) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (case_id, sha256) DO NOTHING",
    )
    .bind(case_id)
    .bind(sha256)
    .bind(path)
    .bind(i64::try_from(size).unwrap_or(i64::MAX))
    .bind(message_row)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The cases recorded from the message our reply `outgoing_id` answered: where photos sent in a
/// reply to a receipt belong. Only cases of `unit_code` count.
pub async fn answered_by(
    tx: &mut Tx,
    outgoing_id: &str,
    unit_code: &str,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.receipt_no FROM cases c JOIN outbox o ON o.message_row = c.message_row
         WHERE o.outgoing_id = ? AND c.unit_code = ? ORDER BY c.id",
    )
    .bind(outgoing_id)
    .bind(unit_code)
    .fetch_all(&mut **tx)
    .await?)
}

/// A stored case with its photo count, for the staff views.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRecord {
    pub id: i64,
    pub unit_code: String,
    pub received_at: DateTime<Utc>,
    pub receipt_no: String,
    pub tip_source: Option<String>,
    pub facts: Option<String>,
    pub enforcement: Option<String>,
    pub reward: Option<String>,
    pub reward_fen: Option<i64>,
    pub overview: Option<String>,
    pub remarks: Option<String>,
    pub photos: i64,
}

/// The cases of a month of receipt, oldest first.
pub async fn of_period(store: &super::Store, period: &str) -> Result<Vec<CaseRecord>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.unit_code, c.received_at, c.receipt_no, c.tip_source, c.facts, c.enforcement,
                c.reward, c.reward_fen, c.overview, c.remarks,
                (SELECT COUNT(*) FROM case_photos p WHERE p.case_id = c.id) AS photos
         FROM cases c WHERE c.period = ? ORDER BY c.received_at, c.id",
    )
    .bind(period)
    .fetch_all(store.pool())
    .await?)
}
