//! The group robots end to end: the real binary's `run` (and `notify test`) with `[[notify]]`
//! tables pointing at loopback stand-ins written from the platforms' pages ([`robots`]). Every
//! wait is on an event at the stand-in, under a deadline.

#[path = "../common/guard.rs"]
mod guard;
#[path = "../common/http_request.rs"]
mod http_request;
mod robots;
#[allow(dead_code)]
#[path = "../e2e/support.rs"]
mod support;

mod commands;
#[path = "../common/held_mail.rs"]
mod held_mail;
mod queue;
mod run;
mod stream;
mod stream_held;

use std::process::Stdio;
use std::time::{Duration, Instant};

use guard::Guarded;
use robots::Robots;
use support::TestEnv;

pub const WECOM_VAR: &str = "RD_TEST_WECOM_WEBHOOK";
pub const DINGTALK_VAR: &str = "RD_TEST_DINGTALK_WEBHOOK";
pub const DINGTALK_SECRET_VAR: &str = "RD_TEST_DINGTALK_SECRET";
pub const FEISHU_VAR: &str = "RD_TEST_FEISHU_WEBHOOK";
pub const FEISHU_SECRET_VAR: &str = "RD_TEST_FEISHU_SECRET";

/// Wednesday 18 November 2026, 09:30 in Shanghai: the reminder of the 18th is due.
pub const WEDNESDAY_18: &str = "2026-11-18T09:30:00+08:00";
/// Friday 20 November 2026, 09:30: the final-day reminder.
pub const FRIDAY_20: &str = "2026-11-20T09:30:00+08:00";

/// Which robots a test configures.
#[derive(Clone, Copy)]
pub struct Tables {
    pub wecom: bool,
    pub dingtalk: bool,
    pub feishu: bool,
}

/// Appends one `[[notify]]` table per robot (retrying after 1 s, so a retry is seen quickly).
pub fn configure(env: &TestEnv, tables: Tables) {
    let mut text = std::fs::read_to_string(&env.config_path).unwrap();
    if tables.wecom {
        text.push_str(&format!(
            "\n[[notify]]\nkind = \"wecom\"\nwebhook_env = \"{WECOM_VAR}\"\nretry_base_seconds = 1\n"
        ));
    }
    if tables.dingtalk {
        text.push_str(&format!(
            "\n[[notify]]\nkind = \"dingtalk\"\nwebhook_env = \"{DINGTALK_VAR}\"\nsecret_env = \"{DINGTALK_SECRET_VAR}\"\nretry_base_seconds = 1\n"
        ));
    }
    if tables.feishu {
        text.push_str(&format!(
            "\n[[notify]]\nkind = \"feishu\"\nwebhook_env = \"{FEISHU_VAR}\"\nsecret_env = \"{FEISHU_SECRET_VAR}\"\nevents = [\"digest\", \"overdue\", \"alerts\"]\nretry_base_seconds = 1\n"
        ));
    }
    std::fs::write(&env.config_path, text).unwrap();
}

/// The binary with the robots' variables set.
pub fn command(env: &TestEnv, robots: &Robots) -> std::process::Command {
    let mut command = env.command();
    command
        .env(WECOM_VAR, robots.wecom_url())
        .env(DINGTALK_VAR, robots.dingtalk_url())
        .env(DINGTALK_SECRET_VAR, robots::DINGTALK_SECRET)
        .env(FEISHU_VAR, robots.feishu_url())
        .env(FEISHU_SECRET_VAR, robots::FEISHU_SECRET)
        .env("RUST_LOG", "info");
    command
}

/// `run` at `now`, stopped with SIGTERM by [`Daemon::stop`].
pub struct Daemon {
    child: Guarded,
}

impl Daemon {
    pub fn start(env: &TestEnv, robots: &Robots, now: &str) -> Daemon {
        let mut command = command(env, robots);
        command
            .args(["--now", now, "run"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        Daemon::spawn(&mut command)
    }

    /// Spawns `command` guarded: killed when the test ends, whatever happens.
    pub fn spawn(command: &mut std::process::Command) -> Daemon {
        Daemon {
            child: Guarded::spawn(command).expect("run starts"),
        }
    }

    /// SIGTERM; the daemon must exit cleanly within 6 s. Returns its log.
    pub async fn stop(mut self) -> String {
        let pid = i32::try_from(self.child.id()).unwrap();
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.0.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(6),
                "no exit after SIGTERM"
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
        assert!(status.success(), "exit {status}: {log}");
        log
    }
}

/// The state and attempts of every notification row, by channel.
pub async fn rows(env: &TestEnv) -> Vec<(String, String, i64)> {
    let app = env.app(WEDNESDAY_18).await;
    let rows = sqlx::query_as("SELECT channel, state, attempts FROM notifications ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    app.store.close().await;
    rows
}
