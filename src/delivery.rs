//! The outbox worker: claims one queued reply, hands it to the outbound transport outside any
//! transaction, then marks it sent, or schedules a retry with backoff.
//!
//! On the embedded default the transport is the local outbox Maildir; SMTP plugs in here too.

use chrono::{DateTime, Duration, Utc};

use crate::mail::maildir::Maildir;
use crate::store::outbox::{self, OutboxRow};
use crate::store::{Store, StoreError};

/// Where replies are handed over.
pub enum Transport {
    Maildir(Maildir),
}

/// What one step of the worker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Sent { id: i64, recipient: String },
    Retrying { id: i64, error: String },
    Failed { id: i64, error: String },
    Idle,
}

/// Attempts before a reply is given up as failed.
const MAX_ATTEMPTS: i64 = 8;

/// Delivers at most one due reply.
pub async fn deliver_one(
    store: &Store,
    transport: &Transport,
    now: DateTime<Utc>,
) -> Result<Step, StoreError> {
    let Some(row) = outbox::claim_next(store, now, Duration::minutes(10)).await? else {
        return Ok(Step::Idle);
    };
    match hand_over(transport, &row) {
        Ok(()) => {
            outbox::mark_sent(store, row.id, now).await?;
            tracing::info!(id = row.id, kind = %row.kind, recipient = %row.recipient, "reply delivered");
            Ok(Step::Sent {
                id: row.id,
                recipient: row.recipient,
            })
        }
        Err(error) => {
            let retry_at = (row.attempts < MAX_ATTEMPTS).then(|| now + backoff(row.attempts));
            outbox::mark_attempt_failed(store, row.id, &error, retry_at).await?;
            tracing::warn!(id = row.id, %error, retry = retry_at.is_some(), "reply not delivered");
            Ok(if retry_at.is_some() {
                Step::Retrying { id: row.id, error }
            } else {
                Step::Failed { id: row.id, error }
            })
        }
    }
}

/// Delivers every reply due now; returns how many went out.
pub async fn deliver_due(
    store: &Store,
    transport: &Transport,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut sent = 0;
    loop {
        match deliver_one(store, transport, now).await? {
            Step::Sent { .. } => sent += 1,
            Step::Idle => return Ok(sent),
            Step::Retrying { .. } | Step::Failed { .. } => {}
        }
    }
}

fn hand_over(transport: &Transport, row: &OutboxRow) -> Result<(), String> {
    match transport {
        Transport::Maildir(maildir) => maildir
            .deliver(&row.outgoing_id, &row.body)
            .map(|_| ())
            .map_err(|e| e.to_string()),
    }
}

/// 1, 2, 4, … minutes, capped at an hour.
fn backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    Duration::minutes(2i64.pow(exponent).min(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(3), Duration::minutes(4));
        assert_eq!(backoff(20), Duration::minutes(60));
    }
}
