//! The robots' dispatch task of `run`: expands recorded events into one row per channel and part, then
//! claims one due part on a robot under its rate cap, sends it outside any transaction and
//! marks it sent, or due again after backoff (throttling: after the platform's window), or
//! failed when the robot says the message or the robot itself is wrong.
//!
//! Time: the one clock. With `--now` the dispatcher's time starts there and runs on (a frozen
//! moment would never let a retry fall due); without it, it is the system time. Rate windows
//! use the monotonic clock.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use thiserror::Error;
use tokio_util::sync::CancellationToken;

use super::answer::Verdict;
use super::limit::Limiter;
use super::post::{PostError, Poster, Robot};
use super::shape;
use crate::clock::{Clock, local_text};
use crate::config::ConfigError;
use crate::config::notify::{Channel, Event};
use crate::store::notifications::{self, EventRow, NewNotification, NotificationRow};
use crate::store::{Store, StoreError};

/// An event older than this when first expanded is not sent (the robots were not configured
/// when it happened).
const FRESH_FOR: TimeDelta = TimeDelta::hours(24);
/// How often the queue is looked at when nothing is due.
const POLL: Duration = Duration::from_secs(2);
/// The longest wait between attempts of a part: an outage of a day loses nothing.
const RETRY_CAP: TimeDelta = TimeDelta::minutes(10);

#[derive(Debug, Error)]
pub enum DispatchError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Post(#[from] PostError),
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Sent { id: i64, channel: String },
    Retrying { id: i64, error: String },
    Failed { id: i64, error: String },
    Idle,
}

/// The handles the dispatcher uses; built once at start-up.
pub struct Dispatcher {
    store: Store,
    robots: Vec<Robot>,
    poster: Poster,
    clock: Clock,
    started: tokio::time::Instant,
    tz: Tz,
    limiter: Limiter,
}

