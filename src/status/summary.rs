//! The district summary of a period: totals of the eleven fields over each unit's counting
//! version, and the checks of SPEC §9. [`load`] reads; [`summarize`] is the pure half.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::Missing;
use crate::checks::{self, Check, CheckInput};
use crate::config::Config;
use crate::domain::fields::{Field, MonthlyValues};
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::store::submissions::{self, Submission};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub period: String,
    pub deadline: String,
    pub units: usize,
    pub reported: usize,
    pub late: usize,
    pub missing: Vec<Missing>,
    pub totals: MonthlyValues,
    pub checks: Vec<Check>,
}

/// Reads the period's counting versions (and those of its quarter so far) and summarizes them
/// as of the office-local date `today`.
pub async fn load(
    config: &Config,
    store: &Store,
    period: Period,
    today: NaiveDate,
) -> Result<Summary, StoreError> {
    let latest = submissions::latest_for_period(store, period).await?;
    let open = Period::open_at(today);
    let mut quarter = Vec::new();
    for month in checks::quarter_months(period) {
        if month == period {
            quarter.extend(latest.iter().cloned());
        } else if month <= open {
            quarter.extend(submissions::latest_for_period(store, month).await?);
        }
    }
    let deadline = config.schedule.deadline(period);
    Ok(summarize(
        config.roster.units(),
        &latest,
        &quarter,
        period,
        deadline,
        today,
    ))
}

/// The summary of `latest` (the period's counting versions) for the roster's units; `quarter`
/// holds the counting versions of every month of the period's quarter so far.
pub fn summarize(
    units: &[Unit],
    latest: &[Submission],
    quarter: &[Submission],
    period: Period,
    deadline: NaiveDate,
    today: NaiveDate,
) -> Summary {
    let in_roster: HashSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
    let counted: HashMap<&str, &Submission> = latest
        .iter()
        .filter(|s| in_roster.contains(s.unit_code.as_str()))
        .map(|s| (s.unit_code.as_str(), s))
        .collect();
    let totals = MonthlyValues::from_fn(|field| {
        counted
            .values()
            .map(|s| s.values.get(field))
            .fold(0u64, u64::saturating_add)
    });
    let mut media: HashMap<&str, u64> = HashMap::new();
    for s in quarter {
        *media.entry(s.unit_code.as_str()).or_default() += s.values.get(Field::MediaReports);
    }
    let late = counted.values().filter(|s| s.late).count();
    let missing: Vec<Missing> = units
        .iter()
        .filter(|u| !counted.contains_key(u.code.as_str()))
        .map(|u| Missing {
            unit: u.code.to_string(),
            name: u.name.clone(),
        })
        .collect();
    let without_media = units
        .iter()
        .filter(|u| media.get(u.code.as_str()).copied().unwrap_or(0) == 0)
        .map(|u| u.name.clone())
        .collect();
    let checks = checks::evaluate(&CheckInput {
        period,
        today,
        deadline,
        units: units.len(),
        on_time: counted.len() - late,
        reported: counted.len(),
        case_leads: totals.get(Field::CaseLeads),
        without_media,
    });
    Summary {
        period: period.to_string(),
        deadline: deadline.to_string(),
        units: units.len(),
        reported: counted.len(),
        late,
        missing,
        totals,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckState;
    use crate::domain::unit::Roster;

    fn roster() -> Roster {
        Roster::parse(
            r#"
[[unit]]
code = "bachiao"
name = "八桥镇"
kind = "town"
addresses = ["a@x.cn"]
[[unit]]
code = "tiaodeng"
name = "跳磴镇"
kind = "town"
addresses = ["b@x.cn"]
"#,
        )
        .unwrap()
    }

    fn submission(unit: &str, period: &str, late: bool, value: u64) -> Submission {
        Submission {
            unit_code: unit.into(),
            period: period.into(),
            version: 1,
            received_at: "2026-11-10T02:00:00Z".parse().unwrap(),
            late,
            receipt_no: "R".into(),
            values: MonthlyValues::new([value; 11]),
        }
    }

    #[test]
    fn totals_count_roster_units_only_and_checks_follow() {
        let roster = roster();
        let latest = vec![
            submission("bachiao", "2026-11", false, 2),
            submission("tiaodeng", "2026-11", true, 3),
            submission("gone", "2026-11", false, 100),
        ];
        let period = Period::parse("2026-11").unwrap();
        let summary = summarize(
            roster.units(),
            &latest,
            &latest,
            period,
            "2026-11-20".parse().unwrap(),
            "2026-11-25".parse().unwrap(),
        );
        assert_eq!(summary.totals.get(Field::CaseLeads), 5);
        assert_eq!((summary.reported, summary.late), (2, 1));
        assert!(summary.missing.is_empty());
        let states: Vec<CheckState> = summary.checks.iter().map(|c| c.state).collect();
        assert_eq!(
            states,
            [CheckState::Missed, CheckState::Met, CheckState::Met]
        );
    }

    #[test]
    fn nothing_reported() {
        let roster = roster();
        let period = Period::parse("2026-11").unwrap();
        let summary = summarize(
            roster.units(),
            &[],
            &[],
            period,
            "2026-11-20".parse().unwrap(),
            "2026-11-02".parse().unwrap(),
        );
        assert_eq!(summary.missing.len(), 2);
        assert_eq!(summary.totals, MonthlyValues::new([0; 11]));
        assert!(summary.checks.iter().all(|c| c.state == CheckState::NotYet));
    }
}
