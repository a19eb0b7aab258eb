//! `WorkCalendar`: which office-local days are working days (SPEC §11 `[schedule]`).
//!
//! Monday to Friday are working days unless listed as holidays; Saturday and Sunday are days off
//! unless listed as extra working days (China's 调休 make-up days). The State Council's notices are
//! built in ([`WorkCalendar::official_with`], [`super::holidays_cn`]); the configuration's lists add
//! to or override them.
//!
//! Every search for a neighbouring working day is bounded: a calendar that lists a whole season as
//! holidays makes the search give up and keep the original date instead of looping.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// How far a search for a working day may go before it gives up.
const MAX_SHIFT_DAYS: u64 = 31;

/// The office's working days: weekdays minus holidays, plus extra working weekend days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    extra_workdays: BTreeSet<NaiveDate>,
    /// Years whose official arrangement is known: built in, or given by the config's lists.
    covered_years: BTreeSet<i32>,
}

impl WorkCalendar {
    /// A calendar from the configured lists. A date listed in both counts as a holiday;
    /// [`WorkCalendar::conflicts`] names such dates so the configuration check can reject them.
    pub fn new(holidays: Vec<NaiveDate>, extra_workdays: Vec<NaiveDate>) -> Self {
        let covered_years = holidays
            .iter()
            .chain(&extra_workdays)
            .map(|d| d.year())
            .collect();
        Self {
            holidays: holidays.into_iter().collect(),
            extra_workdays: extra_workdays.into_iter().collect(),
            covered_years,
        }
    }

    /// The State Council's arrangement for every year built in ([`super::holidays_cn`]) with the
    /// config's lists on top: a configured holiday is a day off even where the notice had a
    /// make-up day, and a configured extra working day is worked even where the notice had a
    /// day off. Only dates listed in both of the config's lists are [`conflicts`](Self::conflicts).
    pub fn official_with(holidays: Vec<NaiveDate>, extra_workdays: Vec<NaiveDate>) -> Self {
        let mut calendar = Self::new(holidays, extra_workdays);
        for notice in super::holidays_cn::NOTICES {
            calendar.covered_years.insert(notice.year);
            for day in notice.days_off() {
                if !calendar.extra_workdays.contains(&day) {
                    calendar.holidays.insert(day);
                }
            }
            for day in notice.workdays() {
                if !calendar.holidays.contains(&day) {
                    calendar.extra_workdays.insert(day);
                }
            }
        }
        calendar
    }

    /// The first day in `from ..= from + days` whose year has no known arrangement, if any.
    pub fn first_uncovered(&self, from: NaiveDate, days: u64) -> Option<NaiveDate> {
        (0..=days)
            .filter_map(|d| from.checked_add_days(Days::new(d)))
            .find(|day| !self.covered_years.contains(&day.year()))
    }

