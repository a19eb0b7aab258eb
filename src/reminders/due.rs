//! What to send at a given moment (SPEC §5): the exactly-once and catch-up rules of reminders.
//!
//! [`due_at`] is called with the office-local time, the units' states and a look-up into what was
//! already recorded; it returns a [`Plan`] and changes nothing. The caller records every sent *and*
//! every superseded reminder under (unit, period, [`Slot::key`]), so the next call never returns it
//! again; that record is the whole of the exactly-once guarantee.
//!
//! The rules, in full:
//! - Reminders (due soon, final day) concern the period open at `now`, and only until its deadline
//!   date has passed; an unsent reminder after that is superseded, never sent.
//! - A slot is due when its time has come, the unit has not reported and nothing was recorded for it.
//! - After down-time only the latest due reminder slot of a unit is sent; the earlier unsent ones are
//!   superseded (a daemon down over the 15th and the 18th sends one reminder, the 18th's).
//! - The overdue notice concerns the open period too, and is sent once from its slot time until the
//!   month ends. A daemon that was down from the 21st to the next month's 2nd sends no overdue notice
//!   for the old month: by then the notice is stale and the new month's cycle has begun. (Every slot
//!   of a period lies in its own month, see [`super::schedule`].)
//! - Units without an address get nothing; the slots they would have got are listed in
//!   [`Plan::no_address`] so the caller can log them.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::schedule::{ReminderKind, ScheduleRules, Slot, overdue_slot, slots};
use crate::domain::Period;
use crate::domain::unit::Unit;

/// A unit as the reminder planner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitState {
    pub code: String,
    pub name: String,
    /// The registered addresses; a reminder goes to all of them.
    pub addresses: Vec<String>,
    /// Whether a valid form for the period open at the planning moment has been recorded.
    pub reported: bool,
}

impl UnitState {
    /// The state of a roster unit.
    pub fn new(unit: &Unit, reported: bool) -> Self {
        Self {
            code: unit.code.to_string(),
            name: unit.name.clone(),
            addresses: unit.addresses.clone(),
            reported,
        }
    }
}

/// One reminder for one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    /// The unit's code.
    pub unit: String,
    /// The unit's name, for the reminder's salutation.
    pub name: String,
    pub addresses: Vec<String>,
    pub period: Period,
    pub slot: Slot,
}

/// What [`due_at`] decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Reminders to send now.
    pub send: Vec<Due>,
    /// Reminders that will never be sent (a later one replaces them, or the deadline has passed);
    /// record them as skipped so they are not returned again.
    pub superseded: Vec<Due>,
    /// Reminders that would be sent now but the unit has no address. Returned on every call until
    /// the caller records them.
    pub no_address: Vec<Due>,
}

/// What should be sent at `now` (office-local), given what was already recorded for
/// (unit code, period, slot key). See the module documentation for the rules.
pub fn due_at(
    rules: &ScheduleRules,
    now: NaiveDateTime,
    units: &[UnitState],
    already_sent: &dyn Fn(&str, Period, &str) -> bool,
) -> Plan {
    let open = Period::open_at(now.date());
    let reminders = reminders_in_force(rules, now);
    let overdue = overdue_in_force(rules, now);
    let mut plan = Plan::default();
    for unit in units.iter().filter(|unit| !unit.reported) {
        let sent = |slot: &Slot| already_sent(&unit.code, open, &slot.key());
        let due = |slot: Slot| Due {
            unit: unit.code.clone(),
            name: unit.name.clone(),
            addresses: unit.addresses.clone(),
            period: open,
            slot,
        };
        let (latest, earlier) = split_latest(&reminders.due);
        let send = latest.into_iter().chain(overdue).filter(|slot| !sent(slot));
        if unit.addresses.is_empty() {
            plan.no_address.extend(send.map(due));
            continue;
        }
        plan.send.extend(send.map(due));
        let superseded = earlier.iter().chain(&reminders.stale).copied();
        plan.superseded
            .extend(superseded.filter(|slot| !sent(slot)).map(due));
    }
    plan
}

