//! `[office]` and `[database]` as written, and their conversion into [`Office`] and the
//! database URL.

use std::path::Path;

use chrono_tz::Tz;
use serde::Deserialize;

use super::Invalid;
use crate::config::{ConfigError, Office};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OfficeFile {
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
pub(super) struct DatabaseFile {
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

/// `[office]` checked: a known time zone, an e-mail address, a phone number and the city's
/// mailbox when given.
pub(super) fn build(raw: OfficeFile, invalid: &Invalid) -> Result<Office, ConfigError> {
    let timezone: Tz = raw.timezone.parse().map_err(|_| {
        invalid(
            "office.zone.tz()",
            format!("unknown time zone {:?}", raw.timezone),
        )
    })?;
    let address = raw.address.trim().to_lowercase();
    if !address.contains('@') {
        return Err(invalid(
            "office.address",
            format!("{address:?} is not an e-mail address"),
        ));
    }
    Ok(Office {
        name: raw.name,
        address,
        zone: crate::domain::OfficeZone::new(timezone),
        contact: raw.contact,
        reporter: raw.reporter.filter(|r| !r.trim().is_empty()),
        phone: office_phone(raw.phone.as_deref(), invalid)?,
        upstream_address: upstream(raw.upstream_address.as_deref(), invalid)?,
    })
}

/// `[database] url`, with `{data_dir}` filled in; only SQLite.
pub(super) fn database_url(
    raw: DatabaseFile,
    data_dir: &Path,
    invalid: &Invalid,
) -> Result<String, ConfigError> {
    let url = raw.url.replace("{data_dir}", &data_dir.to_string_lossy());
    if !url.starts_with("sqlite:") {
        return Err(invalid(
            "database.url",
            "only sqlite: URLs are supported".into(),
        ));
    }
    Ok(url)
}

/// `[office] phone`: a mainland number, as on the forms.
fn office_phone(
    text: Option<&str>,
    invalid: &Invalid,
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
fn upstream(text: Option<&str>, invalid: &Invalid) -> Result<Option<String>, ConfigError> {
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

fn default_timezone() -> String {
    "Asia/Shanghai".into()
}
fn default_database_url() -> String {
    "sqlite://{data_dir}/reportdesk.db".into()
}
