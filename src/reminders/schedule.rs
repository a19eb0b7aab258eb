//! When reminders go out for a period (SPEC §5, §11 `[schedule]`): the planned sending moments.
//!
//! Each configured reminder day gives one [`Slot`], moved back to the previous working day when it
//! falls on a day off (but never into the previous month). The overdue day gives one slot moved
//! *forward* to the next working day (but never into the next month), and never earlier than the
//! day after the deadline, so an overdue notice only goes out once the deadline has really passed.
//! Every slot of a period lies in that period's month. All times are office-local.
//!
//! A slot is identified within its period by [`Slot::key`] (`due_soon:15`), which together with the
//! unit and the period is the exactly-once key of a reminder. Deciding what to send at a given
//! moment is [`super::due_at`]'s job.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::domain::Period;
pub use crate::domain::deadline::{ScheduleError, ScheduleRules};

/// What a reminder says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// The form is due soon.
    DueSoon,
    /// Today is the deadline.
    FinalDay,
    /// The deadline has passed.
    Overdue,
}

impl ReminderKind {
    /// The stable text used in keys and in the database: `due_soon`, `final_day`, `overdue`.
    pub fn key(self) -> &'static str {
        match self {
            Self::DueSoon => "due_soon",
            Self::FinalDay => "final_day",
            Self::Overdue => "overdue",
        }
    }
}

/// One planned sending moment for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Slot {
    pub kind: ReminderKind,
    /// The day as configured (`reminder_days` or `overdue_day`), before any shift.
    pub day_of_month: u32,
    /// Office-local sending time, after the working-day shift.
    pub at: NaiveDateTime,
}

impl Slot {
    /// The slot's key within its period, e.g. `due_soon:15`: several reminders of one kind in one
    /// period are told apart by their configured day.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.key(), self.day_of_month)
    }
}

/// The slots of `period` in sending order: the reminders, then the overdue notice.
///
/// The reminder on `deadline_day` is a [`ReminderKind::FinalDay`] only when it is sent on the
/// deadline date itself; moved to an earlier working day it becomes a [`ReminderKind::DueSoon`],
/// because a final-day text ("today is the deadline") would then be false. Reminder days after
/// `deadline_day` are ignored; reminder days that land on the same date are all kept.
pub fn slots(rules: &ScheduleRules, period: Period) -> Vec<Slot> {
    let days: BTreeSet<u32> = rules
        .reminder_days
        .iter()
        .copied()
        .filter(|&day| day <= rules.deadline_day)
        .collect();
    let mut slots: Vec<Slot> = days
        .into_iter()
        .map(|day| reminder_slot(rules, period, day))
        .collect();
    slots.sort_by_key(|slot| (slot.at, slot.day_of_month));
    slots.extend(overdue_slot(rules, period));
    slots
}

fn reminder_slot(rules: &ScheduleRules, period: Period, day: u32) -> Slot {
    // `Period::deadline` clamps any day to the month, which is what a configured day needs too.
    let planned = period.deadline(day);
    let shifted = rules.calendar.on_or_before_working(planned);
    let date = if shifted < period.first_day() {
        planned
    } else {
        shifted
    };
    let kind = if day == rules.deadline_day && date == rules.deadline(period) {
        ReminderKind::FinalDay
    } else {
        ReminderKind::DueSoon
    };
    Slot {
        kind,
        day_of_month: day,
        at: date.and_time(rules.reminder_time),
    }
}

/// The overdue slot of `period`: `overdue_day` (at least the day after the deadline), moved
/// forward to the next working day unless that would leave the month. `None` when the deadline is
/// the month's last day: no day is left for a notice, and the next month's cycle takes over.
pub fn overdue_slot(rules: &ScheduleRules, period: Period) -> Option<Slot> {
    let day_after_deadline = rules
        .deadline(period)
        .succ_opt()
        .filter(|date| in_period(period, *date))?;
    let planned = period.deadline(rules.overdue_day).max(day_after_deadline);
    let shifted = rules.calendar.on_or_after_working(planned);
    let date = if in_period(period, shifted) {
        shifted
    } else {
        planned
    };
    Some(Slot {
        kind: ReminderKind::Overdue,
        day_of_month: rules.overdue_day,
        at: date.and_time(rules.reminder_time),
    })
}

