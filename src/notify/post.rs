//! One HTTP POST of a shaped message to a group robot: reqwest (already in the tree through
//! teloxide) over rustls with the webpki roots, no redirects, every call under a timeout, and
//! at most 64 KiB of the answer read.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;
use url::Url;

use super::answer::{self, Answer};
use super::{shape, sign};
use crate::config::ConfigError;
use crate::config::notify::{Channel, RobotKind};

/// The most of an answer that is read.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
const TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Error)]
pub enum PostError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("cannot reach {host}: {reason}")]
    Network { host: String, reason: String },
}

/// A channel with its webhook and secret read from the environment.
pub struct Robot {
    pub channel: Channel,
    url: Url,
    secret: Option<SecretString>,
}

impl Robot {
    /// Reads the channel's variables: an error names the key and the variable.
    pub fn connect(channel: &Channel, config_path: &Path) -> Result<Robot, ConfigError> {
        Ok(Robot {
            channel: channel.clone(),
            url: channel.webhook(config_path)?,
            secret: channel.secret(config_path)?,
        })
    }

    /// The host posted to (for messages; the URL itself holds the key and is never shown).
    pub fn host(&self) -> String {
        match (self.url.host_str(), self.url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => "?".into(),
        }
    }
}

/// The HTTP client, shared by every robot.
#[derive(Clone)]
pub struct Poster {
    client: reqwest::Client,
}

impl Poster {
    pub fn new() -> Result<Poster, PostError> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| PostError::Client(e.to_string()))?;
        Ok(Poster { client })
    }

    /// Sends one part, signed at `now` where the robot signs, and reads the robot's answer.
    pub async fn send(
        &self,
        robot: &Robot,
        title: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Answer, PostError> {
        let kind = robot.channel.kind;
        let secret = robot.secret.as_ref().map(|s| s.expose_secret().to_string());
        let mut url = robot.url.clone();
        let mut feishu_signature = None;
        match (kind, secret.as_deref()) {
            (RobotKind::Dingtalk, Some(secret)) => {
                let signature = sign::dingtalk(secret, now);
                url.query_pairs_mut()
                    .append_pair("timestamp", &signature.timestamp)
                    .append_pair("sign", &signature.sign);
            }
            (RobotKind::Feishu, Some(secret)) => feishu_signature = Some(sign::feishu(secret, now)),
            _ => {}
        }
        let body = shape::body(kind, title, text, feishu_signature.as_ref());
        let network = |e: reqwest::Error| PostError::Network {
            host: robot.host(),
            reason: without_url(&e),
        };
        let mut response = self
            .client
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(network)?;
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            let room = MAX_ANSWER_BYTES.saturating_sub(bytes.len());
            bytes.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
            if bytes.len() >= MAX_ANSWER_BYTES {
                break;
            }
        }
        Ok(answer::judge(kind, status, &bytes))
    }
}

/// A reqwest error without the URL, which holds the robot's key.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.without_url_ref().to_string();
    if error.is_timeout() {
        text = format!("no answer within {} s", TIMEOUT.as_secs());
    }
    text
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(url.as_str(), "(webhook)");
        }
        use std::error::Error;
        let mut source = self.source();
        while let Some(inner) = source {
            text.push_str(": ");
            text.push_str(&inner.to_string());
            source = inner.source();
        }
        text
    }
}
