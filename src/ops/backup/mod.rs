//! Backup and restore (SPEC §17): one zip archive holding a consistent snapshot of the database
//! (`VACUUM INTO`, taken while the daemon runs), the stored raw mail (`raw/`), the case photos
//! (`photos/`), the config and the roster, and `manifest.json` with the size and SHA-256 of every
//! file.
//!
//! Consistency comes from the order: the database is snapshotted first, then the files are
//! copied. Raw mail and photos are written before the transaction that refers to them and never
//! deleted, so every file the snapshot names is in the archive (a few newer files may be too,
//! which is harmless: they are found again by content). `restore` refuses a folder that is not
//! empty, checks every checksum while writing, and puts the config and roster aside under
//! `config-from-backup/` rather than over the live ones.

mod archive;
pub mod manifest;
pub mod nightly;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::config::Config;
use crate::store::Store;
pub use manifest::Manifest;

#[derive(Debug, Error)]
pub enum BackupError {
    #[error("{}: {source}{}", path.display(), crate::ops::access::hint(path, source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot snapshot the database into {}: {source}", path.display())]
    Snapshot { path: PathBuf, source: sqlx::Error },
    #[error("{}: not a reportdesk backup: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("{}: {entry} is damaged: {reason}", path.display())]
    Damaged {
        path: PathBuf,
        entry: String,
        reason: String,
    },
    #[error("{} is not empty: restore only into a new or empty folder", path.display())]
    NotEmpty { path: PathBuf },
}

pub(crate) fn io(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the archive `out` (through `out.partial` and a rename, so a crash never leaves half an
/// archive under the real name).
pub async fn create(
    store: &Store,
    config: &Config,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<Manifest, BackupError> {
    let folder = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(io(folder))?;
    let snapshot = folder.join(format!(".reportdesk-backup-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&snapshot);
    sqlx::query("VACUUM INTO ?")
        .bind(snapshot.to_string_lossy().into_owned())
        .execute(store.pool())
        .await
        .map_err(|source| BackupError::Snapshot {
            path: snapshot.clone(),
            source,
        })?;
    let sources = archive::Sources {
        database: snapshot.clone(),
        data_dir: config.data_dir.clone(),
        config: config.path.clone(),
        roster: config.roster_path.clone(),
    };
    let out = out.to_path_buf();
    let written = tokio::task::spawn_blocking(move || archive::write(&sources, &out, now))
        .await
        .map_err(|e| BackupError::Invalid {
            path: snapshot.clone(),
            reason: format!("the backup task stopped: {e}"),
        });
    let _ = std::fs::remove_file(&snapshot);
    written?
}

/// Reads the archive and checks every file against the manifest.
pub fn verify(path: &Path) -> Result<Manifest, BackupError> {
    archive::read(path, None)
}

/// Restores the archive into `dir`, which must be missing or empty.
pub fn restore(path: &Path, dir: &Path) -> Result<Manifest, BackupError> {
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(BackupError::NotEmpty {
            path: dir.to_path_buf(),
        });
    }
    let manifest = archive::read(path, None)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    archive::read(path, Some(dir))?;
    Ok(manifest)
}