/// The staff digest due at `now`: the latest slot that has come (a reminder slot before the deadline
/// has passed, or an overdue slot in force) if no digest was recorded for it yet under
/// (period, [`Slot::key`]). Earlier slots without a digest are not caught up: one digest is enough.
pub fn digest_due(
    rules: &ScheduleRules,
    now: NaiveDateTime,
    already_sent: &dyn Fn(Period, &str) -> bool,
) -> Option<(Period, Slot)> {
    let open = Period::open_at(now.date());
    let reminders = reminders_in_force(rules, now);
    reminders
        .due
        .into_iter()
        .chain(overdue_in_force(rules, now))
        .max_by_key(|slot| slot.at)
        .filter(|slot| !already_sent(open, &slot.key()))
        .map(|slot| (open, slot))
}

/// The open period's reminder slots whose time has come, split into those that may still be sent
/// (in sending order) and those made stale by the deadline having passed.
struct ReminderSlots {
    due: Vec<Slot>,
    stale: Vec<Slot>,
}

fn reminders_in_force(rules: &ScheduleRules, now: NaiveDateTime) -> ReminderSlots {
    let open = Period::open_at(now.date());
    let come: Vec<Slot> = slots(rules, open)
        .into_iter()
        .filter(|slot| slot.kind != ReminderKind::Overdue && slot.at <= now)
        .collect();
    if now.date() > rules.deadline(open) {
        ReminderSlots {
            due: Vec::new(),
            stale: come,
        }
    } else {
        ReminderSlots {
            due: come,
            stale: Vec::new(),
        }
    }
}

/// The open period's overdue slot, once its time has come.
fn overdue_in_force(rules: &ScheduleRules, now: NaiveDateTime) -> Option<Slot> {
    overdue_slot(rules, Period::open_at(now.date())).filter(|slot| slot.at <= now)
}

