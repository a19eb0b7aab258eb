//! `OfficeZone`: the office's time zone (`[office] timezone`), the one rule that turns an instant
//! into the office's calendar date, and a month into the instants it spans. Deadlines, the open
//! period, late marks and reminder days are all counted in office-local dates, so every such date
//! comes from here.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::period::Period;

/// The office's time zone: which date it is in the office at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeZone(Tz);

impl OfficeZone {
    pub fn new(tz: Tz) -> OfficeZone {
        OfficeZone(tz)
    }

    /// The zone itself, for times of day shown to people (`clock::local_text`).
    pub fn tz(self) -> Tz {
        self.0
    }

    /// The office-local calendar date of a moment: the date a person in the office would say.
    pub fn date_of(self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }

    /// Today in the office, `now` being the one clock's reading (`clock::Clock::now`).
    pub fn today(self, now: DateTime<Utc>) -> NaiveDate {
        self.date_of(now)
    }

    /// The first moment of office-local `day` (the Unix epoch if its midnight does not exist).
    pub fn start_of(self, day: NaiveDate) -> DateTime<Utc> {
        self.0
            .from_local_datetime(&day.and_time(NaiveTime::MIN))
            .earliest()
            .map_or(DateTime::<Utc>::UNIX_EPOCH, |t| t.with_timezone(&Utc))
    }

    /// `[from, until)` in UTC: the period's month in office time (31 days for the last period).
    pub fn bounds_of(self, period: Period) -> (DateTime<Utc>, DateTime<Utc>) {
        let from = self.start_of(period.first_day());
        let until = period.succ().map_or_else(
            || from + chrono::Duration::days(31),
            |next| self.start_of(next.first_day()),
        );
        (from, until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utc_evening_is_the_next_day_in_shanghai() {
        let at: DateTime<Utc> = "2026-11-20T16:30:00Z".parse().unwrap();
        let zone = OfficeZone::new(chrono_tz::Asia::Shanghai);
        assert_eq!(zone.date_of(at).to_string(), "2026-11-21");
        assert_eq!(zone.today(at), zone.date_of(at));
        let before: DateTime<Utc> = "2026-11-20T15:59:59Z".parse().unwrap();
        assert_eq!(zone.date_of(before).to_string(), "2026-11-20");
        assert_eq!(zone.tz(), chrono_tz::Asia::Shanghai);
    }

    #[test]
    fn a_month_is_bounded_in_office_time() {
        let p = Period::parse("2026-11").unwrap();
        let (from, until) = OfficeZone::new(chrono_tz::Asia::Shanghai).bounds_of(p);
        assert_eq!(from.to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2026-11-30T16:00:00+00:00");
    }
}