fn in_period(period: Period, date: NaiveDate) -> bool {
    date.year() == period.year() && date.month() == period.month()
}

/// The first slot time strictly after `now`, looking at the open and the next period. Should no
/// slot lie ahead (only at the very end of the supported years), a day later.
pub fn next_wakeup(rules: &ScheduleRules, now: NaiveDateTime) -> NaiveDateTime {
    let open = Period::open_at(now.date());
    [Some(open), open.succ()]
        .into_iter()
        .flatten()
        .flat_map(|period| slots(rules, period))
        .map(|slot| slot.at)
        .filter(|&at| at > now)
        .min()
        .unwrap_or_else(|| {
            now.checked_add_signed(TimeDelta::days(1))
                .unwrap_or(NaiveDateTime::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::WorkCalendar;
    use chrono::NaiveTime;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        date(y, m, d).and_hms_opt(h, 0, 0).unwrap()
    }

    fn period(y: i32, m: u32) -> Period {
        Period::new(y, m).unwrap()
    }

    fn rules(calendar: WorkCalendar) -> ScheduleRules {
        ScheduleRules {
            deadline_day: 20,
            reminder_days: vec![15, 18, 20],
            reminder_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            overdue_day: 21,
            calendar,
        }
    }

    fn summary(slots: &[Slot]) -> Vec<(String, NaiveDateTime)> {
        slots.iter().map(|slot| (slot.key(), slot.at)).collect()
    }

    #[test]
    fn a_plain_month_keeps_the_configured_days() {
        // November 2026: the 16th..20th are Monday..Friday, the 21st a Saturday.
        let slots = slots(&rules(WorkCalendar::default()), period(2026, 11));
        assert_eq!(
            summary(&slots),
            vec![
                ("due_soon:15".into(), at(2026, 11, 13, 9)),
                ("due_soon:18".into(), at(2026, 11, 18, 9)),
                ("final_day:20".into(), at(2026, 11, 20, 9)),
                ("overdue:21".into(), at(2026, 11, 23, 9)),
            ]
        );
    }

    #[test]
    fn a_weekend_deadline_sends_the_last_reminder_on_friday_as_due_soon() {
        // December 2026: the 20th is a Sunday.
        let slots = slots(&rules(WorkCalendar::default()), period(2026, 12));
        assert_eq!(
            summary(&slots),
            vec![
                ("due_soon:15".into(), at(2026, 12, 15, 9)),
                ("due_soon:18".into(), at(2026, 12, 18, 9)),
                ("due_soon:20".into(), at(2026, 12, 18, 9)),
                ("overdue:21".into(), at(2026, 12, 21, 9)),
            ]
        );
    }

    #[test]
    fn a_shift_never_crosses_into_the_previous_month() {
        let mut rules = rules(WorkCalendar::default());
        rules.reminder_days = vec![1, 20];
        // 2026-08-01 is a Saturday: moving back would leave August, so it stays.
        let slots = slots(&rules, period(2026, 8));
        assert_eq!(slots[0].key(), "due_soon:1");
        assert_eq!(slots[0].at, at(2026, 8, 1, 9));
    }

    #[test]
    fn an_overdue_notice_moves_forward_and_never_before_the_deadline_has_passed() {
        let slot = overdue_slot(&rules(WorkCalendar::default()), period(2026, 11)).unwrap();
        assert_eq!(slot.at, at(2026, 11, 23, 9));
        let mut early = rules(WorkCalendar::default());
        early.overdue_day = 20;
        let slot = overdue_slot(&early, period(2026, 10)).unwrap();
        assert_eq!(
            (slot.key(), slot.at),
            ("overdue:20".into(), at(2026, 10, 21, 9))
        );
    }

    #[test]
    fn an_overdue_notice_stays_in_its_month() {
        // 2026-10-31 is a Saturday: moving forward would leave October, so it stays.
        let mut late = rules(WorkCalendar::default());
        late.overdue_day = 31;
        let slot = overdue_slot(&late, period(2026, 10)).unwrap();
        assert_eq!(slot.at, at(2026, 10, 31, 9));
        // A deadline on the month's last day leaves no day for a notice.
        let mut month_end = rules(WorkCalendar::default());
        month_end.deadline_day = 28;
        month_end.overdue_day = 29;
        assert_eq!(overdue_slot(&month_end, period(2026, 2)), None);
        assert!(
            overdue_slot(&month_end, period(2028, 2)).is_some(),
            "leap year"
        );
        let keys: Vec<String> = slots(&month_end, period(2026, 2))
            .iter()
            .map(Slot::key)
            .collect();
        assert_eq!(keys, vec!["due_soon:15", "due_soon:18", "due_soon:20"]);
    }

    #[test]
    fn reminder_days_after_the_deadline_and_duplicates_are_ignored() {
        let mut rules = rules(WorkCalendar::default());
        rules.reminder_days = vec![18, 25, 18, 15];
        let keys: Vec<String> = slots(&rules, period(2026, 11))
            .iter()
            .map(Slot::key)
            .collect();
        assert_eq!(keys, vec!["due_soon:15", "due_soon:18", "overdue:21"]);
    }

    #[test]
    fn kinds_serialise_as_their_keys() {
        for kind in [
            ReminderKind::DueSoon,
            ReminderKind::FinalDay,
            ReminderKind::Overdue,
        ] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.key()));
            assert_eq!(serde_json::from_str::<ReminderKind>(&json).unwrap(), kind);
        }
    }

    #[test]
    fn next_wakeup_finds_the_next_slot_in_this_or_the_next_month() {
        let rules = rules(WorkCalendar::default());
        assert_eq!(
            next_wakeup(&rules, at(2026, 11, 13, 9)),
            at(2026, 11, 18, 9)
        );
        assert_eq!(
            next_wakeup(&rules, at(2026, 11, 13, 8)),
            at(2026, 11, 13, 9)
        );
        assert_eq!(
            next_wakeup(&rules, at(2026, 11, 23, 9)),
            at(2026, 12, 15, 9)
        );
        assert_eq!(next_wakeup(&rules, at(2026, 12, 30, 0)), at(2027, 1, 15, 9));
    }

    #[test]
    fn next_wakeup_never_fails_at_the_end_of_the_supported_years() {
        let now = at(2099, 12, 31, 12);
        assert_eq!(
            next_wakeup(&rules(WorkCalendar::default()), now),
            at(2100, 1, 1, 12)
        );
    }

    #[test]
    fn check_rejects_settings_that_make_no_sense() {
        let good = rules(WorkCalendar::default());
        assert_eq!(good.check(), Ok(()));
        let mut bad = good.clone();
        bad.reminder_days = vec![15, 22];
        assert!(matches!(
            bad.check(),
            Err(ScheduleError::ReminderAfterDeadline { day: 22, .. })
        ));
        let mut bad = good.clone();
        bad.overdue_day = 20;
        assert!(matches!(
            bad.check(),
            Err(ScheduleError::OverdueNotAfterDeadline { .. })
        ));
        let mut bad = good.clone();
        bad.deadline_day = 0;
        assert!(matches!(bad.check(), Err(ScheduleError::NotADay { .. })));
        let mut bad = good.clone();
        bad.deadline_day = 28;
        bad.overdue_day = 29;
        assert_eq!(bad.check(), Err(ScheduleError::DeadlineTooLate(28)));
        let day = date(2026, 10, 10);
        let mut bad = good;
        bad.calendar = WorkCalendar::new(vec![day], vec![day]);
        assert_eq!(bad.check(), Err(ScheduleError::CalendarConflict(day)));
    }
}
