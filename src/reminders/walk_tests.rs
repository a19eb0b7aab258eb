//! Month walks: `due_at` called hour by hour over a whole month with an in-memory record of what was
//! sent, as the scheduler would, asserting exactly which reminders go out and when.

use std::collections::{BTreeSet, HashSet};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use super::{ReminderKind, ScheduleRules, UnitState, due_at};
use crate::domain::{Period, WorkCalendar};

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn at(m: u32, d: u32, h: u32) -> NaiveDateTime {
    date(m, d).and_hms_opt(h, 0, 0).unwrap()
}

fn rules(holidays: Vec<NaiveDate>, extra_workdays: Vec<NaiveDate>) -> ScheduleRules {
    ScheduleRules {
        deadline_day: 20,
        reminder_days: vec![15, 18, 20],
        reminder_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        overdue_day: 21,
        calendar: WorkCalendar::new(holidays, extra_workdays),
    }
}

/// April 2026 with Qingming (04-04..06) off and, as an example, the 15th declared a day off too.
/// Slots: due_soon:15 on Tue 04-14, due_soon:18 on Fri 04-17 (the 18th is a Saturday),
/// final_day:20 on Mon 04-20, overdue:21 on Tue 04-21.
fn april_rules() -> ScheduleRules {
    rules(
        vec![date(4, 4), date(4, 5), date(4, 6), date(4, 15)],
        Vec::new(),
    )
}

type Entry = (NaiveDateTime, String, String);

