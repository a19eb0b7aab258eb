//! The chat bot end to end: the real binary's `run` (its teloxide dispatcher, long polling)
//! against a local stand-in for the Bot API, on a fresh data dir per test. What the bot sent is
//! asserted for every command, the plain-Chinese phrasings, a stranger and a group chat, and
//! the daemon must stop on SIGTERM through the dispatcher's shutdown token.

#[allow(dead_code)]
#[path = "../common/guard.rs"]
mod guard;
#[path = "../common/http_request.rs"]
mod http_request;
mod stand_in;
#[allow(dead_code)]
#[path = "../e2e/support.rs"]
mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use guard::Guarded;

use stand_in::{Sent, StandIn};
use support::{TestEnv, fixtures, ingest, message};

const STAFF: u64 = 10;
const ADMIN: u64 = 20;
const STRANGER: u64 = 30;
const STAFF_CHAT: i64 = -500;
const GROUP: i64 = -600;
/// A group the bot was added to that is not in `[bot] chats`.
const UNLISTED_GROUP: i64 = -700;
const TOKEN_VAR: &str = "REPORTDESK_TEST_BOT_TOKEN";
/// Monday 16 November 2026, 10:00 in Shanghai: the November form is due on Friday the 20th.
const MONDAY: &str = "2026-11-16T10:00:00+08:00";
const UNITS: usize = 18;

/// The daemon's grace period after SIGTERM (`src/daemon.rs`) and a loaded machine's margin.
const GRACE: Duration = Duration::from_secs(5);
const STOP_MARGIN: Duration = Duration::from_secs(5);

/// A running daemon with the bot pointed at the stand-in; stopped (and checked) on `stop`,
/// killed on drop when a test fails before that.
struct Daemon {
    env: TestEnv,
    child: Guarded,
    api: StandIn,
}

impl Daemon {
    /// Seeds two November forms (跳磴镇 and 八桥镇), then starts `run` at `now`.
    async fn start(now: &str, send_reminders: bool) -> Daemon {
        let env = TestEnv::new();
        seed(&env).await;
        Daemon::start_in(env, now, send_reminders).await
    }

    /// Starts `run` at `now` on a prepared env.
    async fn start_in(env: TestEnv, now: &str, send_reminders: bool) -> Daemon {
        Daemon::start_with_api(env, StandIn::start().await, now, send_reminders).await
    }

    async fn start_with_api(env: TestEnv, api: StandIn, now: &str, send_reminders: bool) -> Daemon {
        configure(&env, &api.url, send_reminders);
        let child = Guarded::spawn(
            env.command()
                .args(["--now", now, "run"])
                .env(TOKEN_VAR, "123456:TEST-TOKEN")
                .env("RUST_LOG", "info")
                .stdout(Stdio::null())
                .stderr(Stdio::piped()),
        )
        .expect("run starts");
        Daemon { env, child, api }
    }

    /// Says `text` and waits for `replies` more messages; returns the new ones.
    async fn ask(&self, chat: i64, user: u64, text: &str, replies: usize) -> Vec<Sent> {
        let before = self.api.sent().len();
        self.api.say(chat, user, text);
        let sent = self.api.wait_sent(before + replies).await;
        sent[before..].to_vec()
    }

    /// Says `text`, then `/help` as a marker in the same chat; returns what came before the
    /// marker's answer (updates of one chat are handled in order).
    async fn ask_expecting_silence(&self, chat: i64, user: u64, text: &str) -> Vec<Sent> {
        let before = self.api.sent().len();
        self.api.say(chat, user, text);
        self.api.say(chat, STAFF, "/help");
        let is_help = |s: &Sent| s.chat_id == chat && s.text.contains("/missing");
        let sent = self
            .api
            .wait_until("the /help marker's answer", |sent| {
                sent.get(before..)
                    .is_some_and(|new| new.iter().any(is_help))
            })
            .await;
        let new = &sent[before..];
        let marker = new.iter().position(is_help).unwrap_or(new.len());
        new[..marker].to_vec()
    }

    /// SIGTERM; the daemon must exit cleanly within its grace period plus a margin, its tasks
    /// done by themselves. Returns its log. Once this returns, the daemon has sent all it ever
    /// will: "nothing more was sent" is asserted after it. Async: the stand-in runs on this
    /// test's runtime and must answer the dispatcher's last getUpdates.
    async fn stop_keeping_env(mut self) -> (String, TestEnv) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on our own unreaped child.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.0.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < GRACE + STOP_MARGIN,
                "no exit {:?} after SIGTERM",
                GRACE + STOP_MARGIN
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let mut log = String::new();
        use std::io::Read;
        self.child
            .0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        let log = without_ansi(&log);
        assert!(
            !log.contains("tasks still busy"),
            "the tasks outlived the grace period: {log}"
        );
        let calls = self.api.calls();
        for method in ["getwebhookinfo", "getme", "getupdates"] {
            assert!(calls.iter().any(|c| c == method), "{method} in {calls:?}");
        }
        assert!(status.success(), "exit {status}: {log}");
        assert!(log.contains("chat bot stopped"), "{log}");
        assert!(
            !log.contains("TEST-TOKEN"),
            "the token leaked into the log:\n{log}"
        );
        (log, self.env)
    }

    /// [`Daemon::stop_keeping_env`], then the data dir removed.
    async fn stop(self) -> String {
        self.stop_keeping_env().await.0
    }
}

async fn seed(env: &TestEnv) {
    let app = env.app("2026-11-10T10:00:00+08:00").await;
    for (file, from, id) in [
        (
            "f01-official-tiaodeng.xlsx",
            "tiaodeng@example.gov.cn",
            "t@x",
        ),
        ("f02-vertical-bachiao.xlsx", "bachiao@example.gov.cn", "b@x"),
    ] {
        let form = std::fs::read(fixtures().join("forms").join(file)).unwrap();
        let raw = message(from, "11月报表", id, &[(file, &form)]);
        let line = ingest(&app, &raw, file, "2026-11-10T10:00:00+08:00").await;
        assert_eq!(line["outcome"], "accepted", "{line}");
    }
    app.store.close().await;
}

fn configure(env: &TestEnv, api_url: &str, send_reminders: bool) {
    let text = std::fs::read_to_string(&env.config_path).unwrap();
    let bot = format!(
        "[bot]\nenabled = true\ntoken_env = \"{TOKEN_VAR}\"\napi_url = \"{api_url}\"\n\
         staff = [{STAFF}]\nadmins = [{ADMIN}]\nchats = [{STAFF_CHAT}, {GROUP}]\n"
    );
    let start = text.find("[bot]").expect("[bot] in the shipped config");
    let end = text[start + 5..]
        .find("\n[")
        .map_or(text.len(), |i| start + 5 + i + 1);
    let mut text = format!("{}{bot}{}", &text[..start], &text[end..]);
    if !send_reminders {
        text = text.replace("send_reminders = true", "send_reminders = false");
    }
    std::fs::write(&env.config_path, text).unwrap();
}

/// The log without terminal colour codes.
fn without_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn one(sent: &[Sent]) -> &str {
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0].method, "sendmessage");
    assert_eq!(sent[0].parse_mode.as_deref(), Some("HTML"));
    &sent[0].text
}

mod cases;
mod commands;
mod export;
mod held;
#[path = "../common/held_mail.rs"]
mod held_mail;
mod people;
mod setup;
