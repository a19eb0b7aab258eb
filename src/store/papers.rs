//! What the case documents need of the `cases` and `case_photos` tables: every field of a month's
//! cases, the footer included, and the stored paths of their photos.

use chrono::{DateTime, Utc};

use super::{Store, StoreError};

/// A stored case with everything its 附件2 document shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CasePaper {
    pub id: i64,
    pub unit_code: String,
    pub received_at: DateTime<Utc>,
    pub receipt_no: String,
    pub tip_source: Option<String>,
    pub facts: Option<String>,
    pub enforcement: Option<String>,
    pub reward: Option<String>,
    pub overview: Option<String>,
    pub remarks: Option<String>,
    pub filled_by: Option<String>,
    pub phone: Option<String>,
    pub filled_on: Option<String>,
}

/// The cases of a month of receipt as they count now (a correction in place of the version it
/// replaced), oldest first.
pub async fn cases_of_period(store: &Store, period: &str) -> Result<Vec<CasePaper>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, unit_code, received_at, receipt_no, tip_source, facts, enforcement, reward,
                overview, remarks, filled_by, phone, filled_on
         FROM cases WHERE period = ? AND replaced_by IS NULL ORDER BY received_at, id",
    )
    .bind(period)
    .fetch_all(store.pool())
    .await?)
}

/// The photos of a case (paths under the data dir), in the order they arrived.
pub async fn photo_paths(store: &Store, case_id: i64) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT path FROM case_photos WHERE case_id = ? ORDER BY message_row, rowid",
    )
    .bind(case_id)
    .fetch_all(store.pool())
    .await?)
}
