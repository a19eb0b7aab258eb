//! Each platform's message body, size limit and rate caps, and splitting a long text at line
//! ends so that every part fits. Pure.
//!
//! - WeCom 群机器人配置说明 (<https://developer.work.weixin.qq.com/document/path/91770>):
//!   `{"msgtype":"markdown","markdown":{"content":…}}`, content at most 4,096 bytes of UTF-8;
//!   at most 20 messages a minute per robot.
//! - DingTalk 自定义机器人发送群消息 (<https://open.dingtalk.com/document/orgapp/custom-robot-access>):
//!   `{"msgtype":"markdown","markdown":{"title":…,"text":…}}` (the title is what the chat list
//!   shows); at most 20 messages a minute, then 10 minutes throttled. No size limit is stated
//!   there; parts are kept under 4,000 bytes like WeCom's, which long digests never approach.
//!   Markdown needs two spaces before a newline for a line break.
//! - Feishu 自定义机器人使用指南 (<https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot>):
//!   `{"msg_type":"post","content":{"post":{"zh_cn":{"title":…,"content":[[{"tag":"text",…}]]}}}}`
//!   with `timestamp` and `sign` beside them when signed; the request body at most 20 KB; 100
//!   messages a minute and 5 a second per robot.

use std::time::Duration;

use serde_json::{Value, json};

use super::sign::Signature;
use crate::config::notify::RobotKind;

/// The most bytes of message text one part may carry on `kind` (below the platform's limit,
/// leaving room for the title line and the JSON around it).
pub fn part_limit(kind: RobotKind) -> usize {
    match kind {
        RobotKind::Wecom => 4096 - 200,
        RobotKind::Dingtalk => 4000 - 200,
        RobotKind::Feishu => 15_000,
    }
}

/// The documented caps: at most `count` messages in any `window`.
pub fn rate_caps(kind: RobotKind) -> &'static [(usize, Duration)] {
    const PER_MINUTE_20: &[(usize, Duration)] = &[(20, Duration::from_secs(60))];
    const FEISHU: &[(usize, Duration)] =
        &[(5, Duration::from_secs(1)), (100, Duration::from_secs(60))];
    match kind {
        RobotKind::Wecom | RobotKind::Dingtalk => PER_MINUTE_20,
        RobotKind::Feishu => FEISHU,
    }
}

/// Bytes a line costs once rendered: DingTalk's hard line break adds two spaces; each Feishu
/// line is a JSON element `[{"tag":"text","text":"…"}],`.
fn line_cost(kind: RobotKind, line: &str) -> usize {
    line.len()
        + match kind {
            RobotKind::Wecom => 1,
            RobotKind::Dingtalk => 3,
            RobotKind::Feishu => 30,
        }
}

/// Splits `text` into parts that fit `kind`, at line ends; a single line longer than a part is
/// cut between characters. Joining the parts with newlines gives the text back.
pub fn split(kind: RobotKind, text: &str) -> Vec<String> {
    let limit = part_limit(kind);
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    for line in text.trim_end().lines().flat_map(|l| cut(l, limit - 3)) {
        let cost = line_cost(kind, &line);
        if used + cost > limit && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            used = 0;
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
        used += cost;
    }
    if !current.trim().is_empty() || parts.is_empty() {
        parts.push(current);
    }
    parts
}

/// A line in pieces of at most `limit` bytes, cut at character boundaries.
fn cut(line: &str, limit: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for c in line.chars() {
        if piece.len() + c.len_utf8() > limit {
            pieces.push(std::mem::take(&mut piece));
        }
        piece.push(c);
    }
    pieces.push(piece);
    pieces
}

/// Text from outside (a subject, an address) made safe to show: no control characters, and in
/// markdown no character that would start markup (replaced by its full-width twin).
pub fn sanitize(kind: RobotKind, text: &str) -> String {
    text.chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .map(|c| match (kind, c) {
            (RobotKind::Feishu, c) => c,
            (_, '*') => '＊',
            (_, '_') => '＿',
            (_, '`') => '｀',
            (_, '[') => '［',
            (_, ']') => '］',
            (_, '<') => '＜',
            (_, '>') => '＞',
            (_, '#') => '＃',
            (_, c) => c,
        })
        .collect()
}

/// A part's title: the message's, numbered when there are several parts.
pub fn part_title(title: &str, part: i64, parts: i64) -> String {
    if parts > 1 {
        format!("{title}（{part}/{parts}）")
    } else {
        title.to_string()
    }
}

