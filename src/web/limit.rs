//! The login rate limit: after [`MAX_FAILURES`] failed logins within [`WINDOW_MINUTES`] for one
//! user name, or from one address, further attempts are refused until the oldest failure leaves
//! the window. A successful login clears the user's count (not the address's). Memory is bounded:
//! at most [`MAX_KEYS`] names and addresses are tracked, the stalest dropped first.
//!
//! Behind a reverse proxy every request comes from the proxy's address, so the per-address
//! limit then counts everyone together; the per-user limit still holds.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

pub const MAX_FAILURES: usize = 5;
pub const WINDOW_MINUTES: i64 = 15;
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Refused { retry_after: Duration },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Address(IpAddr),
}

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: HashMap<Key, VecDeque<DateTime<Utc>>>,
}

impl LoginLimiter {
    /// May this name try to log in from this address now?
    pub fn check(&mut self, user: &str, address: IpAddr, now: DateTime<Utc>) -> Verdict {
        let keys = [Key::User(user.to_string()), Key::Address(address)];
        let mut wait = Duration::zero();
        for key in keys {
            if let Some(times) = self.failures.get_mut(&key) {
                forget_old(times, now);
                if times.len() >= MAX_FAILURES
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max(*oldest + window() - now);
                }
            }
        }
        if wait > Duration::zero() {
            Verdict::Refused { retry_after: wait }
        } else {
            Verdict::Allowed
        }
    }

    pub fn failed(&mut self, user: &str, address: IpAddr, now: DateTime<Utc>) {
        if self.failures.len() >= MAX_KEYS {
            self.drop_stalest();
        }
        for key in [Key::User(user.to_string()), Key::Address(address)] {
            let times = self.failures.entry(key).or_default();
            forget_old(times, now);
            times.push_back(now);
            while times.len() > MAX_FAILURES {
                times.pop_front();
            }
        }
    }

    pub fn succeeded(&mut self, user: &str) {
        self.failures.remove(&Key::User(user.to_string()));
    }

    fn drop_stalest(&mut self) {
        let stalest = self
            .failures
            .iter()
            .min_by_key(|(_, times)| times.back().copied())
            .map(|(key, _)| key.clone());
        if let Some(key) = stalest {
            self.failures.remove(&key);
        }
    }
}

fn window() -> Duration {
    Duration::minutes(WINDOW_MINUTES)
}

fn forget_old(times: &mut VecDeque<DateTime<Utc>>, now: DateTime<Utc>) {
    while times.front().is_some_and(|t| *t + window() <= now) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(minute)
    }

    #[test]
    fn five_failures_lock_the_name_until_the_window_passes() {
        let mut limiter = LoginLimiter::default();
        let here: IpAddr = "127.0.0.1".parse().unwrap();
        let there: IpAddr = "10.0.0.9".parse().unwrap();
        for minute in 0..5 {
            assert_eq!(limiter.check("li", here, at(minute)), Verdict::Allowed);
            limiter.failed("li", here, at(minute));
        }
        assert_eq!(
            limiter.check("li", there, at(5)),
            Verdict::Refused {
                retry_after: Duration::minutes(10)
            }
        );
        assert!(matches!(
            limiter.check("wang", here, at(5)),
            Verdict::Refused { .. }
        ));
        assert_eq!(limiter.check("wang", there, at(5)), Verdict::Allowed);
        assert_eq!(limiter.check("li", there, at(15)), Verdict::Allowed);
    }

    #[test]
    fn a_success_clears_the_name() {
        let mut limiter = LoginLimiter::default();
        let here: IpAddr = "127.0.0.1".parse().unwrap();
        for minute in 0..4 {
            limiter.failed("li", here, at(minute));
        }
        limiter.succeeded("li");
        limiter.failed("li", "10.0.0.1".parse().unwrap(), at(5));
        assert_eq!(
            limiter.check("li", "10.0.0.1".parse().unwrap(), at(5)),
            Verdict::Allowed
        );
    }
}
