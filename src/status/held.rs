//! Held mail as staff read it (SPEC §13): in `status` (text and JSON) and `reportdesk held
//! [--json]` (printed by the CLI). Approving and rejecting are intake's ([`crate::intake::held`]).

use crate::clock::local_text;
use crate::domain::echo::printable_line;
use crate::sender::Verdict;
use crate::store::held::Held;

/// The held section of `status`: nothing when none waits.
pub fn render_text(list: &[Held], tz: chrono_tz::Tz) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n待确认的报表邮件（发件人验证未通过，暂未登记，已通知该单位登记的邮箱）：{} 封\n",
        list.len()
    );
    for message in list {
        let verdict = message.sender_check.unwrap_or(Verdict::None);
        let evidence = message.evidence();
        out.push_str(&format!(
            "  ID {}  {}  {}  {}  「{}」  {}{}\n",
            message.id,
            local_text(message.received_at, tz),
            message.unit,
            printable_line(message.sender.as_deref().unwrap_or("(无发件人)")),
            printable_line(crate::domain::echo::cut_chars(&message.subject, 80)),
            verdict.chinese(),
            if evidence.is_empty() {
                String::new()
            } else {
                format!("：{}", printable_line(&evidence.join("; ")))
            }
        ));
    }
    out.push_str(
        "  处理：reportdesk held approve ID（按原收到时间登记并回执）或 reportdesk held reject ID（不登记、不回复）\n",
    );
    out
}
