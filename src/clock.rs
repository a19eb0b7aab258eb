//! The one clock: real time, or a fixed moment given with `--now` for tests and for re-running
//! a past day. Everything that asks "what time is it" asks this.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }
}

/// A moment as the office reads it: `2026-11-12 10:30` in the office's zone.
pub fn local_text(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utc_evening_is_the_next_day_in_shanghai() {
        let at: DateTime<Utc> = "2026-11-20T16:30:00Z".parse().unwrap();
        let tz = chrono_tz::Asia::Shanghai;
        // The date itself: `domain::office::OfficeZone::date_of`, tested there.
        assert_eq!(local_text(at, tz), "2026-11-21 00:30");
        assert_eq!(Clock::Fixed(at).now(), at);
    }
}
