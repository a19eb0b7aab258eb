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

mod again;
pub mod assess;
mod cases;
mod corrections;
mod findings;
pub mod held;
pub mod report;
mod settle;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::config::Config;
use crate::domain::period::Period;
use crate::mail;
use crate::notify::alerts::{Alert, queue_alert};
use crate::sender::{self, DkimChecker, SenderCheck};
use crate::store::held as store_held;
use crate::store::messages::{self, NewMessage, Recorded};
use crate::store::quarantine::{self, Attempt};
use crate::store::{Store, StoreError};
use crate::worker::{ReadFailure, Reader};
use assess::AssessContext;
use report::{IngestReport, duplicate_report, quarantined_report};

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
enum Trust {
    /// Check the sender; a failing verdict holds the forms (in `enforce`).
    Check,
    /// As `Check`, for mail kept from an unknown sender and processed again (`reprocess`): it
    /// was finished once, so it is taken back from `processed`.
    Kept,
    /// Staff approved it after it was held: recorded whatever this stored verdict says.
    Approved(SenderCheck),
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
    pub async fn ingest(
        &self,
        raw: &[u8],
        received_at: DateTime<Utc>,
        source: &Source<'_>,
        now: DateTime<Utc>,
    ) -> Result<IngestReport, IntakeError> {
        let sha = hex::encode(Sha256::digest(raw));
        let raw_path = self.store_raw(raw, &sha)?;
        let head = mail::parse_headers_only(raw, unreadable(None));
        let key = mail::message_key(&head, raw);
        let sender = head.from.as_ref().map(|m| m.address.clone());
        let new = NewMessage {
            message_key: &key,
            message_id: head.message_id.as_deref(),
            sender: sender.as_deref(),
            subject: &head.subject,
            received_at,
            raw_path: &raw_path,
            raw_sha256: &sha,
            source: &format!("{}:{}", source.kind, source.name),
        };
        let row = match messages::record(&self.store, &new).await? {
            Recorded::AlreadyProcessed(row) => {
                tracing::info!(key = %key, "duplicate message, already processed");
                return Ok(duplicate_report(source.name, &head, &row));
            }
            Recorded::ToProcess(row) => row,
        };
        if store_held::pending(&self.store, row.id).await?.is_some() {
            tracing::info!(key = %key, id = row.id, "held message fetched again: waits for staff");
            return Ok(IngestReport {
                note: Some(format!(
                    "held for staff (message {}): nothing stored, nothing sent",
                    row.id
                )),
                ..duplicate_report(source.name, &head, &row)
            });
        }
        if let Attempt::Quarantined = self.begin_attempt(&row, &head, now).await? {
            tracing::warn!(key = %key, id = row.id, "message quarantined after failed attempts");
            return Ok(quarantined_report(source.name, &head, &row));
        }
        self.process(raw, head, &row, source.name, now, Trust::Check)
            .await
    }

