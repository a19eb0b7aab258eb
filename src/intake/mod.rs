//! Intake: one raw message in, a record, a report and (usually) a reply out.
//!
//! The order is what makes it safe: the raw bytes are written to disk and the message recorded
//! before anything is parsed; the data, the outcome and the reply (into the outbox) are then
//! written in one transaction. A crash anywhere leaves either nothing or a recorded message that
//! the next pass finishes, never a form without its receipt or a receipt without its form.
//!
//! The message is recorded from its headers alone, and an attempt counted and committed, before
//! its body is read; the reading (opening every file and reading its forms) happens in the
//! reader process ([`crate::worker`]). A message that failed to finish three times is
//! quarantined instead of tried again (SPEC §12); one the reader gave up on is finished with a
//! return naming the file it could not read.
//!
//! Messages come in batches ([`Intake::ingest_batch`], `batch.rs`): the same order, each step
//! taken for the whole batch at once (one disk sync, a few transactions), each message still
//! settled exactly once. A batch's file work can be done beforehand, on another thread
//! (`staging.rs`, [`Intake::ingest_staged`]), while the batch before it is settled. Settling is `facts.rs` (read) → `plan.rs` (pure) → `apply.rs` (write).

mod again;
pub mod assess;
mod batch;
mod findings;
pub mod held;
mod plan;
mod process;
pub mod report;
mod settle;
mod settling;
mod staging;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::config::Config;
use crate::mail;
use crate::sender::{self, DkimChecker, SenderCheck};
use crate::store::{Store, StoreError};
use crate::worker::{Job, ReadFailure, Reader, Reply};
use assess::AssessContext;
pub use batch::{BATCH_BYTES, BATCH_MESSAGES};
use report::IngestReport;
pub use staging::{Incoming, RawStore, Staged};

#[derive(Debug, Error)]
pub enum IntakeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot store the raw message at {path}: {source}")]
    RawStore {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("intake stopped: the daemon is shutting down")]
    Stopped,
    #[error("message {id} cannot be processed again: {reason}")]
    NotReprocessable { id: i64, reason: String },
    #[error("message {id} is not held for staff (see `reportdesk held` for the ids)")]
    NotHeld { id: i64 },
    #[error("the batch this message came in could not be committed ({0}): it is tried again")]
    Batch(String),
}

/// The intake pipeline, shared by `ingest`, `run` and `demo`.
pub struct Intake<'c> {
    config: &'c Config,
    store: Store,
    template: &'c [u8],
    reader: &'c Reader,
    /// Verifies DKIM signatures for the sender check; without it only the trusted
    /// `Authentication-Results` count.
    dkim: Option<&'c DkimChecker>,
}

/// Whether the sender check may hold a message.
#[derive(Clone)]
enum Trust {
    /// Check the sender; a failing verdict holds the forms (in `enforce`).
    Check,
    /// As `Check`, for mail kept from an unknown sender and processed again (`reprocess`): it
    /// was finished once, so it is taken back from `processed`.
    Kept,
    /// Staff approved it after it was held: recorded whatever this stored verdict says; `by`
    /// (the console user, `cli`, `chat:ID`) is audited with the decision.
    Approved { check: SenderCheck, by: String },
    /// The sender is vouched for by other means than the mail (a logged-in console user's
    /// upload): this verdict stands instead of a check; `answering` says whether the unit is
    /// mailed its reply.
    Vouched {
        check: SenderCheck,
        answering: Answering,
    },
}

/// Whether settling a message mails the sender its reply (SPEC §15: an upload's receipt is
/// optional). Mail is always answered; only an upload may be taken in without a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answering {
    /// The receipt, return or help reply, as for any mail.
    Reply,
    /// Recorded exactly as with a reply (versions, receipt number, outcome), but nothing is
    /// queued for the sender: the uploader unticked 给该单位发回执 and tells the unit another
    /// way. The report's note says so.
    Withheld,
}

/// Where a message came from: a label for the report and the log.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// `file`, `maildir`, …
    pub kind: &'a str,
    /// The file name or mailbox entry, echoed as `file` in the report.
    pub name: &'a str,
}

impl<'c> Intake<'c> {
    /// `template` is the blank form attached to returns and help replies.
    pub fn new(config: &'c Config, store: Store, template: &'c [u8], reader: &'c Reader) -> Self {
        Self {
            config,
            store,
            template,
            reader,
            dkim: None,
        }
    }

    /// Verifies DKIM signatures with `checker` (the daemon's, with its key cache).
    pub fn with_dkim(mut self, checker: &'c DkimChecker) -> Self {
        self.dkim = Some(checker);
        self
    }

