//! Group commit: a batch of raw messages taken in with one disk sync for their raw files and a
//! few transactions for all of them, each message still exactly once.
//!
//! The order is the single message's, batch-wide: (1) every raw file is written and made
//! durable when the batch is staged (`staging.rs`: one `syncfs` for them all, possibly on
//! another thread while the batch before is settled); (2) then the messages are
//! recorded and (3) an attempt is counted for each, in one transaction (a round trip each)
//! committed before any of them is read; (4) each is read (in the reader process) and its
//! sender checked, outside any transaction, while (5) the ones read are settled
//! (`settling.rs`): in one transaction while the reader keeps up, each inside its own
//! savepoint, so one that fails is rolled back alone and tried again later.
//! A crash before (2) and (3) commit leaves only raw files (the mailbox still has the
//! messages); after it, recorded rows that the next start finishes ([`super::Intake`]'s
//! resume); after (5), a message fetched again is a duplicate. Nothing is lost and nothing is
//! recorded twice.
//!
//! A message whose key repeats one earlier in the same batch starts a new batch, so the second
//! is seen as a duplicate exactly as when the two come one after another.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::report::{IngestReport, duplicate_report, quarantined_report};
use super::staging::{Incoming, RawStore, Staged};
use super::{Intake, IntakeError, Trust};
use crate::mail::InboundMessage;
use crate::notify::alerts::{Alert, queue_alert};
use crate::store::held as store_held;
use crate::store::messages::{self, MessageRow, NewMessage, Recorded};
use crate::store::quarantine::{self, Attempt};
use crate::store::{StoreError, Tx};

/// At most this many messages are settled in one transaction.
pub const BATCH_MESSAGES: usize = 64;
/// A batch is closed once its raw messages reach this many bytes (memory stays bounded).
pub const BATCH_BYTES: usize = 16 * 1024 * 1024;

/// A message of the batch recorded and counted, to be read and settled.
pub(super) struct Recorded1 {
    pub index: usize,
    pub row: MessageRow,
    pub head: InboundMessage,
}

pub(super) type Outcomes = Vec<Option<Result<IngestReport, IntakeError>>>;

