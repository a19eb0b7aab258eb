//! The two-way DingTalk robot in Stream mode (SPEC §14): the daemon connects out, so no public
//! address is needed. Open a connection (`POST {api_url}/v1.0/gateway/connections/open` with the
//! app's clientId and clientSecret and the robot-message subscription), then a WebSocket to the
//! returned `endpoint?ticket=…` (the ticket is good for 90 s and one connection); answer the
//! gateway's `ping`, acknowledge every callback, open a new connection after `disconnect` or a
//! drop. Each question is answered through the callback's `sessionWebhook` with the Telegram
//! bot's answers ([`crate::bot::handle::reply`]), rendered as DingTalk markdown ([`render`]), under
//! the same rules: only the staff ids of `[dingtalk] staff`/`admins`, aggregates only in the
//! groups of `[dingtalk] chats`.
//!
//! - [`frames`]: the protocol's frames and acks, pure; [`render`]: HTML answers to markdown.
//! - The `[dingtalk]` table is read with the rest of the configuration
//!   ([`crate::config::dingtalk`]); who a staff id is, is decided here.

pub mod frames;
pub mod render;

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::either::Either;
use tokio_util::sync::CancellationToken;
use url::Url;

use self::frames::{BotMessage, Frame};
use crate::app::App;
use crate::bot::access::{Audience, Role};
use crate::bot::{answers, ask, handle};
use crate::config::dingtalk::StreamSettings;
use crate::config::notify::is_loopback;

const TIMEOUT: Duration = Duration::from_secs(15);
/// The longest a received frame may be (a robot message is a few KB).
const MAX_FRAME: usize = 1 << 20;

/// The app's credentials, read from the environment at start-up.
pub struct Credentials {
    pub client_id: SecretString,
    pub client_secret: SecretString,
}

/// The task: keeps a connection open until cancelled, reconnecting with backoff.
pub async fn run(app: Arc<App>, credentials: Credentials, cancel: CancellationToken) {
    let mut failures: u32 = 0;
    loop {
        match session(&app, &credentials, &cancel).await {
            Ok(()) if cancel.is_cancelled() => return,
            Ok(()) => failures = 0,
            Err(error) => {
                failures = failures.saturating_add(1);
                tracing::warn!(%error, "DingTalk Stream connection failed; connecting again");
            }
        }
        let wait = Duration::from_secs(1 << failures.min(6));
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(if failures == 0 { Duration::ZERO } else { wait }) => {}
        }
    }
}

/// One connection: returns `Ok` on `disconnect` or cancellation.
async fn session(
    app: &App,
    credentials: &Credentials,
    cancel: &CancellationToken,
) -> Result<(), String> {
    let client = http_client()?;
    let settings = &app.config.dingtalk;
    let url = open_connection(&client, &settings.api_url, credentials).await?;
    let mut socket = connect(&url).await?;
    tracing::info!(
        host = url.host_str().unwrap_or("?"),
        "DingTalk Stream connected"
    );
    loop {
        let message = tokio::select! {
            () = cancel.cancelled() => {
                let _ = socket.close(None).await;
                return Ok(());
            }
            message = socket.next() => message,
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) | None => {
                return Err("the gateway closed the connection".into());
            }
            Some(Ok(_)) => continue,
            Some(Err(error)) => return Err(format!("WebSocket: {error}")),
        };
        let Some(frame) = frames::parse(text.as_str()) else {
            tracing::warn!("a frame that is not JSON from the DingTalk gateway");
            continue;
        };
        let reply = match frame {
            Frame::Ping { message_id, data } => frames::ack(200, &message_id, "OK", &data),
            Frame::Disconnect { reason } => {
                tracing::info!(%reason, "DingTalk Stream asked to reconnect");
                return Ok(());
            }
            Frame::BotMessage { message_id, data } => {
                socket
                    .send(Message::text(frames::ack(
                        200,
                        &message_id,
                        "OK",
                        r#"{"response": null}"#,
                    )))
                    .await
                    .map_err(|e| format!("WebSocket: {e}"))?;
                if let Err(error) = answer_message(app, &client, &data).await {
                    tracing::warn!(%error, "cannot answer a DingTalk message");
                }
                continue;
            }
            Frame::Other {
                message_id,
                kind,
                topic,
            } => {
                tracing::debug!(%kind, %topic, "DingTalk frame not handled");
                frames::ack(404, &message_id, "not handled", "{}")
            }
        };
        socket
            .send(Message::text(reply))
            .await
            .map_err(|e| format!("WebSocket: {e}"))?;
    }
}

fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Asks the gateway for a connection with the app's credentials: the WebSocket address with its
/// ticket. The gateway's own `code` and `message` are kept when it refuses (wrong secret, app
/// without the robot capability), since they say what to fix.
async fn open_connection(
    client: &reqwest::Client,
    api_url: &Url,
    credentials: &Credentials,
) -> Result<Url, String> {
    let open = api_url
        .join("v1.0/gateway/connections/open")
        .map_err(|e| e.to_string())?;
    let body = json!({
        "clientId": credentials.client_id.expose_secret(),
        "clientSecret": credentials.client_secret.expose_secret(),
        "subscriptions": [{"type": "CALLBACK", "topic": frames::BOT_TOPIC}],
        "ua": concat!("reportdesk/", env!("CARGO_PKG_VERSION")),
    });
    let response = client
        .post(open)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("cannot open a connection at {api_url}: {}", e.without_url()))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("the gateway at {api_url}: {}", e.without_url()))?;
    let answer: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if !status.is_success() {
        return Err(format!(
            "the gateway at {api_url} refused the connection: HTTP {status} {} {}",
            answer["code"].as_str().unwrap_or_default(),
            answer["message"].as_str().unwrap_or_default()
        )
        .trim_end()
        .to_string());
    }
    let (Some(endpoint), Some(ticket)) = (answer["endpoint"].as_str(), answer["ticket"].as_str())
    else {
        return Err(format!("the gateway gave no endpoint and ticket: {answer}"));
    };
    let mut url = Url::parse(endpoint).map_err(|e| format!("endpoint {endpoint:?}: {e}"))?;
    url.query_pairs_mut().append_pair("ticket", ticket);
    Ok(url)
}