    /// The years with a known arrangement, in order.
    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.covered_years.iter().copied()
    }

    /// Dates listed both as a holiday and as an extra working day, in date order.
    pub fn conflicts(&self) -> Vec<NaiveDate> {
        self.holidays
            .intersection(&self.extra_workdays)
            .copied()
            .collect()
    }

    /// Whether the office works on `date`.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.holidays.contains(&date) {
            return false;
        }
        match date.weekday() {
            Weekday::Sat | Weekday::Sun => self.extra_workdays.contains(&date),
            _ => true,
        }
    }

    /// `date` itself if it is a working day, else the closest working day before it; `date`
    /// unchanged when none lies within 31 days.
    pub fn on_or_before_working(&self, date: NaiveDate) -> NaiveDate {
        self.search(date, |day, step| day.checked_sub_days(step))
    }

    /// `date` itself if it is a working day, else the closest working day after it; `date`
    /// unchanged when none lies within 31 days.
    pub fn on_or_after_working(&self, date: NaiveDate) -> NaiveDate {
        self.search(date, |day, step| day.checked_add_days(step))
    }

    fn search(
        &self,
        date: NaiveDate,
        move_by: impl Fn(NaiveDate, Days) -> Option<NaiveDate>,
    ) -> NaiveDate {
        (0..=MAX_SHIFT_DAYS)
            .filter_map(|offset| move_by(date, Days::new(offset)))
            .find(|day| self.is_working_day(*day))
            .unwrap_or(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn dates(list: &[(u32, u32)]) -> Vec<NaiveDate> {
        list.iter().map(|&(m, d)| date(2026, m, d)).collect()
    }

    /// The 2026 arrangement of the State Council's holiday notice, as far as these tests use it.
    /// The tests rely only on the lists below, not on the notice: the real lists belong in the
    /// configuration.
    fn china_2026() -> WorkCalendar {
        let mut holidays = vec![(1, 1), (1, 2), (1, 3)];
        holidays.extend((15..=23).map(|d| (2, d)));
        holidays.extend([(4, 4), (4, 5), (4, 6)]);
        holidays.extend((1..=5).map(|d| (5, d)));
        holidays.extend([(6, 19), (6, 20), (6, 21), (9, 25), (9, 26), (9, 27)]);
        holidays.extend((1..=7).map(|d| (10, d)));
        let extra = [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)];
        WorkCalendar::new(dates(&holidays), dates(&extra))
    }

    #[test]
    fn plain_weeks_work_monday_to_friday() {
        let calendar = WorkCalendar::default();
        // 2026-11-16 is a Monday.
        for day in 16..=20 {
            assert!(calendar.is_working_day(date(2026, 11, day)), "{day}");
        }
        assert!(!calendar.is_working_day(date(2026, 11, 21)));
        assert!(!calendar.is_working_day(date(2026, 11, 22)));
    }

    #[test]
    fn national_day_week_is_off_and_its_make_up_days_are_worked() {
        let calendar = china_2026();
        for day in 1..=7 {
            assert!(!calendar.is_working_day(date(2026, 10, day)), "10-{day}");
        }
        assert!(
            calendar.is_working_day(date(2026, 9, 20)),
            "Sunday make-up day"
        );
        assert!(
            calendar.is_working_day(date(2026, 10, 10)),
            "Saturday make-up day"
        );
        assert!(
            !calendar.is_working_day(date(2026, 10, 11)),
            "an ordinary Sunday"
        );
        assert!(
            !calendar.is_working_day(date(2026, 9, 27)),
            "Mid-Autumn Sunday"
        );
    }

    #[test]
    fn a_day_off_moves_back_to_the_previous_working_day() {
        let calendar = china_2026();
        // Mid-Autumn Friday 09-25 and the weekend back to Thursday 09-24.
        assert_eq!(
            calendar.on_or_before_working(date(2026, 9, 27)),
            date(2026, 9, 24)
        );
        // The whole National Day week back to Wednesday 09-30.
        assert_eq!(
            calendar.on_or_before_working(date(2026, 10, 7)),
            date(2026, 9, 30)
        );
        // Spring Festival: 02-15..23 off, Saturday 02-14 worked.
        assert_eq!(
            calendar.on_or_before_working(date(2026, 2, 20)),
            date(2026, 2, 14)
        );
        // An ordinary Saturday back to Friday.
        assert_eq!(
            calendar.on_or_before_working(date(2026, 4, 18)),
            date(2026, 4, 17)
        );
    }

    #[test]
    fn a_working_day_stays_where_it_is() {
        let calendar = china_2026();
        for day in [date(2026, 9, 20), date(2026, 10, 10), date(2026, 11, 20)] {
            assert_eq!(calendar.on_or_before_working(day), day);
            assert_eq!(calendar.on_or_after_working(day), day);
        }
    }

    #[test]
    fn a_day_off_moves_forward_to_the_next_working_day() {
        let calendar = china_2026();
        assert_eq!(
            calendar.on_or_after_working(date(2026, 2, 21)),
            date(2026, 2, 24)
        );
        assert_eq!(
            calendar.on_or_after_working(date(2026, 10, 3)),
            date(2026, 10, 8)
        );
        assert_eq!(
            calendar.on_or_after_working(date(2026, 11, 21)),
            date(2026, 11, 23)
        );
    }

    #[test]
    fn a_calendar_without_working_days_gives_up_and_keeps_the_date() {
        let start = date(2026, 1, 1);
        let all_off: Vec<NaiveDate> = (0..200)
            .map(|d| start.checked_add_days(Days::new(d)).unwrap())
            .collect();
        let calendar = WorkCalendar::new(all_off, Vec::new());
        let day = date(2026, 3, 15);
        assert_eq!(calendar.on_or_before_working(day), day);
        assert_eq!(calendar.on_or_after_working(day), day);
    }

    #[test]
    fn the_search_stops_at_the_ends_of_the_calendar() {
        let calendar = WorkCalendar::new(vec![NaiveDate::MIN, NaiveDate::MAX], Vec::new());
        assert_eq!(
            calendar.on_or_before_working(NaiveDate::MIN),
            NaiveDate::MIN
        );
        assert_eq!(calendar.on_or_after_working(NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn the_built_in_2026_arrangement_is_the_notice_these_tests_spell_out() {
        let official = WorkCalendar::official_with(Vec::new(), Vec::new());
        let spelled = china_2026();
        for day in date(2026, 1, 1).iter_days().take(365) {
            assert_eq!(
                official.is_working_day(day),
                spelled.is_working_day(day),
                "{day}"
            );
        }
        // The reminder on the 15th of February 2026 (a Sunday in the Spring Festival) moves to
        // the make-up Saturday the 14th, not to Friday the 13th as a plain calendar would.
        assert_eq!(
            official.on_or_before_working(date(2026, 2, 15)),
            date(2026, 2, 14)
        );
        assert_eq!(
            WorkCalendar::default().on_or_before_working(date(2026, 2, 15)),
            date(2026, 2, 13)
        );
    }

    #[test]
    fn config_lists_add_to_and_override_the_built_in_days() {
        // 2026-10-10 (a make-up Saturday) declared a holiday; 2026-10-08 (off) declared worked;
        // 2027-01-01 added for a year not built in.
        let calendar = WorkCalendar::official_with(
            vec![date(2026, 10, 10), date(2027, 1, 1)],
            vec![date(2026, 10, 8)],
        );
        assert!(!calendar.is_working_day(date(2026, 10, 10)));
        assert!(calendar.is_working_day(date(2026, 10, 8)));
        assert!(!calendar.is_working_day(date(2027, 1, 1)));
        assert!(calendar.conflicts().is_empty());
        assert_eq!(calendar.first_uncovered(date(2026, 12, 3), 60), None);
        let plain = WorkCalendar::official_with(Vec::new(), Vec::new());
        assert_eq!(
            plain.first_uncovered(date(2026, 12, 3), 60),
            Some(date(2027, 1, 1))
        );
        assert_eq!(plain.first_uncovered(date(2026, 3, 1), 60), None);
    }

    #[test]
    fn a_date_listed_twice_is_a_holiday_and_a_conflict() {
        let saturday = date(2026, 10, 10);
        let calendar = WorkCalendar::new(vec![saturday], vec![saturday]);
        assert!(!calendar.is_working_day(saturday));
        assert_eq!(calendar.conflicts(), vec![saturday]);
        assert!(china_2026().conflicts().is_empty());
    }
}
