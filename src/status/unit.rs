//! One unit's recent months: which periods it reported, when, and the values that count.

use serde::Serialize;

use crate::clock::local_text;
use crate::config::Config;
use crate::domain::fields::MonthlyValues;
use crate::domain::period::Period;
use crate::domain::unit::{Unit, UnitCode};
use crate::store::{Store, StoreError, submissions};

/// How many recent periods a unit's history shows.
pub const HISTORY_MONTHS: u32 = 12;

#[derive(Debug, Clone, Serialize)]
pub struct UnitMonth {
    pub period: Period,
    pub received_at: String,
    pub version: i64,
    pub late: bool,
    pub values: MonthlyValues,
    /// Who filled the form in and their phone: a person's details, shown in private chats only.
    pub filled_by: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitHistory {
    pub unit: UnitCode,
    pub name: String,
    /// Newest first; periods the unit never reported are absent.
    pub months: Vec<UnitMonth>,
}

pub async fn load(config: &Config, store: &Store, unit: &Unit) -> Result<UnitHistory, StoreError> {
    let tz = config.office.zone.tz();
    let rows = submissions::history_of_unit(store, unit.code.as_str(), HISTORY_MONTHS).await?;
    Ok(UnitHistory {
        unit: unit.code.clone(),
        name: unit.name.clone(),
        months: rows
            .into_iter()
            .map(|row| {
                Ok(UnitMonth {
                    period: stored_period(&row.submission.period)?,
                    received_at: local_text(row.submission.received_at, tz),
                    version: row.submission.version,
                    late: row.submission.late,
                    values: row.submission.values,
                    filled_by: row.filled_by,
                    phone: row.phone,
                })
            })
            .collect::<Result<_, StoreError>>()?,
    })
}

/// A stored period, written by us as `YYYY-MM` (one that does not parse is a damaged row).
fn stored_period(text: &str) -> Result<Period, StoreError> {
    Period::parse(text).map_err(|e| StoreError::Sql(sqlx::Error::Decode(Box::new(e))))
}
