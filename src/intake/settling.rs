//! Settling a batch while it is read: the reader process reads the next messages (on the other
//! core) while this process settles each one read, as soon as it is ready and in order, in one
//! transaction, each inside its own savepoint, so one that fails is rolled back alone and tried
//! again later.
//!
//! The transaction is never held long waiting for the reader: when the next message is not
//! ready within [`HOLD`], what is settled so far is committed first and the next message ready
//! opens a new transaction. A message slow to read (up to `worker_seconds`) so keeps no other
//! writer (the console, `ingest` beside the daemon) waiting for SQLite's write lock.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::batch::{Outcomes, Recorded1, batch_failed};
use super::process::{Prepared, ToRead, log_processed};
use super::report::IngestReport;
use super::settle::facts::Known;
use super::staging::Incoming;
use super::{Intake, IntakeError, Trust};
use crate::store::installation::{self, MessageIdSecret};
use crate::store::messages::{self, MessageRow};
use crate::store::{self as db, Framing, StoreError, Tx};

/// How long an open settling transaction waits for the next message to be read before what it
/// holds is committed. Reading a form takes well under a millisecond.
const HOLD: Duration = Duration::from_millis(10);

/// An open settling transaction and what it settled so far.
struct Segment<'r> {
    tx: Tx,
    secret: MessageIdSecret,
    settled: Vec<(usize, &'r MessageRow, IngestReport)>,
    /// What its messages read and wrote of the facts the next ones need.
    known: Known,
    /// The batch's messages still to be taken, as the transaction found them.
    received: HashSet<i64>,
}

type Ready<'r> = mpsc::UnboundedReceiver<Result<Prepared<'r>, IntakeError>>;

impl Intake<'_> {
    /// Reads the recorded messages of a batch and settles each as soon as it is read.
    pub(super) async fn settle_batch(
        &self,
        batch: &[Incoming<'_>],
        recorded: Vec<Recorded1>,
        outcomes: &mut Outcomes,
        now: DateTime<Utc>,
        trust: &Trust,
    ) {
        let to_read: Vec<ToRead<'_>> = recorded
            .iter()
            .map(|one| ToRead {
                raw: batch[one.index].raw,
                head: &one.head,
                row: &one.row,
                file: batch[one.index].source.name,
            })
            .collect();
        let (ready, prepared) = mpsc::unbounded_channel();
        let reading = self.prepare_into(&to_read, now, trust, ready);
        let settling = self.settle_as_read(prepared, &recorded, outcomes, now);
        tokio::join!(reading, settling);
    }

    /// Settles the messages of `recorded` as `prepared` hands them over, in order.
    async fn settle_as_read<'r>(
        &self,
        mut prepared: Ready<'r>,
        recorded: &'r [Recorded1],
        outcomes: &mut Outcomes,
        now: DateTime<Utc>,
    ) {
        let mut segment: Option<Segment<'r>> = None;
        for one in recorded {
            let next = match segment.take() {
                None => prepared.recv().await,
                Some(open) => match tokio::time::timeout(HOLD, prepared.recv()).await {
                    Ok(next) => {
                        segment = Some(open);
                        next
                    }
                    Err(_) => {
                        commit(open, outcomes).await;
                        prepared.recv().await
                    }
                },
            };
            let ready = match next {
                Some(Ok(ready)) => ready,
                Some(Err(error)) => {
                    outcomes[one.index] = Some(Err(error));
                    continue;
                }
                None => {
                    outcomes[one.index] = Some(Err(IntakeError::Stopped));
                    continue;
                }
            };
            let mut open = match segment.take() {
                Some(open) => open,
                None => match self.begin_segment(recorded).await {
                    Ok(open) => open,
                    Err(error) => {
                        outcomes[one.index] = Some(Err(error));
                        continue;
                    }
                },
            };
            match self.settle_one(&mut open, one, ready, now, outcomes).await {
                Ok(()) => segment = Some(open),
                Err(error) => {
                    // The transaction itself failed: nothing of it commits.
                    tracing::error!(%error, "settling transaction failed; its messages are tried again");
                    for (index, ..) in open.settled {
                        outcomes[index] = Some(Err(batch_failed(&error.to_string())));
                    }
                    outcomes[one.index] = Some(Err(batch_failed(&error.to_string())));
                }
            }
        }
        if let Some(open) = segment {
            commit(open, outcomes).await;
        }
    }

    /// Opens a settling transaction and finds which of the batch's messages are still to be
    /// taken (another process may have finished some before the transaction began; none can
    /// after, as it holds the write lock).
    async fn begin_segment<'r>(&self, recorded: &[Recorded1]) -> Result<Segment<'r>, IntakeError> {
        let mut tx = self.store.begin().await?;
        // Begins with a write (installation::message_id_secret), as a settling transaction must.
        let secret = installation::message_id_secret(&mut tx).await?;
        let ids: Vec<i64> = recorded.iter().map(|one| one.row.id).collect();
        let received = messages::received_among(&mut tx, &ids).await?;
        Ok(Segment {
            tx,
            secret,
            settled: Vec::new(),
            known: Known::default(),
            received,
        })
    }

    /// Settles one message inside its own savepoint; an error is the transaction's own.
    async fn settle_one<'r>(
        &self,
        segment: &mut Segment<'r>,
        one: &'r Recorded1,
        ready: Prepared<'_>,
        now: DateTime<Utc>,
        outcomes: &mut Outcomes,
    ) -> Result<(), IntakeError> {
        // The message's take, its writes and its savepoint go in one round trip in the common
        // case: the savepoint opens before its first write and is released after its last.
        let mut framing = Framing::savepoint();
        let received = segment.received.contains(&one.row.id);
        let settled = self
            .settle_in(
                &mut segment.tx,
                ready,
                &segment.secret,
                now,
                &mut framing,
                Some(received),
                &mut segment.known,
            )
            .await;
        match settled {
            Ok(report) => segment.settled.push((one.index, &one.row, report)),
            Err(error) => {
                // Nothing of it was written unless its savepoint was opened; a failure to roll
                // back is the transaction's.
                if framing.opened() {
                    db::roll_back_to(&mut segment.tx).await?;
                }
                segment.known.clear();
                tracing::error!(%error, "message not settled; its batch goes on");
                outcomes[one.index] = Some(Err(error));
            }
        }
        Ok(())
    }
}

/// Commits what `segment` settled: each message's report, or, when the commit fails, an error
/// that has it tried again.
async fn commit(segment: Segment<'_>, outcomes: &mut Outcomes) {
    match segment.tx.commit().await {
        Ok(()) => {
            for (index, row, report) in segment.settled {
                log_processed(row, &report);
                outcomes[index] = Some(Ok(report));
            }
        }
        Err(error) => {
            let error = IntakeError::from(StoreError::from(error));
            tracing::error!(%error, "settling transaction not committed; its messages are tried again");
            for (index, ..) in segment.settled {
                outcomes[index] = Some(Err(batch_failed(&error.to_string())));
            }
        }
    }
}
