//! Quarantined messages as staff read them: in `status` (text and JSON) and
//! `reportdesk quarantine list | release ID` (SPEC §12; printed by the CLI).

use crate::store::quarantine::{self, Quarantined};

/// The quarantine section of `status`: nothing when none is set aside.
pub fn render_text(list: &[Quarantined]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n已隔离的邮件（连续{}次未能处理完，已搁置，其余邮件照常处理）：{} 封\n",
        quarantine::MAX_ATTEMPTS,
        list.len()
    );
    for message in list {
        out.push_str(&format!(
            "  #{}  {}  {}  「{}」  尝试{}次{}  原件 {}\n",
            message.id,
            message.received_at.format("%Y-%m-%d %H:%M"),
            message.sender.as_deref().unwrap_or("(无发件人)"),
            message.subject,
            message.attempts,
            message
                .last_error
                .as_deref()
                .map(|e| format!("，最后一次：{e}"))
                .unwrap_or_default(),
            message.raw_path
        ));
    }
    out.push_str("  处理：reportdesk quarantine release ID（运行中的服务数秒内重新处理）\n");
    out
}
