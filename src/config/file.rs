//! The config file as written, and its conversion into checked [`Config`] values: the file's
//! top level here, one module per section beside it (`file/<section>.rs`: the section as written
//! and its checks), each error naming its key.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Config, ConfigError};
use crate::domain::unit::Roster;

mod backup;
mod bot;
mod intake;
mod mail;
mod office;
mod schedule;
mod sending;
mod web;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConfigFile {
    #[serde(default = "default_data_dir")]
    data_dir: String,
    #[serde(default = "default_roster")]
    roster: String,
    office: office::OfficeFile,
    #[serde(default)]
    database: office::DatabaseFile,
    #[serde(default)]
    inbound: mail::MailFile,
    #[serde(default)]
    outbound: mail::MailFile,
    #[serde(default)]
    schedule: schedule::ScheduleFile,
    #[serde(default)]
    bot: bot::BotFile,
    #[serde(default)]
    intake: intake::IntakeFile,
    #[serde(default)]
    notify: Vec<super::notify::NotifyFile>,
    #[serde(default)]
    dingtalk: super::dingtalk::StreamFile,
    #[serde(default)]
    web: web::WebFile,
    #[serde(default)]
    backup: backup::BackupFile,
}

fn default_data_dir() -> String {
    "var".into()
}
fn default_roster() -> String {
    "units.toml".into()
}

/// Turns the file into checked settings; `data_dir` (from `--data-dir`) wins over the file's.
pub(super) fn build(
    path: &Path,
    raw: ConfigFile,
    data_dir: Option<&Path>,
) -> Result<Config, ConfigError> {
    let invalid = |key: &'static str, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        key,
        message,
    };
    let root = root_of(path);
    let data_dir = match data_dir {
        Some(dir) => dir.to_path_buf(),
        None => resolve(&root, &raw.data_dir),
    };
    let roster_path = resolve(&root, &raw.roster);
    let roster = load_roster(&roster_path)?;

    let office = office::build(raw.office, &invalid)?;
    let database_url = office::database_url(raw.database, &data_dir, &invalid)?;
    let retry_base_seconds = raw.outbound.retry_base_seconds.unwrap_or(30).max(1);
    let outbox_check_seconds = sending::check_seconds(&raw.outbound, &invalid)?;
    let send_reminders = raw.schedule.send_reminders;
    let sending = sending::build(&raw.inbound, &raw.outbound, &invalid)?;
    Ok(Config {
        path: path.to_path_buf(),
        retry_base_seconds,
        outbox_check_seconds,
        sending,
        send_reminders,
        inbound: mail::inbound(raw.inbound, &invalid, &root)?,
        outbound: mail::outbound(raw.outbound, &invalid, &root)?,
        schedule: schedule::build(raw.schedule, &invalid)?,
        bot: bot::build(raw.bot, &invalid)?,
        intake: intake::build(raw.intake, &invalid)?,
        notify: super::notify::build(raw.notify).map_err(|m| invalid("notify", m))?,
        dingtalk: super::dingtalk::build(raw.dingtalk).map_err(|m| invalid("dingtalk", m))?,
        web: web::build(raw.web, &invalid)?,
        backup: backup::build(raw.backup, &root, &invalid)?,
        data_dir,
        roster_path,
        roster: super::LiveRoster::new(roster),
        office,
        database_url,
    })
}

pub(super) fn load_roster(path: &Path) -> Result<Roster, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Roster::parse(&text).map_err(|source| ConfigError::Roster {
        path: path.to_path_buf(),
        source,
    })
}

/// The folder relative paths are taken from: the config file's own folder (SPEC §17; until
/// 0.2 it was that folder's parent, see CHANGELOG.md).
fn root_of(config_path: &Path) -> PathBuf {
    match config_path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn resolve(root: &Path, value: &str) -> PathBuf {
    let path = Path::new(value);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}

/// Makes the error for a key's bad value: `invalid("office.zone.tz()", message)`.
type Invalid<'a> = dyn Fn(&'static str, String) -> ConfigError + 'a;

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
