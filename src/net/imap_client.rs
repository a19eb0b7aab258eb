//! An IMAP connection to the office mailbox: connect (implicit TLS, STARTTLS, or plaintext on
//! loopback), log in, identify (RFC 2971 ID, which NetEase requires), and the few commands intake
//! needs: list new UIDs, fetch raw messages with their INTERNALDATE, move them away, and IDLE.
//!
//! Every network call runs under a timeout, and every error says which server, folder and UID.

use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_util::either::Either;
use tokio_util::sync::CancellationToken;

use super::{tls, utf7};
use crate::config::{ServerSettings, TlsMode};

type Stream = Either<TlsStream<TcpStream>, TcpStream>;
type Session = async_imap::Session<Stream>;

/// How long one command may take before the connection is given up.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Fetching a batch of large messages (photos) may take longer.
const FETCH_TIMEOUT: Duration = Duration::from_secs(300);
/// UIDs whose sizes are asked for in one command.
const SIZES_PER_COMMAND: usize = 500;
/// RFC 2177: re-issue IDLE before the server's 30-minute inactivity cut.
pub const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);

#[derive(Debug, Error)]
#[error("IMAP {server}{}: {action}: {reason}", folder.as_ref().map(|f| format!(" folder {f}")).unwrap_or_default())]
pub struct ImapError {
    pub server: String,
    pub folder: Option<String>,
    pub action: String,
    pub reason: String,
}

/// A message fetched from the server.
#[derive(Debug)]
pub struct Fetched {
    pub uid: u32,
    /// INTERNALDATE: when the server received it. This, not the Date header, decides lateness.
    pub received_at: Option<DateTime<Utc>>,
    pub raw: Vec<u8>,
}

/// What the selected folder looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    pub uid_validity: u32,
    pub uid_next: Option<u32>,
}

/// Why an IDLE wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    NewData,
    Timeout,
    Cancelled,
}

/// A logged-in connection.
pub struct Connection {
    session: Option<Session>,
    server: String,
    folder: Option<String>,
    capabilities: Vec<String>,
}

impl Connection {
    /// Connects and logs in as `settings.username` with `password`.
    pub async fn open(
        settings: &ServerSettings,
        password: &SecretString,
    ) -> Result<Self, ImapError> {
        let server = format!("{}:{}", settings.host, settings.port);
        let fail = |action: &str, reason: String| ImapError {
            server: server.clone(),
            folder: None,
            action: action.to_string(),
            reason,
        };
        let tcp = timed(
            COMMAND_TIMEOUT,
            TcpStream::connect((settings.host.as_str(), settings.port)),
        )
        .await
        .map_err(|r| fail("cannot connect", r))?;
        let client = match settings.tls {
            TlsMode::Implicit => {
                let tls = wrap_tls(settings, tcp)
                    .await
                    .map_err(|r| fail("TLS handshake failed", r))?;
                greeted(async_imap::Client::new(Either::Left(tls)))
                    .await
                    .map_err(|r| fail("no greeting", r))?
            }
            TlsMode::Starttls => {
                let mut plain = greeted(async_imap::Client::new(Either::Right(tcp)))
                    .await
                    .map_err(|r| fail("no greeting", r))?;
                timed(
                    COMMAND_TIMEOUT,
                    plain.run_command_and_check_ok("STARTTLS", None),
                )
                .await
                .map_err(|r| fail("STARTTLS refused", r))?;
                let Either::Right(tcp) = plain.into_inner() else {
                    return Err(fail("STARTTLS", "unexpected stream".into()));
                };
                let tls = wrap_tls(settings, tcp)
                    .await
                    .map_err(|r| fail("TLS handshake failed", r))?;
                async_imap::Client::new(Either::Left(tls))
            }
            TlsMode::None => greeted(async_imap::Client::new(Either::Right(tcp)))
                .await
                .map_err(|r| fail("no greeting", r))?,
        };
        let login = client.login(&settings.username, password.expose_secret());
        let mut session = match tokio::time::timeout(COMMAND_TIMEOUT, login).await {
            Ok(Ok(session)) => session,
            Ok(Err((error, _))) => {
                return Err(fail(
                    &format!("login as {} failed", settings.username),
                    error.to_string(),
                ));
            }
            Err(_) => return Err(fail("login", "timed out".into())),
        };
        let capabilities: Vec<String> = timed(COMMAND_TIMEOUT, session.capabilities())
            .await
            .map_err(|r| fail("CAPABILITY", r))?
            .iter()
            .filter_map(|c| match c {
                async_imap::types::Capability::Atom(atom) => Some(atom.to_ascii_uppercase()),
                _ => None,
            })
            .collect();
        let mut connection = Self {
            session: Some(session),
            server,
            folder: None,
            capabilities,
        };
        if connection.has("ID") {
            let id = [
                ("name", Some("reportdesk")),
                ("version", Some(env!("CARGO_PKG_VERSION"))),
            ];
            let session = connection.session()?;
            timed(COMMAND_TIMEOUT, session.id(id))
                .await
                .map_err(|r| connection.error("ID", r))?;
        }
        Ok(connection)
    }