    /// Everything after the message is recorded: assess, settle, commit.
    async fn process(
        &self,
        raw: &[u8],
        head: mail::InboundMessage,
        row: &messages::MessageRow,
        file: &str,
        now: DateTime<Utc>,
        trust: Trust,
    ) -> Result<IngestReport, IntakeError> {
        let key = &row.message_key;
        let open_period = Period::open_at(self.config.office.date_of(row.received_at));
        // The roster now: an edit saved in the console counts from the next message on.
        let roster = self.config.roster.current();
        let ctx = AssessContext {
            roster: &roster,
            office_address: &self.config.office.address,
            open_period,
            plausibility_bound: self.config.intake.plausibility_bound,
            max_uncompressed_bytes: self.config.intake.limits.max_uncompressed_bytes,
        };
        let (parsed, reading) = match self.read(raw, head, &ctx).await {
            Ok(read) => read,
            Err(error) => {
                let _ = quarantine::note_failure(&self.store, row.id, &error.to_string()).await;
                return Err(error);
            }
        };
        let verdict = assess::verdict(&parsed, reading, &roster, ctx.office_address);
        let (check, approved, kept) = match trust {
            Trust::Check => (self.check_sender(raw, &parsed, now).await, false, false),
            Trust::Kept => (self.check_sender(raw, &parsed, now).await, false, true),
            Trust::Approved(check) => (Some(check), true, false),
        };
        let settings = &self.config.intake.sender_auth;
        let mut tx = self.store.begin().await?;
        let taken = if kept {
            messages::take_kept(&mut tx, row.id).await?
        } else {
            messages::take(&mut tx, row.id).await?
        };
        if !taken {
            // Another process (the daemon beside `ingest`) finished it meanwhile.
            tx.rollback().await.map_err(StoreError::from)?;
            return Ok(duplicate_report(file, &parsed, row));
        }
        if let Some(check) = &check {
            store_held::set_sender_check(&mut tx, row.id, check.verdict.as_str(), &check.evidence)
                .await?;
        }
        let hold = !approved && held::should_hold(settings, &verdict, check.as_ref());
        let to_hold = match (&verdict, &check) {
            (assess::Verdict::Unit { unit, reading }, Some(check)) if hold => {
                Some((*unit, reading, check))
            }
            _ => None,
        };
        let report = match to_hold {
            Some((unit, reading, check)) => {
                let holding = held::Holding {
                    config: self.config,
                    row,
                    from: parsed.from.as_ref().map_or("", |m| m.address.as_str()),
                    file,
                    message_id: parsed.message_id.as_deref(),
                    now,
                };
                holding.hold(&mut tx, unit, reading, check).await?
            }
            None => {
                let settler = settle::Settler {
                    config: self.config,
                    template: self.template,
                    message: &parsed,
                    raw,
                    row,
                    file,
                    now,
                    sender_check: check.as_ref(),
                    approved,
                };
                let report = settler.settle(&mut tx, verdict, open_period).await?;
                if approved
                    && !store_held::decide(&mut tx, row.id, store_held::Decision::Approved, now)
                        .await?
                {
                    return Err(IntakeError::NotHeld { id: row.id });
                }
                report
            }
        };
        tx.commit().await.map_err(StoreError::from)?;
        tracing::info!(
            key = %key,
            outcome = report.outcome.as_str(),
            unit = report.unit.as_deref().unwrap_or("-"),
            "message processed"
        );
        Ok(report)
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

    /// Counts a try at `row` before anything of it is read; when it is set aside instead, the
    /// staff alert is queued in the same transaction (once per message: the alert's key).
    async fn begin_attempt(
        &self,
        row: &messages::MessageRow,
        head: &mail::InboundMessage,
        now: DateTime<Utc>,
    ) -> Result<Attempt, IntakeError> {
        let mut tx = self.store.begin().await?;
        let attempt = quarantine::begin_attempt_in(&mut tx, row.id, now).await?;
        if attempt == Attempt::Quarantined {
            let alert = Alert::Quarantined {
                message: row.id,
                from: head
                    .from
                    .as_ref()
                    .map(|m| m.address.clone())
                    .unwrap_or_default(),
                subject: head.subject.clone(),
                reason: quarantine::last_error(&mut tx, row.id)
                    .await?
                    .unwrap_or_default(),
            };
            queue_alert(&mut tx, &alert, now).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(attempt)
    }

    /// Reads the message in the reader process: parsed, with the forms of its workbooks and Word
    /// files read. A unit that agreed a password with the office has its encrypted zips opened
    /// with it. When the reader gives up (it died, or overran `worker_seconds`), the message is
    /// `head` (its headers) with a problem naming the file it was on, and is finished like any
    /// other.
    async fn read(
        &self,
        raw: &[u8],
        head: mail::InboundMessage,
        ctx: &AssessContext<'_>,
    ) -> Result<(mail::InboundMessage, assess::Reading), IntakeError> {
        let limits = &self.config.intake.limits;
        let var = head
            .from
            .as_ref()
            .and_then(|m| self.config.roster.by_address(&m.address))
            .and_then(|u| u.archive_password_env);
        let password = var
            .as_deref()
            .and_then(|var| std::env::var(var).ok())
            .filter(|p| !p.is_empty());
        let job = ctx.job(raw, limits, password.as_deref().map(str::as_bytes));
        match self.reader.read(&job).await {
            Ok(reply) => {
                let encrypted = reply
                    .message
                    .problems
                    .iter()
                    .any(|p| p.kind == mail::ProblemKind::Encrypted);
                if let (Some(var), None, true) = (var.as_deref(), &password, encrypted) {
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
                let mut message = head;
                message.problems = vec![unreadable(file)];
                let reading =
                    assess::read_attachments(&message, &ctx.read_settings(), None, |_| {});
                Ok((message, reading))
            }
        }
    }

    /// Writes the raw bytes under `raw/` by content, once; returns the path relative to the data dir.
    fn store_raw(&self, raw: &[u8], sha: &str) -> Result<String, IntakeError> {
        let relative = format!("raw/{}/{sha}.eml", &sha[..2]);
        let path = self.config.data_dir.join(&relative);
        if path.exists() {
            return Ok(relative);
        }
        write_atomically(&path, raw).map_err(|source| IntakeError::RawStore { path, source })?;
        Ok(relative)
    }
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let mut tmp = tempfile_in(folder)?;
    tmp.1.write_all(bytes)?;
    tmp.1.sync_all()?;
    std::fs::rename(&tmp.0, path)
}

fn tempfile_in(folder: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    for attempt in 0..100u32 {
        let path = folder.join(format!(".tmp-{}-{attempt}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
}

/// The problem of a file (or, without a name, a message) the reader could not read.
fn unreadable(file: Option<String>) -> mail::AttachmentProblem {
    mail::AttachmentProblem::new(file.unwrap_or_default(), mail::ProblemKind::Unreadable)
}
