//! The district summary of a period: totals of the eleven fields over each unit's counting
//! version, and the checks of SPEC §9. [`load`] reads; [`summarize`] is the pure half.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::Missing;
use crate::config::Config;
use crate::domain::fields::{Field, MonthlyValues};
use crate::domain::period::Period;
use crate::domain::quarter::Quarter;
use crate::domain::unit::Unit;
use crate::notice_checks::CheckKind;
use crate::notice_checks::{self as checks, Check, CheckInput};
use crate::store::submissions::{self, Submission};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub period: Period,
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
        config.roster.current().units(),
        &latest,
        &quarter,
        period,
        deadline,
        today,
    ))
}

/// A calendar quarter: the months that have opened so far, their totals added up, and the
/// checks month by month plus the quarter's media check.
#[derive(Debug, Clone, Serialize)]
pub struct QuarterSummary {
    pub quarter: String,
    pub title: String,
    pub months: Vec<Summary>,
    pub totals: MonthlyValues,
    /// (month, check): each month's on-time and case-lead checks, then the quarter's media check.
    pub checks: Vec<(String, Check)>,
}

pub async fn load_quarter(
    config: &Config,
    store: &Store,
    quarter: Quarter,
    today: NaiveDate,
) -> Result<QuarterSummary, StoreError> {
    let open = Period::open_at(today);
    let mut months = Vec::new();
    for month in quarter.months().into_iter().filter(|m| *m <= open) {
        months.push(load(config, store, month, today).await?);
    }
    Ok(summarize_quarter(quarter, months))
}

/// Adds up the months of a quarter (pure).
pub fn summarize_quarter(quarter: Quarter, months: Vec<Summary>) -> QuarterSummary {
    let totals = MonthlyValues::from_fn(|field| {
        months
            .iter()
            .map(|m| m.totals.get(field))
            .fold(0u64, u64::saturating_add)
    });
    let mut checks = Vec::new();
    for month in &months {
        for check in month
            .checks
            .iter()
            .filter(|c| c.kind != CheckKind::QuarterlyMedia)
        {
            checks.push((month.period.to_string(), check.clone()));
        }
    }
    if let Some(last) = months.last()
        && let Some(media) = last
            .checks
            .iter()
            .find(|c| c.kind == CheckKind::QuarterlyMedia)
    {
        checks.push((quarter.to_string(), media.clone()));
    }
    QuarterSummary {
        quarter: quarter.to_string(),
        title: quarter.zh(),
        months,
        totals,
        checks,
    }
}

/// The checks as a terminal shows them.
pub fn render_checks(checks: &[Check]) -> String {
    let mut out = String::from("\n通知要求完成情况:\n");
    for check in checks {
        out.push_str(&format!(
            "  {}：{}（{}）\n",
            check.kind.zh(),
            check.state.zh(),
            check.detail
        ));
    }
    out
}

/// A quarter as a terminal shows it.
pub fn render_quarter(quarter: &QuarterSummary) -> String {
    let mut out = format!("{} 全区汇总\n", quarter.title);
    for month in &quarter.months {
        out.push_str(&format!(
            "  {}：已报 {}/{}，逾期 {}\n",
            month.period, month.reported, month.units, month.late
        ));
    }
    out.push_str("\n十一项合计:\n");
    for (field, value) in quarter.totals.iter() {
        out.push_str(&format!(
            "  {} {} {}\n",
            field.short_label(),
            value,
            field.unit()
        ));
    }
    out.push_str("\n通知要求完成情况:\n");
    for (when, check) in &quarter.checks {
        out.push_str(&format!(
            "  {when} {}：{}（{}）\n",
            check.kind.zh(),
            check.state.zh(),
            check.detail
        ));
    }
    out
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
            unit: u.code.clone(),
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
        period,
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
    use crate::domain::unit::Roster;
    use crate::notice_checks::CheckState;

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

    fn state_on(
        kind: CheckKind,
        latest: &[Submission],
        quarter: &[Submission],
        period: &str,
        today: &str,
    ) -> CheckState {
        let period = Period::parse(period).unwrap();
        let summary = summarize(
            roster().units(),
            latest,
            quarter,
            period,
            period.deadline(20),
            today.parse().unwrap(),
        );
        summary
            .checks
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| c.state)
            .unwrap()
    }

    #[test]
    fn a_media_report_in_the_quarters_first_month_meets_the_quarters_check() {
        let october = [
            submission("bachiao", "2026-10", false, 1),
            submission("tiaodeng", "2026-10", false, 1),
        ];
        let december = vec![
            submission("bachiao", "2026-12", false, 0),
            submission("tiaodeng", "2026-12", false, 0),
        ];
        let quarter: Vec<Submission> = october.iter().chain(&december).cloned().collect();
        let media = CheckKind::QuarterlyMedia;
        assert_eq!(
            state_on(media, &december, &quarter, "2026-12", "2026-12-25"),
            CheckState::Met
        );
        // Without October's reports: not yet on the quarter's last day, missed the day after.
        assert_eq!(
            state_on(media, &december, &december, "2026-12", "2026-12-31"),
            CheckState::NotYet
        );
        assert_eq!(
            state_on(media, &december, &december, "2026-12", "2027-01-01"),
            CheckState::Missed
        );
    }

    #[test]
    fn a_check_is_not_yet_until_its_period_ends() {
        let none = vec![
            submission("bachiao", "2026-11", false, 0),
            submission("tiaodeng", "2026-11", false, 0),
        ];
        let leads = CheckKind::CaseLeads;
        assert_eq!(
            state_on(leads, &none, &none, "2026-11", "2026-11-30"),
            CheckState::NotYet
        );
        assert_eq!(
            state_on(leads, &none, &none, "2026-11", "2026-12-01"),
            CheckState::Missed
        );
        let on_time = CheckKind::ReportedOnTime;
        let one = vec![submission("bachiao", "2026-11", false, 1)];
        assert_eq!(
            state_on(on_time, &one, &one, "2026-11", "2026-11-20"),
            CheckState::NotYet
        );
        assert_eq!(
            state_on(on_time, &one, &one, "2026-11", "2026-11-21"),
            CheckState::Missed
        );
    }

    #[test]
    fn a_quarter_adds_its_months_and_keeps_one_media_check() {
        let roster = roster();
        let month = |p: &str, value| {
            let period = Period::parse(p).unwrap();
            let latest = vec![submission("bachiao", p, false, value)];
            summarize(
                roster.units(),
                &latest,
                &latest,
                period,
                period.deadline(20),
                "2026-12-25".parse().unwrap(),
            )
        };
        let quarter = summarize_quarter(
            Quarter::parse("2026-Q4").unwrap(),
            vec![
                month("2026-10", 1),
                month("2026-11", 2),
                month("2026-12", 3),
            ],
        );
        assert_eq!(quarter.totals.get(Field::OpenLetters), 6);
        let media: Vec<_> = quarter
            .checks
            .iter()
            .filter(|(_, c)| c.kind == CheckKind::QuarterlyMedia)
            .collect();
        assert_eq!(media.len(), 1);
        assert_eq!(media[0].0, "2026-Q4");
        assert_eq!(quarter.checks.len(), 3 * 2 + 1);
        assert!(render_quarter(&quarter).contains("2026年第4季度 全区汇总"));
    }
}
