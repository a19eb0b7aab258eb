//! The `monthly_submissions` table: every accepted monthly form, one row per version.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::writes::Writes;
use super::{Store, StoreError, Tx};
use crate::domain::fields::{Field, MonthlyValues};
use crate::domain::period::Period;

/// An accepted form about to be stored as the next version.
#[derive(Debug, Clone)]
pub struct NewSubmission<'a> {
    pub unit_code: &'a str,
    pub period: Period,
    pub message_row: i64,
    pub received_at: DateTime<Utc>,
    pub late: bool,
    pub period_source: &'a str,
    pub attachment: &'a str,
    pub filled_by: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub filled_on: Option<&'a str>,
    pub receipt_no: &'a str,
    pub values: &'a MonthlyValues,
}

/// A stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub unit_code: String,
    pub period: String,
    pub version: i64,
    pub received_at: DateTime<Utc>,
    pub late: bool,
    pub receipt_no: String,
    pub values: MonthlyValues,
}

/// The eleven value columns, named as the field keys (checked by a test below).
macro_rules! value_columns {
    () => {
        "open_letters, media_reports, plaza_screens, brochures, community_columns, slogans_posters, \
         qr_codes, board_icons, enterprise_trainings, informants, case_leads"
    };
}

macro_rules! select_submissions {
    () => {
        concat!(
            "SELECT unit_code, period, version, received_at, late, receipt_no, ",
            value_columns!(),
            " FROM monthly_submissions"
        )
    };
}

fn from_row(row: &SqliteRow) -> Result<Submission, sqlx::Error> {
    let mut values = [0u64; 11];
    for (slot, field) in values.iter_mut().zip(Field::ALL) {
        let value: i64 = row.try_get(field.key())?;
        *slot = u64::try_from(value).unwrap_or(0);
    }
    Ok(Submission {
        unit_code: row.try_get("unit_code")?,
        period: row.try_get("period")?,
        version: row.try_get("version")?,
        received_at: row.try_get("received_at")?,
        late: row.try_get::<i64, _>("late")? != 0,
        receipt_no: row.try_get("receipt_no")?,
        values: MonthlyValues::new(values),
    })
}

/// The version that counts now for a unit and period, if any.
pub async fn latest(
    tx: &mut Tx,
    unit_code: &str,
    period: Period,
) -> Result<Option<Submission>, StoreError> {
    let row = sqlx::query(concat!(
        select_submissions!(),
        " WHERE unit_code = ? AND period = ? ORDER BY version DESC LIMIT 1"
    ))
    .bind(unit_code)
    .bind(period.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Stores the next version for the unit and period and returns its number.
pub async fn insert_next_version(tx: &mut Tx, new: &NewSubmission<'_>) -> Result<i64, StoreError> {
    let version: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM monthly_submissions WHERE unit_code = ? AND period = ?",
    )
    .bind(new.unit_code)
    .bind(new.period.to_string())
    .fetch_one(&mut **tx)
    .await?;
    insert_version(tx, new, version).await?;
    Ok(version)
}

/// Stores `version` for the unit and period: the next one, as the caller read it inside the
/// same transaction (which holds the write lock, so no other process can take the number).
pub async fn insert_version(
    tx: &mut Tx,
    new: &NewSubmission<'_>,
    version: i64,
) -> Result<(), StoreError> {
    let mut writes = Writes::new();
    insert_version_into(&mut writes, new, version);
    writes.run(tx).await?;
    Ok(())
}

/// [`insert_version`] as one of several [`Writes`].
pub fn insert_version_into(writes: &mut Writes, new: &NewSubmission<'_>, version: i64) {
    let sql = concat!(
        "INSERT INTO monthly_submissions (unit_code, period, version, message_row, received_at, late,
            period_source, attachment, filled_by, phone, filled_on, receipt_no, ",
        value_columns!(),
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    writes
        .push(sql)
        .bind(new.unit_code)
        .bind(new.period.to_string())
        .bind(version)
        .bind(new.message_row)
        .bind(new.received_at)
        .bind(new.late)
        .bind(new.period_source)
        .bind(new.attachment)
        .bind(new.filled_by)
        .bind(new.phone)
        .bind(new.filled_on)
        .bind(new.receipt_no);
    for (_, value) in new.values.iter() {
        writes.bind(i64::try_from(value).unwrap_or(i64::MAX));
    }
}

/// The counting version of every unit that reported for the period.
pub async fn latest_for_period(
    store: &Store,
    period: Period,
) -> Result<Vec<Submission>, StoreError> {
    let rows = sqlx::query(concat!(
        select_submissions!(),
        " s WHERE period = ? AND version = (SELECT MAX(version) FROM monthly_submissions t
              WHERE t.unit_code = s.unit_code AND t.period = s.period)"
    ))
    .bind(period.to_string())
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// A counting version of one unit, with who filled it in (a person's details: private chats only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitPeriod {
    pub submission: Submission,
    pub filled_by: Option<String>,
    pub phone: Option<String>,
}

/// The counting version of each of the unit's latest `limit` periods, newest first.
pub async fn history_of_unit(
    store: &Store,
    unit_code: &str,
    limit: u32,
) -> Result<Vec<UnitPeriod>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT unit_code, period, version, received_at, late, receipt_no, filled_by, phone, ",
        value_columns!(),
        " FROM monthly_submissions s WHERE unit_code = ? AND version = (SELECT MAX(version)
              FROM monthly_submissions t WHERE t.unit_code = s.unit_code AND t.period = s.period)
          ORDER BY period DESC LIMIT ?"
    ))
    .bind(unit_code)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let unit_period = |row: &SqliteRow| -> Result<UnitPeriod, sqlx::Error> {
        Ok(UnitPeriod {
            submission: from_row(row)?,
            filled_by: row.try_get("filled_by")?,
            phone: row.try_get("phone")?,
        })
    };
    Ok(rows.iter().map(unit_period).collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_columns_are_the_field_keys_in_order() {
        let columns: Vec<&str> = value_columns!().split(',').map(str::trim).collect();
        let keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
        assert_eq!(columns, keys);
    }
}
