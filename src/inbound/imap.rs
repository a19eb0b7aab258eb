//! Intake from an IMAP folder: take in every message above the last committed UID, move each
//! batch to the processed folder after its commit, then wait in IDLE (or poll) for more.
//! Connection failures are retried with backoff and jitter, forever, until cancelled.
//!
//! Exactly-once comes from the order of things: a message is committed before it is moved, and
//! the last UID is recorded after the move. A crash in between only means the message is fetched
//! again, found to be a duplicate by its Message-ID key, and moved.

use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use super::{InboundError, Inlet, OnTaken, Taken};
use crate::config::ServerSettings;
use crate::intake::{BATCH_BYTES, BATCH_MESSAGES, Incoming, RawStore, Source, Staged};
use crate::net::imap_client::{Connection, Fetched, IDLE_RENEW, Woken};
use crate::notify::health::MailboxHealth;
use crate::store::folders;

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

/// Takes in every message above the last committed UID, batch by batch: while one batch is
/// settled, the batch before it is moved and the next one fetched and staged.
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
    let mailbox = Mailbox {
        prefix: format!("{account}/{folder}"),
        raw_store: inlet.intake.raw_store(),
        account,
        folder: folder.clone(),
        uid_validity: state.uid_validity,
        processed: settings.processed_folder.clone(),
    };
    let mut last =
        folders::last_uid(inlet.store, &mailbox.account, folder, state.uid_validity).await?;
    loop {
        let uids = connection.uids_after(last).await?;
        if uids.is_empty() {
            super::record_poll(inlet, &format!("imap:{}", mailbox.prefix)).await;
            return Ok(());
        }
        let sizes = connection.sizes(&uids).await?;
        let mut chunks = batches_by_size(&uids, &sizes).into_iter();
        let mut ready = match chunks.next() {
            Some(first) => Some(mailbox.fetch(connection, first, inlet).await?),
            None => None,
        };
        let mut unmoved: Option<Committed> = None;
        while let Some(mut current) = ready.take() {
            let staged = std::mem::take(&mut current.staged);
            let incoming = current.incoming();
            let following = chunks.next();
            // One group commit for the fetched batch. A failed message is moved on too: its
            // raw bytes are stored and its row stays unfinished, so start-up resumes it
            // (quarantined after three tries).
            let (handled, (moved, next)) = tokio::join!(
                inlet.ingest_staged_in_pass(&incoming, staged, summary),
                async {
                    let moved = match unmoved.take() {
                        Some(batch) => mailbox.move_away(connection, batch).await.map(Some),
                        None => Ok(None),
                    };
                    let next = match following {
                        Some(uids) if moved.is_ok() => {
                            Some(mailbox.fetch(connection, uids, inlet).await)
                        }
                        _ => None,
                    };
                    (moved, next)
                }
            );
            // The last UID is recorded only after its batch was moved.
            if let Some(batch) = moved? {
                last = mailbox.record_last(inlet, last, batch.last).await?;
            }
            let (batch, stopped) = committed(&current, &handled, cancel);
            match next {
                Some(Ok(next)) if !stopped => {
                    unmoved = Some(batch);
                    ready = Some(next);
                }
                next => {
                    let done = batch.last;
                    mailbox.move_away(connection, batch).await?;
                    last = mailbox.record_last(inlet, last, done).await?;
                    if stopped {
                        return Ok(());
                    }
                    next.transpose()?;
                }
            }
        }
    }
}

/// A committed batch still in the folder: the UIDs to move (each taken in), and the last UID
/// it finished (every UID of a finished batch is done, even one that vanished before the fetch).
struct Committed {
    taken: Vec<u32>,
    last: Option<u32>,
}

/// What of `current` was taken in, and whether the daemon is stopping.
fn committed(
    current: &FetchedBatch<'_>,
    handled: &[super::Handled],
    cancel: Option<&CancellationToken>,
) -> (Committed, bool) {
    let mut taken = Vec::with_capacity(current.fetched.len());
    let mut stopped = false;
    for (message, handled) in current.fetched.iter().zip(handled) {
        if *handled == super::Handled::Stopped {
            stopped = true;
            break;
        }
        taken.push(message.uid);
    }
    if cancel.is_some_and(CancellationToken::is_cancelled) {
        stopped = true;
    }
    let last = if stopped {
        taken.last()
    } else {
        current.uids.last()
    };
    let last = last.copied();
    (Committed { taken, last }, stopped)
}

/// The folder drained: how its messages are named, where their raw bytes are staged, where they
/// go once taken in, and where its last UID is kept.
struct Mailbox {
    prefix: String,
    raw_store: RawStore,
    account: String,
    folder: String,
    uid_validity: u32,
    processed: String,
}

/// A batch fetched and staged.
struct FetchedBatch<'u> {
    /// The UIDs asked for (some may have vanished before the fetch).
    uids: &'u [u32],
    fetched: Vec<Fetched>,
    names: Vec<String>,
    received: Vec<DateTime<Utc>>,
    staged: Staged,
}