/// The last slot (slots come in sending order) and the ones before it.
fn split_latest(slots: &[Slot]) -> (Option<Slot>, &[Slot]) {
    match slots.split_last() {
        Some((latest, earlier)) => (Some(*latest), earlier),
        None => (None, &[]),
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::HashSet;

    use chrono::{NaiveDate, NaiveTime};

    use super::*;
    use crate::domain::WorkCalendar;

    fn at(m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn rules() -> ScheduleRules {
        ScheduleRules {
            deadline_day: 20,
            reminder_days: vec![15, 18, 20],
            reminder_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            overdue_day: 21,
            calendar: WorkCalendar::default(),
        }
    }

    fn unit(code: &str, reported: bool) -> UnitState {
        UnitState {
            code: code.to_string(),
            name: format!("{code}镇"),
            addresses: vec![format!("{code}@example.gov.cn")],
            reported,
        }
    }

    fn nothing_sent(_: &str, _: Period, _: &str) -> bool {
        false
    }

    fn keys(dues: &[Due]) -> Vec<(String, String)> {
        dues.iter()
            .map(|due| (due.unit.clone(), due.slot.key()))
            .collect()
    }

    #[test]
    fn a_roster_unit_becomes_a_unit_state() {
        let roster = crate::domain::unit::Roster::parse(
            "[[unit]]\ncode = \"tiaodeng\"\nname = \"跳磴镇\"\nkind = \"town\"\n\
             addresses = [\"tiaodeng@example.gov.cn\"]\n",
        )
        .unwrap();
        let state = UnitState::new(&roster.units()[0], true);
        assert_eq!(state.code, "tiaodeng");
        assert_eq!(state.name, "跳磴镇");
        assert_eq!(state.addresses, vec!["tiaodeng@example.gov.cn"]);
        assert!(state.reported);
    }

    #[test]
    fn before_the_first_slot_nothing_is_due() {
        let plan = due_at(&rules(), at(11, 13, 8), &[unit("a", false)], &nothing_sent);
        assert_eq!(plan, Plan::default());
    }

    #[test]
    fn a_due_reminder_carries_the_unit_and_every_address() {
        let mut a = unit("a", false);
        a.addresses.push("a2@example.gov.cn".to_string());
        let plan = due_at(&rules(), at(11, 13, 9), &[a.clone()], &nothing_sent);
        let due = plan.send.first().unwrap();
        assert_eq!(due.unit, "a");
        assert_eq!(due.name, "a镇");
        assert_eq!(due.addresses, a.addresses);
        assert_eq!(due.period, Period::new(2026, 11).unwrap());
        assert_eq!(due.slot.key(), "due_soon:15");
    }

    #[test]
    fn reported_units_get_nothing_and_recorded_slots_are_not_returned() {
        let units = [unit("a", true), unit("b", false)];
        let sent = |u: &str, _: Period, key: &str| u == "b" && key == "due_soon:18";
        let plan = due_at(&rules(), at(11, 18, 10), &units, &sent);
        assert!(plan.send.is_empty());
        // The 15th's slot (13th, a Friday) was never recorded for b: superseded by the 18th's.
        assert_eq!(
            keys(&plan.superseded),
            vec![("b".into(), "due_soon:15".into())]
        );
    }

    #[test]
    fn an_earlier_unsent_slot_is_superseded_even_when_the_later_one_was_sent() {
        let sent = |_: &str, _: Period, key: &str| key == "final_day:20";
        let plan = due_at(&rules(), at(11, 20, 12), &[unit("a", false)], &sent);
        assert!(plan.send.is_empty());
        assert_eq!(
            keys(&plan.superseded),
            vec![
                ("a".into(), "due_soon:15".into()),
                ("a".into(), "due_soon:18".into())
            ]
        );
    }

    #[test]
    fn between_the_deadline_and_the_overdue_day_nothing_is_sent() {
        let mut rules = rules();
        rules.overdue_day = 25;
        let sent = |_: &str, _: Period, key: &str| key != "final_day:20";
        let plan = due_at(&rules, at(11, 23, 10), &[unit("a", false)], &sent);
        assert!(plan.send.is_empty());
        assert_eq!(
            keys(&plan.superseded),
            vec![("a".into(), "final_day:20".into())]
        );
    }

    #[test]
    fn a_stale_overdue_notice_of_last_month_is_not_sent() {
        // Down from November 21st to December 2nd: November's notice (23rd) was never sent.
        let plan = due_at(&rules(), at(12, 2, 10), &[unit("a", false)], &nothing_sent);
        assert_eq!(plan, Plan::default());
    }

    #[test]
    fn the_overdue_notice_goes_out_late_in_the_month_but_not_after_it() {
        let plan = due_at(&rules(), at(11, 30, 23), &[unit("a", false)], &nothing_sent);
        assert_eq!(keys(&plan.send), vec![("a".into(), "overdue:21".into())]);
        let plan = due_at(&rules(), at(12, 1, 0), &[unit("a", false)], &nothing_sent);
        assert_eq!(plan, Plan::default());
    }

    #[test]
    fn units_without_an_address_are_listed_apart() {
        let mut silent = unit("a", false);
        silent.addresses.clear();
        let plan = due_at(&rules(), at(11, 18, 9), &[silent], &nothing_sent);
        assert!(plan.send.is_empty() && plan.superseded.is_empty());
        assert_eq!(
            keys(&plan.no_address),
            vec![("a".into(), "due_soon:18".into())]
        );
    }

    #[test]
    fn one_digest_per_slot_for_the_latest_slot_only() {
        let digested = RefCell::new(HashSet::new());
        let already =
            |period: Period, key: &str| digested.borrow().contains(&(period, key.to_string()));
        let record = |now| {
            let found = digest_due(&rules(), now, &already);
            if let Some((period, slot)) = found {
                digested.borrow_mut().insert((period, slot.key()));
            }
            found.map(|(_, slot)| slot.key())
        };
        assert_eq!(record(at(11, 13, 8)), None);
        assert_eq!(record(at(11, 18, 10)), Some("due_soon:18".to_string()));
        assert_eq!(record(at(11, 18, 11)), None);
        assert_eq!(
            record(at(11, 21, 10)),
            None,
            "after the deadline, before overdue"
        );
        assert_eq!(record(at(11, 23, 9)), Some("overdue:21".to_string()));
        assert_eq!(record(at(11, 30, 9)), None);
    }
}
