//! Local stand-ins for the three group-robot webhooks, written from the platforms' pages (not
//! from the sender):
//!
//! - WeCom 群机器人配置说明 (developer.work.weixin.qq.com/document/path/91770):
//!   `POST /cgi-bin/webhook/send?key=KEY`, `msgtype` text (content ≤ 2,048 bytes) or markdown
//!   (content ≤ 4,096 bytes); answers `{"errcode":0,"errmsg":"ok"}`, 93000 for a wrong key,
//!   45009 when throttled.
//! - DingTalk 自定义机器人 (open.dingtalk.com/document/orgapp/custom-robot-access) with 加签:
//!   `POST /robot/send?access_token=T&timestamp=MS&sign=URLENCODED_BASE64`, where
//!   sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), timestamp within an hour;
//!   markdown needs `title` and `text`; answers `{"errcode":0,"errmsg":"ok"}`, 310000 "sign not
//!   match", 130101 "send too fast".
//! - Feishu 自定义机器人 (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot) with
//!   签名校验: `POST /open-apis/bot/v2/hook/TOKEN`, body with `timestamp` (s) and `sign` =
//!   base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")), `msg_type` text or post,
//!   body ≤ 20 KB; answers `{"code":0,"msg":"success","data":{}}`, 19021 on a bad signature,
//!   9499 bad request, 11232 frequency limited.
//!
//! Every request is recorded with what was wrong with it; scripted answers can be queued to
//! make the next requests fail (an error body, throttling, a 502).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::http_request::read_request;

pub const WECOM_KEY: &str = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";
pub const DINGTALK_TOKEN: &str = "ding-access-token";
pub const DINGTALK_SECRET: &str = "SEC0123456789abcdef";
pub const FEISHU_HOOK: &str = "0e2f6c1a-feishu-hook";
pub const FEISHU_SECRET: &str = "feishu-sign-secret";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Wecom,
    Dingtalk,
    Feishu,
}

/// One request as the stand-in saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub platform: Option<Platform>,
    pub path: String,
    pub body: Value,
    /// What the platform would refuse in it; empty when it is a valid message.
    pub problems: Vec<String>,
    /// The HTTP status and body answered.
    pub answered: (u16, String),
}

impl Request {
    /// The message text, wherever the platform keeps it.
    pub fn text(&self) -> String {
        match self.platform {
            Some(Platform::Wecom) => self.body["markdown"]["content"]
                .as_str()
                .or(self.body["text"]["content"].as_str())
                .unwrap_or_default()
                .to_string(),
            Some(Platform::Dingtalk) => self.body["markdown"]["text"]
                .as_str()
                .or(self.body["text"]["content"].as_str())
                .unwrap_or_default()
                .to_string(),
            Some(Platform::Feishu) => {
                let post = &self.body["content"]["post"]["zh_cn"];
                let mut lines = vec![post["title"].as_str().unwrap_or_default().to_string()];
                for line in post["content"].as_array().into_iter().flatten() {
                    let words: Vec<&str> = line
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|e| e["text"].as_str())
                        .collect();
                    lines.push(words.concat());
                }
                if let Some(text) = self.body["content"]["text"].as_str() {
                    lines.push(text.to_string());
                }
                lines.join("\n")
            }
            None => String::new(),
        }
    }

    /// A valid message the stand-in answered with the platform's success.
    pub fn accepted(&self) -> bool {
        let answer: Value = serde_json::from_str(&self.answered.1).unwrap_or(Value::Null);
        let code = answer.get("errcode").or(answer.get("code"));
        self.problems.is_empty() && self.answered.0 == 200 && code == Some(&json!(0))
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Request>,
    /// Answers to give instead of the platform's success, in order, per platform.
    scripted: HashMap<Platform, VecDeque<(u16, String)>>,
    /// The platform's clock in Unix seconds, for the one-hour timestamp window.
    now: i64,
}

