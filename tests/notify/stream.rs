//! DingTalk Stream mode end to end: `run` connects out to a stand-in gateway that speaks the
//! documented frames (open a connection over HTTP, then a WebSocket to `endpoint?ticket=…`;
//! SYSTEM ping, CALLBACK on `/v1.0/im/bot/messages/get`, the acks, SYSTEM disconnect), and
//! answers a question through the callback's sessionWebhook.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

use crate::http_request::read_request;
use crate::support::TestEnv;
use crate::{Daemon, WEDNESDAY_18};

pub(crate) const CLIENT_ID: &str = "dingclientid123";
pub(crate) const CLIENT_SECRET: &str = "client-secret-xyz";

#[derive(Clone)]
pub(crate) struct Gateway {
    pub(crate) base: String,
    opens: Arc<Mutex<Vec<Value>>>,
    posts: Arc<Mutex<Vec<(String, Value)>>>,
    tickets: Arc<Mutex<Vec<String>>>,
}

impl Gateway {
    pub(crate) async fn start() -> (Gateway, mpsc::Receiver<WebSocketStream<TcpStream>>) {
        let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws_addr = ws.local_addr().unwrap();
        let gateway = Gateway {
            base: format!("http://{}", http.local_addr().unwrap()),
            opens: Arc::default(),
            posts: Arc::default(),
            tickets: Arc::default(),
        };
        let server = gateway.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = http.accept().await {
                let server = server.clone();
                tokio::spawn(async move { server.serve_http(stream, ws_addr).await });
            }
        });
        let (sockets, received) = mpsc::channel(4);
        let tickets = gateway.tickets.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws.accept().await {
                let tickets = tickets.clone();
                // The error type is tungstenite's (its Callback trait), not ours to shrink.
                #[allow(clippy::result_large_err)]
                let callback = move |request: &Request, response: Response| {
                    let query = request.uri().query().unwrap_or_default().to_string();
                    tickets.lock().unwrap().push(query);
                    Ok(response)
                };
                if let Ok(socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await {
                    let _ = sockets.send(socket).await;
                }
            }
        });
        (gateway, received)
    }

    async fn serve_http(&self, stream: TcpStream, ws: std::net::SocketAddr) {
        let mut reader = BufReader::new(stream);
        while let Some((path, body)) = read_request(&mut reader).await {
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let (status, answer) = if path == "/v1.0/gateway/connections/open" {
                let mut opens = self.opens.lock().unwrap();
                let refused = body["clientSecret"] != CLIENT_SECRET;
                opens.push(body);
                if refused {
                    // api.dingtalk.com's v1.0 error body: HTTP 4xx with `code` and `message`.
                    let refusal = json!({"code": "InvalidAuthentication", "message": "clientId或clientSecret不正确", "requestid": "r-1"});
                    ("400 Bad Request", refusal)
                } else {
                    let connection = json!({"endpoint": format!("ws://{ws}/connect"), "ticket": format!("ticket-{}", opens.len())});
                    ("200 OK", connection)
                }
            } else {
                self.posts.lock().unwrap().push((path, body));
                ("200 OK", json!({"errcode": 0, "errmsg": "ok"}))
            };
            let answer = answer.to_string();
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
                answer.len()
            );
            if reader
                .get_mut()
                .write_all(response.as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    }

    pub(crate) async fn wait_posts(&self, count: usize) -> Vec<(String, Value)> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let posts = self.posts.lock().unwrap().clone();
            if posts.len() >= count {
                return posts;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited for {count} posts: {posts:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub(crate) async fn next_socket(
    sockets: &mut mpsc::Receiver<WebSocketStream<TcpStream>>,
) -> WebSocketStream<TcpStream> {
    tokio::time::timeout(Duration::from_secs(30), sockets.recv())
        .await
        .expect("the daemon connects within 30 s")
        .expect("a socket")
}

/// The next text frame the daemon sends, as JSON.
pub(crate) async fn next_ack(socket: &mut WebSocketStream<TcpStream>) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await
            .expect("an ack within 20 s")
            .expect("open")
            .expect("frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).expect("JSON ack");
        }
    }
}

pub(crate) fn callback(message_id: &str, staff_id: &str, text: &str, webhook: &str) -> Message {
    let data = json!({
        "conversationId": "cid-private", "conversationType": "1", "senderStaffId": staff_id,
        "senderNick": "员工", "sessionWebhook": webhook, "sessionWebhookExpiredTime": 4_102_444_800_000_i64,
        "text": {"content": text}, "msgtype": "text", "robotCode": "dingrobot",
    });
    Message::text(
        json!({
            "specVersion": "1.0", "type": "CALLBACK",
            "headers": {"appId": "app", "contentType": "application/json", "messageId": message_id,
                        "time": "1795000000000", "topic": "/v1.0/im/bot/messages/get"},
            "data": data.to_string(),
        })
        .to_string(),
    )
}

/// The sockets the daemon opens to the gateway stand-in, in order.
pub(crate) type Sockets = mpsc::Receiver<WebSocketStream<TcpStream>>;

/// A gateway stand-in and `run` (Wednesday 18:00) connected to it in Stream mode; returns them
/// with the daemon's first socket and the later ones.
pub(crate) async fn streaming_daemon(
    env: &TestEnv,
) -> (Gateway, Daemon, WebSocketStream<TcpStream>, Sockets) {
    let (gateway, mut sockets) = Gateway::start().await;
    configure(env, &gateway.base);
    let mut command = env.command();
    command
        .args(["--now", WEDNESDAY_18, "run"])
        .env("RD_TEST_DT_ID", CLIENT_ID)
        .env("RD_TEST_DT_SECRET", CLIENT_SECRET)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let daemon = Daemon::spawn(&mut command);
    let socket = next_socket(&mut sockets).await;
    (gateway, daemon, socket, sockets)
}

pub(crate) fn configure(env: &TestEnv, api_url: &str) {
    let mut text = std::fs::read_to_string(&env.config_path).unwrap();
    text.push_str(&format!(
        "\n[dingtalk]\nenabled = true\nclient_id_env = \"RD_TEST_DT_ID\"\nclient_secret_env = \"RD_TEST_DT_SECRET\"\napi_url = \"{api_url}\"\nstaff = [\"staff-1\"]\nadmins = [\"admin-1\"]\nchats = [\"cid-group\"]\n"
    ));
    std::fs::write(&env.config_path, text).unwrap();
}

#[tokio::test]
async fn a_stream_question_is_answered_through_the_session_webhook() {
    let env = TestEnv::new();
    let (gateway, daemon, mut socket, mut sockets) = streaming_daemon(&env).await;
    let opened = gateway.opens.lock().unwrap()[0].clone();
    assert_eq!(opened["clientId"], CLIENT_ID);
    assert_eq!(opened["clientSecret"], CLIENT_SECRET);
    assert_eq!(
        opened["subscriptions"],
        json!([{"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}])
    );
    assert_eq!(gateway.tickets.lock().unwrap()[0], "ticket=ticket-1");

    let ping = json!({"specVersion": "1.0", "type": "SYSTEM",
        "headers": {"topic": "ping", "messageId": "ping-1", "contentType": "application/json"},
        "data": "{\"opaque\":\"op-42\"}"});
    socket.send(Message::text(ping.to_string())).await.unwrap();
    let pong = next_ack(&mut socket).await;
    assert_eq!(pong["code"], 200);
    assert_eq!(pong["headers"]["messageId"], "ping-1");
    assert_eq!(pong["data"], "{\"opaque\":\"op-42\"}");

    let webhook = format!("{}/robot/sendBySession?session=s1", gateway.base);
    socket
        .send(callback("cb-1", "staff-1", " 谁还没报", &webhook))
        .await
        .unwrap();
    let ack = next_ack(&mut socket).await;
    assert_eq!(
        (ack["code"].as_i64(), ack["headers"]["messageId"].as_str()),
        (Some(200), Some("cb-1"))
    );
    assert_eq!(ack["headers"]["contentType"], "application/json");
    let posts = gateway.wait_posts(1).await;
    assert_eq!(posts[0].0, "/robot/sendBySession?session=s1");
    let body = &posts[0].1;
    assert_eq!(body["msgtype"], "markdown");
    let text = body["markdown"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("**2026年11月 未报送 18 / 18 个单位**"),
        "{text}"
    );
    assert!(!text.contains("<b>"), "{text}");
    assert!(
        body["markdown"]["title"]
            .as_str()
            .unwrap()
            .contains("未报送 18 / 18")
    );

    socket
        .send(callback("cb-2", "someone-else", "谁还没报", &webhook))
        .await
        .unwrap();
    next_ack(&mut socket).await;
    let posts = gateway.wait_posts(2).await;
    assert_eq!(
        posts[1].1["markdown"]["text"],
        "抱歉，您没有使用本机器人的权限。"
    );

    socket
        .send(callback("cb-3", "staff-1", "/export 2026-10", &webhook))
        .await
        .unwrap();
    next_ack(&mut socket).await;
    let posts = gateway.wait_posts(3).await;
    let text = posts[2].1["markdown"]["text"].as_str().unwrap();
    assert!(
        text.contains("钉钉机器人不能发送文件") && text.contains("2026年10月汇总表"),
        "{text}"
    );
    assert!(text.contains("reportdesk export --month 2026-10"), "{text}");

    let bye = json!({"specVersion": "1.0", "type": "SYSTEM",
        "headers": {"topic": "disconnect", "contentType": "application/json"},
        "data": "{\"reason\":\"connection is expired\"}"});
    socket.send(Message::text(bye.to_string())).await.unwrap();
    let _second = next_socket(&mut sockets).await;
    assert_eq!(
        gateway.opens.lock().unwrap().len(),
        2,
        "a new connection after disconnect"
    );
    let log = daemon.stop().await;
    assert!(log.contains("DingTalk Stream asked to reconnect"), "{log}");
    assert!(!log.contains(CLIENT_SECRET), "the secret leaked: {log}");
}

/// `check-config` asks the gateway for a connection with the app's credentials and says what it
/// answered: a connection, a refusal in the gateway's own words, or the variable that is not set.
// check-config runs as a blocking child here, so the stand-in needs a thread of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_asks_the_gateway_with_the_apps_credentials() {
    let env = TestEnv::new();
    let (gateway, _sockets) = Gateway::start().await;
    configure(&env, &gateway.base);
    let check = |secret: Option<&str>| {
        let mut command = env.command();
        command.arg("check-config").env("RD_TEST_DT_ID", CLIENT_ID);
        match secret {
            Some(secret) => command.env("RD_TEST_DT_SECRET", secret),
            None => command.env_remove("RD_TEST_DT_SECRET"),
        };
        let output = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let line = stdout
            .lines()
            .find(|l| l.contains("dingtalk:"))
            .unwrap_or_else(|| panic!("no dingtalk line in {stdout}"))
            .to_string();
        (output.status.code(), line, stdout)
    };

    let (code, line, stdout) = check(Some(CLIENT_SECRET));
    assert_eq!(code, Some(0), "{stdout}");
    assert!(line.starts_with("ok   dingtalk: the gateway at"), "{line}");
    assert!(line.contains("gave a connection (127.0.0.1)"), "{line}");
    assert_eq!(gateway.opens.lock().unwrap()[0]["clientId"], CLIENT_ID);

    let (code, line, stdout) = check(Some("wrong-secret"));
    assert_ne!(code, Some(0), "{stdout}");
    assert!(line.starts_with("FAIL dingtalk:"), "{line}");
    assert!(
        line.contains("HTTP 400 Bad Request InvalidAuthentication clientId或clientSecret不正确"),
        "{line}"
    );
    assert!(
        !stdout.contains("wrong-secret"),
        "the secret printed: {stdout}"
    );

    let (code, line, _) = check(None);
    assert_ne!(code, Some(0));
    assert!(
        line.starts_with("FAIL dingtalk:") && line.contains("RD_TEST_DT_SECRET"),
        "{line}"
    );
    assert_eq!(
        gateway.opens.lock().unwrap().len(),
        2,
        "no request without both variables"
    );
}
