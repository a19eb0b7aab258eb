//! Inbound mail: the local Maildir or an IMAP folder, each feeding the same intake. A message
//! leaves the inbound mailbox (moved to `cur/` or to the processed folder) only after its intake
//! has been committed.
//!
//! The tasks here take an [`Inlet`] (the intake and the few handles it needs) and return what
//! they took in as a [`Taken`]; printing it is the caller's business (the CLI's).

pub mod imap;
pub mod maildir;

use chrono::{DateTime, Utc};
use thiserror::Error;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::intake::report::IngestReport;
use crate::intake::{Incoming, Intake, IntakeError, Source, Staged};
use crate::mail::maildir::MaildirError;
use crate::net::imap_client::ImapError;
use crate::store::{Store, StoreError};

#[derive(Debug, Error)]
pub enum InboundError {
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Maildir(#[from] MaildirError),
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error("cannot stage a fetched batch (it is fetched again): {0}")]
    Staging(String),
}

/// What the inbound side needs: the intake, the database, the clock, and the signal that wakes
/// the delivery task.
pub struct Inlet<'a> {
    pub intake: Intake<'a>,
    pub store: &'a Store,
    pub clock: &'a Clock,
    /// Woken whenever a reply has been queued.
    pub outbox_ready: &'a Notify,
}

/// What one visit to a mailbox took in: the ingest reports, and what could not be read.
#[derive(Debug, Default)]
pub struct Taken {
    pub reports: Vec<IngestReport>,
    pub failed: Vec<String>,
}

/// Called with what each round of a long-running inbound task took in.
pub type OnTaken<'a> = &'a (dyn Fn(&Taken) + Send + Sync);

impl Inlet<'_> {
    /// Takes in one raw message and wakes the delivery task when a reply was queued.
    pub async fn ingest(
        &self,
        raw: &[u8],
        received_at: DateTime<Utc>,
        source: &Source<'_>,
    ) -> Result<IngestReport, InboundError> {
        let report = self
            .intake
            .ingest(raw, received_at, source, self.clock.now())
            .await?;
        if report.reply.is_some() {
            self.outbox_ready.notify_one();
        }
        Ok(report)
    }

    /// [`Inlet::ingest`] inside a pass: an error on this message is logged and noted in `taken`,
    /// never the end of the pass (SPEC §12).
    pub async fn ingest_in_pass(
        &self,
        raw: &[u8],
        received_at: DateTime<Utc>,
        source: &Source<'_>,
        taken: &mut Taken,
    ) -> Handled {
        match self.ingest(raw, received_at, source).await {
            Ok(report) => {
                taken.reports.push(report);
                Handled::Done
            }
            Err(InboundError::Intake(IntakeError::Stopped)) => Handled::Stopped,
            Err(error) => {
                tracing::error!(source = source.name, %error, "message not taken in; tried again later");
                taken.failed.push(format!("{}: {error}", source.name));
                Handled::Failed
            }
        }
    }

    /// A batch staged beforehand, in one group commit ([`Intake::ingest_staged`]), inside a
    /// pass: what became of each, in order; errors are logged and noted in `taken`. The
    /// delivery task is woken once when any reply was queued.
    pub async fn ingest_staged_in_pass(
        &self,
        batch: &[Incoming<'_>],
        staged: Staged,
        taken: &mut Taken,
    ) -> Vec<Handled> {
        let results = self
            .intake
            .ingest_staged(batch, staged, self.clock.now())
            .await;
        self.handled(batch, results, taken)
    }

    /// What became of each message of `batch`, from its intake result.
    fn handled(
        &self,
        batch: &[Incoming<'_>],
        results: Vec<Result<IngestReport, IntakeError>>,
        taken: &mut Taken,
    ) -> Vec<Handled> {
        let mut replied = false;
        let handled = batch
            .iter()
            .zip(results)
            .map(|(incoming, result)| match result {
                Ok(report) => {
                    replied |= report.reply.is_some();
                    taken.reports.push(report);
                    Handled::Done
                }
                Err(IntakeError::Stopped) => Handled::Stopped,
                Err(error) => {
                    let name = incoming.source.name;
                    tracing::error!(source = name, %error, "message not taken in; tried again later");
                    taken.failed.push(format!("{name}: {error}"));
                    Handled::Failed
                }
            })
            .collect();
        if replied {
            self.outbox_ready.notify_one();
        }
        handled
    }
}

/// What became of one message inside a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Taken in (finished, a duplicate, or quarantined): it may leave the inbound mailbox.
    Done,
    /// Its intake failed (logged and noted); the rest of the pass goes on, and the message is
    /// tried again later, quarantined after three tries.
    Failed,
    /// The daemon is stopping: end the pass.
    Stopped,
}

/// Records a successful look at the inbound mailbox for `health`; a failure to record is logged,
/// never a reason to stop intake.
pub async fn record_poll(inlet: &Inlet<'_>, mailbox: &str) {
    let now = inlet.clock.now();
    if let Err(error) = crate::store::health::record_poll(inlet.store, mailbox, now).await {
        tracing::warn!(%error, mailbox, "cannot record the mailbox poll");
    }
}
