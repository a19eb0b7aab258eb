//! `[schedule]` as written, and its conversion into the checked [`ScheduleRules`] (deadline,
//! reminder days and time, the working-day calendar with the configured holidays).

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

use super::Invalid;
use crate::config::ConfigError;
use crate::domain::calendar::WorkCalendar;
use crate::domain::deadline::ScheduleRules;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct ScheduleFile {
    /// Whether the daemon sends reminders at all (`remind` works either way).
    pub(super) send_reminders: bool,
    deadline_day: u32,
    reminder_days: Vec<u32>,
    reminder_time: String,
    overdue_day: u32,
    /// Official days off that fall on weekdays (春节, 国庆, …): "YYYY-MM-DD".
    holidays: Vec<String>,
    /// Weekend days worked instead (调休).
    extra_workdays: Vec<String>,
}

impl Default for ScheduleFile {
    fn default() -> Self {
        Self {
            send_reminders: true,
            deadline_day: 20,
            reminder_days: vec![15, 18, 20],
            reminder_time: "09:00".into(),
            overdue_day: 21,
            holidays: vec![],
            extra_workdays: vec![],
        }
    }
}

pub(super) fn build(file: ScheduleFile, invalid: &Invalid) -> Result<ScheduleRules, ConfigError> {
    let reminder_time = NaiveTime::parse_from_str(&file.reminder_time, "%H:%M").map_err(|_| {
        invalid(
            "schedule.reminder_time",
            format!("{:?} is not a time like \"09:00\"", file.reminder_time),
        )
    })?;
    let dates = |key: &'static str, texts: &[String]| {
        texts
            .iter()
            .map(|t| {
                NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                    .map_err(|_| invalid(key, format!("{t:?} is not a date like \"2026-10-01\"")))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let rules = ScheduleRules {
        deadline_day: file.deadline_day,
        reminder_days: file.reminder_days,
        reminder_time,
        overdue_day: file.overdue_day,
        calendar: WorkCalendar::official_with(
            dates("schedule.holidays", &file.holidays)?,
            dates("schedule.extra_workdays", &file.extra_workdays)?,
        ),
    };
    rules
        .check()
        .map_err(|e| invalid("schedule", e.to_string()))?;
    Ok(rules)
}
