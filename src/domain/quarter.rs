//! A calendar quarter (`2026-Q4`): the unit of the notice's media check and of the quarter view.

use std::fmt;

use thiserror::Error;

use super::period::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i32,
    number: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not a quarter: write it like 2026-Q4")]
pub struct QuarterError(pub String);

impl Quarter {
    /// `2026-Q4`, `2026Q4` or `2026-q4`.
    pub fn parse(text: &str) -> Result<Self, QuarterError> {
        let error = || QuarterError(text.to_string());
        let upper = text.trim().to_ascii_uppercase();
        let (year, number) = upper.split_once('Q').ok_or_else(error)?;
        let year: i32 = year.trim_end_matches('-').parse().map_err(|_| error())?;
        let number: u32 = number.parse().map_err(|_| error())?;
        if !(1..=4).contains(&number) || Period::new(year, 1).is_none() {
            return Err(error());
        }
        Ok(Self { year, number })
    }

    /// The quarter holding a month.
    pub fn of(period: Period) -> Self {
        Self {
            year: period.year(),
            number: (period.month() - 1) / 3 + 1,
        }
    }

    /// Its three months, in order.
    pub fn months(self) -> Vec<Period> {
        let first = (self.number - 1) * 3 + 1;
        (first..first + 3)
            .filter_map(|m| Period::new(self.year, m))
            .collect()
    }

    /// `2026年第4季度`.
    pub fn zh(self) -> String {
        format!("{}年第{}季度", self.year, self.number)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

impl serde::Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_lists_its_months() {
        let q = Quarter::parse("2026-Q4").unwrap();
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.zh(), "2026年第4季度");
        assert_eq!(serde_json::to_string(&q).unwrap(), r#""2026-Q4""#);
        let months: Vec<String> = q.months().iter().map(ToString::to_string).collect();
        assert_eq!(months, ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(
            Quarter::parse("2026q1").unwrap().months()[0].to_string(),
            "2026-01"
        );
        assert_eq!(
            Quarter::of(Period::new(2026, 6).unwrap()).to_string(),
            "2026-Q2"
        );
        for bad in ["2026-Q5", "2026-11", "Q4", "2026-Q0"] {
            assert!(Quarter::parse(bad).is_err(), "{bad}");
        }
    }
}
