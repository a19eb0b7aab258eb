//! Configuration: `config/reportdesk.toml` parsed into checked settings at start-up (SPEC §11).
//!
//! Every error names the file and the key (and, for a file we may not read, its owner and the
//! user we run as). Relative paths in the file are taken from the config file's own folder, so
//! `/etc/reportdesk/reportdesk.toml` finds `units.toml` beside it and a checkout's
//! `config/reportdesk.toml` finds `config/units.toml`. Secrets never appear here: the file names environment variables, and
//! their values are read only where a connection is made.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::domain::deadline::ScheduleRules;
use crate::domain::unit::RosterError;
use crate::mail::Limits;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}{}", path.display(), crate::ops::access::hint(path, source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: key `{key}`: {message}")]
    Invalid {
        path: PathBuf,
        key: &'static str,
        message: String,
    },
    #[error("roster {path}: {source}")]
    Roster { path: PathBuf, source: RosterError },
    #[error(
        "{path}: key `{key}` names the environment variable {var}, which is not set (or empty)"
    )]
    MissingSecret {
        path: PathBuf,
        key: &'static str,
        var: String,
    },
}

/// Reads the secret held by the environment variable `var`, which the config's `key` names.
pub fn read_secret(
    config_path: &Path,
    var: &str,
    key: &'static str,
) -> Result<secrecy::SecretString, ConfigError> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Ok(secrecy::SecretString::from(value)),
        _ => Err(ConfigError::MissingSecret {
            path: config_path.to_path_buf(),
            key,
            var: var.to_string(),
        }),
    }
}

/// Where inbound mail comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A local Maildir under the data dir (`mail/inbox`): the embedded default.
    Maildir,
    Imap(ServerSettings),
}

/// Where replies go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// A local Maildir under the data dir (`mail/outbox`): the embedded default.
    Maildir,
    Smtp(ServerSettings),
}

/// How a mail connection is secured (`tls` in `[inbound]` / `[outbound]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// TLS from the first byte (ports 993, 465): the default.
    #[default]
    Implicit,
    /// Plaintext, upgraded with STARTTLS before logging in (ports 143, 587).
    Starttls,
    /// No TLS at all: only ever to a loopback host (a local relay or a test server).
    None,
}

impl TlsMode {
    /// The setting's value: `implicit`, `starttls` or `none`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "implicit" => Some(Self::Implicit),
            "starttls" => Some(Self::Starttls),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// How to reach a mail server; the password is read from `password_env` when connecting.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// Parsed from the table's `tls` by the config loader (which also refuses `none` to a host
    /// that is not loopback), never by serde.
    #[serde(skip)]
    pub tls: TlsMode,
    pub username: String,
    pub password_env: String,
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    #[serde(default = "default_folder")]
    pub folder: String,
    #[serde(default = "default_processed_folder")]
    pub processed_folder: String,
    #[serde(default = "default_true")]
    pub idle: bool,
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub name: String,
    /// The contact mailbox, lower-cased: replies come from it, mail from it is never answered.
    pub address: String,
    /// `[office] timezone`: every date a person reads, and every deadline, is counted in it.
    pub zone: crate::domain::OfficeZone,
    /// A phone number or person printed in replies, when configured.
    pub contact: Option<String>,
    /// 填报人 of the district's own 附件3 (`[office] reporter`).
    pub reporter: Option<String>,
    /// 联系电话 of the district's own 附件3 (`[office] phone`).
    pub phone: Option<crate::domain::PhoneNumber>,
    /// Where `submit` mails the district's summary (`[office] upstream_address`), lower-cased.
    pub upstream_address: Option<String>,
}

/// `[backup]`: the nightly backup (`ops::backup::nightly` takes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSettings {
    pub dir: PathBuf,
    pub keep: usize,
    pub time: chrono::NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bot {
    pub enabled: bool,
    pub token_env: String,
    /// The Bot API server: Telegram's, a self-hosted one, or a stand-in in tests.
    pub api_url: url::Url,
    pub staff: Vec<i64>,
    pub admins: Vec<i64>,
    pub chats: Vec<i64>,
}

/// The staff web console (`[web]`, SPEC §15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Web {
    /// Whether `run` serves the console.
    pub enabled: bool,
    /// Where it listens: loopback by default; put nginx or Caddy in front for TLS.
    pub listen: std::net::SocketAddr,
    /// Mark the session cookie `Secure` (set it when the console is reached over HTTPS).
    pub secure_cookies: bool,
}

/// The pace of outbound SMTP (`[outbound] connections`, `max_per_minute`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sending {
    /// Replies in flight at once, each on its own reused connection (1..=16; 4 by default).
    pub connections: u32,
    /// At most this many replies handed over in any minute (a provider's cap); `None`: no cap.
    pub max_per_minute: Option<u32>,
}

impl Sending {
    pub const DEFAULT_CONNECTIONS: u32 = 4;
    pub const MAX_CONNECTIONS: u32 = 16;
}

/// Checks on what units send, beyond the fixed rules of the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    /// A value above this is a warning (a typo such as 1000000 instead of 100), not an error.
    pub plausibility_bound: u64,
    /// Automatic replies to one sender within an hour; more are not sent (a loop guard).
    pub replies_per_sender_per_hour: u32,
    pub limits: Limits,
    /// The address space the attachment reader process may use (SPEC §12), in MiB.
    pub worker_memory_mib: u64,
    /// How long the reader process may take over one message before it is killed.
    pub worker_seconds: u64,
    /// `[intake.sender_auth]`: sender verdicts and what is held (SPEC §13).
    pub sender_auth: crate::sender::SenderAuth,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub data_dir: PathBuf,
    pub roster_path: PathBuf,
    /// The roster now: shared by every clone of this config, replaced when `units.toml` is edited.
    pub roster: LiveRoster,
    pub office: Office,
    pub database_url: String,
    pub inbound: Inbound,
    pub outbound: Outbound,
    /// The first wait before a reply is sent again after a transient failure (doubling, capped
    /// at 10 minutes; transient failures never give up).
    pub retry_base_seconds: u64,
    /// How often the delivery task looks at the outbox when nothing wakes it (`[outbound]
    /// check_seconds`, 15 by default): mail queued by this process wakes it at once; a retry
    /// falling due, or mail queued by another process, waits for this look.
    pub outbox_check_seconds: u64,
    /// How replies leave over SMTP: connections in flight and a per-minute cap.
    pub sending: Sending,
    pub schedule: ScheduleRules,
    /// Whether `run` sends reminders on schedule (`[schedule] send_reminders`).
    pub send_reminders: bool,
    pub bot: Bot,
    pub intake: Intake,
    /// The `[[notify]]` group robots (SPEC §14).
    pub notify: Vec<notify::Channel>,
    /// `[dingtalk]`: the two-way robot in DingTalk Stream mode.
    pub dingtalk: dingtalk::StreamSettings,
    pub web: Web,
    /// `[backup]`: the nightly backup `run` takes, when `dir` is set.
    pub backup: Option<BackupSettings>,
}

pub mod dingtalk;
mod file;
mod live_roster;
pub mod notify;
mod sender_auth;

pub use live_roster::LiveRoster;

impl Config {
    /// Reads and checks the config file and the roster it names. `data_dir` overrides the file's.
    pub fn load(path: &Path, data_dir: Option<&Path>) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let raw: file::ConfigFile = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        file::build(path, raw, data_dir)
    }
}

fn default_folder() -> String {
    "INBOX".into()
}
fn default_processed_folder() -> String {
    "reportdesk/processed".into()
}
fn default_true() -> bool {
    true
}
fn default_poll_seconds() -> u64 {
    60
}
