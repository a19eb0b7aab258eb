//! A local Maildir, the embedded default for both directions (SPEC §6).
//!
//! Inbound, a delivery agent (or `demo`, or a clerk) drops messages into `new/`; a message moves to
//! `cur/` only after its intake has been committed. Outbound, replies are written to `tmp/` and
//! renamed into `new/`, so a reader never sees half a message. The delivery time of an inbound
//! message is its file's modification time, which is what the Maildir format records.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use thiserror::Error;

#[derive(Debug, Error)]
#[error("maildir {path}: {action}: {source}")]
pub struct MaildirError {
    pub path: PathBuf,
    pub action: &'static str,
    pub source: std::io::Error,
}

#[derive(Debug, Clone)]
pub struct Maildir {
    root: PathBuf,
}

/// A message waiting in `new/`.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub path: PathBuf,
    pub name: String,
    pub delivered_at: DateTime<Utc>,
    /// Its size when listed.
    pub bytes: u64,
}

impl Maildir {
    /// Opens the Maildir at `root`, creating `new/`, `cur/` and `tmp/` when missing.
    pub fn open(root: &Path) -> Result<Self, MaildirError> {
        for sub in ["new", "cur", "tmp"] {
            let path = root.join(sub);
            std::fs::create_dir_all(&path).map_err(|source| MaildirError {
                path,
                action: "create folder",
                source,
            })?;
        }
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The messages in `new/`, oldest delivery first.
    pub fn list_new(&self) -> Result<Vec<NewEntry>, MaildirError> {
        let folder = self.root.join("new");
        let error = |action, source| MaildirError {
            path: folder.clone(),
            action,
            source,
        };
        let mut entries = Vec::new();
        for item in std::fs::read_dir(&folder).map_err(|e| error("list", e))? {
            let item = item.map_err(|e| error("list", e))?;
            let name = item.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let meta = item.metadata().map_err(|e| error("stat", e))?;
            if !meta.is_file() {
                continue;
            }
            let delivered_at = meta
                .modified()
                .map(DateTime::<Utc>::from)
                .map_err(|e| error("stat", e))?;
            entries.push(NewEntry {
                path: item.path(),
                name,
                delivered_at,
                bytes: meta.len(),
            });
        }
        entries.sort_by(|a, b| (a.delivered_at, &a.name).cmp(&(b.delivered_at, &b.name)));
        Ok(entries)
    }

    /// Moves a processed message from `new/` to `cur/`, flagged seen.
    pub fn mark_processed(&self, entry: &NewEntry) -> Result<(), MaildirError> {
        let base = entry.name.split(":2,").next().unwrap_or(&entry.name);
        let target = self.root.join("cur").join(format!("{base}:2,S"));
        std::fs::rename(&entry.path, &target).map_err(|source| MaildirError {
            path: entry.path.clone(),
            action: "move to cur/",
            source,
        })
    }

    /// Delivers a message into `new/` under `unique` (made file-name safe); delivering the same
    /// name twice keeps the first, so a redelivery after a crash is harmless.
    pub fn deliver(&self, unique: &str, bytes: &[u8]) -> Result<PathBuf, MaildirError> {
        self.deliver_batch(&[(unique, bytes)])
            .pop()
            .unwrap_or_else(|| {
                Err(self.error(
                    "new/",
                    "deliver",
                    std::io::Error::other("nothing delivered"),
                ))
            })
    }

    /// Delivers several messages as [`Maildir::deliver`] does, made durable together: each file
    /// synced, renamed from `tmp/` into `new/`, then `new/` synced once. One result each, in order.
    pub fn deliver_batch(&self, mails: &[(&str, &[u8])]) -> Vec<Result<PathBuf, MaildirError>> {
        let scratch = self.root.join("tmp");
        let mut batch = crate::durable::Batch::new();
        let mut staged: Vec<Result<Option<PathBuf>, MaildirError>> =
            Vec::with_capacity(mails.len());
        let mut queued = std::collections::HashSet::new();
        for (unique, bytes) in mails {
            let name = file_name_of(unique);
            let target = self.root.join("new").join(&name);
            let seen = self.root.join("cur").join(format!("{name}:2,S"));
            if queued.contains(&target) || target.exists() || seen.exists() {
                // Already there (or queued in this batch): nothing more to write.
                staged.push(Ok(None));
                continue;
            }
            staged.push(match batch.stage_in(&scratch, &target, bytes) {
                Ok(()) => {
                    queued.insert(target.clone());
                    Ok(Some(target))
                }
                Err(e) => Err(self.error(&name, "write", e)),
            });
        }
        let committed = batch.commit();
        let committed: std::collections::HashMap<&Path, &std::io::Error> = committed
            .iter()
            .filter_map(|(t, r)| r.as_ref().err().map(|e| (t.as_path(), e)))
            .collect();
        mails
            .iter()
            .zip(staged)
            .map(|((unique, _), staged)| {
                let target = self.root.join("new").join(file_name_of(unique));
                if let Err(error) = staged {
                    return Err(error);
                }
                match committed.get(target.as_path()) {
                    Some(e) => Err(self.error(
                        &file_name_of(unique),
                        "move to new/",
                        std::io::Error::new(e.kind(), e.to_string()),
                    )),
                    _ => Ok(target),
                }
            })
            .collect()
    }

    fn error(&self, name: &str, action: &'static str, source: std::io::Error) -> MaildirError {
        MaildirError {
            path: self.root.join("tmp").join(name),
            action,
            source,
        }
    }
}

/// `unique` made file-name safe.
fn file_name_of(unique: &str) -> String {
    unique
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivered_messages_are_listed_then_moved_to_cur() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path()).unwrap();
        maildir.deliver("<b@x>", b"second").unwrap();
        maildir.deliver("<a@x>", b"first").unwrap();
        maildir.deliver("<a@x>", b"again").unwrap();
        let entries = maildir.list_new().unwrap();
        assert_eq!(entries.len(), 2);
        let first = entries.iter().find(|e| e.name == "_a_x_").unwrap();
        assert_eq!(std::fs::read(&first.path).unwrap(), b"first");
        maildir.mark_processed(first).unwrap();
        assert_eq!(maildir.list_new().unwrap().len(), 1);
        assert!(dir.path().join("cur/_a_x_:2,S").exists());
        maildir.deliver("<a@x>", b"after processing").unwrap();
        assert_eq!(maildir.list_new().unwrap().len(), 1);
    }
}
