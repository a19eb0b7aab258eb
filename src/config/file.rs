//! The config file as written, and its conversion into checked [`Config`] values.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

use super::sender_auth::{self, SenderAuthFile};
use super::{Bot, Config, ConfigError, Inbound, Intake, Office, Outbound, ServerSettings, TlsMode};
use crate::domain::calendar::WorkCalendar;
use crate::domain::deadline::ScheduleRules;
use crate::domain::unit::Roster;
use crate::mail::Limits;

mod backup;
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConfigFile {
    #[serde(default = "default_data_dir")]
    data_dir: String,
    #[serde(default = "default_roster")]
    roster: String,
    office: OfficeFile,
    #[serde(default)]
    database: DatabaseFile,
    #[serde(default)]
    inbound: MailFile,
    #[serde(default)]
    outbound: MailFile,
    #[serde(default)]
    schedule: ScheduleFile,
    #[serde(default)]
    bot: BotFile,
    #[serde(default)]
    intake: IntakeFile,
    #[serde(default)]
    notify: Vec<crate::notify::settings::NotifyFile>,
    #[serde(default)]
    dingtalk: crate::notify::stream::settings::StreamFile,
    #[serde(default)]
    web: WebFile,
    #[serde(default)]
    backup: backup::BackupFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct WebFile {
    enabled: bool,
    listen: String,
    secure_cookies: bool,
}

impl Default for WebFile {
    fn default() -> Self {
        Self {
            enabled: false,
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
        }
    }
}

fn web(raw: WebFile, invalid: &Invalid) -> Result<super::Web, ConfigError> {
    let listen = raw.listen.parse().map_err(|_| {
        invalid(
            "web.listen",
            format!(
                "{:?} is not an address:port such as 127.0.0.1:8080",
                raw.listen
            ),
        )
    })?;
    Ok(super::Web {
        enabled: raw.enabled,
        listen,
        secure_cookies: raw.secure_cookies,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficeFile {
    name: String,
    address: String,
    #[serde(default = "default_timezone")]
    timezone: String,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    reporter: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    upstream_address: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseFile {
    #[serde(default = "default_database_url")]
    url: String,
}

impl Default for DatabaseFile {
    fn default() -> Self {
        Self {
            url: default_database_url(),
        }
    }
}

mod sending;

#[derive(Deserialize, Default)]
struct MailFile {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    retry_base_seconds: Option<u64>,
    /// `[outbound]` only: replies in flight at once over SMTP.
    #[serde(default)]
    connections: Option<u32>,
    /// `[outbound]` only: at most this many replies a minute.
    #[serde(default)]
    max_per_minute: Option<u32>,
    #[serde(flatten)]
    server: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ScheduleFile {
    /// Whether the daemon sends reminders at all (`remind` works either way).
    send_reminders: bool,
    deadline_day: u32,
    reminder_days: Vec<u32>,
    reminder_time: String,
    overdue_day: u32,
    /// Official days off that fall on weekdays (春节, 国庆, …): "YYYY-MM-DD".
    holidays: Vec<String>,
    /// Weekend days worked instead (调休).
    extra_workdays: Vec<String>,
}

impl Default for ScheduleFile {
    fn default() -> Self {
        Self {
            send_reminders: true,
            deadline_day: 20,
            reminder_days: vec![15, 18, 20],
            reminder_time: "09:00".into(),
            overdue_day: 21,
            holidays: vec![],
            extra_workdays: vec![],
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct BotFile {
    enabled: bool,
    token_env: String,
    api_url: String,
    staff: Vec<i64>,
    admins: Vec<i64>,
    chats: Vec<i64>,
}

impl Default for BotFile {
    fn default() -> Self {
        Self {
            enabled: false,
            token_env: "REPORTDESK_TELEGRAM_TOKEN".into(),
            api_url: "https://api.telegram.org".into(),
            staff: vec![],
            admins: vec![],
            chats: vec![],
        }
    }
}

fn bot(raw: BotFile, invalid: &Invalid) -> Result<Bot, ConfigError> {
    let api_url = url::Url::parse(&raw.api_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            invalid(
                "bot.api_url",
                format!("{:?} is not an http(s) URL", raw.api_url),
            )
        })?;
    // The token travels in the URL's path: plain http only to a stand-in on this machine.
    if api_url.scheme() == "http" && !api_url.host_str().is_some_and(is_loopback) {
        return Err(invalid(
            "bot.api_url",
            format!(
                "{:?} is plain http to another host: the bot token would cross the network unencrypted; use https (http only for 127.0.0.1/localhost)",
                raw.api_url
            ),
        ));
    }
    Ok(Bot {
        enabled: raw.enabled,
        token_env: raw.token_env,
        api_url,
        staff: raw.staff,
        admins: raw.admins,
        chats: raw.chats,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct IntakeFile {
    plausibility_bound: u64,
    replies_per_sender_per_hour: u32,
    max_message_mib: u64,
    max_attachments: usize,
    max_uncompressed_mib: u64,
    max_nesting: usize,
    worker_memory_mib: u64,
    worker_seconds: u64,
    sender_auth: SenderAuthFile,
}

impl Default for IntakeFile {
    fn default() -> Self {
        let limits = Limits::default();
        Self {
            plausibility_bound: 100_000,
            replies_per_sender_per_hour: 10,
            max_message_mib: limits.max_message_bytes >> 20,
            max_attachments: limits.max_attachments,
            max_uncompressed_mib: limits.max_uncompressed_bytes >> 20,
            max_nesting: limits.max_depth,
            worker_memory_mib: 512,
            worker_seconds: 10,
            sender_auth: SenderAuthFile::default(),
        }
    }
}

fn default_data_dir() -> String {
    "var".into()
}
fn default_roster() -> String {
    "units.toml".into()
}
fn default_timezone() -> String {
    "Asia/Shanghai".into()
}
fn default_database_url() -> String {
    "sqlite://{data_dir}/reportdesk.db".into()
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

    let timezone: Tz = raw.office.timezone.parse().map_err(|_| {
        invalid(
            "office.timezone",
            format!("unknown time zone {:?}", raw.office.timezone),
        )
    })?;
    let address = raw.office.address.trim().to_lowercase();
    if !address.contains('@') {
        return Err(invalid(
            "office.address",
            format!("{address:?} is not an e-mail address"),
        ));
    }
    let office = Office {
        name: raw.office.name,
        address,
        timezone,
        contact: raw.office.contact,
        reporter: raw.office.reporter.filter(|r| !r.trim().is_empty()),
        phone: office_phone(raw.office.phone.as_deref(), &invalid)?,
        upstream_address: upstream(raw.office.upstream_address.as_deref(), &invalid)?,
    };
    let database_url = raw
        .database
        .url
        .replace("{data_dir}", &data_dir.to_string_lossy());
    if !database_url.starts_with("sqlite:") {
        return Err(invalid(
            "database.url",
            "only sqlite: URLs are supported".into(),
        ));
    }
    let retry_base_seconds = raw.outbound.retry_base_seconds.unwrap_or(30).max(1);
    let send_reminders = raw.schedule.send_reminders;
    let sending = sending::build(&raw.inbound, &raw.outbound, &invalid)?;
    Ok(Config {
        path: path.to_path_buf(),
        retry_base_seconds,
        sending,
        send_reminders,
        inbound: inbound(raw.inbound, &invalid, &root)?,
        outbound: outbound(raw.outbound, &invalid, &root)?,
        schedule: schedule(raw.schedule, &invalid)?,
        bot: bot(raw.bot, &invalid)?,
        intake: intake(raw.intake, &invalid)?,
        notify: crate::notify::settings::build(raw.notify).map_err(|m| invalid("notify", m))?,
        dingtalk: crate::notify::stream::settings::build(raw.dingtalk)
            .map_err(|m| invalid("dingtalk", m))?,
        web: web(raw.web, &invalid)?,
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

type Invalid<'a> = dyn Fn(&'static str, String) -> ConfigError + 'a;

fn server(
    section: &'static str,
    mut table: toml::Table,
    invalid: &Invalid,
    root: &Path,
) -> Result<ServerSettings, ConfigError> {
    let key = if section == "inbound" {
        "inbound.tls"
    } else {
        "outbound.tls"
    };
    let tls = match table.remove("tls") {
        None => TlsMode::default(),
        Some(toml::Value::String(text)) => TlsMode::parse(&text).ok_or_else(|| {
            invalid(
                key,
                format!("tls = {text:?}: use \"implicit\", \"starttls\" or \"none\""),
            )
        })?,
        Some(other) => {
            return Err(invalid(
                key,
                format!("tls = {other}: use \"implicit\", \"starttls\" or \"none\""),
            ));
        }
    };
    let mut settings: ServerSettings = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| invalid(section, e.message().to_string()))?;
    settings.ca_file = settings
        .ca_file
        .map(|path| resolve(root, &path.to_string_lossy()));
    if tls == TlsMode::None && !is_loopback(&settings.host) {
        return Err(invalid(
            key,
            format!(
                "tls = \"none\" is only allowed for a loopback host, not {}",
                settings.host
            ),
        ));
    }
    settings.tls = tls;
    Ok(settings)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn inbound(file: MailFile, invalid: &Invalid, root: &Path) -> Result<Inbound, ConfigError> {
    match file.kind.as_deref().unwrap_or("maildir") {
        "maildir" => Ok(Inbound::Maildir),
        "imap" => Ok(Inbound::Imap(server(
            "inbound",
            file.server,
            invalid,
            root,
        )?)),
        other => Err(invalid(
            "inbound.kind",
            format!("{other:?}: use \"maildir\" or \"imap\""),
        )),
    }
}

fn outbound(file: MailFile, invalid: &Invalid, root: &Path) -> Result<Outbound, ConfigError> {
    match file.kind.as_deref().unwrap_or("maildir") {
        "maildir" => Ok(Outbound::Maildir),
        "smtp" => Ok(Outbound::Smtp(server(
            "outbound",
            file.server,
            invalid,
            root,
        )?)),
        other => Err(invalid(
            "outbound.kind",
            format!("{other:?}: use \"maildir\" or \"smtp\""),
        )),
    }
}

fn schedule(file: ScheduleFile, invalid: &Invalid) -> Result<ScheduleRules, ConfigError> {
    let reminder_time = NaiveTime::parse_from_str(&file.reminder_time, "%H:%M").map_err(|_| {
        invalid(
            "schedule.reminder_time",
            format!("{:?} is not a time like \"09:00\"", file.reminder_time),
        )
    })?;
    let dates = |key: &'static str, texts: &[String]| {
        texts
            .iter()
            .map(|t| {
                NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                    .map_err(|_| invalid(key, format!("{t:?} is not a date like \"2026-10-01\"")))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let rules = ScheduleRules {
        deadline_day: file.deadline_day,
        reminder_days: file.reminder_days,
        reminder_time,
        overdue_day: file.overdue_day,
        calendar: WorkCalendar::official_with(
            dates("schedule.holidays", &file.holidays)?,
            dates("schedule.extra_workdays", &file.extra_workdays)?,
        ),
    };
    rules
        .check()
        .map_err(|e| invalid("schedule", e.to_string()))?;
    Ok(rules)
}

fn intake(file: IntakeFile, invalid: &Invalid) -> Result<Intake, ConfigError> {
    Ok(Intake {
        sender_auth: sender_auth::parse(file.sender_auth, invalid)?,
        plausibility_bound: file.plausibility_bound,
        replies_per_sender_per_hour: file.replies_per_sender_per_hour,
        limits: Limits {
            max_message_bytes: file.max_message_mib << 20,
            max_attachments: file.max_attachments,
            max_uncompressed_bytes: file.max_uncompressed_mib << 20,
            max_depth: file.max_nesting,
        },
        worker_memory_mib: file.worker_memory_mib.max(64),
        worker_seconds: file.worker_seconds.max(1),
    })
}

/// `[office] phone`: a mainland number, as on the forms.
fn office_phone(
    text: Option<&str>,
    invalid: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<Option<crate::domain::PhoneNumber>, ConfigError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => crate::domain::PhoneNumber::parse(text)
            .map(Some)
            .map_err(|e| {
                invalid(
                    "office.phone",
                    format!("{text:?} is not a phone number ({e}); write e.g. 023-68173265"),
                )
            }),
    }
}

/// `[office] upstream_address`: the city office's mailbox, checked as an e-mail address.
fn upstream(
    text: Option<&str>,
    invalid: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<Option<String>, ConfigError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<lettre::Address>()
            .map(|_| Some(text.to_lowercase()))
            .map_err(|e| {
                invalid(
                    "office.upstream_address",
                    format!("{text:?} is not an e-mail address ({e})"),
                )
            }),
    }
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
