//! One daemon per data dir (SPEC §17): `run` and `run --once` hold an exclusive lock on
//! `{data_dir}/reportdesk.lock` for their whole life, with their pid written in the file, so a
//! second one stops at once and names the first. The lock is the operating system's (`flock`
//! through `File::try_lock`): it ends with the process, however the process ends, so a crash
//! never leaves a stale lock behind. Other commands (`ingest`, `remind`, `status`, …) take no
//! lock: they are safe beside the daemon (the outbox's claims carry a lease).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The lock file's name inside the data dir.
pub const LOCK_FILE: &str = "reportdesk.lock";

#[derive(Debug, Error)]
pub enum LockError {
    #[error(
        "another reportdesk (pid {pid}) is running on the data dir {}: it holds {}; stop it first (e.g. systemctl stop reportdesk) or give another --data-dir",
        dir.display(), path.display()
    )]
    Held {
        dir: PathBuf,
        path: PathBuf,
        pid: String,
    },
    #[error("cannot lock {}: {source}{}", path.display(), crate::ops::access::hint(path, source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held while the daemon runs; dropping it (or the process ending) releases the lock.
#[derive(Debug)]
pub struct DataDirLock {
    file: File,
    path: PathBuf,
}

impl DataDirLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Takes the data dir's lock, or says who holds it. The data dir must exist.
pub fn acquire(data_dir: &Path) -> Result<DataDirLock, LockError> {
    let path = data_dir.join(LOCK_FILE);
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(LockError::Held {
                dir: data_dir.to_path_buf(),
                pid: holder(&mut file),
                path,
            });
        }
        Err(TryLockError::Error(source)) => return Err(io(source)),
    }
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(DataDirLock { file, path })
}

/// The pid the holder wrote, or "unknown" when it has not written it yet.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let read = file.take(32).read_to_string(&mut text);
    let pid = text.trim();
    if read.is_ok() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) {
        pid.to_string()
    } else {
        "unknown".into()
    }
}

impl Drop for DataDirLock {
    fn drop(&mut self) {
        // The pid goes with the lock, so a reader never names a process that has stopped.
        let _ = self.file.set_len(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_holder_and_the_first_release_frees_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path()).unwrap();
        let text = std::fs::read_to_string(first.path()).unwrap();
        assert_eq!(text.trim(), std::process::id().to_string());
        let err = acquire(dir.path()).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        assert!(message.contains(LOCK_FILE), "{message}");
        drop(first);
        let again = acquire(dir.path()).unwrap();
        drop(again);
    }

    #[test]
    fn a_missing_data_dir_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = acquire(&dir.path().join("nope")).unwrap_err();
        assert!(err.to_string().contains("nope/reportdesk.lock"), "{err}");
    }
}
