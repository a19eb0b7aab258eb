//! `[backup]` as written, and its conversion into [`BackupSettings`].

use std::path::Path;

use chrono::NaiveTime;
use serde::Deserialize;

use super::{Invalid, resolve};
use crate::config::BackupSettings;
use crate::config::ConfigError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BackupFile {
    /// Where `run` writes the nightly backup; none when unset.
    #[serde(default)]
    dir: Option<String>,
    #[serde(default = "default_keep")]
    keep: usize,
    #[serde(default = "default_backup_time")]
    time: String,
}

impl Default for BackupFile {
    fn default() -> Self {
        Self {
            dir: None,
            keep: default_keep(),
            time: default_backup_time(),
        }
    }
}

fn default_keep() -> usize {
    14
}
fn default_backup_time() -> String {
    "02:30".into()
}

pub(super) fn build(
    raw: BackupFile,
    root: &Path,
    invalid: &Invalid,
) -> Result<Option<BackupSettings>, ConfigError> {
    let Some(dir) = raw.dir else {
        return Ok(None);
    };
    let time = NaiveTime::parse_from_str(&raw.time, "%H:%M").map_err(|_| {
        invalid(
            "backup.time",
            format!("{:?} is not a time like \"02:30\"", raw.time),
        )
    })?;
    if raw.keep == 0 {
        return Err(invalid("backup.keep", "keep at least 1 backup".into()));
    }
    Ok(Some(BackupSettings {
        dir: resolve(root, &dir),
        keep: raw.keep,
        time,
    }))
}