    /// Takes in one raw message received by the server at `received_at`; `now` stamps the work.
    /// A batch of one ([`Intake::ingest_batch`]).
    pub async fn ingest(
        &self,
        raw: &[u8],
        received_at: DateTime<Utc>,
        source: &Source<'_>,
        now: DateTime<Utc>,
    ) -> Result<IngestReport, IntakeError> {
        let one = Incoming {
            raw,
            received_at,
            source: source.clone(),
            origin: None,
        };
        self.ingest_batch(std::slice::from_ref(&one), now)
            .await
            .pop()
            .unwrap_or_else(|| Err(IntakeError::Batch("no outcome".into())))
    }

    /// [`Intake::ingest`] with the sender check given instead of made (SPEC §15: a form a
    /// logged-in user uploaded is authenticated by the login, so never held), and the reply
    /// mailed or withheld as `answering` says.
    pub async fn ingest_vouched(
        &self,
        raw: &[u8],
        received_at: DateTime<Utc>,
        source: &Source<'_>,
        now: DateTime<Utc>,
        check: SenderCheck,
        answering: Answering,
    ) -> Result<IngestReport, IntakeError> {
        let one = Incoming {
            raw,
            received_at,
            source: source.clone(),
            origin: None,
        };
        let trust = Trust::Vouched { check, answering };
        self.ingest_batch_trusting(std::slice::from_ref(&one), now, &trust)
            .await
            .pop()
            .unwrap_or_else(|| Err(IntakeError::Batch("no outcome".into())))
    }

    /// The sender verdict of a message (SPEC §13); `None` when the check is off or the message
    /// has no From address.
    async fn check_sender(
        &self,
        raw: &[u8],
        parsed: &mail::InboundMessage,
        now: DateTime<Utc>,
    ) -> Option<SenderCheck> {
        let settings = &self.config.intake.sender_auth;
        let from = parsed.from.as_ref()?;
        if settings.mode == sender::Mode::Off {
            return None;
        }
        Some(sender::check(settings, self.dkim, raw, &from.address, now).await)
    }

    /// The reader's job for a message (`head` its headers): a unit that agreed a password with
    /// the office has its encrypted zips opened with it.
    fn job(&self, raw: &[u8], head: &mail::InboundMessage, ctx: &AssessContext<'_>) -> Job {
        let password = self.archive_password(head);
        let sender = head.from.as_ref().map(|m| m.address.as_str());
        let limits = &self.config.intake.limits;
        ctx.job(
            raw,
            sender,
            limits,
            password.1.as_deref().map(str::as_bytes),
        )
    }

    /// The archive password variable of the sender's unit, and its value when set.
    fn archive_password(&self, head: &mail::InboundMessage) -> (Option<String>, Option<String>) {
        let var = head
            .from
            .as_ref()
            .and_then(|m| self.config.roster.by_address(&m.address))
            .and_then(|u| u.archive_password_env);
        let password = var
            .as_deref()
            .and_then(|var| std::env::var(var).ok())
            .filter(|p| !p.is_empty());
        (var, password)
    }

    /// What the reader process made of a message: parsed, with the forms of its workbooks and
    /// Word files read. When the reader gave up (it died, or overran `worker_seconds`), the
    /// message is `head` (its headers) with a problem naming the file it was on, and is finished
    /// like any other.
    fn read_result(
        &self,
        read: Result<Reply, ReadFailure>,
        head: &mail::InboundMessage,
        ctx: &AssessContext<'_>,
    ) -> Result<(mail::InboundMessage, assess::Reading), IntakeError> {
        match read {
            Ok(reply) => {
                let encrypted = reply
                    .message
                    .problems
                    .iter()
                    .any(|p| p.kind == mail::ProblemKind::Encrypted);
                // Looked up again only for the rare encrypted zip left closed.
                if encrypted && let (Some(var), None) = self.archive_password(head) {
                    tracing::error!(
                        var,
                        "a unit's archive password variable is not set; encrypted zip left closed"
                    );
                }
                Ok((reply.message, reply.reading))
            }
            Err(ReadFailure::Stopped) => Err(IntakeError::Stopped),
            Err(ReadFailure::Unreadable { file, why }) => {
                tracing::warn!(
                    file = file.as_deref().unwrap_or("-"),
                    why,
                    "reader gave up on a message"
                );
                let mut message = head.clone();
                message.problems = vec![unreadable(file)];
                let reading =
                    assess::read_attachments(&message, &ctx.read_settings(), None, |_| {});
                Ok((message, reading))
            }
        }
    }
}

/// Writes through a temporary file and a rename, synced, so a crash never leaves half a file.
pub use crate::durable::write_atomically;

/// The problem of a file (or, without a name, a message) the reader could not read.
fn unreadable(file: Option<String>) -> mail::AttachmentProblem {
    mail::AttachmentProblem::new(file.unwrap_or_default(), mail::ProblemKind::Unreadable)
}