    /// Whether the server announced a capability (`IDLE`, `MOVE`, `ID`, …).
    pub fn has(&self, capability: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(capability))
    }

    pub fn server(&self) -> &str {
        &self.server
    }

    fn error(&self, action: &str, reason: String) -> ImapError {
        ImapError {
            server: self.server.clone(),
            folder: self.folder.clone(),
            action: action.to_string(),
            reason,
        }
    }

    fn session(&mut self) -> Result<&mut Session, ImapError> {
        let server = self.server.clone();
        self.session.as_mut().ok_or(ImapError {
            server,
            folder: None,
            action: "use the connection".into(),
            reason: "it was lost during IDLE".into(),
        })
    }

    /// Creates `folder` unless it exists.
    pub async fn ensure_folder(&mut self, folder: &str) -> Result<(), ImapError> {
        let wire = utf7::encode(folder);
        let session = self.session()?;
        let listed: Vec<_> = timed(COMMAND_TIMEOUT, async {
            session
                .list(None, Some(&wire))
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await
        .map_err(|r| self.error(&format!("LIST {folder}"), r))?;
        if listed.is_empty() {
            let session = self.session()?;
            timed(COMMAND_TIMEOUT, session.create(&wire))
                .await
                .map_err(|r| self.error(&format!("CREATE {folder}"), r))?;
        }
        Ok(())
    }

    /// Selects `folder` and reports its UIDVALIDITY.
    pub async fn select(&mut self, folder: &str) -> Result<FolderState, ImapError> {
        let wire = utf7::encode(folder);
        self.folder = Some(folder.to_string());
        let session = self.session()?;
        let mailbox = timed(COMMAND_TIMEOUT, session.select(&wire))
            .await
            .map_err(|r| self.error("SELECT", r))?;
        let uid_validity = mailbox
            .uid_validity
            .ok_or_else(|| self.error("SELECT", "the server sent no UIDVALIDITY".into()))?;
        Ok(FolderState {
            uid_validity,
            uid_next: mailbox.uid_next,
        })
    }

    /// The UIDs above `after`, ascending.
    pub async fn uids_after(&mut self, after: u32) -> Result<Vec<u32>, ImapError> {
        let query = format!("UID {}:*", after.saturating_add(1));
        let session = self.session()?;
        let found = timed(COMMAND_TIMEOUT, session.uid_search(&query))
            .await
            .map_err(|r| self.error("UID SEARCH", r))?;
        let mut uids: Vec<u32> = found.into_iter().filter(|&uid| uid > after).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Each of `uids` still there with the size the server gives it (RFC822.SIZE), by UID.
    /// Asked for a few hundred at a time, so no command grows long on sparse UIDs.
    pub async fn sizes(&mut self, uids: &[u32]) -> Result<Vec<(u32, u32)>, ImapError> {
        let mut sizes = Vec::with_capacity(uids.len());
        for chunk in uids.chunks(SIZES_PER_COMMAND) {
            let set = uid_set(chunk);
            let fetched = self
                .uid_fetch_all(&set, "(UID RFC822.SIZE)", COMMAND_TIMEOUT)
                .await?;
            sizes.extend(
                fetched
                    .iter()
                    .filter_map(|f| Some((f.uid?, f.size.unwrap_or(0)))),
            );
        }
        sizes.sort_unstable();
        sizes.dedup_by_key(|(uid, _)| *uid);
        Ok(sizes)
    }

    /// Fetches whole messages without setting \Seen.
    pub async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<Fetched>, ImapError> {
        let set = uid_set(uids);
        let fetched = self
            .uid_fetch_all(&set, "(UID INTERNALDATE BODY.PEEK[])", FETCH_TIMEOUT)
            .await?;
        let mut out: Vec<Fetched> = fetched
            .iter()
            .filter_map(|f| {
                Some(Fetched {
                    uid: f.uid?,
                    received_at: f.internal_date().map(|d| d.with_timezone(&Utc)),
                    raw: f.body()?.to_vec(),
                })
            })
            .collect();
        out.sort_by_key(|f| f.uid);
        Ok(out)
    }

    /// `UID FETCH set items`, every response collected, within `limit`.
    async fn uid_fetch_all(
        &mut self,
        set: &str,
        items: &str,
        limit: Duration,
    ) -> Result<Vec<async_imap::types::Fetch>, ImapError> {
        let session = self.session()?;
        let fetched = timed(limit, async {
            session
                .uid_fetch(set, items)
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await;
        fetched.map_err(|r| self.error(&format!("UID FETCH {set}"), r))
    }

    /// Moves messages to `folder` (MOVE, or COPY and \Seen where MOVE is missing). Never deletes.
    pub async fn move_to(&mut self, uids: &[u32], folder: &str) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        let set = uid_set(uids);
        let wire = utf7::encode(folder);
        let has_move = self.has("MOVE");
        let session = self.session()?;
        let result = if has_move {
            timed(COMMAND_TIMEOUT, session.uid_mv(&set, &wire)).await
        } else {
            match timed(COMMAND_TIMEOUT, session.uid_copy(&set, &wire)).await {
                Ok(()) => {
                    timed(COMMAND_TIMEOUT, async {
                        session
                            .uid_store(&set, "+FLAGS.SILENT (\\Seen)")
                            .await?
                            .try_collect::<Vec<_>>()
                            .await
                            .map(|_| ())
                    })
                    .await
                }
                Err(e) => Err(e),
            }
        };
        result.map_err(|r| self.error(&format!("moving UIDs {set} to {folder}"), r))
    }

    /// Waits in IDLE until the server reports new mail, `renew` passes, or `cancel` fires.
    pub async fn idle(
        &mut self,
        renew: Duration,
        cancel: &CancellationToken,
    ) -> Result<Woken, ImapError> {
        let session = self
            .session
            .take()
            .ok_or_else(|| self.error("IDLE", "no session".into()))?;
        let mut handle = session.idle();
        if let Err(error) = timed(COMMAND_TIMEOUT, handle.init()).await {
            return Err(self.error("IDLE", error));
        }
        let woken = {
            let (wait, _stop) = handle.wait_with_timeout(renew);
            tokio::select! {
                result = wait => match result {
                    Ok(IdleResponse::NewData(_)) => Ok(Woken::NewData),
                    Ok(IdleResponse::Timeout) => Ok(Woken::Timeout),
                    Ok(IdleResponse::ManualInterrupt) => Ok(Woken::Cancelled),
                    Err(error) => Err(error.to_string()),
                },
                () = cancel.cancelled() => Ok(Woken::Cancelled),
            }
        };
        let woken = woken.map_err(|r| self.error("IDLE", r))?;
        let session = timed(COMMAND_TIMEOUT, handle.done())
            .await
            .map_err(|r| self.error("IDLE DONE", r))?;
        self.session = Some(session);
        Ok(woken)
    }

    /// Logs out politely; errors are of no interest at that point.
    pub async fn close(mut self) {
        if let Some(mut session) = self.session.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
        }
    }
}

async fn greeted(
    mut client: async_imap::Client<Stream>,
) -> Result<async_imap::Client<Stream>, String> {
    match tokio::time::timeout(COMMAND_TIMEOUT, client.read_response()).await {
        Ok(Ok(Some(_))) => Ok(client),
        Ok(Ok(None)) => Err("the server closed the connection".into()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".into()),
    }
}

async fn wrap_tls(
    settings: &ServerSettings,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, String> {
    let config = tls::client_config(settings.ca_file.as_deref()).map_err(|e| e.to_string())?;
    let name = rustls::pki_types::ServerName::try_from(settings.host.clone())
        .map_err(|e| format!("{}: {e}", settings.host))?;
    timed(
        COMMAND_TIMEOUT,
        TlsConnector::from(config).connect(name, tcp),
    )
    .await
}

/// Runs `future` under `limit`, turning both kinds of failure into text.
async fn timed<T, E: std::fmt::Display>(
    limit: Duration,
    future: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("timed out after {} s", limit.as_secs())),
    }
}

/// `1:3,7,9:10` from sorted or unsorted UIDs.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut iter = sorted.into_iter().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&end.saturating_add(1)) {
            end = iter.next().unwrap_or(end);
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}:{end}")
        });
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_collapse_runs() {
        assert_eq!(uid_set(&[9, 1, 2, 3, 7, 10]), "1:3,7,9:10");
        assert_eq!(uid_set(&[5]), "5");
        assert_eq!(uid_set(&[]), "");
    }
}