/// `check-config` for `[dingtalk]`: the app's credentials are asked for a connection (nothing is
/// subscribed to until a WebSocket opens, so no message is taken from the daemon).
pub async fn check(settings: &StreamSettings, credentials: &Credentials) -> Result<String, String> {
    let client = http_client()?;
    let url = open_connection(&client, &settings.api_url, credentials).await?;
    Ok(format!(
        "the gateway at {} gave a connection ({})",
        settings.api_url,
        url.host_str().unwrap_or("?")
    ))
}

type Socket = tokio_tungstenite::WebSocketStream<
    Either<tokio_rustls::client::TlsStream<TcpStream>, TcpStream>,
>;

/// The WebSocket: wss through rustls with the webpki roots, or plain ws to loopback (tests).
async fn connect(url: &Url) -> Result<Socket, String> {
    let host = url
        .host_str()
        .ok_or("the endpoint has no host")?
        .to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let tcp = tokio::time::timeout(TIMEOUT, TcpStream::connect((host.as_str(), port)))
        .await
        .map_err(|_| format!("no connection to {host}:{port} within 15 s"))?
        .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    let stream = match url.scheme() {
        "wss" => {
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
            let name = rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|e| format!("{host}: {e}"))?;
            let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS with {host}: {e}"))?;
            Either::Left(tls)
        }
        "ws" if is_loopback(&host) => Either::Right(tcp),
        other => return Err(format!("endpoint scheme {other:?} to {host}: use wss")),
    };
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME))
        .max_frame_size(Some(MAX_FRAME));
    let (socket, _) = tokio::time::timeout(
        TIMEOUT,
        tokio_tungstenite::client_async_with_config(url.as_str(), stream, Some(config)),
    )
    .await
    .map_err(|_| "no WebSocket handshake within 15 s".to_string())?
    .map_err(|e| format!("WebSocket handshake: {e}"))?;
    Ok(socket)
}

/// Who a DingTalk staff id is: `[dingtalk] admins` may also `/remind`.
fn role_of(settings: &StreamSettings, staff_id: Option<&str>) -> Role {
    match staff_id {
        Some(id) if settings.admins.iter().any(|a| a == id) => Role::Admin,
        Some(id) if settings.staff.iter().any(|s| s == id) => Role::Staff,
        _ => Role::Stranger,
    }
}

/// Answers one robot message through its session webhook, under the bot's rules.
async fn answer_message(app: &App, client: &reqwest::Client, data: &str) -> Result<(), String> {
    let message = BotMessage::parse(data).ok_or("a robot message without a sessionWebhook")?;
    let settings = &app.config.dingtalk;
    let audience = Audience::of(message.is_private());
    if audience == Audience::Group && !settings.chats.contains(&message.conversation_id) {
        tracing::warn!(conversation = %message.conversation_id, "a DingTalk group not in [dingtalk] chats");
        return Ok(());
    }
    let Some(text) = message.text() else {
        return Ok(());
    };
    let parsed = ask::parse(text, "", &app.config.roster.current(), app.today());
    let role = role_of(settings, message.sender_staff_id.as_deref());
    let who = format!(
        "dingtalk:{}",
        message.sender_staff_id.as_deref().unwrap_or("-")
    );
    let html = if role == Role::Stranger {
        if audience == Audience::Group && parsed == ask::Parsed::Unknown {
            return Ok(());
        }
        tracing::warn!(staff_id = ?message.sender_staff_id, nick = %message.sender_nick, "refused a DingTalk user not in [dingtalk] staff or admins");
        answers::REFUSAL.to_string()
    } else {
        match parsed {
            ask::Parsed::Ask(ask::Ask::Export(period)) => answers::export_elsewhere(period),
            parsed => match handle::reply(app, parsed, role, audience, &who)
                .await
                .map_err(|e| e.to_string())?
            {
                Some(html) => html,
                None => return Ok(()),
            },
        }
    };
    let now_ms = app.now().timestamp_millis();
    if message.session_webhook_expired_time != 0 && message.session_webhook_expired_time < now_ms {
        return Err("the message's sessionWebhook has expired".into());
    }
    let webhook = crate::config::notify::check_webhook(&message.session_webhook)?;
    let body = json!({
        "msgtype": "markdown",
        "markdown": {"title": render::title(&html), "text": render::markdown(&html)},
    });
    let answer = client
        .post(webhook)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("sessionWebhook: {}", e.without_url()))?;
    let status = answer.status().as_u16();
    let bytes = answer
        .bytes()
        .await
        .map_err(|e| e.without_url().to_string())?;
    let verdict = crate::notify::answer::judge(crate::notify::RobotKind::Dingtalk, status, &bytes);
    if verdict.verdict != crate::notify::answer::Verdict::Delivered {
        return Err(format!("sessionWebhook answered {verdict}"));
    }
    Ok(())
}
