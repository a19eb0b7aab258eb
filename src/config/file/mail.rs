//! `[inbound]` and `[outbound]` as written (a kind plus the server's table), and their
//! conversion into [`Inbound`] and [`Outbound`]: the TLS mode parsed once, plaintext only to a
//! loopback host.

use std::path::Path;

use serde::Deserialize;

use super::{Invalid, resolve};
use crate::config::{ConfigError, Inbound, Outbound, ServerSettings, TlsMode};

#[derive(Deserialize, Default)]
pub(super) struct MailFile {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    pub(super) retry_base_seconds: Option<u64>,
    /// `[outbound]` only: how often the delivery task looks at the outbox unwoken.
    #[serde(default)]
    pub(super) check_seconds: Option<u64>,
    /// `[outbound]` only: replies in flight at once over SMTP.
    #[serde(default)]
    pub(super) connections: Option<u32>,
    /// `[outbound]` only: at most this many replies a minute.
    #[serde(default)]
    pub(super) max_per_minute: Option<u32>,
    #[serde(flatten)]
    server: toml::Table,
}

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

pub(super) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(super) fn inbound(
    file: MailFile,
    invalid: &Invalid,
    root: &Path,
) -> Result<Inbound, ConfigError> {
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

pub(super) fn outbound(
    file: MailFile,
    invalid: &Invalid,
    root: &Path,
) -> Result<Outbound, ConfigError> {
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
