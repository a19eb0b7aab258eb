//! The typical cases of a month, for `/cases` (and later the export): the one query layer over
//! the `cases` table. The tip source travels only inside [`CaseView::tip_source`], which the
//! answers show to admins in private chats alone.

use crate::clock::local_text;
use crate::config::Config;
use crate::domain::period::Period;
use crate::domain::unit::UnitCode;
use crate::store::{Store, StoreError, cases};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseView {
    pub unit: UnitCode,
    pub unit_name: String,
    pub received: String,
    pub receipt_no: String,
    pub tip_source: Option<String>,
    pub facts: Option<String>,
    pub enforcement: Option<String>,
    pub reward: Option<String>,
    pub reward_yuan: Option<String>,
    pub overview: Option<String>,
    pub remarks: Option<String>,
    pub photos: i64,
}

pub async fn load(
    config: &Config,
    store: &Store,
    period: Period,
) -> Result<Vec<CaseView>, StoreError> {
    let tz = config.office.zone.tz();
    cases::of_period(store, &period.to_string())
        .await?
        .into_iter()
        .map(|c| {
            let unit = stored_code(&c.unit_code)?;
            Ok(CaseView {
                unit_name: config
                    .roster
                    .by_code(unit.as_str())
                    .map_or_else(|| unit.to_string(), |u| u.name.clone()),
                unit,
                received: local_text(c.received_at, tz),
                receipt_no: c.receipt_no,
                tip_source: c.tip_source,
                facts: c.facts,
                enforcement: c.enforcement,
                reward: c.reward,
                reward_yuan: c.reward_fen.map(yuan_text),
                overview: c.overview,
                remarks: c.remarks,
                photos: c.photos,
            })
        })
        .collect()
}

/// A unit code as the `cases` table holds it (written from a [`UnitCode`], so one that does not
/// parse is a damaged row).
fn stored_code(code: &str) -> Result<UnitCode, StoreError> {
    UnitCode::parse(code).map_err(|e| StoreError::Sql(sqlx::Error::Decode(Box::new(e))))
}

fn yuan_text(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{} 元", fen / 100)
    } else {
        format!("{}.{:02} 元", fen / 100, fen % 100)
    }
}
