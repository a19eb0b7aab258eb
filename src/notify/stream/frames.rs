//! The DingTalk Stream protocol's frames, pure (协议描述:
//! <https://open-dingtalk.github.io/developerpedia/docs/learn/stream/protocol>, the official
//! page <https://open.dingtalk.com/document/direction/stream-mode-protocol-access-description>;
//! checked against open-dingtalk/dingtalk-stream-sdk-python `frames.py` and the Go SDK's
//! `payload/data_frame.go`).
//!
//! The gateway pushes `{"specVersion","type":"SYSTEM"|"EVENT"|"CALLBACK","headers":{"topic",
//! "messageId","contentType","time"},"data":"<json string>"}`; the client answers each with
//! `{"code":200,"headers":{"contentType":"application/json","messageId":…},"message":"OK",
//! "data":…}`: a `ping` with its data (the `opaque`) echoed, a robot message with
//! `{"response": null}`. A `disconnect` needs no answer: the gateway closes the connection 10 s
//! later and the client opens a new one.

use serde::Deserialize;
use serde_json::{Value, json};

/// The robot message topic subscribed to.
pub const BOT_TOPIC: &str = "/v1.0/im/bot/messages/get";

/// A frame from the gateway, as far as it matters here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Ping {
        message_id: String,
        data: String,
    },
    Disconnect {
        reason: String,
    },
    BotMessage {
        message_id: String,
        data: String,
    },
    /// Anything else (an event, a topic not subscribed): acknowledged as not handled.
    Other {
        message_id: String,
        kind: String,
        topic: String,
    },
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    headers: serde_json::Map<String, Value>,
    #[serde(default)]
    data: String,
}

/// Reads a text frame; `None` for text that is not a frame.
pub fn parse(text: &str) -> Option<Frame> {
    let raw: Raw = serde_json::from_str(text).ok()?;
    let header = |name: &str| {
        raw.headers
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (topic, message_id) = (header("topic"), header("messageId"));
    Some(match (raw.kind.as_str(), topic.as_str()) {
        ("SYSTEM", "ping") => Frame::Ping {
            message_id,
            data: raw.data,
        },
        ("SYSTEM", "disconnect") => Frame::Disconnect {
            reason: serde_json::from_str::<Value>(&raw.data)
                .ok()
                .and_then(|d| d["reason"].as_str().map(str::to_string))
                .unwrap_or_default(),
        },
        ("CALLBACK", BOT_TOPIC) => Frame::BotMessage {
            message_id,
            data: raw.data,
        },
        _ => Frame::Other {
            message_id,
            kind: raw.kind,
            topic,
        },
    })
}

/// The acknowledgement of a frame.
pub fn ack(code: u16, message_id: &str, message: &str, data: &str) -> String {
    json!({
        "code": code,
        "headers": {"contentType": "application/json", "messageId": message_id},
        "message": message,
        "data": data,
    })
    .to_string()
}

/// A robot message's fields that are used (接收消息, open.dingtalk.com/document/orgapp/receive-message).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotMessage {
    #[serde(default)]
    pub conversation_id: String,
    /// "1": a private chat; "2": a group.
    #[serde(default)]
    pub conversation_type: String,
    #[serde(default)]
    pub sender_staff_id: Option<String>,
    #[serde(default)]
    pub sender_nick: String,
    pub session_webhook: String,
    /// Milliseconds since the epoch.
    #[serde(default)]
    pub session_webhook_expired_time: i64,
    #[serde(default)]
    pub msgtype: String,
    #[serde(default)]
    pub text: Option<TextContent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TextContent {
    #[serde(default)]
    pub content: String,
}

impl BotMessage {
    pub fn parse(data: &str) -> Option<BotMessage> {
        serde_json::from_str(data).ok()
    }

    pub fn is_private(&self) -> bool {
        self.conversation_type == "1"
    }

    /// The text said, without the @-mention's leading blank.
    pub fn text(&self) -> Option<&str> {
        self.text.as_ref().map(|t| t.content.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_frames_are_read() {
        let ping = r#"{"specVersion":"1.0","type":"SYSTEM","headers":{"topic":"ping","messageId":"m1","contentType":"application/json"},"data":"{\"opaque\":\"123-dsfs\"}"}"#;
        assert_eq!(
            parse(ping),
            Some(Frame::Ping {
                message_id: "m1".into(),
                data: r#"{"opaque":"123-dsfs"}"#.into()
            })
        );
        let bye = r#"{"type":"SYSTEM","headers":{"topic":"disconnect","contentType":"application/json"},"data":"{\"reason\":\"connection is expired\"}"}"#;
        assert_eq!(
            parse(bye),
            Some(Frame::Disconnect {
                reason: "connection is expired".into()
            })
        );
        let event = r#"{"type":"EVENT","headers":{"topic":"*","messageId":"m2"},"data":"{}"}"#;
        assert!(matches!(parse(event), Some(Frame::Other { .. })));
        assert_eq!(parse("not json"), None);
    }

    #[test]
    fn a_robot_message_and_its_ack() {
        let data = r#"{"conversationId":"cidA","conversationType":"2","senderStaffId":"manager1","senderNick":"张三","sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=x","sessionWebhookExpiredTime":1690367502152,"text":{"content":" 谁还没报"},"msgtype":"text"}"#;
        let message = BotMessage::parse(data).unwrap();
        assert_eq!(message.text(), Some("谁还没报"));
        assert!(!message.is_private());
        assert_eq!(message.sender_staff_id.as_deref(), Some("manager1"));
        let ack: Value =
            serde_json::from_str(&ack(200, "m3", "OK", r#"{"response": null}"#)).unwrap();
        assert_eq!(ack["headers"]["messageId"], "m3");
        assert_eq!(ack["code"], 200);
        assert_eq!(ack["data"], r#"{"response": null}"#);
    }
}
