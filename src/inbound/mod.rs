//! Inbound mail: the local Maildir or an IMAP folder, each feeding the same intake. A message
//! leaves the inbound mailbox (moved to `cur/` or to the processed folder) only after its intake
//! has been committed.

pub mod imap;
pub mod maildir;

use chrono::{DateTime, Utc};

use crate::app::{App, AppError, PassSummary};
use crate::intake::Source;
use crate::intake::report::IngestReport;

/// Takes in one raw message and wakes the delivery task when a reply was queued.
pub async fn ingest(
    app: &App,
    raw: &[u8],
    received_at: DateTime<Utc>,
    source: &Source<'_>,
) -> Result<IngestReport, AppError> {
    let report = app
        .intake()
        .ingest(raw, received_at, source, app.now())
        .await?;
    if report.reply.is_some() {
        app.outbox_ready.notify_one();
    }
    Ok(report)
}

/// Finishes messages that were recorded but not processed (the daemon stopped in between).
pub async fn resume_unfinished(app: &App, summary: &mut PassSummary) -> Result<(), AppError> {
    for row in crate::store::messages::unfinished(&app.store).await? {
        let path = app.config.data_dir.join(&row.raw_path);
        let raw = match std::fs::read(&path) {
            Ok(raw) => raw,
            Err(error) => {
                tracing::error!(path = %path.display(), %error, "stored message unreadable");
                summary.failed.push(format!("{}: {error}", path.display()));
                continue;
            }
        };
        let source = Source {
            kind: "resume",
            name: &row.raw_path,
        };
        summary
            .reports
            .push(ingest(app, &raw, row.received_at, &source).await?);
    }
    Ok(())
}
