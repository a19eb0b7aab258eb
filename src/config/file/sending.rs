//! `[outbound] connections` and `max_per_minute`: the pace of outbound SMTP, and
//! `check_seconds`: how often the delivery task looks unwoken; checked at load.

use super::Invalid;
use super::mail::MailFile;
use crate::config::{ConfigError, Sending};

/// `[outbound] connections` (1..=16, default 4) and `max_per_minute` (at least 1 when set);
/// neither belongs in `[inbound]`, nor does `check_seconds` (`[inbound]` has `poll_seconds`).
pub(super) fn build(
    inbound: &MailFile,
    outbound: &MailFile,
    invalid: &Invalid,
) -> Result<Sending, ConfigError> {
    for (found, key) in [
        (inbound.connections.is_some(), "inbound.connections"),
        (inbound.max_per_minute.is_some(), "inbound.max_per_minute"),
        (inbound.check_seconds.is_some(), "inbound.check_seconds"),
    ] {
        if found {
            return Err(invalid(key, "only [outbound] has it".into()));
        }
    }
    let connections = outbound.connections.unwrap_or(Sending::DEFAULT_CONNECTIONS);
    if !(1..=Sending::MAX_CONNECTIONS).contains(&connections) {
        return Err(invalid(
            "outbound.connections",
            format!("{connections}: use 1 to {}", Sending::MAX_CONNECTIONS),
        ));
    }
    if outbound.max_per_minute == Some(0) {
        return Err(invalid(
            "outbound.max_per_minute",
            "0 would send nothing: leave it out for no cap, or give the provider's cap".into(),
        ));
    }
    Ok(Sending {
        connections,
        max_per_minute: outbound.max_per_minute,
    })
}

/// `[outbound] check_seconds` (default [`DEFAULT_CHECK_SECONDS`], at least 1).
pub(super) fn check_seconds(outbound: &MailFile, invalid: &Invalid) -> Result<u64, ConfigError> {
    match outbound.check_seconds {
        Some(0) => Err(invalid(
            "outbound.check_seconds",
            "0 would look at the outbox without a pause: use 1 or more".into(),
        )),
        Some(seconds) => Ok(seconds),
        None => Ok(DEFAULT_CHECK_SECONDS),
    }
}

/// How often the delivery task looks at the outbox when nothing wakes it.
pub(super) const DEFAULT_CHECK_SECONDS: u64 = 15;
