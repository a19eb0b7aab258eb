//! Everything after a message is recorded, in two halves: [`Intake::prepare`] reads it (in the
//! reader process) and checks its sender, outside any transaction; [`Intake::settle_in`] takes
//! it, holds or settles it and writes the outcome inside the caller's transaction. One message
//! alone is [`Intake::process`]; a batch settles many in one transaction ([`super::batch`]).

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::assess::{self, AssessContext};
use super::report::{IngestReport, duplicate_report};
use super::settle::facts::Known;
use super::{Answering, Intake, IntakeError, Trust, held, settle};
use crate::domain::period::Period;
use crate::mail;
use crate::sender::SenderCheck;
use crate::store::held as store_held;
use crate::store::installation::{self, MessageIdSecret};
use crate::store::messages::{self, MessageRow};
use crate::store::quarantine;
use crate::store::writes::Writes;
use crate::store::{Framing, StoreError, Tx};
use crate::worker::{ReadFailure, Reply};

/// A recorded message to read: its raw bytes, headers, row and file name.
pub(super) struct ToRead<'r> {
    pub raw: &'r [u8],
    pub head: &'r mail::InboundMessage,
    pub row: &'r MessageRow,
    pub file: &'r str,
}

/// A message read and its sender checked, ready to be settled.
pub(super) struct Prepared<'r> {
    pub raw: &'r [u8],
    pub row: &'r MessageRow,
    pub file: &'r str,
    pub parsed: mail::InboundMessage,
    /// What its attachments hold, read by the reader process.
    pub reading: assess::Reading,
    pub check: Option<SenderCheck>,
    /// Staff approved it after it was held: who (audited with the decision).
    pub approved: Option<String>,
    /// Kept from an unknown sender, processed again.
    pub kept: bool,
    /// Whether the sender is mailed its reply.
    pub answering: Answering,
}