impl Dispatcher {
    /// Reads every channel's variables (a start-up error names the missing one).
    pub fn connect(
        channels: &[Channel],
        config_path: &Path,
        store: Store,
        clock: Clock,
        tz: Tz,
    ) -> Result<Dispatcher, DispatchError> {
        let robots = channels
            .iter()
            .map(|c| Robot::connect(c, config_path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Dispatcher {
            store,
            robots,
            poster: Poster::new()?,
            clock,
            started: tokio::time::Instant::now(),
            tz,
            limiter: Limiter::default(),
        })
    }

    fn now(&self) -> DateTime<Utc> {
        running_clock(self.clock, self.started.into_std())
    }

    /// Expands recorded events, then sends at most one due part.
    pub async fn step(&mut self) -> Result<Step, StoreError> {
        self.expand().await?;
        let instant = tokio::time::Instant::now();
        let ready: Vec<String> = self
            .robots
            .iter()
            .filter(|r| {
                let c = &r.channel;
                self.limiter
                    .ready_at(&c.webhook_env, c.kind, instant)
                    .is_none()
            })
            .map(|r| r.channel.webhook_env.clone())
            .collect();
        let now = self.now();
        let Some(row) = notifications::claim_next(&self.store, now, &ready).await? else {
            return Ok(Step::Idle);
        };
        let Some(robot) = self
            .robots
            .iter()
            .find(|r| r.channel.webhook_env == row.channel)
        else {
            // claim_next only returns rows of the channels passed in.
            return Ok(Step::Idle);
        };
        self.limiter
            .record(&robot.channel.webhook_env, robot.channel.kind, instant);
        let title = shape::part_title(&row.title, row.part, row.parts);
        let outcome = self.poster.send(robot, &title, &row.body, now).await;
        let (verdict, said) = match outcome {
            Ok(answer) => (answer.verdict.clone(), answer.to_string()),
            Err(error) => (Verdict::Transient, error.to_string()),
        };
        let base = robot.channel.retry_base_seconds;
        let label = robot.channel.label();
        self.finish(row, verdict, said, base, &label).await
    }

    async fn finish(
        &mut self,
        row: NotificationRow,
        verdict: Verdict,
        said: String,
        base_seconds: u64,
        label: &str,
    ) -> Result<Step, StoreError> {
        let now = self.now();
        let retry_at = match &verdict {
            Verdict::Delivered => {
                notifications::mark_sent(&self.store, row.id, now).await?;
                tracing::info!(id = row.id, channel = %label, part = row.part, "notification delivered");
                return Ok(Step::Sent {
                    id: row.id,
                    channel: row.channel,
                });
            }
            Verdict::Throttled(wait) => {
                self.limiter
                    .block(&row.channel, tokio::time::Instant::now() + *wait);
                Some(now + TimeDelta::from_std(*wait).unwrap_or(RETRY_CAP))
            }
            Verdict::Transient => Some(now + backoff(base_seconds, row.attempts)),
            Verdict::Permanent => None,
        };
        notifications::mark_failed(&self.store, row.id, &said, retry_at).await?;
        tracing::warn!(id = row.id, channel = %label, error = %said, retry = retry_at.is_some(), "notification not delivered");
        Ok(match retry_at {
            Some(_) => Step::Retrying {
                id: row.id,
                error: said,
            },
            None => Step::Failed {
                id: row.id,
                error: said,
            },
        })
    }

    /// Expands every recorded event into rows for the channels that take it.
    async fn expand(&self) -> Result<(), StoreError> {
        for event in notifications::unexpanded(&self.store, 50).await? {
            let now = self.now();
            let rows = if now - event.created_at > FRESH_FOR {
                tracing::warn!(key = %event.key, "an event from before the robots were set up is not sent");
                Vec::new()
            } else {
                self.plan(&event)
            };
            notifications::expand(&self.store, event.id, &rows, now).await?;
        }
        Ok(())
    }

    /// The rows of one event: per channel taking it, the text made safe for the platform and
    /// split under its limit.
    fn plan(&self, event: &EventRow) -> Vec<NewNotification> {
        let Some(kind) = Event::parse(&event.event) else {
            return Vec::new();
        };
        let mut text = event.body.clone();
        if kind == Event::Alerts {
            text = format!("时间：{}\n{text}", local_text(event.created_at, self.tz));
        }
        let mut rows = Vec::new();
        for channel in self.robots.iter().map(|r| &r.channel) {
            if !channel.takes(kind) {
                continue;
            }
            let safe = shape::sanitize(channel.kind, &text);
            let parts = shape::split(channel.kind, &safe);
            let count = i64::try_from(parts.len()).unwrap_or(i64::MAX);
            for (i, part) in parts.into_iter().enumerate() {
                rows.push(NewNotification {
                    channel: channel.webhook_env.clone(),
                    kind: channel.kind.as_str(),
                    part: i64::try_from(i).map_or(i64::MAX, |i| i + 1),
                    parts: count,
                    title: shape::sanitize(channel.kind, &event.title),
                    body: part,
                });
            }
        }
        rows
    }

    /// Sends every part due now; returns how many went out.
    pub async fn deliver_due(&mut self) -> Result<usize, StoreError> {
        let mut sent = 0;
        loop {
            match self.step().await? {
                Step::Sent { .. } => sent += 1,
                Step::Idle => return Ok(sent),
                Step::Retrying { .. } | Step::Failed { .. } => {}
            }
        }
    }

    /// The task: parts left mid-send by a stopped daemon are due again; then sends what is
    /// due and looks again every two seconds, until cancelled.
    pub async fn run(mut self, cancel: CancellationToken) {
        match notifications::release_claimed(&self.store, self.now()).await {
            Ok(0) => {}
            Ok(released) => {
                tracing::warn!(released, "notifications left mid-send are due again");
            }
            Err(error) => tracing::error!(%error, "cannot release claimed notifications"),
        }
        tracing::info!(robots = self.robots.len(), "notification sender running");
        loop {
            loop {
                if cancel.is_cancelled() {
                    return;
                }
                match self.step().await {
                    Ok(Step::Idle) => break,
                    Ok(_) => {}
                    Err(error) => {
                        tracing::error!(%error, "notification queue failed; trying again");
                        break;
                    }
                }
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }
}

/// The one clock, running on from `--now` when it is fixed (a daemon whose time stood still
/// would never see a retry or an outage fall due).
pub fn running_clock(clock: Clock, started: std::time::Instant) -> DateTime<Utc> {
    match clock {
        Clock::System => Utc::now(),
        Clock::Fixed(at) => {
            at + TimeDelta::from_std(started.elapsed()).unwrap_or(TimeDelta::zero())
        }
    }
}

/// The wait after the `attempts`-th failure: `base` doubling, at most ten minutes.
fn backoff(base_seconds: u64, attempts: i64) -> TimeDelta {
    let doublings = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    let base = TimeDelta::seconds(i64::try_from(base_seconds).unwrap_or(30));
    (base * 2i32.saturating_pow(doublings)).min(RETRY_CAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_ten_minutes() {
        assert_eq!(backoff(30, 1), TimeDelta::seconds(30));
        assert_eq!(backoff(30, 3), TimeDelta::seconds(120));
        assert_eq!(backoff(30, 40), TimeDelta::minutes(10));
        assert_eq!(backoff(1, 2), TimeDelta::seconds(2));
    }
}
