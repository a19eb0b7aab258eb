//! `notify test` and `check-config` for the `[[notify]]` tables: one test line to every robot
//! with what each answered, and the tables' variables checked without sending anything.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::answer::Verdict;
use super::post::{Poster, Robot};
use crate::config::notify::Channel;

/// What one robot said to the test line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub channel: String,
    pub ok: bool,
    pub said: String,
}

/// Sends one line to every channel, one after another, and reports each answer.
pub async fn test_all(
    channels: &[Channel],
    config_path: &Path,
    office: &str,
    now: DateTime<Utc>,
) -> Vec<Probe> {
    let poster = match Poster::new() {
        Ok(poster) => poster,
        Err(error) => {
            return channels
                .iter()
                .map(|c| failed(c, error.to_string()))
                .collect();
        }
    };
    let text = format!("这是{office}报表系统的测试消息：收到即表示本群机器人设置正确。");
    let mut probes = Vec::with_capacity(channels.len());
    for channel in channels {
        let robot = match Robot::connect(channel, config_path) {
            Ok(robot) => robot,
            Err(error) => {
                probes.push(failed(channel, error.to_string()));
                continue;
            }
        };
        probes.push(
            match poster.send(&robot, "报表机器人测试", &text, now).await {
                Ok(answer) => Probe {
                    channel: channel.label(),
                    ok: answer.verdict == Verdict::Delivered,
                    said: format!("{} answered {answer}", robot.host()),
                },
                Err(error) => failed(channel, error.to_string()),
            },
        );
    }
    probes
}

fn failed(channel: &Channel, said: String) -> Probe {
    Probe {
        channel: channel.label(),
        ok: false,
        said,
    }
}

/// The tables checked without sending: each variable set, each webhook https (or loopback).
pub fn check(channels: &[Channel], config_path: &Path) -> Vec<(bool, String)> {
    channels
        .iter()
        .map(|channel| {
            let checked = channel
                .webhook(config_path)
                .and_then(|url| channel.secret(config_path).map(|secret| (url, secret)));
            match checked {
                Ok((url, secret)) => {
                    let signing = match (channel.kind.signs(), secret.is_some()) {
                        (true, true) => ", signed",
                        (true, false) => ", not signed (a keyword or IP rule must allow it)",
                        (false, _) => "",
                    };
                    let events: Vec<&str> = channel.events.iter().map(|e| e.as_str()).collect();
                    (
                        true,
                        format!(
                            "notify: {} to {}{signing}; events {}",
                            channel.label(),
                            url.host_str().unwrap_or("?"),
                            events.join(", ")
                        ),
                    )
                }
                Err(error) => (false, format!("notify: {}: {error}", channel.label())),
            }
        })
        .collect()
}