impl Mailbox {
    /// Moves a committed batch to the processed folder.
    async fn move_away(
        &self,
        connection: &mut Connection,
        batch: Committed,
    ) -> Result<Committed, InboundError> {
        connection.move_to(&batch.taken, &self.processed).await?;
        Ok(batch)
    }

    /// Records `done` (when later than `last`) as the last UID taken in and moved; returns it.
    async fn record_last(
        &self,
        inlet: &Inlet<'_>,
        last: u32,
        done: Option<u32>,
    ) -> Result<u32, InboundError> {
        let last = done.unwrap_or(last).max(last);
        let now = inlet.clock.now();
        folders::set_last_uid(
            inlet.store,
            &self.account,
            &self.folder,
            self.uid_validity,
            last,
            now,
        )
        .await?;
        Ok(last)
    }

    /// Fetches `uids` and stages them on a blocking thread.
    async fn fetch<'u>(
        &self,
        connection: &mut Connection,
        uids: &'u [u32],
        inlet: &Inlet<'_>,
    ) -> Result<FetchedBatch<'u>, InboundError> {
        let fetched = connection.fetch(uids).await?;
        let names: Vec<String> = fetched
            .iter()
            .map(|m| format!("{}#{}", self.prefix, m.uid))
            .collect();
        let received: Vec<DateTime<Utc>> = fetched
            .iter()
            .map(|m| {
                m.received_at.unwrap_or_else(|| {
                    tracing::warn!(uid = m.uid, "no INTERNALDATE; using the clock");
                    inlet.clock.now()
                })
            })
            .collect();
        let raw_store = self.raw_store.clone();
        let staging = tokio::task::spawn_blocking(move || {
            let staged = raw_store.stage(&incoming_of(&fetched, &names, &received));
            (fetched, names, received, staged)
        });
        let (fetched, names, received, staged) = staging
            .await
            .map_err(|error| InboundError::Staging(error.to_string()))?;
        Ok(FetchedBatch {
            uids,
            fetched,
            names,
            received,
            staged,
        })
    }
}

impl FetchedBatch<'_> {
    fn incoming(&self) -> Vec<Incoming<'_>> {
        incoming_of(&self.fetched, &self.names, &self.received)
    }
}

/// The fetched messages as intake takes them, each with its name and arrival time.
fn incoming_of<'a>(
    fetched: &'a [Fetched],
    names: &'a [String],
    received: &[DateTime<Utc>],
) -> Vec<Incoming<'a>> {
    fetched
        .iter()
        .zip(names)
        .zip(received)
        .map(|((message, name), received_at)| Incoming {
            raw: &message.raw,
            received_at: *received_at,
            source: Source { kind: "imap", name },
            origin: None,
        })
        .collect()
}

/// `uids` cut into runs of at most [`BATCH_MESSAGES`] messages and, by the sizes the server
/// gives (`sizes`, sorted by UID), [`BATCH_BYTES`] bytes; a larger message is a batch alone.
/// This bounds what is held fetched: the batch being settled and the one fetched meanwhile.
fn batches_by_size<'u>(uids: &'u [u32], sizes: &[(u32, u32)]) -> Vec<&'u [u32]> {
    let size_of = |uid: u32| {
        sizes
            .binary_search_by_key(&uid, |&(u, _)| u)
            .map_or(0, |i| sizes[i].1 as usize)
    };
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0usize);
    for (i, &uid) in uids.iter().enumerate() {
        let size = size_of(uid);
        let full = i - start >= BATCH_MESSAGES || bytes.saturating_add(size) > BATCH_BYTES;
        if i > start && full {
            batches.push(&uids[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes = bytes.saturating_add(size);
    }
    if start < uids.len() {
        batches.push(&uids[start..]);
    }
    batches
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
    fn batches_are_cut_by_count_and_by_size() {
        let uids: Vec<u32> = (1..=150).collect();
        let small: Vec<(u32, u32)> = uids.iter().map(|&u| (u, 10_000)).collect();
        let cut = batches_by_size(&uids, &small);
        let lens: Vec<usize> = cut.iter().map(|b| b.len()).collect();
        assert_eq!(
            lens,
            [BATCH_MESSAGES, BATCH_MESSAGES, 150 - 2 * BATCH_MESSAGES]
        );
        assert_eq!(cut.concat(), uids, "every UID once, in order");

        // 7 MiB each: two fit in 16 MiB, the third starts a batch; a 40 MiB one is alone;
        // UID 9 has no size (gone before the sizes were asked for) and rides with the next.
        let mib = 1 << 20;
        let uids = [1, 2, 3, 4, 9, 10];
        let sizes = [
            (1, 7 * mib),
            (2, 7 * mib),
            (3, 7 * mib),
            (4, 40 * mib),
            (10, 100),
        ];
        let cut = batches_by_size(&uids, &sizes);
        assert_eq!(cut, vec![&[1, 2][..], &[3], &[4], &[9, 10]]);
        assert!(batches_by_size(&[], &[]).is_empty());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let first = backoff(1);
        assert!(first >= Duration::from_secs(1) && first <= Duration::from_millis(1250));
        let later = backoff(4);
        assert!(later >= Duration::from_secs(8) && later <= Duration::from_secs(10));
        assert!(backoff(30) <= Duration::from_secs(75));
    }
}
