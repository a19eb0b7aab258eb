//! Intake from the local Maildir (`{data_dir}/mail/inbox`), polled every few seconds.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::app::{App, AppError, PassSummary};
use crate::intake::Source;

/// How often the local Maildir is looked at.
const POLL: Duration = Duration::from_secs(5);

/// Takes in every message in `new/`, oldest first, moving each to `cur/` after its commit.
pub async fn pass(app: &App, summary: &mut PassSummary) -> Result<(), AppError> {
    let inbox = app.inbox()?;
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
        let report = super::ingest(app, &raw, entry.delivered_at, &source).await?;
        inbox.mark_processed(&entry)?;
        summary.reports.push(report);
    }
    Ok(())
}

/// Polls until cancelled; an error is logged and the next poll tries again.
pub async fn run(app: &App, cancel: CancellationToken) {
    loop {
        let mut summary = PassSummary::default();
        if let Err(error) = pass(app, &mut summary).await {
            tracing::error!(%error, "maildir intake failed; trying again");
        }
        crate::daemon::print_reports(&summary);
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(POLL) => {}
        }
    }
}
