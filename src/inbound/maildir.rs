//! Intake from the local Maildir (`{data_dir}/mail/inbox`), polled every few seconds.

use std::path::Path;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{InboundError, Inlet, OnTaken, Taken};
use crate::intake::{BATCH_BYTES, BATCH_MESSAGES, Incoming, Source};
use crate::mail::maildir::{Maildir, NewEntry};

/// How often the local Maildir is looked at.
const POLL: Duration = Duration::from_secs(5);

/// Takes in every message in `new/`, oldest first, in batches ([`crate::intake::BATCH_MESSAGES`]
/// messages or [`crate::intake::BATCH_BYTES`] bytes, one group commit each), moving each to
/// `cur/` after its batch's commit.
pub async fn pass(
    inlet: &Inlet<'_>,
    inbox: &Maildir,
    summary: &mut Taken,
) -> Result<(), InboundError> {
    let entries = inbox.list_new()?;
    let mut rest = entries.as_slice();
    while !rest.is_empty() {
        let mut raws: Vec<(&NewEntry, Vec<u8>)> = Vec::new();
        let mut bytes = 0;
        while let Some((entry, tail)) = rest.split_first() {
            if raws.len() >= BATCH_MESSAGES || (bytes >= BATCH_BYTES && !raws.is_empty()) {
                break;
            }
            rest = tail;
            match std::fs::read(&entry.path) {
                Ok(raw) => {
                    bytes += raw.len();
                    raws.push((entry, raw));
                }
                Err(error) => {
                    tracing::error!(path = %entry.path.display(), %error, "cannot read message");
                    summary.failed.push(format!("{}: {error}", entry.name));
                }
            }
        }
        let batch: Vec<Incoming<'_>> = raws
            .iter()
            .map(|(entry, raw)| Incoming {
                raw,
                received_at: entry.delivered_at,
                source: Source {
                    kind: "maildir",
                    name: &entry.name,
                },
                origin: Some(&entry.path),
            })
            .collect();
        let handled = inlet.ingest_batch_in_pass(&batch, summary).await;
        let mut stopped = false;
        for ((entry, _), handled) in raws.iter().zip(handled) {
            match handled {
                super::Handled::Done => inbox.mark_processed(entry)?,
                // Left in new/: the next pass tries it again.
                super::Handled::Failed => {}
                super::Handled::Stopped => stopped = true,
            }
        }
        if stopped {
            break;
        }
    }
    super::record_poll(inlet, "maildir:inbox").await;
    Ok(())
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
