//! Intake: one raw message in, a record, a report and (usually) a reply out.
//!
//! The order is what makes it safe: the raw bytes are written to disk and the message recorded
//! before anything is parsed; the data, the outcome and the reply (into the outbox) are then
//! written in one transaction. A crash anywhere leaves either nothing or a recorded message that
//! the next pass finishes, never a form without its receipt or a receipt without its form.
//!
//! The message is recorded from its headers alone, and an attempt counted and committed, before
//! its body is read; the reading happens in the reader process ([`crate::worker`]). A message
//! that failed to finish three times is quarantined instead of tried again (SPEC §12); one the
//! reader gave up on is finished with a return naming the file it could not read.

pub mod assess;
mod cases;
mod findings;
pub mod report;
mod settle;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::config::Config;
use crate::domain::echo;
use crate::domain::period::Period;
use crate::mail;
use crate::notify::alerts::{Alert, queue_alert};
use crate::store::messages::{self, NewMessage, Recorded};
use crate::store::quarantine::{self, Attempt};
use crate::store::{Store, StoreError};
use crate::worker::{Job, Opened, ReadFailure, Reader};
use assess::AssessContext;
use report::{IngestReport, Outcome};

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
}

/// The intake pipeline, shared by `ingest`, `run` and `demo`.
pub struct Intake<'c> {
    config: &'c Config,
    store: Store,
    template: &'c [u8],
    reader: &'c Reader,
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
        }
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
        if let Attempt::Quarantined = self.begin_attempt(&row, &head, now).await? {
            tracing::warn!(key = %key, id = row.id, "message quarantined after failed attempts");
            return Ok(quarantined_report(source.name, &head, &row));
        }
        self.process(raw, head, &row, source.name, now).await
    }

    /// Runs a kept message through intake again (SPEC §13): mail from an address that was not in
    /// the roster when it came, now registered. It counts at its original receipt time; the
    /// reply goes out as for new mail. Anything else is refused, so nothing is recorded twice.
    pub async fn reprocess(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<IngestReport, IntakeError> {
        let refuse = |reason: String| IntakeError::NotReprocessable { id, reason };
        let row = messages::by_id(&self.store, id)
            .await?
            .ok_or_else(|| refuse("no message has this ID (see `reportdesk status`)".into()))?;
        let kept = row.state == "processed"
            && row.unit_code.is_none()
            && row.outcome.as_deref() == Some("rejected");
        if !kept {
            return Err(refuse(format!(
                "it is not mail kept from an unknown sender (outcome {}, unit {})",
                row.outcome.as_deref().unwrap_or("-"),
                row.unit_code.as_deref().unwrap_or("-")
            )));
        }
        let sender = row.sender.clone().unwrap_or_default();
        if self.config.roster.by_address(&sender).is_none() {
            return Err(refuse(format!(
                "{} is still not in the roster {}: add it to a unit's `addresses` first",
                echo::printable_line(&sender),
                self.config.roster_path.display()
            )));
        }
        let path = self.config.data_dir.join(&row.raw_path);
        let raw = std::fs::read(&path).map_err(|source| IntakeError::RawStore { path, source })?;
        let head = mail::parse_headers_only(&raw, unreadable(None));
        let file = format!("reprocess:{id}");
        self.process(&raw, head, &row, &file, now).await
    }

    /// Everything after the message is recorded: assess, settle, commit.
    async fn process(
        &self,
        raw: &[u8],
        head: mail::InboundMessage,
        row: &messages::MessageRow,
        file: &str,
        now: DateTime<Utc>,
    ) -> Result<IngestReport, IntakeError> {
        let key = &row.message_key;
        let (parsed, opened) = match self.read(raw, head).await {
            Ok(read) => read,
            Err(error) => {
                let _ = quarantine::note_failure(&self.store, row.id, &error.to_string()).await;
                return Err(error);
            }
        };
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
        let verdict = assess::assess_opened(&parsed, &opened, &ctx);
        let settler = settle::Settler {
            config: self.config,
            template: self.template,
            message: &parsed,
            raw,
            row,
            file,
            now,
        };
        let mut tx = self.store.begin().await?;
        if !messages::take(&mut tx, row.id).await? {
            // Another process (the daemon beside `ingest`) finished it meanwhile.
            tx.rollback().await.map_err(StoreError::from)?;
            return Ok(duplicate_report(source.name, &parsed, &row));
        }
        let report = settler.settle(&mut tx, verdict, open_period).await?;
        tx.commit().await.map_err(StoreError::from)?;
        tracing::info!(
            key = %key,
            outcome = report.outcome.as_str(),
            unit = report.unit.as_deref().unwrap_or("-"),
            "message processed"
        );
        Ok(report)
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

    /// Reads the message in the reader process: parsed, with each workbook and Word file opened.
    /// A unit that agreed a password with the office has its encrypted zips opened with it. When
    /// the reader gives up (it died, or overran `worker_seconds`), the message is `head` (its
    /// headers) with a problem naming the file it was on, and is finished like any other.
    async fn read(
        &self,
        raw: &[u8],
        head: mail::InboundMessage,
    ) -> Result<(mail::InboundMessage, Vec<Opened>), IntakeError> {
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
        let job = Job::new(raw, limits, password.as_deref().map(str::as_bytes));
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
                Ok((reply.message, reply.opened))
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
                Ok((message, Vec::new()))
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

fn quarantined_report(
    file: &str,
    parsed: &mail::InboundMessage,
    row: &messages::MessageRow,
) -> IngestReport {
    IngestReport {
        outcome: Outcome::Quarantined,
        note: Some(format!(
            "failed to finish {} times: quarantined (message {}), nothing sent; \
             `reportdesk quarantine release {}` tries it again",
            quarantine::MAX_ATTEMPTS,
            row.id,
            row.id
        )),
        ..duplicate_report(file, parsed, row)
    }
}

fn duplicate_report(
    file: &str,
    parsed: &mail::InboundMessage,
    row: &messages::MessageRow,
) -> IngestReport {
    IngestReport {
        file: file.to_string(),
        message_id: parsed.message_id.clone(),
        from: row.sender.clone(),
        unit: row.unit_code.clone(),
        outcome: Outcome::Duplicate,
        received_at: row.received_at.to_rfc3339(),
        receipt_no: None,
        forms: vec![],
        errors: vec![],
        note: Some(format!(
            "already processed ({}); nothing stored, nothing sent",
            row.outcome.as_deref().unwrap_or("-")
        )),
        reply: None,
    }
}
