//! What a robot's answer means. The platforms answer HTTP 200 with an error code in the body
//! (`errcode` for WeCom and DingTalk, `code` for Feishu): anything but 0 is a failure. Pure.
//!
//! - Throttling is retried after the platform's window: WeCom 45009 (接口调用超过限制, 20 a
//!   minute), DingTalk 130101 / 410100 (send too fast: throttled for 10 minutes, custom-robot
//!   access page), Feishu 11232 (frequency limited, add-custom-bot page), or HTTP 429.
//! - A code that says the robot or the message is wrong (a webhook that does not exist, a
//!   signature that does not match, a keyword or IP rule) is permanent: retrying the same body
//!   cannot help, and the row shows the platform's words.
//! - Anything else (5xx, an unknown code, a body that is not JSON) is retried with backoff:
//!   nothing is given up on a guess.

use std::time::Duration;

use serde_json::Value;

use crate::config::notify::RobotKind;

/// What to do after an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Retry after the platform's window.
    Throttled(Duration),
    /// Retry with backoff.
    Transient,
    /// Give up: the row is marked failed with the platform's words.
    Permanent,
}

/// A robot's answer, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// The platform's code, when the body had one.
    pub code: Option<i64>,
    pub message: String,
    pub verdict: Verdict,
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(code) => write!(f, "HTTP {}, code {code}: {}", self.status, self.message),
            None => write!(f, "HTTP {}: {}", self.status, self.message),
        }
    }
}

const MINUTE: Duration = Duration::from_secs(60);

/// Reads the answer to a send: the HTTP status and at most the first 64 KiB of the body.
pub fn judge(kind: RobotKind, status: u16, body: &[u8]) -> Answer {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let (code_key, message_key) = match kind {
        RobotKind::Wecom | RobotKind::Dingtalk => ("errcode", "errmsg"),
        RobotKind::Feishu => ("code", "msg"),
    };
    let code = json
        .as_ref()
        .and_then(|j| j.get(code_key))
        .and_then(Value::as_i64);
    let message = json
        .as_ref()
        .and_then(|j| j.get(message_key))
        .and_then(Value::as_str)
        .map_or_else(|| printable(body), str::to_string);
    let verdict = match code {
        Some(code) => by_code(kind, code),
        None => by_status(status),
    };
    let verdict = match (verdict, status) {
        (Verdict::Delivered, 200..=299) => Verdict::Delivered,
        (Verdict::Delivered, _) => by_status(status),
        (verdict, _) => verdict,
    };
    Answer {
        status,
        code,
        message,
        verdict,
    }
}

fn by_code(kind: RobotKind, code: i64) -> Verdict {
    match (kind, code) {
        (_, 0) => Verdict::Delivered,
        (RobotKind::Wecom, 45009) => Verdict::Throttled(MINUTE),
        (RobotKind::Dingtalk, 130_101 | 410_100) => Verdict::Throttled(10 * MINUTE),
        (RobotKind::Feishu, 11232) => Verdict::Throttled(Duration::from_secs(5)),
        // 93000: invalid webhook URL; 40008: invalid message type; 44004: empty content.
        (RobotKind::Wecom, 93000 | 40008 | 44004) => Verdict::Permanent,
        // 300001: no such token; 310000: sign, keyword or IP rule not met; 400102: robot stopped.
        (RobotKind::Dingtalk, 300_001 | 310_000 | 400_102) => Verdict::Permanent,
        // 9499: bad request; 19001: invalid webhook; 19021 sign; 19022 IP; 19024 keyword.
        (RobotKind::Feishu, 9499 | 19001 | 19021 | 19022 | 19024) => Verdict::Permanent,
        _ => Verdict::Transient,
    }
}

fn by_status(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Transient, // a success without a code: not a documented answer
        429 => Verdict::Throttled(MINUTE),
        400..=499 => Verdict::Permanent,
        _ => Verdict::Transient,
    }
}

/// The start of a body that is not JSON, printable.
fn printable(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body.get(..200).unwrap_or(body));
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_in_a_200_is_a_failure() {
        let ok = judge(RobotKind::Wecom, 200, br#"{"errcode":0,"errmsg":"ok"}"#);
        assert_eq!(ok.verdict, Verdict::Delivered);
        let bad = judge(
            RobotKind::Dingtalk,
            200,
            br#"{"errcode":310000,"errmsg":"sign not match"}"#,
        );
        assert_eq!(bad.verdict, Verdict::Permanent);
        assert_eq!(bad.to_string(), "HTTP 200, code 310000: sign not match");
        let feishu = judge(RobotKind::Feishu, 200, br#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time","data":{}}"#);
        assert_eq!(feishu.verdict, Verdict::Permanent);
        let ok = judge(
            RobotKind::Feishu,
            200,
            br#"{"code":0,"msg":"success","data":{},"StatusCode":0}"#,
        );
        assert_eq!(ok.verdict, Verdict::Delivered);
    }

    #[test]
    fn throttling_waits_for_the_platform_window() {
        let ding = judge(
            RobotKind::Dingtalk,
            200,
            br#"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#,
        );
        assert_eq!(ding.verdict, Verdict::Throttled(Duration::from_secs(600)));
        let wecom = judge(
            RobotKind::Wecom,
            200,
            br#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
        );
        assert_eq!(wecom.verdict, Verdict::Throttled(Duration::from_secs(60)));
        let feishu = judge(
            RobotKind::Feishu,
            200,
            br#"{"code":11232,"msg":"frequency limited"}"#,
        );
        assert_eq!(feishu.verdict, Verdict::Throttled(Duration::from_secs(5)));
        assert!(matches!(
            judge(RobotKind::Feishu, 429, b"").verdict,
            Verdict::Throttled(_)
        ));
    }

    #[test]
    fn outages_are_retried_and_unknown_codes_are_not_given_up() {
        assert_eq!(
            judge(RobotKind::Wecom, 502, b"<html>bad gateway</html>").verdict,
            Verdict::Transient
        );
        assert_eq!(
            judge(
                RobotKind::Wecom,
                200,
                br#"{"errcode":-1,"errmsg":"system busy"}"#
            )
            .verdict,
            Verdict::Transient
        );
        assert_eq!(
            judge(RobotKind::Wecom, 200, b"ok").verdict,
            Verdict::Transient
        );
        assert_eq!(
            judge(RobotKind::Feishu, 404, b"not found").verdict,
            Verdict::Permanent
        );
    }
}
