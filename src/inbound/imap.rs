//! Intake from an IMAP folder: take in every message above the last committed UID, move each
//! batch to the processed folder after its commit, then wait in IDLE (or poll) for more.
//! Connection failures are retried with backoff and jitter, forever, until cancelled.
//!
//! Exactly-once comes from the order of things: a message is committed before it is moved, and
//! the last UID is recorded after the move. A crash in between only means the message is fetched
//! again, found to be a duplicate by its Message-ID key, and moved.

use std::time::Duration;

use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use super::{InboundError, Inlet, OnTaken, Taken};
use crate::config::ServerSettings;
use crate::intake::{Incoming, Source};
use crate::net::imap_client::{Connection, IDLE_RENEW, Woken};
use crate::notify::health::MailboxHealth;
use crate::store::folders;

/// Messages fetched per round trip: bounds memory (each may be up to the message size limit).
const BATCH: usize = 20;

/// One visit: connect, take in everything new, log out (`run --once`, `check-config`).
pub async fn pass(
    inlet: &Inlet<'_>,
    settings: &ServerSettings,
    password: &SecretString,
    summary: &mut Taken,
) -> Result<(), InboundError> {
    let mut connection = Connection::open(settings, password).await?;
    connection.ensure_folder(&settings.processed_folder).await?;
    let result = drain(inlet, &mut connection, settings, summary, None).await;
    connection.close().await;
    result
}

/// The daemon's inbound task: stays connected, waits for mail, reconnects after failures.
/// Each successful round and each failure is reported to `health` (the mailbox watchdog).
pub async fn run(
    inlet: &Inlet<'_>,
    settings: &ServerSettings,
    password: &SecretString,
    health: &MailboxHealth,
    on_taken: OnTaken<'_>,
    cancel: CancellationToken,
) {
    let mut failures: u32 = 0;
    while !cancel.is_cancelled() {
        match session(
            inlet,
            settings,
            password,
            health,
            on_taken,
            &cancel,
            &mut failures,
        )
        .await
        {
            Ok(()) => return,
            Err(error) => {
                health.failed(inlet.clock.now(), &error.to_string());
                failures = failures.saturating_add(1);
                let wait = backoff(failures);
                tracing::error!(%error, retry_in_ms = wait.as_millis() as u64, "IMAP intake failed; reconnecting");
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
}

/// One connection's life: returns `Ok` only when cancelled.
async fn session(
    inlet: &Inlet<'_>,
    settings: &ServerSettings,
    password: &SecretString,
    health: &MailboxHealth,
    on_taken: OnTaken<'_>,
    cancel: &CancellationToken,
    failures: &mut u32,
) -> Result<(), InboundError> {
    let mut connection = Connection::open(settings, password).await?;
    connection.ensure_folder(&settings.processed_folder).await?;
    tracing::info!(server = connection.server(), folder = %settings.folder, "IMAP connected");
    *failures = 0;
    let idle = settings.idle && connection.has("IDLE");
    loop {
        let mut summary = Taken::default();
        drain(inlet, &mut connection, settings, &mut summary, Some(cancel)).await?;
        health.polled(inlet.clock.now());
        on_taken(&summary);
        if cancel.is_cancelled() {
            connection.close().await;
            return Ok(());
        }
        let woken = if idle {
            connection.idle(IDLE_RENEW, cancel).await?
        } else {
            tokio::select! {
                () = cancel.cancelled() => Woken::Cancelled,
                () = tokio::time::sleep(Duration::from_secs(settings.poll_seconds.max(1))) => Woken::Timeout,
            }
        };
        if woken == Woken::Cancelled {
            connection.close().await;
            return Ok(());
        }
    }
}

/// Takes in every message above the last committed UID, batch by batch.
async fn drain(
    inlet: &Inlet<'_>,
    connection: &mut Connection,
    settings: &ServerSettings,
    summary: &mut Taken,
    cancel: Option<&CancellationToken>,
) -> Result<(), InboundError> {
    let folder = &settings.folder;
    let state = connection.select(folder).await?;
    let account = format!("{}@{}", settings.username, connection.server());
    let mut last = folders::last_uid(inlet.store, &account, folder, state.uid_validity).await?;
    loop {
        let uids = connection.uids_after(last).await?;
        if uids.is_empty() {
            super::record_poll(inlet, &format!("imap:{account}/{folder}")).await;
            return Ok(());
        }
        for batch in uids.chunks(BATCH) {
            let fetched = connection.fetch(batch).await?;
            let names: Vec<String> = fetched
                .iter()
                .map(|m| format!("{account}/{folder}#{}", m.uid))
                .collect();
            let incoming: Vec<Incoming<'_>> = fetched
                .iter()
                .zip(&names)
                .map(|(message, name)| Incoming {
                    raw: &message.raw,
                    received_at: message.received_at.unwrap_or_else(|| {
                        tracing::warn!(uid = message.uid, "no INTERNALDATE; using the clock");
                        inlet.clock.now()
                    }),
                    source: Source { kind: "imap", name },
                    origin: None,
                })
                .collect();
            // One group commit for the fetched batch. A failed message is moved on too: its raw
            // bytes are stored and its row stays unfinished, so start-up resumes it
            // (quarantined after three tries).
            let handled = inlet.ingest_batch_in_pass(&incoming, summary).await;
            let mut taken = Vec::with_capacity(fetched.len());
            let mut stopped = false;
            for (message, handled) in fetched.iter().zip(handled) {
                if handled == super::Handled::Stopped {
                    stopped = true;
                    break;
                }
                taken.push(message.uid);
            }
            if cancel.is_some_and(CancellationToken::is_cancelled) {
                stopped = true;
            }
            connection
                .move_to(&taken, &settings.processed_folder)
                .await?;
            // Every UID of a finished batch is done, even one that vanished before the fetch.
            let done = if stopped { taken.last() } else { batch.last() };
            last = done.copied().unwrap_or(last).max(last);
            folders::set_last_uid(
                inlet.store,
                &account,
                folder,
                state.uid_validity,
                last,
                inlet.clock.now(),
            )
            .await?;
            if stopped {
                return Ok(());
            }
        }
    }
}

/// 1 s doubling to 60 s, with up to 25 % jitter so many daemons do not reconnect in step.
fn backoff(failures: u32) -> Duration {
    let base = 1000u64 << failures.saturating_sub(1).min(6);
    let base = base.min(60_000);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    Duration::from_millis(base + nanos % (base / 4 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let first = backoff(1);
        assert!(first >= Duration::from_secs(1) && first <= Duration::from_millis(1250));
        let later = backoff(4);
        assert!(later >= Duration::from_secs(8) && later <= Duration::from_secs(10));
        assert!(backoff(30) <= Duration::from_secs(75));
    }
}