/// The JSON body of one part. `signature` is Feishu's (DingTalk signs in the URL).
pub fn body(kind: RobotKind, title: &str, text: &str, signature: Option<&Signature>) -> Value {
    match kind {
        RobotKind::Wecom => json!({
            "msgtype": "markdown",
            "markdown": {"content": format!("**{title}**\n{text}")},
        }),
        RobotKind::Dingtalk => {
            let lines: Vec<&str> = text.lines().collect();
            json!({
                "msgtype": "markdown",
                "markdown": {
                    "title": title,
                    "text": format!("#### {title}  \n{}", lines.join("  \n")),
                },
            })
        }
        RobotKind::Feishu => {
            let content: Vec<Value> = text
                .lines()
                .map(|line| json!([{"tag": "text", "text": line}]))
                .collect();
            let mut body = json!({
                "msg_type": "post",
                "content": {"post": {"zh_cn": {"title": title, "content": content}}},
            });
            if let Some(signature) = signature {
                body["timestamp"] = json!(signature.timestamp);
                body["sign"] = json!(signature.sign);
            }
            body
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long_list() -> String {
        (1..=600)
            .map(|i| format!("{i}. 某某街道办事处第{i}网格"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn long_lists_split_at_line_ends_under_each_limit() {
        let text = long_list();
        for kind in [RobotKind::Wecom, RobotKind::Dingtalk, RobotKind::Feishu] {
            let parts = split(kind, &text);
            assert_eq!(parts.join("\n"), text, "{kind:?}");
            for (i, part) in parts.iter().enumerate() {
                let title = part_title("报表提醒日报", i as i64 + 1, parts.len() as i64);
                let body = body(kind, &title, part, None).to_string();
                let limit = match kind {
                    RobotKind::Wecom => 4096,
                    RobotKind::Dingtalk => 4000,
                    RobotKind::Feishu => 20 * 1024,
                };
                let measured = match kind {
                    RobotKind::Wecom => body_field(&body, "/markdown/content"),
                    RobotKind::Dingtalk => body_field(&body, "/markdown/text"),
                    RobotKind::Feishu => body.len(),
                };
                assert!(measured <= limit, "{kind:?} part {i}: {measured} bytes");
            }
            assert!(parts.len() > 1, "{kind:?}");
        }
    }

    fn body_field(body: &str, pointer: &str) -> usize {
        let value: Value = serde_json::from_str(body).unwrap();
        value.pointer(pointer).unwrap().as_str().unwrap().len()
    }

    #[test]
    fn an_overlong_line_is_cut_between_characters() {
        let line = "八".repeat(3000);
        let parts = split(RobotKind::Wecom, &line);
        assert!(parts.len() >= 3);
        assert_eq!(parts.concat(), line);
        assert!(
            parts
                .iter()
                .all(|p| p.len() <= part_limit(RobotKind::Wecom))
        );
    }

    #[test]
    fn bodies_follow_each_platform() {
        let wecom = body(RobotKind::Wecom, "日报", "一\n二", None);
        assert_eq!(wecom["msgtype"], "markdown");
        assert_eq!(wecom["markdown"]["content"], "**日报**\n一\n二");
        let ding = body(RobotKind::Dingtalk, "日报", "一\n二", None);
        assert_eq!(ding["markdown"]["title"], "日报");
        assert_eq!(ding["markdown"]["text"], "#### 日报  \n一  \n二");
        let signature = Signature {
            timestamp: "1".into(),
            sign: "s".into(),
        };
        let feishu = body(RobotKind::Feishu, "日报", "一\n二", Some(&signature));
        assert_eq!(feishu["msg_type"], "post");
        assert_eq!(
            feishu["content"]["post"]["zh_cn"]["content"][1][0]["text"],
            "二"
        );
        assert_eq!(
            (feishu["timestamp"].as_str(), feishu["sign"].as_str()),
            (Some("1"), Some("s"))
        );
    }

    #[test]
    fn outside_text_cannot_start_markup() {
        assert_eq!(
            sanitize(RobotKind::Wecom, "**x** <a>\u{7}[y](z)"),
            "＊＊x＊＊ ＜a＞［y］(z)"
        );
        assert_eq!(sanitize(RobotKind::Feishu, "**x**\u{1b}"), "**x**");
    }

    #[test]
    fn titles_are_numbered_only_when_split() {
        assert_eq!(part_title("日报", 1, 1), "日报");
        assert_eq!(part_title("日报", 2, 3), "日报（2/3）");
    }
}
