//! A batch made ready before its turn: each message's headers and key read, and its raw bytes
//! made durable in the raw store (one `syncfs` for the batch, [`crate::durable::Batch`]).
//!
//! Staging is file work only, no database and no reader process, so an inbound task runs it on
//! a blocking thread for the next batch while the batch before it is settled
//! ([`super::Intake::ingest_staged`]). Nothing staged is recorded: a crash after staging leaves
//! raw files only, named by their bytes' hash, which the message's next arrival reuses.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{IntakeError, Source, unreadable};
use crate::durable;
use crate::mail::{self, InboundMessage};

/// One raw message of a batch.
#[derive(Debug, Clone)]
pub struct Incoming<'a> {
    pub raw: &'a [u8],
    /// When the server received it.
    pub received_at: DateTime<Utc>,
    pub source: Source<'a>,
    /// The file `raw` was read from, when it may be linked into the raw store instead of
    /// copied (a message in the local Maildir, whose files are never changed once delivered).
    pub origin: Option<&'a std::path::Path>,
}

/// A batch staged: one entry of each list per message of the batch, in order.
#[derive(Default)]
pub struct Staged {
    pub(super) heads: Vec<InboundMessage>,
    pub(super) keys: Vec<String>,
    /// The raw file's path relative to the data dir and the bytes' SHA-256, or why the raw
    /// bytes could not be made durable.
    pub(super) stored: Vec<Result<(String, String), IntakeError>>,
}

impl Staged {
    /// How many messages were staged.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Where staged raw files go: the raw store under the data dir. Cheap to clone and `Send`, so
/// it can be handed to a blocking thread.
#[derive(Debug, Clone)]
pub struct RawStore {
    data_dir: PathBuf,
}

impl RawStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_path_buf(),
        }
    }

    /// Stages `batch`: headers, keys, and raw files durable.
    pub fn stage(&self, batch: &[Incoming<'_>]) -> Staged {
        let heads: Vec<InboundMessage> = batch
            .iter()
            .map(|m| mail::parse_headers_only(m.raw, unreadable(None)))
            .collect();
        let keys = batch
            .iter()
            .zip(&heads)
            .map(|(m, head)| mail::message_key(head, m.raw))
            .collect();
        let stored = self.store(batch);
        Staged {
            heads,
            keys,
            stored,
        }
    }

    /// Writes the raw files not yet stored and makes them durable together; for each message
    /// its path relative to the data dir and its hash, or why it could not be stored.
    fn store(&self, batch: &[Incoming<'_>]) -> Vec<Result<(String, String), IntakeError>> {
        let mut files = durable::Batch::new();
        let mut staged = HashSet::new();
        let mut planned = Vec::with_capacity(batch.len());
        for incoming in batch {
            let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(incoming.raw));
            let relative = format!("raw/{}/{sha}.eml", &sha[..2]);
            let path = self.data_dir.join(&relative);
            let result = if path.exists() || !staged.insert(path.clone()) {
                Ok(())
            } else if let Some(origin) = incoming.origin {
                files.stage_linked(&path, origin, incoming.raw)
            } else {
                files.stage(&path, incoming.raw)
            };
            planned.push((relative, sha, path, result));
        }
        let committed = files.commit();
        let committed: HashMap<&Path, &std::io::Result<()>> =
            committed.iter().map(|(t, r)| (t.as_path(), r)).collect();
        planned
            .into_iter()
            .map(|(relative, sha, path, staged)| {
                let synced = committed.get(path.as_path()).map_or(Ok(()), |r| match r {
                    Ok(()) => Ok(()),
                    Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
                });
                match staged.and(synced) {
                    Ok(()) => Ok((relative, sha)),
                    Err(source) => Err(IntakeError::RawStore { path, source }),
                }
            })
            .collect()
    }
}
