//! The pace of outbound mail: a provider's cap on replies a minute (`[outbound] max_per_minute`),
//! as a sliding one-minute window shared by every lane of the delivery worker. The window runs
//! on the monotonic clock (a provider counts real minutes, whatever `--now` says).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// At most `max` hand-overs in any `window`.
#[derive(Debug)]
pub struct RateCap {
    max: usize,
    window: Duration,
    started: Mutex<VecDeque<Instant>>,
}

/// One admitted hand-over: give it back with [`RateCap::refund`] when nothing was sent.
#[derive(Debug, Clone, Copy)]
pub struct Admission(Instant);

impl RateCap {
    /// `max` replies a minute.
    pub fn per_minute(max: u32) -> Self {
        Self::new(max, Duration::from_secs(60))
    }

    fn new(max: u32, window: Duration) -> Self {
        let max = usize::try_from(max).unwrap_or(usize::MAX).max(1);
        Self {
            max,
            window,
            started: Mutex::new(VecDeque::with_capacity(max.min(4096))),
        }
    }

    /// Waits until one more hand-over fits in the window, and counts it.
    pub async fn admit(&self) -> Admission {
        loop {
            let until = {
                let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                while started
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    started.pop_front();
                }
                if started.len() < self.max {
                    started.push_back(now);
                    return Admission(now);
                }
                started.front().map(|t| *t + self.window)
            };
            if let Some(until) = until {
                tokio::time::sleep_until(until).await;
            }
        }
    }

    /// Forgets an admission that sent nothing (the outbox had nothing due).
    pub fn refund(&self, admission: Admission) {
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = started.iter().rposition(|t| *t == admission.0) {
            started.remove(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three a window: the fourth waits for the first to leave the window; a refund frees a place.
    #[tokio::test]
    async fn the_cap_holds_over_a_sliding_window() {
        let window = Duration::from_millis(500);
        let cap = RateCap::new(3, window);
        let start = Instant::now();
        for _ in 0..3 {
            cap.admit().await;
        }
        assert!(start.elapsed() < window, "three fit at once");
        cap.admit().await;
        assert!(
            start.elapsed() >= window,
            "the fourth waited for the window"
        );
        cap.admit().await;
        let sixth = cap.admit().await;
        cap.refund(sixth);
        let before = Instant::now();
        cap.admit().await;
        assert!(
            before.elapsed() < window,
            "the refunded place was free again"
        );
    }
}
