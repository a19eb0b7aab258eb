//! IMAP against the stack's Dovecot with async-imap: LOGIN + SELECT + FETCH on the plaintext
//! listener (also after STARTTLS) and the implicit-TLS one (rustls trusting the test CA), and IDLE
//! seeing an SMTP delivery.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_imap::Session;
use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{MailboxDatum, Response};
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::harness::MailStack;
use crate::support::{OFFICE, PASSWORD, UNIT, has_subject, message, report};

async fn login<T>(stream: T) -> Session<T>
where
    T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    let greeting = client.read_response().await.unwrap();
    assert!(greeting.is_some(), "no IMAP greeting");
    client
        .login(OFFICE, PASSWORD)
        .await
        .map_err(|(e, _)| e)
        .unwrap()
}

async fn connect_plain(stack: &MailStack) -> Session<TcpStream> {
    let tcp = TcpStream::connect(("127.0.0.1", stack.imap_port()))
        .await
        .unwrap();
    login(tcp).await
}

/// rustls trusting only the stack's CA, for the name "localhost".
async fn tls_wrap(stack: &MailStack, tcp: TcpStream) -> TlsStream<TcpStream> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(stack.ca_file()).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    // ring named explicitly: test builds also carry aws-lc-rs (through fantoccini), and with two
    // providers compiled in rustls has no process default.
    let config = ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap();
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .unwrap()
}

async fn connect_tls(stack: &MailStack) -> Session<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(("127.0.0.1", stack.imaps_port()))
        .await
        .unwrap();
    login(tls_wrap(stack, tcp).await).await
}

/// STARTTLS by hand on the plaintext listener: no second greeting after the handshake.
async fn connect_starttls(stack: &MailStack) -> Session<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(("127.0.0.1", stack.imap_port()))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap().unwrap();
    client
        .run_command_and_check_ok("STARTTLS", None)
        .await
        .unwrap();
    let tls = tls_wrap(stack, client.into_inner()).await;
    async_imap::Client::new(tls)
        .login(OFFICE, PASSWORD)
        .await
        .map_err(|(e, _)| e)
        .unwrap()
}

/// SELECT INBOX and FETCH every message's full text.
async fn fetch_inbox<T>(session: &mut Session<T>) -> Vec<Vec<u8>>
where
    T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    let mailbox = session.select("INBOX").await.unwrap();
    if mailbox.exists == 0 {
        return Vec::new();
    }
    let fetches: Vec<_> = session
        .fetch("1:*", "BODY.PEEK[]")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    fetches.iter().map(|f| f.body().unwrap().to_vec()).collect()
}

fn stack_with_users() -> MailStack {
    let stack = MailStack::start();
    stack.add_user(OFFICE, PASSWORD);
    stack.add_user(UNIT, PASSWORD);
    stack
}

#[tokio::test]
async fn login_select_fetch_on_the_plaintext_listener() {
    let stack = stack_with_users();
    let raw = message(UNIT, OFFICE, "imap-plain");
    stack.inject(OFFICE, &raw);
    let mut session = connect_plain(&stack).await;
    let inbox = fetch_inbox(&mut session).await;
    assert_eq!(inbox, vec![raw], "IMAP serves the injected bytes");
    assert_eq!(
        inbox,
        stack.mailbox(OFFICE, "INBOX"),
        "mailbox() equals IMAP"
    );
    session.logout().await.unwrap();
}

#[tokio::test]
async fn login_select_fetch_on_the_implicit_tls_listener() {
    let stack = stack_with_users();
    stack.send(UNIT, OFFICE, &message(UNIT, OFFICE, "imap-tls"));
    stack.wait_for(OFFICE, "INBOX", 1, Duration::from_secs(10));
    let mut session = connect_tls(&stack).await;
    let inbox = fetch_inbox(&mut session).await;
    assert!(has_subject(&inbox, "imap-tls"));
    assert_eq!(
        inbox,
        stack.mailbox(OFFICE, "INBOX"),
        "mailbox() equals IMAP"
    );
    session.logout().await.unwrap();
}

#[tokio::test]
async fn starttls_on_the_plaintext_listener_then_fetch() {
    let stack = stack_with_users();
    let raw = message(UNIT, OFFICE, "imap-starttls");
    stack.inject(OFFICE, &raw);
    let mut session = connect_starttls(&stack).await;
    assert_eq!(fetch_inbox(&mut session).await, vec![raw]);
    session.logout().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sees_a_message_delivered_by_smtp() {
    let stack = Arc::new(stack_with_users());
    let mut session = connect_plain(&stack).await;
    session.select("INBOX").await.unwrap();
    let mut idle = session.idle();
    idle.init().await.unwrap();
    let sender = Arc::clone(&stack);
    let sent = Instant::now();
    let send = tokio::task::spawn_blocking(move || {
        sender.send(UNIT, OFFICE, &message(UNIT, OFFICE, "idle-1"));
        Instant::now()
    });
    let deadline = sent + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let (wait, _stop) = idle.wait_with_timeout(left);
        match wait.await.unwrap() {
            IdleResponse::NewData(data) if is_exists(data.parsed()) => break,
            IdleResponse::NewData(_) => continue,
            other => panic!("IDLE ended without new mail: {other:?}\n{}", stack.logs()),
        }
    }
    let pushed = Instant::now();
    let submitted = send.await.unwrap();
    report("SMTP submit (incl. LMTP delivery)", submitted - sent);
    report("SMTP submit start until IDLE EXISTS", pushed - sent);
    let mut session = idle.done().await.unwrap();
    assert!(has_subject(&fetch_inbox(&mut session).await, "idle-1"));
    session.logout().await.unwrap();
}

fn is_exists(response: &Response<'_>) -> bool {
    matches!(response, Response::MailboxData(MailboxDatum::Exists(_)))
}
