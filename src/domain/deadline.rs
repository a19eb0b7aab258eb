//! The deadline rules of `[schedule]`: the deadline day, the reminder and overdue days and the
//! working-day calendar, checked once at config load. When reminders go out is
//! [`crate::reminders::schedule`]'s business; this is what the configuration, the replies and the
//! status views share.

use chrono::{NaiveDate, NaiveTime};
use thiserror::Error;

use super::{Period, WorkCalendar};

/// The latest deadline day that leaves an overdue day in every month, February included.
const LATEST_DEADLINE_DAY: u32 = 27;

/// The `[schedule]` settings, with the working-day calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRules {
    pub deadline_day: u32,
    pub reminder_days: Vec<u32>,
    pub reminder_time: NaiveTime,
    pub overdue_day: u32,
    pub calendar: WorkCalendar,
}

/// A `[schedule]` setting that makes no sense.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScheduleError {
    #[error("schedule: {setting} = {day} is not a day of the month (1-31)")]
    NotADay { setting: &'static str, day: u32 },
    #[error("schedule: reminder day {day} comes after deadline_day = {deadline_day}")]
    ReminderAfterDeadline { day: u32, deadline_day: u32 },
    #[error("schedule: overdue_day = {overdue_day} must come after deadline_day = {deadline_day}")]
    OverdueNotAfterDeadline { overdue_day: u32, deadline_day: u32 },
    #[error(
        "schedule: deadline_day = {0} leaves no day for an overdue notice in February; use 27 or less"
    )]
    DeadlineTooLate(u32),
    #[error("schedule: {0} is listed both as a holiday and as an extra working day")]
    CalendarConflict(NaiveDate),
}

impl ScheduleRules {
    /// Rejects settings the configuration should not accept. The functions of this module stay
    /// total on unchecked rules too (days are clamped to the month), this is for the operator.
    pub fn check(&self) -> Result<(), ScheduleError> {
        let check_day = |setting: &'static str, day: u32| {
            if (1..=31).contains(&day) {
                Ok(())
            } else {
                Err(ScheduleError::NotADay { setting, day })
            }
        };
        check_day("deadline_day", self.deadline_day)?;
        if self.deadline_day > LATEST_DEADLINE_DAY {
            return Err(ScheduleError::DeadlineTooLate(self.deadline_day));
        }
        check_day("overdue_day", self.overdue_day)?;
        for &day in &self.reminder_days {
            check_day("reminder_days", day)?;
            if day > self.deadline_day {
                return Err(ScheduleError::ReminderAfterDeadline {
                    day,
                    deadline_day: self.deadline_day,
                });
            }
        }
        if self.overdue_day <= self.deadline_day {
            return Err(ScheduleError::OverdueNotAfterDeadline {
                overdue_day: self.overdue_day,
                deadline_day: self.deadline_day,
            });
        }
        match self.calendar.conflicts().first() {
            Some(&date) => Err(ScheduleError::CalendarConflict(date)),
            None => Ok(()),
        }
    }

    /// The last on-time day for `period` (not moved by the calendar: mail arrives on days off too).
    pub fn deadline(&self, period: Period) -> NaiveDate {
        period.deadline(self.deadline_day)
    }
}
