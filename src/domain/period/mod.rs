//! `Period`: the year-month a monthly form reports on, with its deadline rules (SPEC §5).
//!
//! Only years 2000..=2099 and months 1..=12 can be held, so every `Period` in the program is a real
//! reporting month. The canonical text form is `2026-11`, used in the database, in JSON and by the
//! CLI's `--month`; people read it as `2026年11月` ([`Period::zh`]).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

mod written;

const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2099;

/// A reporting month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    // Field order matters: the derived `Ord` compares the year first.
    year: u16,
    month: u8,
}

/// Why a text is not a period.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    #[error("not a year-month like 2026-11: {0:?}")]
    Malformed(String),
    #[error("year-month out of range (2000-01..2099-12): {0:?}")]
    OutOfRange(String),
}

impl Period {
    /// The period for `year`-`month`, if both are in range.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        Some(Self {
            year: u16::try_from(year).ok()?,
            month: u8::try_from(month).ok()?,
        })
    }

    /// Parses the canonical `2026-11` (a one-digit month `2026-1` is tolerated).
    pub fn parse(text: &str) -> Result<Self, PeriodError> {
        let trimmed = text.trim();
        let malformed = || PeriodError::Malformed(text.to_string());
        let (year, month) = trimmed.split_once('-').ok_or_else(malformed)?;
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !all_digits(year) || month.len() > 2 || !all_digits(month) {
            return Err(malformed());
        }
        let year: i32 = year.parse().map_err(|_| malformed())?;
        let month: u32 = month.parse().map_err(|_| malformed())?;
        Self::new(year, month).ok_or_else(|| PeriodError::OutOfRange(text.to_string()))
    }

    pub fn year(self) -> i32 {
        i32::from(self.year)
    }

    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// The next month, or `None` after 2099-12.
    pub fn succ(self) -> Option<Self> {
        self.add_months(1)
    }

    /// The previous month, or `None` before 2000-01.
    pub fn pred(self) -> Option<Self> {
        self.add_months(-1)
    }

    /// The period `months` months later (earlier when negative), if still in range.
    pub fn add_months(self, months: i32) -> Option<Self> {
        let index = self.index().checked_add(months)?;
        Self::from_index(index)
    }

    /// How many months `self` lies after `other` (negative when before).
    pub fn months_since(self, other: Period) -> i32 {
        self.index() - other.index()
    }

    /// `2026年11月`.
    pub fn zh(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }

    /// The latest period of `month` (1-12) not after `open`: a month named without its year
    /// (`11月` typed to the bot, a December form received in January) is the most recent one.
    pub fn latest_of_month(month: u32, open: Period) -> Option<Period> {
        if !(1..=12).contains(&month) {
            return None;
        }
        let year = if month <= open.month() {
            open.year()
        } else {
            open.year() - 1
        };
        Period::new(year, month)
    }

    /// The period open at a moment: the current month of the office-local date. Dates outside
    /// 2000..=2099 are clamped to the first or last period (the clock would have to be very wrong).
    pub fn open_at(local_date: NaiveDate) -> Period {
        let year = local_date.year().clamp(FIRST_YEAR, LAST_YEAR);
        let month = if local_date.year() < FIRST_YEAR {
            1
        } else if local_date.year() > LAST_YEAR {
            12
        } else {
            local_date.month()
        };
        Self::new(year, month).unwrap_or(Self {
            year: 2000,
            month: 1,
        })
    }

    /// The last day on which the form for this period is on time: `deadline_day` of the month,
    /// clamped to the month's length (and to at least the 1st).
    pub fn deadline(self, deadline_day: u32) -> NaiveDate {
        let day = deadline_day.clamp(1, self.days_in_month());
        NaiveDate::from_ymd_opt(self.year(), self.month(), day).unwrap_or_default()
    }

    /// A form received on `received_local` is late when that day is after the deadline day (the
    /// deadline day itself is on time).
    pub fn is_late(self, received_local: NaiveDate, deadline_day: u32) -> bool {
        received_local > self.deadline(deadline_day)
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.month(), 1).unwrap_or_default()
    }

    fn days_in_month(self) -> u32 {
        let year = self.year();
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    fn index(self) -> i32 {
        self.year() * 12 + i32::from(self.month) - 1
    }

    fn from_index(index: i32) -> Option<Self> {
        let month = u32::try_from(index.rem_euclid(12) + 1).ok()?;
        Self::new(index.div_euclid(12), month)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// For tests here and in the forms: a period known to be valid, and the open one they assume.
#[cfg(test)]
pub(crate) mod testing {
    use super::Period;

    pub(crate) fn p(year: i32, month: u32) -> Period {
        Period::new(year, month).unwrap()
    }

    /// November 2026, the open period of the tests.
    pub(crate) const OPEN: fn() -> Period = || p(2026, 11);
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::testing::p;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn only_valid_year_months_can_be_built() {
        assert!(Period::new(2026, 11).is_some());
        assert!(Period::new(2026, 0).is_none());
        assert!(Period::new(2026, 13).is_none());
        assert!(Period::new(1999, 12).is_none());
        assert!(Period::new(2100, 1).is_none());
    }

    #[test]
    fn parses_and_displays_the_canonical_form() {
        assert_eq!(Period::parse("2026-11"), Ok(p(2026, 11)));
        assert_eq!(Period::parse(" 2026-03 "), Ok(p(2026, 3)));
        assert_eq!(Period::parse("2026-3"), Ok(p(2026, 3)));
        assert_eq!(p(2026, 3).to_string(), "2026-03");
        assert_eq!(p(2026, 11).zh(), "2026年11月");
        for bad in [
            "", "2026", "2026-", "2026-13", "26-11", "2026/11", "2026-1a", "+2026-11",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            Period::parse("2100-01"),
            Err(PeriodError::OutOfRange(_))
        ));
    }

    #[test]
    fn successor_and_predecessor_cross_year_boundaries() {
        assert_eq!(p(2026, 12).succ(), Some(p(2027, 1)));
        assert_eq!(p(2027, 1).pred(), Some(p(2026, 12)));
        assert_eq!(p(2026, 5).succ(), Some(p(2026, 6)));
        assert_eq!(p(2099, 12).succ(), None);
        assert_eq!(p(2000, 1).pred(), None);
    }

    #[test]
    fn months_since_counts_across_years() {
        assert_eq!(p(2027, 1).months_since(p(2026, 12)), 1);
        assert_eq!(p(2026, 11).months_since(p(2025, 11)), 12);
        assert_eq!(p(2025, 10).months_since(p(2026, 11)), -13);
        assert_eq!(p(2026, 11).months_since(p(2026, 11)), 0);
    }

    #[test]
    fn orders_by_year_then_month() {
        assert!(p(2025, 12) < p(2026, 1));
        assert!(p(2026, 2) > p(2026, 1));
    }

    #[test]
    fn the_open_period_is_the_current_local_month() {
        assert_eq!(Period::open_at(date(2026, 11, 30)), p(2026, 11));
        assert_eq!(Period::open_at(date(2027, 1, 1)), p(2027, 1));
        assert_eq!(Period::open_at(date(1970, 5, 1)), p(2000, 1));
        assert_eq!(Period::open_at(date(2150, 5, 1)), p(2099, 12));
    }

    #[test]
    fn deadline_is_clamped_to_the_month_length() {
        assert_eq!(p(2026, 11).deadline(20), date(2026, 11, 20));
        assert_eq!(p(2026, 2).deadline(31), date(2026, 2, 28));
        assert_eq!(p(2028, 2).deadline(31), date(2028, 2, 29));
        assert_eq!(p(2100 - 1, 12).deadline(40), date(2099, 12, 31));
        assert_eq!(p(2026, 4).deadline(0), date(2026, 4, 1));
    }

    #[test]
    fn the_deadline_day_itself_is_on_time() {
        let period = p(2026, 10);
        assert!(!period.is_late(date(2026, 10, 20), 20));
        assert!(period.is_late(date(2026, 10, 21), 20));
        assert!(period.is_late(date(2026, 11, 1), 20));
        assert!(!period.is_late(date(2026, 9, 30), 20));
    }

    #[test]
    fn serialises_as_the_canonical_string() {
        assert_eq!(serde_json::to_string(&p(2026, 1)).unwrap(), "\"2026-01\"");
        let back: Period = serde_json::from_str("\"2026-01\"").unwrap();
        assert_eq!(back, p(2026, 1));
        assert!(serde_json::from_str::<Period>("\"2026-13\"").is_err());
    }
}
