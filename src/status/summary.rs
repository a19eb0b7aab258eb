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
    pub quarter: Quarter,
    pub title: String,
    pub months: Vec<Summary>,
    pub totals: MonthlyValues,
    /// (when, check): each month's on-time and case-lead checks, then the quarter's media check.
    pub checks: Vec<(CheckWhen, Check)>,
}

/// What a check of the quarter view is about: one month of it, or the whole quarter. Written
/// as the period or the quarter (`2026-11`, `2026Q4`), in JSON too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum CheckWhen {
    Month(Period),
    Quarter(Quarter),
}

impl CheckWhen {
    /// As a person reads it: `2026年11月`, or the quarter's title.
    pub fn zh(self) -> String {
        match self {
            CheckWhen::Month(period) => period.zh(),
            CheckWhen::Quarter(quarter) => quarter.zh(),
        }
    }
}

impl std::fmt::Display for CheckWhen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckWhen::Month(period) => period.fmt(f),
            CheckWhen::Quarter(quarter) => quarter.fmt(f),
        }
    }
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
            checks.push((CheckWhen::Month(month.period), check.clone()));
        }
    }
    if let Some(last) = months.last()
        && let Some(media) = last
            .checks
            .iter()
            .find(|c| c.kind == CheckKind::QuarterlyMedia)
    {
        checks.push((CheckWhen::Quarter(quarter), media.clone()));
    }
    QuarterSummary {
        quarter,
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
#[path = "summary_tests.rs"]
mod tests;
