//! `[bot]` as written, and its conversion into [`Bot`] (the API URL checked).

use serde::Deserialize;

use super::Invalid;
use super::mail::is_loopback;
use crate::config::{Bot, ConfigError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct BotFile {
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

pub(super) fn build(raw: BotFile, invalid: &Invalid) -> Result<Bot, ConfigError> {
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
