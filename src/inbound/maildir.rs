//! Intake from the local Maildir (`{data_dir}/mail/inbox`), polled every few seconds.

use std::path::Path;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{InboundError, Inlet, OnTaken, Taken};
use crate::intake::{BATCH_BYTES, BATCH_MESSAGES, Incoming, RawStore, Source, Staged};
use crate::mail::maildir::{Maildir, NewEntry};

/// How often the local Maildir is looked at.
const POLL: Duration = Duration::from_secs(5);

/// Takes in every message in `new/`, oldest first, in batches ([`crate::intake::BATCH_MESSAGES`]
/// messages or [`crate::intake::BATCH_BYTES`] bytes, one group commit each), moving each to
/// `cur/` after its batch's commit. Each batch is read and staged on a blocking thread while the
/// batch before it is settled.
pub async fn pass(
    inlet: &Inlet<'_>,
    inbox: &Maildir,
    summary: &mut Taken,
) -> Result<(), InboundError> {
    let raw_store = inlet.intake.raw_store();
    let mut batches = batches_of(inbox.list_new()?).into_iter();
    let mut next = batches.next().map(|b| read_and_stage(&raw_store, b));
    while let Some(reading) = next.take() {
        let Ready {
            read,
            staged,
            unreadable,
        } = reading.done().await;
        next = batches.next().map(|b| read_and_stage(&raw_store, b));
        summary.failed.extend(unreadable);
        let batch: Vec<Incoming<'_>> = read
            .iter()
            .map(|(entry, raw)| incoming(entry, raw))
            .collect();
        let handled = inlet.ingest_staged_in_pass(&batch, staged, summary).await;
        let mut stopped = false;
        for ((entry, _), handled) in read.iter().zip(handled) {
            match handled {
                super::Handled::Done => inbox.mark_processed(entry)?,
                // Left in new/: the next pass tries it again.
                super::Handled::Failed => {}
                super::Handled::Stopped => stopped = true,
            }
        }
        if stopped {
            // The batch staged meanwhile is only raw files: its messages stay in new/.
            if let Some(reading) = next.take() {
                reading.done().await;
            }
            break;
        }
    }
    super::record_poll(inlet, "maildir:inbox").await;
    Ok(())
}

/// `entries` cut into batches by count and by their listed size.
fn batches_of(entries: Vec<NewEntry>) -> Vec<Vec<NewEntry>> {
    let mut batches: Vec<Vec<NewEntry>> = Vec::new();
    let mut bytes = 0u64;
    for entry in entries {
        let full = batches
            .last()
            .is_none_or(|b| b.len() >= BATCH_MESSAGES || bytes >= BATCH_BYTES as u64);
        if full {
            batches.push(Vec::new());
            bytes = 0;
        }
        bytes = bytes.saturating_add(entry.bytes);
        if let Some(last) = batches.last_mut() {
            last.push(entry);
        }
    }
    batches
}

/// A batch read from `new/` and staged: the messages read, with their bytes; their staging;
/// what could not be read.
struct Ready {
    read: Vec<(NewEntry, Vec<u8>)>,
    staged: Staged,
    unreadable: Vec<String>,
}

/// A batch being read and staged on a blocking thread.
struct Staging {
    job: tokio::task::JoinHandle<Ready>,
    names: Vec<String>,
}

/// Starts reading and staging `entries` on a blocking thread, at once.
fn read_and_stage(raw_store: &RawStore, entries: Vec<NewEntry>) -> Staging {
    let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    let raw_store = raw_store.clone();
    let job = tokio::task::spawn_blocking(move || {
        let (read, unreadable) = read_all(entries);
        let batch: Vec<Incoming<'_>> = read
            .iter()
            .map(|(entry, raw)| incoming(entry, raw))
            .collect();
        let staged = raw_store.stage(&batch);
        Ready {
            read,
            staged,
            unreadable,
        }
    });
    Staging { job, names }
}

impl Staging {
    /// The batch read and staged; when the thread failed, none of it, each message named.
    async fn done(self) -> Ready {
        let names = self.names;
        self.job.await.unwrap_or_else(|error| {
            tracing::error!(%error, "cannot stage a batch; its messages stay in new/");
            Ready {
                read: Vec::new(),
                staged: Staged::default(),
                unreadable: names
                    .iter()
                    .map(|n| format!("{n}: not staged: {error}"))
                    .collect(),
            }
        })
    }
}

/// The files of `entries` read; one that cannot be read is logged and named with its error.
fn read_all(entries: Vec<NewEntry>) -> (Vec<(NewEntry, Vec<u8>)>, Vec<String>) {
    let mut read = Vec::with_capacity(entries.len());
    let mut unreadable = Vec::new();
    for entry in entries {
        match std::fs::read(&entry.path) {
            Ok(raw) => read.push((entry, raw)),
            Err(error) => {
                tracing::error!(path = %entry.path.display(), %error, "cannot read message");
                unreadable.push(format!("{}: {error}", entry.name));
            }
        }
    }
    (read, unreadable)
}

fn incoming<'a>(entry: &'a NewEntry, raw: &'a [u8]) -> Incoming<'a> {
    Incoming {
        raw,
        received_at: entry.delivered_at,
        source: Source {
            kind: "maildir",
            name: &entry.name,
        },
        origin: Some(&entry.path),
    }
}

/// Polls until cancelled; an error is logged and the next poll tries again.
/// The Maildir at `inbox` is opened afresh each round, so a removed folder is made again.
pub async fn run(
    inlet: &Inlet<'_>,
    inbox: &Path,
    on_taken: OnTaken<'_>,
    cancel: CancellationToken,
) {
    loop {
        let mut summary = Taken::default();
        let result = match Maildir::open(inbox) {
            Ok(inbox) => pass(inlet, &inbox, &mut summary).await,
            Err(error) => Err(error.into()),
        };
        if let Err(error) = result {
            tracing::error!(%error, "maildir intake failed; trying again");
        }
        on_taken(&summary);
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn entry(i: usize, bytes: u64) -> NewEntry {
        NewEntry {
            path: std::path::PathBuf::from(format!("new/m{i}")),
            name: format!("m{i}"),
            delivered_at: DateTime::<Utc>::UNIX_EPOCH,
            bytes,
        }
    }

    fn names(batches: &[Vec<NewEntry>]) -> Vec<Vec<&str>> {
        batches
            .iter()
            .map(|b| b.iter().map(|e| e.name.as_str()).collect())
            .collect()
    }

    #[test]
    fn batches_are_cut_by_count_and_by_listed_size() {
        let many: Vec<NewEntry> = (0..150).map(|i| entry(i, 12_000)).collect();
        let lens: Vec<usize> = batches_of(many).iter().map(Vec::len).collect();
        assert_eq!(
            lens,
            [BATCH_MESSAGES, BATCH_MESSAGES, 150 - 2 * BATCH_MESSAGES]
        );

        // A batch closes once it holds BATCH_BYTES; a larger message still goes alone.
        let big = BATCH_BYTES as u64;
        let sized = vec![
            entry(0, big / 2),
            entry(1, big / 2),
            entry(2, 10),
            entry(3, 3 * big),
            entry(4, 1),
        ];
        assert_eq!(
            names(&batches_of(sized)),
            [vec!["m0", "m1"], vec!["m2", "m3"], vec!["m4"]]
        );
        assert!(batches_of(Vec::new()).is_empty());
    }
}