impl Intake<'_> {
    /// Takes in a batch of raw messages; one result per message, in order. A message may be
    /// taken out of its mailbox once its result is `Ok`.
    pub async fn ingest_batch(
        &self,
        batch: &[Incoming<'_>],
        now: DateTime<Utc>,
    ) -> Vec<Result<IngestReport, IntakeError>> {
        self.ingest_batch_trusting(batch, now, &Trust::Check).await
    }

    /// [`Intake::ingest_batch`] with every message's sender taken as `trust` says.
    pub(super) async fn ingest_batch_trusting(
        &self,
        batch: &[Incoming<'_>],
        now: DateTime<Utc>,
        trust: &Trust,
    ) -> Vec<Result<IngestReport, IntakeError>> {
        let staged = self.raw_store().stage(batch);
        self.ingest_staged_trusting(batch, staged, now, trust).await
    }

    /// Where [`Intake::ingest_staged`]'s batches are staged.
    pub fn raw_store(&self) -> RawStore {
        RawStore::new(&self.config.data_dir)
    }

    /// [`Intake::ingest_batch`] of a batch already staged ([`RawStore::stage`], on any thread):
    /// an inbound task stages the next batch while this one is settled.
    pub async fn ingest_staged(
        &self,
        batch: &[Incoming<'_>],
        staged: Staged,
        now: DateTime<Utc>,
    ) -> Vec<Result<IngestReport, IntakeError>> {
        self.ingest_staged_trusting(batch, staged, now, &Trust::Check)
            .await
    }

    async fn ingest_staged_trusting(
        &self,
        batch: &[Incoming<'_>],
        staged: Staged,
        now: DateTime<Utc>,
        trust: &Trust,
    ) -> Vec<Result<IngestReport, IntakeError>> {
        if staged.len() != batch.len() {
            let why = format!("{} staged for {} messages", staged.len(), batch.len());
            return batch.iter().map(|_| Err(batch_failed(&why))).collect();
        }
        let Staged {
            heads,
            keys,
            stored,
        } = staged;
        let mut results = Vec::with_capacity(batch.len());
        let (mut heads, mut stored) = (heads.into_iter(), stored.into_iter());
        for run in runs_of_distinct(&keys) {
            let run_heads: Vec<InboundMessage> = heads.by_ref().take(run.len()).collect();
            let run_stored: Vec<_> = stored.by_ref().take(run.len()).collect();
            let done = self
                .ingest_run(
                    &batch[run.clone()],
                    run_heads,
                    &keys[run],
                    run_stored,
                    now,
                    trust,
                )
                .await;
            results.extend(done);
        }
        results
    }

    /// A batch whose keys are all different, its raw files stored.
    async fn ingest_run(
        &self,
        batch: &[Incoming<'_>],
        heads: Vec<InboundMessage>,
        keys: &[String],
        stored: Vec<Result<(String, String), IntakeError>>,
        now: DateTime<Utc>,
        trust: &Trust,
    ) -> Vec<Result<IngestReport, IntakeError>> {
        let mut outcomes: Outcomes = (0..batch.len()).map(|_| None).collect();
        let recorded = self
            .record_and_count(batch, heads, keys, stored, &mut outcomes, now)
            .await;
        match recorded {
            Ok(recorded) => {
                self.settle_batch(batch, recorded, &mut outcomes, now, trust)
                    .await
            }
            Err(error) => fail_open(&mut outcomes, &error),
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(batch_failed("no outcome"))))
            .collect()
    }

    /// Records the stored messages and counts a try at each to be read, in one transaction
    /// committed before any of them is read.
    async fn record_and_count(
        &self,
        batch: &[Incoming<'_>],
        heads: Vec<InboundMessage>,
        keys: &[String],
        stored: Vec<Result<(String, String), IntakeError>>,
        outcomes: &mut Outcomes,
        now: DateTime<Utc>,
    ) -> Result<Vec<Recorded1>, IntakeError> {
        let mut tx = self.store.begin().await?;
        let recorded = record_batch(&mut tx, batch, heads, keys, stored, outcomes).await?;
        let to_read = count_attempts(&mut tx, recorded, batch, outcomes, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(to_read)
    }
}

/// Records the stored messages; duplicates and held messages are done.
async fn record_batch(
    tx: &mut Tx,
    batch: &[Incoming<'_>],
    heads: Vec<InboundMessage>,
    keys: &[String],
    stored: Vec<Result<(String, String), IntakeError>>,
    outcomes: &mut Outcomes,
) -> Result<Vec<Recorded1>, IntakeError> {
    let mut stored_ones = Vec::with_capacity(batch.len());
    let items = heads.into_iter().zip(keys).zip(stored).enumerate();
    for (index, ((head, key), stored)) in items {
        match stored {
            Ok((raw_path, sha)) => stored_ones.push((index, head, key, raw_path, sha)),
            Err(error) => outcomes[index] = Some(Err(error)),
        }
    }
    let sources: Vec<String> = stored_ones
        .iter()
        .map(|(index, ..)| {
            let source = &batch[*index].source;
            format!("{}:{}", source.kind, source.name)
        })
        .collect();
    let news: Vec<NewMessage<'_>> = stored_ones
        .iter()
        .zip(&sources)
        .map(|((index, head, key, raw_path, sha), source)| NewMessage {
            message_key: key,
            message_id: head.message_id.as_deref(),
            sender: head.from.as_ref().map(|m| m.address.as_str()),
            subject: &head.subject,
            received_at: batch[*index].received_at,
            raw_path,
            raw_sha256: sha,
            source,
        })
        .collect();
    let rows = messages::record_all(tx, &news).await?;
    let mut recorded = Vec::new();
    for ((index, head, key, ..), row) in stored_ones.into_iter().zip(rows) {
        match row {
            Recorded::AlreadyProcessed(row) => {
                tracing::info!(key = %key, "duplicate message, already processed");
                let name = batch[index].source.name;
                outcomes[index] = Some(Ok(duplicate_report(name, &head, &row)));
            }
            Recorded::ToProcess(row) => recorded.push(Recorded1 { index, row, head }),
        }
    }
    let ids: Vec<i64> = recorded.iter().map(|one| one.row.id).collect();
    let held = store_held::pending_among(tx, &ids).await?;
    let mut waiting = Vec::with_capacity(recorded.len());
    for one in recorded {
        if !held.contains(&one.row.id) {
            waiting.push(one);
            continue;
        }
        let name = batch[one.index].source.name;
        tracing::info!(key = %one.row.message_key, id = one.row.id, "held message fetched again: waits for staff");
        outcomes[one.index] = Some(Ok(IngestReport {
            note: Some(format!(
                "held for staff (message {}): nothing stored, nothing sent",
                one.row.id
            )),
            ..duplicate_report(name, &one.head, &one.row)
        }));
    }
    Ok(waiting)
}

/// Counts a try at each message before anything of it is read; one set aside instead has
/// its staff alert queued with it (once per message: the alert's key).
async fn count_attempts(
    tx: &mut Tx,
    recorded: Vec<Recorded1>,
    batch: &[Incoming<'_>],
    outcomes: &mut Outcomes,
    now: DateTime<Utc>,
) -> Result<Vec<Recorded1>, IntakeError> {
    let ids: Vec<i64> = recorded.iter().map(|one| one.row.id).collect();
    let attempts = quarantine::begin_attempts_in(tx, &ids, now).await?;
    let mut to_read = Vec::with_capacity(recorded.len());
    for (one, attempt) in recorded.into_iter().zip(attempts) {
        if attempt == Attempt::Quarantined {
            set_aside_alert(tx, &one.row, &one.head, now).await?;
            let name = batch[one.index].source.name;
            tracing::warn!(key = %one.row.message_key, id = one.row.id, "message quarantined after failed attempts");
            outcomes[one.index] = Some(Ok(quarantined_report(name, &one.head, &one.row)));
        } else {
            to_read.push(one);
        }
    }
    Ok(to_read)
}

/// Queues the staff alert of `row`, set aside after its failed attempts.
async fn set_aside_alert(
    tx: &mut Tx,
    row: &MessageRow,
    head: &InboundMessage,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let alert = Alert::Quarantined {
        message: row.id,
        from: head
            .from
            .as_ref()
            .map(|m| m.address.clone())
            .unwrap_or_default(),
        subject: head.subject.clone(),
        reason: quarantine::last_error(tx, row.id)
            .await?
            .unwrap_or_default(),
    };
    queue_alert(tx, &alert, now).await.map(|_queued| ())
}

/// Every message of the batch without an outcome yet fails with `error`: nothing of them was
/// committed past their record, so they are tried again.
pub(super) fn fail_open(outcomes: &mut Outcomes, error: &IntakeError) {
    for outcome in outcomes.iter_mut().filter(|o| o.is_none()) {
        *outcome = Some(Err(batch_failed(&error.to_string())));
    }
}

pub(super) fn batch_failed(why: &str) -> IntakeError {
    IntakeError::Batch(why.to_string())
}

/// Splits `keys` into runs in which no key repeats, in order.
fn runs_of_distinct(keys: &[String]) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut seen: HashSet<&str> = HashSet::new();
    for (i, key) in keys.iter().enumerate() {
        if !seen.insert(key) {
            runs.push(start..i);
            start = i;
            seen.clear();
            seen.insert(key);
        }
    }
    if start < keys.len() {
        runs.push(start..keys.len());
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_starts_a_new_run() {
        let keys: Vec<String> = ["a", "b", "a", "c", "c"].map(String::from).to_vec();
        assert_eq!(runs_of_distinct(&keys), vec![0..2, 2..4, 4..5]);
        assert_eq!(runs_of_distinct(&[]), Vec::<std::ops::Range<usize>>::new());
        let one = vec!["x".to_string()];
        assert_eq!(runs_of_distinct(&one), vec![0..1]);
    }
}
