//! A local HTTP stand-in for the Telegram Bot API, the project's only stand-in (Telegram cannot
//! be reached from here). It answers getWebhookInfo, deleteWebhook, getMe, getUpdates (from a
//! queue the test fills), sendMessage and sendDocument (recorded), over HTTP/1.1 keep-alive.
//! teloxide writes method names in PascalCase: they are matched case-insensitively.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::http_request::read_request;

pub const BOT_USERNAME: &str = "reportdesk_bot";

/// One message the bot sent.
#[derive(Debug, Clone)]
pub struct Sent {
    pub method: String,
    pub chat_id: i64,
    pub text: String,
    pub parse_mode: Option<String>,
    /// sendDocument: the file's name and bytes as the bot uploaded them.
    pub document: Option<(String, Vec<u8>)>,
}

#[derive(Default)]
struct State {
    updates: Vec<Value>,
    next_update_id: i64,
    sent: Vec<Sent>,
    calls: Vec<String>,
    /// getMe calls still to refuse, as Telegram refuses a bad token.
    refuse_get_me: usize,
}

#[derive(Clone)]
pub struct StandIn {
    pub url: String,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
}

impl StandIn {
    pub async fn start() -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/", listener.local_addr().expect("addr"));
        let stand_in = StandIn {
            url,
            state: Arc::default(),
            changed: Arc::default(),
        };
        let server = stand_in.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move { server.serve(stream).await });
            }
        });
        stand_in
    }

    /// Queues a text message from `user` in `chat` (positive: private, negative: a group).
    pub fn say(&self, chat: i64, user: u64, text: &str) {
        let mut state = self.state.lock().unwrap();
        state.next_update_id += 1;
        let id = state.next_update_id;
        let chat_json = if chat > 0 {
            json!({"id": chat, "type": "private", "first_name": "员工"})
        } else {
            json!({"id": chat, "type": "supergroup", "title": "区安委办工作群"})
        };
        state.updates.push(json!({
            "update_id": id,
            "message": {
                "message_id": id,
                "date": 1_795_000_000,
                "chat": chat_json,
                "from": {"id": user, "is_bot": false, "first_name": "用户", "username": format!("user{user}")},
                "text": text,
            }
        }));
        drop(state);
        self.changed.notify_waiters();
    }

    /// Refuses the next `times` getMe calls (`{"ok":false,"error_code":401}`).
    pub fn refuse_get_me(&self, times: usize) {
        self.state.lock().unwrap().refuse_get_me = times;
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.state.lock().unwrap().sent.clone()
    }

    pub fn calls(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Waits until at least `count` messages were sent in all, or panics after 15 s.
    pub async fn wait_sent(&self, count: usize) -> Vec<Sent> {
        self.wait_until(&format!("{count} messages"), |sent| sent.len() >= count)
            .await
    }

    /// Waits until what was sent satisfies `done`, or panics after 15 s naming `what`.
    pub async fn wait_until(&self, what: &str, done: impl Fn(&[Sent]) -> bool) -> Vec<Sent> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let sent = self.sent();
            if done(&sent) {
                return sent;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited for {what}, got {sent:#?}\ncalls: {:?}",
                self.calls()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn serve(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream);
        while let Some((path, body)) = read_request(&mut reader).await {
            let method = path.rsplit('/').next().unwrap_or_default().to_lowercase();
            let payload = if method == "getme" && self.refused_get_me() {
                json!({"ok": false, "error_code": 401, "description": "Unauthorized"}).to_string()
            } else {
                let result = self.answer(&method, &body).await;
                json!({"ok": true, "result": result}).to_string()
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
                payload.len()
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

    fn refused_get_me(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        if state.refuse_get_me == 0 {
            return false;
        }
        state.refuse_get_me -= 1;
        state.calls.push("getme (refused)".into());
        true
    }

    async fn answer(&self, method: &str, body: &[u8]) -> Value {
        self.state.lock().unwrap().calls.push(method.to_string());
        match method {
            "getwebhookinfo" => {
                json!({"url": "", "has_custom_certificate": false, "pending_update_count": 0})
            }
            "getme" => json!({
                "id": 999, "is_bot": true, "first_name": "报表机器人", "username": BOT_USERNAME,
                "can_join_groups": true, "can_read_all_group_messages": false,
                "supports_inline_queries": false, "can_connect_to_business": false,
                "has_main_web_app": false
            }),
            "getupdates" => self.updates(body).await,
            "sendmessage" => self.record(method, body),
            "senddocument" => self.record_document(body),
            _ => json!(true),
        }
    }

    /// Updates from the request's offset on; when there are none, waits a little (long polling).
    async fn updates(&self, body: &[u8]) -> Value {
        let request: Value = serde_json::from_slice(body).unwrap_or(json!({}));
        let offset = request["offset"].as_i64().unwrap_or(0);
        for _ in 0..2 {
            let changed = self.changed.notified();
            let pending: Vec<Value> = {
                let state = self.state.lock().unwrap();
                state
                    .updates
                    .iter()
                    .filter(|u| u["update_id"].as_i64().unwrap_or(0) >= offset)
                    .cloned()
                    .collect()
            };
            if !pending.is_empty() {
                return Value::Array(pending);
            }
            let _ = tokio::time::timeout(Duration::from_millis(250), changed).await;
        }
        json!([])
    }

    fn record(&self, method: &str, body: &[u8]) -> Value {
        let request: Value = serde_json::from_slice(body).expect("sendMessage body is JSON");
        let chat_id = request["chat_id"].as_i64().expect("chat_id");
        let text = request["text"].as_str().unwrap_or_default().to_string();
        self.state.lock().unwrap().sent.push(Sent {
            method: method.to_string(),
            chat_id,
            text: text.clone(),
            parse_mode: request["parse_mode"].as_str().map(str::to_string),
            document: None,
        });
        sent_message(chat_id, &text)
    }

    /// sendDocument is multipart: the chat id is read from its `chat_id` part, and the file
    /// from its `document` part is kept for the test to open.
    fn record_document(&self, body: &[u8]) -> Value {
        let parts = multipart_parts(body);
        let part = |name: &str| {
            let needle = format!("name=\"{name}\"");
            parts.iter().find(|(headers, _)| headers.contains(&needle))
        };
        let chat_id = part("chat_id")
            .and_then(|(_, value)| String::from_utf8_lossy(value).trim().parse().ok())
            .unwrap_or(0);
        // teloxide sends `document=attach://ID` and the file in the part named ID.
        let attached = part("document").and_then(|(_, value)| {
            let value = String::from_utf8_lossy(value);
            value.strip_prefix("attach://").map(str::to_string)
        });
        let file_part = match attached {
            Some(id) => part(&id),
            None => part("document"),
        };
        let document = file_part.map(|(headers, bytes)| {
            let file_name = headers
                .split("filename=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default()
                .to_string();
            (file_name, bytes.clone())
        });
        self.state.lock().unwrap().sent.push(Sent {
            method: "senddocument".into(),
            chat_id,
            text: String::new(),
            parse_mode: None,
            document,
        });
        sent_message(chat_id, "")
    }
}

/// The parts of a multipart/form-data body as (headers, content); the boundary is the body's
/// first line.
fn multipart_parts(body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let Some(line_end) = find(body, b"\r\n") else {
        return Vec::new();
    };
    let delimiter = [b"\r\n", &body[..line_end]].concat();
    let mut parts = Vec::new();
    let mut rest = &body[line_end..];
    while let Some(start) = rest.strip_prefix(b"\r\n") {
        let Some(end) = find(start, &delimiter) else {
            break;
        };
        let part = &start[..end];
        if let Some(split) = find(part, b"\r\n\r\n") {
            let headers = String::from_utf8_lossy(&part[..split]).into_owned();
            parts.push((headers, part[split + 4..].to_vec()));
        }
        rest = &start[end + delimiter.len()..];
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn sent_message(chat_id: i64, text: &str) -> Value {
    let chat = if chat_id > 0 {
        json!({"id": chat_id, "type": "private", "first_name": "员工"})
    } else {
        json!({"id": chat_id, "type": "supergroup", "title": "区安委办工作群"})
    };
    json!({"message_id": 1, "date": 1_795_000_000, "chat": chat, "text": text,
           "from": {"id": 999, "is_bot": true, "first_name": "报表机器人", "username": BOT_USERNAME}})
}
