//! The `cases` and `case_photos` tables. A correction is a case's next version (SPEC §4): the
//! version it replaces points at it (`replaced_by`), and only cases nothing replaces count.

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
    /// 1 for a new case, the replaced version's number plus one for a correction.
    pub version: i64,
}

/// A case as it counts now: the last version of its chain.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Current {
    pub id: i64,
    pub version: i64,
    pub period: String,
    pub received_at: DateTime<Utc>,
}

/// Corrections followed at most; a longer chain is not followed further (never seen).
const MAX_CHAIN: usize = 1_000;

pub async fn insert(tx: &mut Tx, new: &NewCase<'_>) -> Result<i64, StoreError> {
    let form = new.form;
    let id = sqlx::query_scalar(
        "INSERT INTO cases (unit_code, period, message_row, received_at, attachment, receipt_no,
            tip_source, facts, enforcement, reward, reward_fen, overview, remarks, filled_by, phone,
            filled_on, char_count, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
    .bind(new.version)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// A row of the chain walk: id, version, period, received, the correction that replaced it.
type ChainRow = (i64, i64, String, DateTime<Utc>, Option<i64>);

/// The version of case `id` that counts now: itself, or the last correction of it.
pub async fn current(tx: &mut Tx, id: i64) -> Result<Option<Current>, StoreError> {
    let mut id = id;
    for _ in 0..MAX_CHAIN {
        let found: Option<ChainRow> = sqlx::query_as(
            "SELECT id, version, period, received_at, replaced_by FROM cases WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        match found {
            None => return Ok(None),
            Some((_, _, _, _, Some(next))) => id = next,
            Some((id, version, period, received_at, None)) => {
                return Ok(Some(Current {
                    id,
                    version,
                    period,
                    received_at,
                }));
            }
        }
    }
    Ok(None)
}

/// The cases of `unit_code` received in `period` that count now.
pub async fn current_of_unit(
    tx: &mut Tx,
    unit_code: &str,
    period: &str,
) -> Result<Vec<Current>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, version, period, received_at FROM cases
         WHERE unit_code = ? AND period = ? AND replaced_by IS NULL ORDER BY id",
    )
    .bind(unit_code)
    .bind(period)
    .fetch_all(&mut **tx)
    .await?)
}

/// Case `old` is replaced by its correction `new`; `new` keeps `old`'s photos when it brought
/// none of its own.
pub async fn replace(tx: &mut Tx, old: i64, new: i64, keep_photos: bool) -> Result<(), StoreError> {
    sqlx::query("UPDATE cases SET replaced_by = ? WHERE id = ? AND replaced_by IS NULL")
        .bind(new)
        .bind(old)
        .execute(&mut **tx)
        .await?;
    if keep_photos {
        sqlx::query(
            "INSERT INTO case_photos (case_id, sha256, path, size, message_row)
             SELECT ?, sha256, path, size, message_row FROM case_photos WHERE case_id = ?
             ON CONFLICT (case_id, sha256) DO NOTHING",
        )
        .bind(new)
        .bind(old)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
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

/// The cases of a month of receipt as they count now (corrections in place of what they
/// replaced), oldest first.
pub async fn of_period(store: &super::Store, period: &str) -> Result<Vec<CaseRecord>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.unit_code, c.received_at, c.receipt_no, c.tip_source, c.facts, c.enforcement,
                c.reward, c.reward_fen, c.overview, c.remarks,
                (SELECT COUNT(*) FROM case_photos p WHERE p.case_id = c.id) AS photos
         FROM cases c WHERE c.period = ? AND c.replaced_by IS NULL ORDER BY c.received_at, c.id",
    )
    .bind(period)
    .fetch_all(store.pool())
    .await?)
}