/// The scheduler, reduced to its bookkeeping.
struct Walk {
    rules: ScheduleRules,
    /// (code, has an address, when its form for the month of that moment arrives)
    units: Vec<(&'static str, bool, Option<NaiveDateTime>)>,
    recorded: HashSet<(String, Period, String)>,
    sent: Vec<Entry>,
    superseded: Vec<Entry>,
    no_address: BTreeSet<(String, String)>,
}

impl Walk {
    fn new(rules: ScheduleRules, units: Vec<(&'static str, bool, Option<NaiveDateTime>)>) -> Self {
        Self {
            rules,
            units,
            recorded: HashSet::new(),
            sent: Vec::new(),
            superseded: Vec::new(),
            no_address: BTreeSet::new(),
        }
    }

    fn states(&self, now: NaiveDateTime) -> Vec<UnitState> {
        let open = Period::open_at(now.date());
        self.units
            .iter()
            .map(|&(code, has_address, report)| UnitState {
                code: code.to_string(),
                name: code.to_string(),
                addresses: if has_address {
                    vec![format!("{code}@example.gov.cn")]
                } else {
                    Vec::new()
                },
                reported: report.is_some_and(|t| t <= now && Period::open_at(t.date()) == open),
            })
            .collect()
    }

    fn step(&mut self, now: NaiveDateTime) {
        let units = self.states(now);
        let recorded = &self.recorded;
        let plan = due_at(&self.rules, now, &units, &|unit, period, key| {
            recorded.contains(&(unit.to_string(), period, key.to_string()))
        });
        for (due, sent) in plan
            .send
            .iter()
            .map(|due| (due, true))
            .chain(plan.superseded.iter().map(|due| (due, false)))
        {
            let new = self
                .recorded
                .insert((due.unit.clone(), due.period, due.slot.key()));
            assert!(new, "returned twice: {due:?}");
            let log = if sent {
                &mut self.sent
            } else {
                &mut self.superseded
            };
            log.push((now, due.unit.clone(), due.slot.key()));
        }
        for due in plan.no_address {
            self.no_address.insert((due.unit, due.slot.key()));
        }
    }

    /// Calls `step` every hour from `from` to `to`, except during `[down.0, down.1)`.
    fn run(
        &mut self,
        from: NaiveDateTime,
        to: NaiveDateTime,
        down: Option<(NaiveDateTime, NaiveDateTime)>,
    ) {
        let mut now = from;
        while now <= to {
            if !down.is_some_and(|(start, end)| start <= now && now < end) {
                self.step(now);
            }
            now += TimeDelta::hours(1);
        }
    }
}

fn entry(time: NaiveDateTime, unit: &str, key: &str) -> Entry {
    (time, unit.to_string(), key.to_string())
}

/// bachiao never reports; jiansheng reports on the 16th; tiaodeng on the 14th before 09:00;
/// xinshan late on the 22nd; jiugong never, and has no address.
fn april_units() -> Vec<(&'static str, bool, Option<NaiveDateTime>)> {
    vec![
        ("bachiao", true, None),
        ("jiansheng", true, Some(at(4, 16, 10))),
        ("tiaodeng", true, Some(at(4, 14, 8))),
        ("xinshan", true, Some(at(4, 22, 15))),
        ("jiugong", false, None),
    ]
}

fn walk_april(down: Option<(NaiveDateTime, NaiveDateTime)>) -> Walk {
    let mut walk = Walk::new(april_rules(), april_units());
    walk.run(at(4, 1, 0), at(5, 3, 23), down);
    walk
}

#[test]
fn a_month_without_down_time_sends_each_reminder_once_on_its_shifted_day() {
    let walk = walk_april(None);
    assert_eq!(
        walk.sent,
        vec![
            // The holiday on the 15th moves its reminder to Tuesday the 14th.
            entry(at(4, 14, 9), "bachiao", "due_soon:15"),
            entry(at(4, 14, 9), "jiansheng", "due_soon:15"),
            entry(at(4, 14, 9), "xinshan", "due_soon:15"),
            // Saturday the 18th moves to Friday the 17th; jiansheng reported on the 16th.
            entry(at(4, 17, 9), "bachiao", "due_soon:18"),
            entry(at(4, 17, 9), "xinshan", "due_soon:18"),
            entry(at(4, 20, 9), "bachiao", "final_day:20"),
            entry(at(4, 20, 9), "xinshan", "final_day:20"),
            // Overdue notices only to the units still missing on the 21st.
            entry(at(4, 21, 9), "bachiao", "overdue:21"),
            entry(at(4, 21, 9), "xinshan", "overdue:21"),
        ]
    );
    assert!(walk.superseded.is_empty(), "{:?}", walk.superseded);
    let no_address: Vec<&str> = walk
        .no_address
        .iter()
        .map(|(u, k)| {
            assert_eq!(u, "jiugong");
            k.as_str()
        })
        .collect();
    assert_eq!(
        no_address,
        vec!["due_soon:15", "due_soon:18", "final_day:20", "overdue:21"]
    );
}

#[test]
fn nothing_due_soon_goes_out_after_the_deadline() {
    for down in [None, Some((at(4, 13, 0), at(4, 21, 10)))] {
        let walk = walk_april(down);
        for (time, unit, key) in &walk.sent {
            if !key.starts_with("overdue") {
                assert!(time.date() <= date(4, 20), "{time} {unit} {key}");
            }
        }
    }
}

#[test]
fn down_time_over_the_18th_catches_up_once_without_resending_the_15th() {
    let walk = walk_april(Some((at(4, 17, 0), at(4, 19, 10))));
    assert_eq!(
        walk.sent,
        vec![
            entry(at(4, 14, 9), "bachiao", "due_soon:15"),
            entry(at(4, 14, 9), "jiansheng", "due_soon:15"),
            entry(at(4, 14, 9), "xinshan", "due_soon:15"),
            entry(at(4, 19, 10), "bachiao", "due_soon:18"),
            entry(at(4, 19, 10), "xinshan", "due_soon:18"),
            entry(at(4, 20, 9), "bachiao", "final_day:20"),
            entry(at(4, 20, 9), "xinshan", "final_day:20"),
            entry(at(4, 21, 9), "bachiao", "overdue:21"),
            entry(at(4, 21, 9), "xinshan", "overdue:21"),
        ]
    );
    assert!(walk.superseded.is_empty());
}

#[test]
fn down_time_over_two_reminders_sends_only_the_later_one() {
    let walk = walk_april(Some((at(4, 13, 0), at(4, 19, 10))));
    let catch_up: Vec<&Entry> = walk.sent.iter().filter(|e| e.0 == at(4, 19, 10)).collect();
    assert_eq!(
        catch_up,
        vec![
            &entry(at(4, 19, 10), "bachiao", "due_soon:18"),
            &entry(at(4, 19, 10), "xinshan", "due_soon:18"),
        ]
    );
    assert!(!walk.sent.iter().any(|e| e.2 == "due_soon:15"));
    // jiansheng had reported by the 19th: nothing to send, nothing to supersede.
    assert_eq!(
        walk.superseded,
        vec![
            entry(at(4, 19, 10), "bachiao", "due_soon:15"),
            entry(at(4, 19, 10), "xinshan", "due_soon:15"),
        ]
    );
}

#[test]
fn down_time_over_the_deadline_sends_the_overdue_notice_and_drops_the_final_day() {
    let walk = walk_april(Some((at(4, 19, 12), at(4, 22, 10))));
    let after: Vec<&Entry> = walk.sent.iter().filter(|e| e.0 >= at(4, 19, 12)).collect();
    assert_eq!(
        after,
        vec![
            &entry(at(4, 22, 10), "bachiao", "overdue:21"),
            &entry(at(4, 22, 10), "xinshan", "overdue:21"),
        ]
    );
    assert_eq!(
        walk.superseded,
        vec![
            entry(at(4, 22, 10), "bachiao", "final_day:20"),
            entry(at(4, 22, 10), "xinshan", "final_day:20"),
        ]
    );
}

#[test]
fn down_time_into_the_next_month_sends_no_stale_overdue_notice() {
    let walk = walk_april(Some((at(4, 21, 0), at(5, 2, 10))));
    assert!(
        !walk.sent.iter().any(|e| e.2.starts_with("overdue")),
        "{:?}",
        walk.sent
    );
    assert!(walk.sent.iter().all(|e| e.0 < at(4, 21, 0)));
}

#[test]
fn an_extra_working_saturday_keeps_its_reminder() {
    // July 2026: as an example, Saturday the 18th is declared a working day.
    let mut walk = Walk::new(
        rules(Vec::new(), vec![date(7, 18)]),
        vec![("bachiao", true, None)],
    );
    walk.run(at(7, 1, 0), at(7, 31, 23), None);
    assert_eq!(
        walk.sent,
        vec![
            entry(at(7, 15, 9), "bachiao", "due_soon:15"),
            entry(at(7, 18, 9), "bachiao", "due_soon:18"),
            entry(at(7, 20, 9), "bachiao", "final_day:20"),
            entry(at(7, 21, 9), "bachiao", "overdue:21"),
        ]
    );
}

#[test]
fn a_long_holiday_folds_the_reminders_into_one() {
    // February 2026 as arranged: 02-15..23 off for Spring Festival, Saturday 02-14 worked. The 15th,
    // the 18th and the 20th all move to the 14th; one reminder goes out (not a final-day one: the
    // 14th is not the deadline), and the overdue notice waits for the first working day after.
    let holidays = (15..=23).map(|d| date(2, d)).collect();
    let mut walk = Walk::new(
        rules(holidays, vec![date(2, 14), date(2, 28)]),
        vec![("bachiao", true, None)],
    );
    walk.run(at(2, 1, 0), at(2, 28, 23), None);
    assert_eq!(
        walk.sent,
        vec![
            entry(at(2, 14, 9), "bachiao", "due_soon:20"),
            entry(at(2, 24, 9), "bachiao", "overdue:21"),
        ]
    );
    assert_eq!(
        walk.superseded,
        vec![
            entry(at(2, 14, 9), "bachiao", "due_soon:15"),
            entry(at(2, 14, 9), "bachiao", "due_soon:18"),
        ]
    );
    assert!(
        walk.sent
            .iter()
            .all(|e| !e.2.starts_with(ReminderKind::FinalDay.key()))
    );
}
