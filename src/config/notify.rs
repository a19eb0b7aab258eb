//! The `[[notify]]` tables (SPEC §14): one group robot each, parsed once into a [`Channel`].
//!
//! ```toml
//! [[notify]]
//! kind = "dingtalk"                       # "wecom" | "dingtalk" | "feishu"
//! webhook_env = "REPORTDESK_DINGTALK_WEBHOOK"  # holds the whole webhook URL, key included
//! secret_env = "REPORTDESK_DINGTALK_SECRET"    # 加签 / 签名校验 secret, where the robot signs
//! events = ["digest", "overdue", "alerts"]     # the default
//! ```
//!
//! The webhook and the secret stay in the environment: they are read where a connection is
//! made ([`Channel::webhook`], [`Channel::secret`]), never printed.

use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::{ConfigError, read_secret};

/// The platform a robot lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RobotKind {
    /// 企业微信 group robot (also 政务微信, built on it).
    Wecom,
    /// 钉钉 custom robot.
    Dingtalk,
    /// 飞书 custom robot.
    Feishu,
}

impl RobotKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RobotKind::Wecom => "wecom",
            RobotKind::Dingtalk => "dingtalk",
            RobotKind::Feishu => "feishu",
        }
    }

    /// WeCom has no signing: its key is in the URL.
    pub fn signs(self) -> bool {
        self != RobotKind::Wecom
    }
}

/// What a channel is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// The reminder-day list of missing units (the Telegram staff digest).
    Digest,
    /// The list after the deadline.
    Overdue,
    /// Quarantined or held mail, replies SMTP refused, a mailbox not polled for 30 minutes.
    Alerts,
}

impl Event {
    pub const ALL: [Event; 3] = [Event::Digest, Event::Overdue, Event::Alerts];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::Digest => "digest",
            Event::Overdue => "overdue",
            Event::Alerts => "alerts",
        }
    }

    pub fn parse(text: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == text)
    }
}

/// One `[[notify]]` table as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyFile {
    kind: RobotKind,
    webhook_env: String,
    #[serde(default)]
    secret_env: Option<String>,
    #[serde(default)]
    events: Option<Vec<Event>>,
    #[serde(default)]
    retry_base_seconds: Option<u64>,
}

/// One group robot, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub kind: RobotKind,
    /// The variable holding the webhook URL; also the channel's name in the queue (unique).
    pub webhook_env: String,
    pub secret_env: Option<String>,
    pub events: Vec<Event>,
    /// The first wait after a failed send; doubles up to 10 minutes.
    pub retry_base_seconds: u64,
}

impl Channel {
    pub fn takes(&self, event: Event) -> bool {
        self.events.contains(&event)
    }

    /// The webhook URL from the environment, checked: https, or plain http to loopback only.
    pub fn webhook(&self, config_path: &Path) -> Result<Url, ConfigError> {
        let value = read_secret(config_path, &self.webhook_env, "notify.webhook_env")?;
        check_webhook(value.expose_secret()).map_err(|message| ConfigError::Invalid {
            path: config_path.to_path_buf(),
            key: "notify.webhook_env",
            message: format!("{}: {message}", self.webhook_env),
        })
    }

    /// The signing secret, when the table names one.
    pub fn secret(&self, config_path: &Path) -> Result<Option<SecretString>, ConfigError> {
        self.secret_env
            .as_deref()
            .map(|var| read_secret(config_path, var, "notify.secret_env"))
            .transpose()
    }

    /// How the channel is named to people: `dingtalk (REPORTDESK_DINGTALK_WEBHOOK)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.kind.as_str(), self.webhook_env)
    }
}

/// A webhook URL we may post to: https anywhere, http only to a loopback host (tests).
pub fn check_webhook(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("not a URL ({e})"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if url.host_str().is_some_and(is_loopback) => Ok(url),
        "http" => Err("plain http is only allowed to a loopback host; use https".into()),
        other => Err(format!("scheme {other:?}: use https")),
    }
}

pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks the tables: kinds and events are enums already; variable names must be given, and
/// no two tables may share a webhook variable (it names the channel in the queue).
pub fn build(files: Vec<NotifyFile>) -> Result<Vec<Channel>, String> {
    let mut channels: Vec<Channel> = Vec::with_capacity(files.len());
    for (i, file) in files.into_iter().enumerate() {
        let n = i + 1;
        let webhook_env = file.webhook_env.trim().to_string();
        if webhook_env.is_empty() {
            return Err(format!("table {n}: webhook_env is empty"));
        }
        if channels.iter().any(|c| c.webhook_env == webhook_env) {
            return Err(format!(
                "table {n}: webhook_env {webhook_env} is used by an earlier table"
            ));
        }
        let secret_env = file
            .secret_env
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        if secret_env.is_some() && !file.kind.signs() {
            return Err(format!(
                "table {n}: kind = \"wecom\" has no signing secret; remove secret_env (the key is in the webhook URL)"
            ));
        }
        let mut events = file.events.unwrap_or_else(|| Event::ALL.to_vec());
        events.dedup();
        if events.is_empty() {
            return Err(format!(
                "table {n}: events is empty; give at least one of \"digest\", \"overdue\", \"alerts\""
            ));
        }
        channels.push(Channel {
            kind: file.kind,
            webhook_env,
            secret_env,
            events,
            retry_base_seconds: file.retry_base_seconds.unwrap_or(30).max(1),
        });
    }
    Ok(channels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Channel>, String> {
        #[derive(Deserialize)]
        struct File {
            notify: Vec<NotifyFile>,
        }
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        build(file.notify)
    }

    #[test]
    fn tables_become_channels_with_the_default_events() {
        let channels = parse(
            "[[notify]]\nkind = \"wecom\"\nwebhook_env = \"W\"\n\
             [[notify]]\nkind = \"dingtalk\"\nwebhook_env = \"D\"\nsecret_env = \"DS\"\nevents = [\"alerts\"]\n",
        )
        .unwrap();
        assert_eq!(channels.len(), 2);
        assert_eq!(channels[0].kind, RobotKind::Wecom);
        assert_eq!(channels[0].events, Event::ALL.to_vec());
        assert_eq!(channels[1].secret_env.as_deref(), Some("DS"));
        assert!(channels[1].takes(Event::Alerts) && !channels[1].takes(Event::Digest));
    }

    #[test]
    fn mistakes_are_named() {
        let err = parse("[[notify]]\nkind = \"slack\"\nwebhook_env = \"W\"\n").unwrap_err();
        assert!(err.contains("slack"), "{err}");
        let err =
            parse("[[notify]]\nkind = \"wecom\"\nwebhook_env = \"W\"\nevents = [\"digests\"]\n")
                .unwrap_err();
        assert!(err.contains("digests"), "{err}");
        let err = parse(
            "[[notify]]\nkind = \"wecom\"\nwebhook_env = \"W\"\n[[notify]]\nkind = \"feishu\"\nwebhook_env = \"W\"\n",
        )
        .unwrap_err();
        assert!(err.contains("table 2") && err.contains("W"), "{err}");
        let err = parse("[[notify]]\nkind = \"wecom\"\nwebhook_env = \"W\"\nsecret_env = \"S\"\n")
            .unwrap_err();
        assert!(err.contains("wecom"), "{err}");
    }

    #[test]
    fn webhooks_are_https_or_loopback() {
        assert!(check_webhook("https://oapi.dingtalk.com/robot/send?access_token=x").is_ok());
        assert!(check_webhook("http://127.0.0.1:8080/cgi-bin/webhook/send?key=k").is_ok());
        assert!(check_webhook("http://[::1]:8080/x").is_ok());
        let err =
            check_webhook("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k").unwrap_err();
        assert!(err.contains("loopback"), "{err}");
        assert!(check_webhook("ftp://x").is_err());
        assert!(check_webhook("not a url").is_err());
    }
}
