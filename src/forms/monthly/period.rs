//! Reading the report month from a 报表月份 cell: a date cell, a whole number (`202611`, `11`), a
//! number typed as `2026.11`, or text, read as people write a month by
//! [`Period::from_written`] (`domain::period::written`, shared with the bot). A month without a
//! year is the latest such month not after the open period.

use chrono::Datelike;

use crate::domain::Period;
use crate::forms::CellValue;

/// What a 报表月份 cell holds.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum CellPeriod {
    Found(Period),
    /// Written, but not as a month that can be read; holds what was found.
    Unreadable(String),
    /// A number like 2026.1, which could be January or October (2026.10 loses its zero).
    Ambiguous(String),
}

/// Reads a 报表月份 cell (not blank).
pub(super) fn period_from_cell(value: &CellValue, open: Period) -> CellPeriod {
    let unreadable = || CellPeriod::Unreadable(value.display());
    match value {
        CellValue::Date(dt) => {
            Period::new(dt.year(), dt.month()).map_or_else(unreadable, CellPeriod::Found)
        }
        CellValue::Int(n) => {
            whole_number_period(*n, open).map_or_else(unreadable, CellPeriod::Found)
        }
        CellValue::Number(f) => number_period(*f, open).unwrap_or_else(unreadable),
        CellValue::Text(text) => {
            Period::from_written(text, open).map_or_else(unreadable, CellPeriod::Found)
        }
        CellValue::Empty | CellValue::Bool(_) | CellValue::Error(_) => unreadable(),
    }
}

/// `202611` or a bare month `11`.
fn whole_number_period(n: i64, open: Period) -> Option<Period> {
    match n {
        1..=12 => Period::latest_of_month(u32::try_from(n).ok()?, open),
        200_001..=209_912 => {
            Period::new(i32::try_from(n / 100).ok()?, u32::try_from(n % 100).ok()?)
        }
        _ => None,
    }
}

/// A number cell: whole (see above) or `2026.11` typed into a number cell.
fn number_period(f: f64, open: Period) -> Option<CellPeriod> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 {
        return whole_number_period(f as i64, open).map(CellPeriod::Found);
    }
    let year = f.trunc();
    let hundredths = ((f - year) * 100.0).round() as i64;
    let month = match hundredths {
        10 => return Some(CellPeriod::Ambiguous(format!("{f}"))),
        1..=9 | 11 | 12 => hundredths,
        20 | 30 | 40 | 50 | 60 | 70 | 80 | 90 => hundredths / 10,
        _ => return None,
    };
    Period::new(year as i32, u32::try_from(month).ok()?).map(CellPeriod::Found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    use crate::domain::period::testing::{OPEN, p};

    #[test]
    fn reads_cells_of_every_type() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 5)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let found = |v: CellValue| period_from_cell(&v, OPEN());
        assert_eq!(found(CellValue::Date(date)), CellPeriod::Found(p(2026, 11)));
        assert_eq!(
            found(CellValue::Int(202611)),
            CellPeriod::Found(p(2026, 11))
        );
        assert_eq!(
            found(CellValue::Number(202611.0)),
            CellPeriod::Found(p(2026, 11))
        );
        assert_eq!(
            found(CellValue::Number(11.0)),
            CellPeriod::Found(p(2026, 11))
        );
        assert_eq!(
            found(CellValue::Number(2026.11)),
            CellPeriod::Found(p(2026, 11))
        );
        assert_eq!(
            found(CellValue::Number(2026.09)),
            CellPeriod::Found(p(2026, 9))
        );
        assert_eq!(
            found(CellValue::Number(2026.2)),
            CellPeriod::Found(p(2026, 2))
        );
        assert!(matches!(
            found(CellValue::Number(2026.1)),
            CellPeriod::Ambiguous(_)
        ));
        assert!(matches!(
            found(CellValue::Number(46307.0)),
            CellPeriod::Unreadable(_)
        ));
        assert_eq!(
            found(CellValue::Text("本月".into())),
            CellPeriod::Unreadable("本月".into())
        );
        assert!(matches!(
            found(CellValue::Bool(true)),
            CellPeriod::Unreadable(_)
        ));
        assert!(matches!(
            found(CellValue::Number(f64::NAN)),
            CellPeriod::Unreadable(_)
        ));
    }
}
