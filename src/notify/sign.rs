//! Request signing for the robots that sign, HMAC-SHA256 through `ring`. Pure: the timestamp is
//! passed in (from the one clock) and the secret as bytes.
//!
//! - DingTalk 加签 (自定义机器人安全设置, <https://open.dingtalk.com/document/robots/customize-robot-security-settings>):
//!   `timestamp` in milliseconds; `sign = base64(HMAC-SHA256(key = secret, message =
//!   timestamp + "\n" + secret))`, sent URL-encoded as the `timestamp` and `sign` query
//!   parameters. The timestamp must be within an hour of DingTalk's clock.
//! - Feishu 签名校验 (自定义机器人使用指南, <https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot>):
//!   `timestamp` in seconds; `sign = base64(HMAC-SHA256(key = timestamp + "\n" + secret,
//!   message = ""))` — key and message swapped compared with DingTalk — sent as the `timestamp`
//!   and `sign` fields of the JSON body.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use ring::hmac;

/// A signature and the timestamp it covers, as the platform wants them written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub timestamp: String,
    pub sign: String,
}

fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    STANDARD.encode(hmac::sign(&key, message).as_ref())
}

/// DingTalk 加签 at `now` (milliseconds); the caller URL-encodes both into the query.
pub fn dingtalk(secret: &str, now: DateTime<Utc>) -> Signature {
    let timestamp = now.timestamp_millis().to_string();
    let sign = hmac_base64(
        secret.as_bytes(),
        format!("{timestamp}\n{secret}").as_bytes(),
    );
    Signature { timestamp, sign }
}

/// Feishu 签名校验 at `now` (seconds); both go into the JSON body.
pub fn feishu(secret: &str, now: DateTime<Utc>) -> Signature {
    let timestamp = now.timestamp().to_string();
    let sign = hmac_base64(format!("{timestamp}\n{secret}").as_bytes(), b"");
    Signature { timestamp, sign }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The expected values were computed with Python's hmac module, following each platform's
    // documented recipe, not with this code.
    #[test]
    fn dingtalk_signs_timestamp_newline_secret_with_the_secret() {
        let at = DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
        let signature = dingtalk("SECabc123", at);
        assert_eq!(signature.timestamp, "1700000000000");
        assert_eq!(
            signature.sign,
            "N5P09a4+p1AMJIJWnIvQd2Yxw9+fu/oEBnPrjCcsLXk="
        );
    }

    #[test]
    fn feishu_signs_nothing_with_timestamp_newline_secret() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let signature = feishu("feishu-secret", at);
        assert_eq!(signature.timestamp, "1700000000");
        assert_eq!(
            signature.sign,
            "OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU="
        );
    }
}
