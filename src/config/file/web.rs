//! `[web]` as written (the staff console's switch and address), and its conversion into [`Web`].

use serde::Deserialize;

use super::Invalid;
use crate::config::{ConfigError, Web};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct WebFile {
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

pub(super) fn build(raw: WebFile, invalid: &Invalid) -> Result<Web, ConfigError> {
    let listen = raw.listen.parse().map_err(|_| {
        invalid(
            "web.listen",
            format!(
                "{:?} is not an address:port such as 127.0.0.1:8080",
                raw.listen
            ),
        )
    })?;
    Ok(Web {
        enabled: raw.enabled,
        listen,
        secure_cookies: raw.secure_cookies,
    })
}
