//! `[dingtalk]`: the two-way robot in Stream mode (an enterprise internal app with the robot
//! capability, 消息接收模式 = Stream 模式). The app's Client ID and Client Secret stay in the
//! environment; the allow-list is by DingTalk staff id (`senderStaffId`).

use serde::Deserialize;
use url::Url;

use super::notify::is_loopback;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StreamFile {
    enabled: bool,
    client_id_env: String,
    client_secret_env: String,
    api_url: String,
    staff: Vec<String>,
    admins: Vec<String>,
    chats: Vec<String>,
}

impl Default for StreamFile {
    fn default() -> Self {
        Self {
            enabled: false,
            client_id_env: "REPORTDESK_DINGTALK_CLIENT_ID".into(),
            client_secret_env: "REPORTDESK_DINGTALK_CLIENT_SECRET".into(),
            api_url: "https://api.dingtalk.com".into(),
            staff: vec![],
            admins: vec![],
            chats: vec![],
        }
    }
}

/// The checked `[dingtalk]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSettings {
    pub enabled: bool,
    pub client_id_env: String,
    pub client_secret_env: String,
    /// The OpenAPI host the connection is opened at (a stand-in in tests).
    pub api_url: Url,
    /// Staff ids answered; admins may also `/remind`.
    pub staff: Vec<String>,
    pub admins: Vec<String>,
    /// Group conversations (`conversationId`) answered, with aggregates only.
    pub chats: Vec<String>,
}

/// Checks the table: the API URL is https, or http to loopback only.
pub fn build(file: StreamFile) -> Result<StreamSettings, String> {
    let api_url = Url::parse(file.api_url.trim())
        .ok()
        .filter(|u| {
            u.scheme() == "https" || (u.scheme() == "http" && u.host_str().is_some_and(is_loopback))
        })
        .ok_or_else(|| {
            format!(
                "api_url {:?}: use https (plain http only to a loopback host)",
                file.api_url
            )
        })?;
    Ok(StreamSettings {
        enabled: file.enabled,
        client_id_env: file.client_id_env,
        client_secret_env: file.client_secret_env,
        api_url,
        staff: file.staff,
        admins: file.admins,
        chats: file.chats,
    })
}
