//! Outbound SMTP through lettre: implicit TLS (465), STARTTLS (587), or plaintext on loopback,
//! with an optional private CA. Connections are pooled and reused: up to `[outbound]
//! connections` of them carry replies side by side (the delivery worker runs that many lanes),
//! and `max_per_minute` caps what leaves in any minute ([`RateCap`]). Errors say whether trying again can help: a 5xx answer is
//! permanent (the reply is marked failed), anything else is retried with backoff.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;

use super::pace::RateCap;
use crate::config::{Sending, ServerSettings, TlsMode};

const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Error)]
#[error("SMTP {server}: {reason}")]
pub struct SmtpError {
    pub server: String,
    pub reason: String,
    /// The server refused for good (5xx): sending again cannot help.
    pub permanent: bool,
}

/// A configured SMTP relay; connections are pooled by lettre, at most `connections` kept.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    server: String,
    sender: lettre::Address,
    connections: u32,
    cap: Option<RateCap>,
}

impl Smtp {
    /// Prepares the relay; `sender` is the envelope sender (the office address).
    pub fn new(
        settings: &ServerSettings,
        password: &SecretString,
        sender: &str,
        sending: Sending,
    ) -> Result<Self, SmtpError> {
        let server = format!("{}:{}", settings.host, settings.port);
        let fail = |reason: String| SmtpError {
            server: server.clone(),
            reason,
            permanent: true,
        };
        let mut tls = TlsParameters::builder(settings.host.clone());
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| fail(format!("cannot read CA file {}: {e}", path.display())))?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| fail(format!("CA file {}: {e}", path.display())))?;
            tls = tls.add_root_certificate(cert);
        }
        let tls = tls.build_rustls().map_err(|e| fail(e.to_string()))?;
        let builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
                .port(settings.port)
                .timeout(Some(TIMEOUT))
                .pool_config(PoolConfig::new().max_size(sending.connections.max(1)))
                .credentials(Credentials::new(
                    settings.username.clone(),
                    password.expose_secret().to_string(),
                ));
        let builder = match settings.tls {
            TlsMode::Implicit => builder.tls(Tls::Wrapper(tls)),
            TlsMode::Starttls => builder.tls(Tls::Required(tls)),
            TlsMode::None => builder.tls(Tls::None),
        };
        let sender = sender
            .parse()
            .map_err(|e| fail(format!("office address {sender:?}: {e}")))?;
        Ok(Self {
            transport: builder.build(),
            server,
            sender,
            connections: sending.connections.max(1),
            cap: sending.max_per_minute.map(RateCap::per_minute),
        })
    }

    /// How many replies may be in flight at once (one per pooled connection).
    pub fn connections(&self) -> usize {
        usize::try_from(self.connections).unwrap_or(1)
    }

    /// The per-minute cap, when one is configured.
    pub fn cap(&self) -> Option<&RateCap> {
        self.cap.as_ref()
    }

    /// Sends one whole message to `recipient`.
    pub async fn send(&self, recipient: &str, message: &[u8]) -> Result<(), SmtpError> {
        let to = recipient.parse().map_err(|e| SmtpError {
            server: self.server.clone(),
            reason: format!("recipient {recipient:?}: {e}"),
            permanent: true,
        })?;
        let envelope =
            Envelope::new(Some(self.sender.clone()), vec![to]).map_err(|e| SmtpError {
                server: self.server.clone(),
                reason: e.to_string(),
                permanent: true,
            })?;
        self.transport
            .send_raw(&envelope, message)
            .await
            .map(|_| ())
            .map_err(|e| SmtpError {
                server: self.server.clone(),
                permanent: e.is_permanent(),
                reason: e.to_string(),
            })
    }

    /// Connects, says EHLO and logs in, without sending anything.
    pub async fn check(&self) -> Result<(), SmtpError> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(SmtpError {
                server: self.server.clone(),
                reason: "the server did not answer NOOP".into(),
                permanent: false,
            }),
            Err(e) => Err(SmtpError {
                server: self.server.clone(),
                permanent: e.is_permanent(),
                reason: e.to_string(),
            }),
        }
    }
}
