//! Intake from the local Maildir (`{data_dir}/mail/inbox`), polled every few seconds.

use std::path::Path;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{InboundError, Inlet, OnTaken, Taken};
use crate::intake::Source;
use crate::mail::maildir::Maildir;

/// How often the local Maildir is looked at.
const POLL: Duration = Duration::from_secs(5);

/// Takes in every message in `new/`, oldest first, moving each to `cur/` after its commit.
pub async fn pass(
    inlet: &Inlet<'_>,
    inbox: &Maildir,
    summary: &mut Taken,
) -> Result<(), InboundError> {
    for entry in inbox.list_new()? {
        let raw = match std::fs::read(&entry.path) {
            Ok(raw) => raw,
            Err(error) => {
                tracing::error!(path = %entry.path.display(), %error, "cannot read message");
                summary.failed.push(format!("{}: {error}", entry.name));
                continue;
            }
        };
        let source = Source {
            kind: "maildir",
            name: &entry.name,
        };
        match inlet
            .ingest_in_pass(&raw, entry.delivered_at, &source, summary)
            .await
        {
            super::Handled::Done => inbox.mark_processed(&entry)?,
            // Left in new/: the next pass tries it again.
            super::Handled::Failed => {}
            super::Handled::Stopped => break,
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
