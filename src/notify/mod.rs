//! Staff channels that work in mainland China (SPEC §14): the group robots of WeCom (企业微信),
//! DingTalk (钉钉) and Feishu (飞书), fed by a durable queue.
//!
//! - The `[[notify]]` tables are parsed with the rest of the configuration
//!   ([`crate::config::notify`]) into [`Channel`]s (a [`RobotKind`], the
//!   variables holding the webhook and the signing secret, the [`Event`]s it takes).
//! - [`sign`]: DingTalk 加签 and Feishu 签名校验 (HMAC-SHA256 through `ring`), pure.
//! - [`shape`]: each platform's JSON body and size limit, and splitting at line ends, pure.
//! - [`answer`]: what a platform's answer means (an error code inside a 200 is a failure;
//!   throttling is retried later), pure.
//! - [`limit`]: the per-robot rate caps as sliding windows, pure.
//! - [`alerts`]: the [`alerts::Alert`]s other parts raise, and [`alerts::queue_alert`].
//! - [`health`]: the mailbox watchdog (no successful poll for 30 minutes, and the recovery).
//! - [`post`]: one HTTP POST of a shaped message to a robot (reqwest with rustls).
//! - [`probe`]: `notify test` (a line to every robot) and the `check-config` findings.
//! - [`stream`]: the two-way DingTalk robot in Stream mode (the daemon connects out).
//! - [`sender`]: the daemon task: fans recorded events out to the channels, then claims one
//!   notification, sends it outside any transaction and marks it (the house pattern of
//!   [`crate::delivery`]).
//!
//! Exactly once: the cause (a digest, an alert) writes one `notify_events` row in its own
//! transaction; the sender expands it into one `notifications` row per channel and part in one
//! transaction; each row is claimed, sent and marked. A restart resends nothing marked sent and
//! loses nothing queued; only a crash between a robot's answer and the mark can repeat that one
//! part (the same window as the outbox).

pub mod alerts;
pub mod answer;
pub mod dispatch;
pub mod health;
pub mod limit;
pub mod post;
pub mod probe;
pub mod shape;
pub mod sign;
pub mod stream;

pub use crate::config::notify::{Channel, Event, RobotKind};