impl Intake<'_> {
    /// One message alone: prepared, then settled in its own transaction.
    pub(super) async fn process(
        &self,
        raw: &[u8],
        head: mail::InboundMessage,
        row: &MessageRow,
        file: &str,
        now: DateTime<Utc>,
        trust: Trust,
    ) -> Result<IngestReport, IntakeError> {
        let one = ToRead {
            raw,
            head: &head,
            row,
            file,
        };
        let prepared = self.prepare_many(vec![one], now, &trust).await.pop();
        let prepared = prepared.unwrap_or(Err(IntakeError::Stopped))?;
        let mut tx = self.store.begin().await?;
        let secret = installation::message_id_secret(&mut tx).await?;
        let mut known = Known::default();
        let mut framing = Framing::none();
        let report = self
            .settle_in(
                &mut tx,
                prepared,
                &secret,
                now,
                &mut framing,
                None,
                &mut known,
            )
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        log_processed(row, &report);
        Ok(report)
    }

    /// [`Intake::prepare_into`], collected.
    pub(super) async fn prepare_many<'r>(
        &self,
        messages: Vec<ToRead<'r>>,
        now: DateTime<Utc>,
        trust: &Trust,
    ) -> Vec<Result<Prepared<'r>, IntakeError>> {
        let (ready, mut prepared) = mpsc::unbounded_channel();
        self.prepare_into(&messages, now, trust, ready).await;
        let mut all = Vec::with_capacity(messages.len());
        while let Some(one) = prepared.recv().await {
            all.push(one);
        }
        all
    }

    /// Reads the messages in the reader process, one after another without a pause, checks
    /// each sender and sends each to `ready` as soon as it is prepared: one result each, in
    /// order. A read that fails is noted on its message (three such and it is quarantined).
    pub(super) async fn prepare_into<'r>(
        &self,
        messages: &[ToRead<'r>],
        now: DateTime<Utc>,
        trust: &Trust,
        ready: mpsc::UnboundedSender<Result<Prepared<'r>, IntakeError>>,
    ) {
        let office = &self.config.office;
        let roster = self.config.roster.current();
        let contexts: Vec<AssessContext<'_>> = messages
            .iter()
            .map(|m| AssessContext {
                roster: &roster,
                office_address: &office.address,
                open_period: Period::open_at(office.zone.date_of(m.row.received_at)),
                plausibility_bound: self.config.intake.plausibility_bound,
                max_uncompressed_bytes: self.config.intake.limits.max_uncompressed_bytes,
            })
            .collect();
        let jobs = messages
            .iter()
            .zip(&contexts)
            .map(|(m, ctx)| self.job(m.raw, m.head, ctx));
        let (read, mut reads) = mpsc::unbounded_channel();
        let reading = async move {
            self.reader
                .read_each(jobs, &mut |one| {
                    let _ = read.send(one);
                })
                .await;
        };
        let preparing = async {
            for (message, ctx) in messages.iter().zip(&contexts) {
                let read = reads.recv().await.unwrap_or(Err(ReadFailure::Stopped));
                let _ = ready.send(self.prepared(message, ctx, read, now, trust).await);
            }
        };
        tokio::join!(reading, preparing);
    }

    /// What a message came to once read: ready to settle, or why not.
    async fn prepared<'r>(
        &self,
        message: &ToRead<'r>,
        ctx: &AssessContext<'_>,
        read: Result<Reply, ReadFailure>,
        now: DateTime<Utc>,
        trust: &Trust,
    ) -> Result<Prepared<'r>, IntakeError> {
        let (parsed, reading) = match self.read_result(read, message.head, ctx) {
            Ok(read) => read,
            Err(error) => {
                let _ =
                    quarantine::note_failure(&self.store, message.row.id, &error.to_string()).await;
                return Err(error);
            }
        };
        let (check, approved, kept) = self.trusted(message.raw, &parsed, now, trust).await;
        let answering = match trust {
            Trust::Vouched { answering, .. } => *answering,
            _ => Answering::Reply,
        };
        Ok(Prepared {
            raw: message.raw,
            row: message.row,
            file: message.file,
            parsed,
            reading,
            check,
            approved,
            kept,
            answering,
        })
    }

    /// The sender verdict of a read message under `trust`, who approved it, and whether it
    /// was kept from an unknown sender.
    async fn trusted(
        &self,
        raw: &[u8],
        parsed: &mail::InboundMessage,
        now: DateTime<Utc>,
        trust: &Trust,
    ) -> (Option<SenderCheck>, Option<String>, bool) {
        match trust {
            Trust::Check => (self.check_sender(raw, parsed, now).await, None, false),
            Trust::Kept => (self.check_sender(raw, parsed, now).await, None, true),
            Trust::Approved { check, by } => (Some(check.clone()), Some(by.clone()), false),
            Trust::Vouched { check, .. } => (Some(check.clone()), None, false),
        }
    }

    /// Takes the message and writes what it came to inside `tx`: held for staff, or settled
    /// (record, outcome, reply; `secret` signs the reply's Message-ID). A message another
    /// process finished meanwhile is a duplicate. `framing` wraps the message's writes (a
    /// batch's savepoint); `received` says whether it is still to be taken, when the
    /// transaction already asked (`None`: the take asks); `known` is what earlier messages of
    /// the transaction read and wrote.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn settle_in(
        &self,
        tx: &mut Tx,
        prepared: Prepared<'_>,
        secret: &MessageIdSecret,
        now: DateTime<Utc>,
        framing: &mut Framing,
        received: Option<bool>,
        known: &mut Known,
    ) -> Result<IngestReport, IntakeError> {
        let Prepared {
            raw,
            row,
            file,
            parsed,
            reading,
            check,
            approved,
            kept,
            answering,
        } = prepared;
        let open_period = Period::open_at(self.config.office.zone.date_of(row.received_at));
        // The roster now: an edit saved in the console counts from the next message on.
        let roster = self.config.roster.current();
        let verdict = assess::verdict(&parsed, reading, &roster, &self.config.office.address);
        let settings = &self.config.intake.sender_auth;
        let stored = check.as_ref().map(|c| messages::StoredCheck {
            verdict: c.verdict,
            evidence: &c.evidence,
        });
        let taking = if kept {
            messages::Taking::Kept
        } else {
            messages::Taking::Received
        };
        // The message's first writes: its take, after the framing's opening, unless the take
        // must ask whether the message is still to be taken.
        let mut first = Writes::new();
        let taken = match received {
            None => messages::take(tx, framing.open(), row.id, stored, taking).await?,
            Some(false) => false,
            Some(true) => {
                first = framing.open();
                messages::take_received_into(&mut first, row.id, stored);
                true
            }
        };
        if !taken {
            // Another process (the daemon beside `ingest`) finished it meanwhile.
            return Ok(duplicate_report(file, &parsed, row));
        }
        let hold = approved.is_none() && held::should_hold(settings, &verdict, check.as_ref());
        let to_hold = match (&verdict, &check) {
            (assess::Verdict::Unit { unit, reading }, Some(check)) if hold => {
                Some((*unit, reading, check))
            }
            _ => None,
        };
        if let Some((unit, reading, check)) = to_hold {
            let holding = held::Holding {
                config: self.config,
                row,
                from: parsed.from.as_ref().map_or("", |m| m.address.as_str()),
                file,
                message_id: parsed.message_id.as_deref(),
                now,
            };
            // Holding writes what `known` does not follow (a staff alert into the outbox).
            known.clear();
            first.run(tx).await?;
            let report = holding.hold(tx, unit, reading, check).await?;
            let mut last = Writes::new();
            framing.close(&mut last);
            last.run(tx).await?;
            return Ok(report);
        }
        let settler = settle::Settler {
            config: self.config,
            template: self.template,
            message: &parsed,
            raw,
            row,
            file,
            now,
            sender_check: check.as_ref(),
            approved: approved.is_some(),
            answering,
            secret,
        };
        let report = settler
            .settle(tx, verdict, open_period, known, (first, framing))
            .await?;
        if let Some(by) = &approved {
            let decided = store_held::Decision::Approved;
            if !store_held::decide(tx, row.id, decided, by, now).await? {
                return Err(IntakeError::NotHeld { id: row.id });
            }
        }
        Ok(report)
    }
}

/// The log line of a message whose outcome was committed (none for one another process
/// finished first).
pub(super) fn log_processed(row: &MessageRow, report: &IngestReport) {
    if report.outcome == super::report::Outcome::Duplicate {
        return;
    }
    tracing::info!(
        key = %row.message_key,
        outcome = report.outcome.as_str(),
        unit = report.unit.as_deref().unwrap_or("-"),
        "message processed"
    );
}
