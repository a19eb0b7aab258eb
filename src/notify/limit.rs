//! The per-robot rate caps ([`super::shape::rate_caps`]) as sliding windows over the moments of
//! the last sends, plus a robot's own "wait until" after it answered with throttling. Pure: the
//! caller passes the (monotonic) time.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

use super::shape::rate_caps;
use crate::config::notify::RobotKind;

#[derive(Debug, Default)]
struct Window {
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

/// The send history of every channel, by its name.
#[derive(Debug, Default)]
pub struct Limiter {
    windows: HashMap<String, Window>,
}

impl Limiter {
    /// When `channel` may send next: `None` for now.
    pub fn ready_at(&self, channel: &str, kind: RobotKind, now: Instant) -> Option<Instant> {
        let window = self.windows.get(channel)?;
        let mut ready = window.blocked_until.filter(|until| *until > now);
        for &(count, span) in rate_caps(kind) {
            let recent: Vec<&Instant> = window
                .sent
                .iter()
                .filter(|at| now.duration_since(**at) < span)
                .collect();
            if recent.len() >= count
                && let Some(oldest) = recent.get(recent.len() - count)
            {
                let free = **oldest + span;
                ready = Some(ready.map_or(free, |r| r.max(free)));
            }
        }
        ready
    }

    /// Records a send to `channel` at `now`, forgetting sends older than any window.
    pub fn record(&mut self, channel: &str, kind: RobotKind, now: Instant) {
        let longest = rate_caps(kind)
            .iter()
            .map(|(_, span)| *span)
            .max()
            .unwrap_or(Duration::from_secs(60));
        let window = self.windows.entry(channel.to_string()).or_default();
        window.sent.push_back(now);
        while window
            .sent
            .front()
            .is_some_and(|at| now.duration_since(*at) >= longest)
        {
            window.sent.pop_front();
        }
    }

    /// The robot said it is throttling: send nothing more to it before `until`.
    pub fn block(&mut self, channel: &str, until: Instant) {
        self.windows
            .entry(channel.to_string())
            .or_default()
            .blocked_until = Some(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_a_minute_then_wait_for_the_oldest_to_leave() {
        let start = Instant::now();
        let mut limiter = Limiter::default();
        for i in 0..20 {
            let at = start + Duration::from_secs(i);
            assert_eq!(limiter.ready_at("w", RobotKind::Wecom, at), None);
            limiter.record("w", RobotKind::Wecom, at);
        }
        let now = start + Duration::from_secs(20);
        assert_eq!(
            limiter.ready_at("w", RobotKind::Wecom, now),
            Some(start + Duration::from_secs(60))
        );
        assert_eq!(
            limiter.ready_at("w", RobotKind::Wecom, start + Duration::from_secs(60)),
            None
        );
        assert_eq!(limiter.ready_at("other", RobotKind::Wecom, now), None);
    }

    #[test]
    fn feishu_sends_five_a_second() {
        let start = Instant::now();
        let mut limiter = Limiter::default();
        for _ in 0..5 {
            limiter.record("f", RobotKind::Feishu, start);
        }
        assert_eq!(
            limiter.ready_at("f", RobotKind::Feishu, start),
            Some(start + Duration::from_secs(1))
        );
    }

    #[test]
    fn a_throttling_answer_blocks_the_robot() {
        let start = Instant::now();
        let mut limiter = Limiter::default();
        limiter.block("d", start + Duration::from_secs(600));
        assert_eq!(
            limiter.ready_at("d", RobotKind::Dingtalk, start),
            Some(start + Duration::from_secs(600))
        );
        assert_eq!(
            limiter.ready_at("d", RobotKind::Dingtalk, start + Duration::from_secs(601)),
            None
        );
    }
}