#[derive(Clone)]
pub struct Robots {
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl Robots {
    /// Starts the stand-in; `now` is the platform's clock (the test's `--now`).
    pub async fn start(now: &str) -> Robots {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let now = chrono::DateTime::parse_from_rfc3339(now)
            .expect("now")
            .timestamp();
        let robots = Robots {
            base,
            state: Arc::new(Mutex::new(State {
                now,
                ..State::default()
            })),
        };
        let server = robots.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move { server.serve(stream).await });
            }
        });
        robots
    }

    pub fn wecom_url(&self) -> String {
        format!("{}/cgi-bin/webhook/send?key={WECOM_KEY}", self.base)
    }

    pub fn dingtalk_url(&self) -> String {
        format!("{}/robot/send?access_token={DINGTALK_TOKEN}", self.base)
    }

    pub fn feishu_url(&self) -> String {
        format!("{}/open-apis/bot/v2/hook/{FEISHU_HOOK}", self.base)
    }

    /// The next requests to `platform` get these answers (status, body) instead of success.
    pub fn script(&self, platform: Platform, answers: &[(u16, &str)]) {
        let mut state = self.state.lock().unwrap();
        state
            .scripted
            .entry(platform)
            .or_default()
            .extend(answers.iter().map(|(s, b)| (*s, b.to_string())));
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Waits until at least `count` requests arrived, or panics after `seconds`.
    pub async fn wait_requests(&self, count: usize, seconds: u64) -> Vec<Request> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        loop {
            let requests = self.requests();
            if requests.len() >= count {
                return requests;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited {seconds} s for {count} requests, got {requests:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn serve(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream);
        while let Some((path, body)) = read_request(&mut reader).await {
            let (status, answer) = self.handle(&path, &body);
            let response = format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
                if status == 200 { "OK" } else { "Error" },
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

    fn handle(&self, path: &str, raw: &[u8]) -> (u16, String) {
        let mut state = self.state.lock().unwrap();
        let body: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
        let (platform, problems) = check(path, raw, &body, state.now);
        let scripted = platform.and_then(|p| state.scripted.get_mut(&p)?.pop_front());
        let answer = scripted.unwrap_or_else(|| success_or_refusal(platform, &problems));
        state.requests.push(Request {
            platform,
            path: path.to_string(),
            body,
            problems,
            answered: answer.clone(),
        });
        answer
    }
}

fn success_or_refusal(platform: Option<Platform>, problems: &[String]) -> (u16, String) {
    let sign = problems.iter().any(|p| p.contains("sign"));
    let body = match (platform, problems.is_empty()) {
        (Some(Platform::Wecom), true) => json!({"errcode": 0, "errmsg": "ok"}),
        (Some(Platform::Wecom), false) => {
            json!({"errcode": 93000, "errmsg": "invalid webhook url"})
        }
        (Some(Platform::Dingtalk), true) => json!({"errcode": 0, "errmsg": "ok"}),
        (Some(Platform::Dingtalk), false) if sign => {
            json!({"errcode": 310000, "errmsg": "sign not match"})
        }
        (Some(Platform::Dingtalk), false) => {
            json!({"errcode": 300001, "errmsg": "token is not exist"})
        }
        (Some(Platform::Feishu), true) => {
            json!({"code": 0, "msg": "success", "data": {}, "StatusCode": 0, "StatusMessage": "success"})
        }
        (Some(Platform::Feishu), false) if sign => {
            json!({"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time", "data": {}})
        }
        (Some(Platform::Feishu), false) => json!({"code": 9499, "msg": "Bad Request", "data": {}}),
        (None, _) => return (404, "404 page not found".into()),
    };
    (200, body.to_string())
}

/// Which platform the path is, and what that platform would refuse.
fn check(path: &str, raw: &[u8], body: &Value, now: i64) -> (Option<Platform>, Vec<String>) {
    let url = url::Url::parse(&format!("http://stand-in{path}")).expect("path");
    let query = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.to_string())
    };
    let mut problems = Vec::new();
    let platform = match url.path() {
        "/cgi-bin/webhook/send" => {
            if query("key").as_deref() != Some(WECOM_KEY) {
                problems.push("wrong key".into());
            }
            check_wecom(body, &mut problems);
            Some(Platform::Wecom)
        }
        "/robot/send" => {
            if query("access_token").as_deref() != Some(DINGTALK_TOKEN) {
                problems.push("wrong access_token".into());
            }
            match (query("timestamp"), query("sign")) {
                (Some(ts), Some(sign)) => check_dingtalk_sign(&ts, &sign, now, &mut problems),
                _ => problems.push("sign: timestamp and sign missing".into()),
            }
            check_dingtalk(body, &mut problems);
            Some(Platform::Dingtalk)
        }
        p if p == format!("/open-apis/bot/v2/hook/{FEISHU_HOOK}") => {
            if raw.len() > 20 * 1024 {
                problems.push(format!("body of {} bytes over 20 KB", raw.len()));
            }
            check_feishu(body, now, &mut problems);
            Some(Platform::Feishu)
        }
        _ => None,
    };
    (platform, problems)
}

fn check_wecom(body: &Value, problems: &mut Vec<String>) {
    let (field, limit) = match body["msgtype"].as_str() {
        Some("text") => (&body["text"]["content"], 2048),
        Some("markdown") => (&body["markdown"]["content"], 4096),
        other => return problems.push(format!("msgtype {other:?}")),
    };
    match field.as_str() {
        Some(content) if content.len() > limit => {
            problems.push(format!("content of {} bytes over {limit}", content.len()))
        }
        Some("") => problems.push("empty content".into()),
        Some(_) => {}
        None => problems.push("no content".into()),
    }
}

fn check_dingtalk(body: &Value, problems: &mut Vec<String>) {
    match body["msgtype"].as_str() {
        Some("text") if body["text"]["content"].is_string() => {}
        Some("markdown")
            if body["markdown"]["title"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
                && body["markdown"]["text"].is_string() => {}
        other => problems.push(format!("msgtype {other:?} without its fields")),
    }
}

fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    STANDARD.encode(ring::hmac::sign(&key, message).as_ref())
}

fn check_dingtalk_sign(ts: &str, sign: &str, now: i64, problems: &mut Vec<String>) {
    let Ok(ms) = ts.parse::<i64>() else {
        return problems.push(format!("sign: timestamp {ts:?} is not milliseconds"));
    };
    if (ms / 1000 - now).abs() > 3600 {
        problems.push(format!("sign: timestamp {ms} not within an hour of {now}"));
    }
    let expected = hmac_base64(
        DINGTALK_SECRET.as_bytes(),
        format!("{ts}\n{DINGTALK_SECRET}").as_bytes(),
    );
    if sign != expected {
        problems.push(format!("sign {sign:?} does not match {expected:?}"));
    }
}

fn check_feishu(body: &Value, now: i64, problems: &mut Vec<String>) {
    match (body["timestamp"].as_str(), body["sign"].as_str()) {
        (Some(ts), Some(sign)) => {
            match ts.parse::<i64>() {
                Ok(s) if (s - now).abs() <= 3600 => {}
                _ => problems.push(format!(
                    "sign: timestamp {ts:?} not within an hour of {now}"
                )),
            }
            let expected = hmac_base64(format!("{ts}\n{FEISHU_SECRET}").as_bytes(), b"");
            if sign != expected {
                problems.push(format!("sign {sign:?} does not match {expected:?}"));
            }
        }
        _ => problems.push("sign: timestamp and sign missing".into()),
    }
    match body["msg_type"].as_str() {
        Some("text") if body["content"]["text"].is_string() => {}
        Some("post") => {
            let post = &body["content"]["post"]["zh_cn"];
            let lines_ok = post["content"].as_array().is_some_and(|lines| {
                lines.iter().all(|line| {
                    line.as_array().is_some_and(|elements| {
                        elements
                            .iter()
                            .all(|e| e["tag"] == "text" && e["text"].is_string())
                    })
                })
            });
            if !post["title"].is_string() || !lines_ok {
                problems.push("post without zh_cn title and text elements".into());
            }
        }
        other => problems.push(format!("msg_type {other:?} without its content")),
    }
}
