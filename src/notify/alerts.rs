//! Alerts to the staff channels (SPEC §14): quarantined or held mail, a reply SMTP refused for
//! good, a mailbox not polled successfully for 30 minutes and its recovery. Each is recorded
//! with [`queue_alert`] in the transaction of the change it reports, under a key naming the
//! occurrence, so a retry of the cause never alerts twice.

use chrono::{DateTime, Utc};

use crate::config::notify::Event;
use crate::store::{StoreError, Tx, notifications};

/// Something staff must look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alert {
    /// A message set aside after failing to finish (SPEC §12); `message` is its row id.
    Quarantined {
        message: i64,
        from: String,
        subject: String,
        reason: String,
    },
    /// A form from a registered address held because its sender check failed (SPEC §13).
    Held {
        message: i64,
        from: String,
        unit: String,
    },
    /// A reply the SMTP server refused for good; `outbox` is its row id.
    SmtpFailed {
        outbox: i64,
        recipient: String,
        error: String,
    },
    /// The mailbox has not been polled successfully for 30 minutes; `occurrence` numbers the
    /// outage.
    MailboxStale { occurrence: i64, error: String },
    /// The mailbox is polled again after the outage `occurrence`.
    MailboxRecovered { occurrence: i64 },
}

impl Alert {
    /// Names the occurrence: the same key is never alerted twice.
    pub fn key(&self) -> String {
        match self {
            Alert::Quarantined { message, .. } => format!("alert:quarantined:{message}"),
            Alert::Held { message, .. } => format!("alert:held:{message}"),
            Alert::SmtpFailed { outbox, .. } => format!("alert:smtp_failed:{outbox}"),
            Alert::MailboxStale { occurrence, .. } => format!("alert:mailbox_stale:{occurrence}"),
            Alert::MailboxRecovered { occurrence, .. } => {
                format!("alert:mailbox_recovered:{occurrence}")
            }
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            Alert::Quarantined { .. } => "报表邮件已隔离",
            Alert::Held { .. } => "报表邮件待确认",
            Alert::SmtpFailed { .. } => "回复邮件发送失败",
            Alert::MailboxStale { .. } => "报表邮箱无法收信",
            Alert::MailboxRecovered { .. } => "报表邮箱已恢复收信",
        }
    }

    /// The text; the time is added in the office's zone when it is sent.
    pub fn body(&self) -> String {
        match self {
            Alert::Quarantined {
                message,
                from,
                subject,
                reason,
            } => format!(
                "第 {message} 号邮件多次处理失败，已隔离，不影响其他邮件。\n发件人：{from}\n主题：{}\n原因：{}\n请用 reportdesk quarantine list 查看。",
                cut(subject, 200),
                cut(reason, 300)
            ),
            Alert::Held {
                message,
                from,
                unit,
            } => format!(
                "第 {message} 号邮件以“{unit}”名义报送，但发件人验证未通过，尚未登记。\n发件人：{from}\n请核实后用 reportdesk held approve {message} 或 held reject {message} 处理。"
            ),
            Alert::SmtpFailed {
                outbox,
                recipient,
                error,
            } => format!(
                "发往 {recipient} 的回复（第 {outbox} 号）被邮件服务器拒绝，不再重试。\n原因：{}",
                cut(error, 300)
            ),
            Alert::MailboxStale { error, .. } => format!(
                "已超过 30 分钟未能成功收信。\n最近的错误：{}\n请检查邮箱服务器、网络和密码。",
                cut(error, 300)
            ),
            Alert::MailboxRecovered { .. } => "收信已恢复，积压的邮件正在处理。".to_string(),
        }
    }
}

fn cut(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).collect();
    if text.chars().count() > max_chars {
        out.push('…');
    }
    out
}

/// Records `alert` for the channels that take alerts, in the caller's transaction. `false`
/// when this occurrence was alerted before.
pub async fn queue_alert(
    tx: &mut Tx,
    alert: &Alert,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    notifications::record_event(
        tx,
        Event::Alerts.as_str(),
        &alert.key(),
        alert.title(),
        &alert.body(),
        now,
    )
    .await
}

/// Records a staff digest (`Event::Digest`) or the overdue list (`Event::Overdue`) for the
/// channels that take it, in the caller's transaction, once per `(period, slot)`.
pub async fn queue_digest(
    tx: &mut Tx,
    event: Event,
    period: &str,
    slot: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let title = match event {
        Event::Overdue => "报表逾期未报名单",
        _ => "报表提醒日报",
    };
    notifications::record_event(
        tx,
        event.as_str(),
        &format!("{}:{period}:{slot}", event.as_str()),
        title,
        text,
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_occurrence() {
        let stale = Alert::MailboxStale {
            occurrence: 3,
            error: "x".into(),
        };
        let recovered = Alert::MailboxRecovered { occurrence: 3 };
        assert_ne!(stale.key(), recovered.key());
        let smtp = Alert::SmtpFailed {
            outbox: 7,
            recipient: "a@x.cn".into(),
            error: "550 no such user".into(),
        };
        assert_eq!(smtp.key(), "alert:smtp_failed:7");
        assert!(smtp.body().contains("a@x.cn") && smtp.body().contains("550"));
    }

    #[test]
    fn outside_text_is_bounded() {
        let alert = Alert::Quarantined {
            message: 1,
            from: "a@x.cn".into(),
            subject: "长".repeat(5000),
            reason: "r".into(),
        };
        assert!(alert.body().chars().count() < 400);
    }
}
