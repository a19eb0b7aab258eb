//! The words of the notices about held mail (SPEC §13), sent to a unit's registered addresses,
//! never as a reply to the held message itself: whoever wrote it may not be the unit.

use std::fmt::Write;

use super::text::{Letterhead, sign_with};
use crate::domain::echo::{cut_chars, printable_line};

/// What a notice says about the held message.
#[derive(Debug, Clone)]
pub struct HeldMail<'a> {
    pub unit_name: &'a str,
    pub from: &'a str,
    pub subject: &'a str,
    pub received_local: &'a str,
}

impl HeldMail<'_> {
    fn describe(&self, out: &mut String) {
        let _ = writeln!(out, "发件地址：{}", printable_line(self.from));
        let _ = writeln!(
            out,
            "邮件主题：{}",
            cut_chars(&printable_line(self.subject), 100)
        );
        let _ = writeln!(out, "收到时间：{}", self.received_local);
    }
}

/// The subject of the notice that a form is held.
pub fn held_subject(mail: &HeldMail<'_>) -> String {
    format!("【待确认】以{}名义发来的报表邮件", mail.unit_name)
}

/// The subject of the notice that staff rejected it.
pub fn rejected_subject(mail: &HeldMail<'_>) -> String {
    format!("【未登记】以{}名义发来的报表邮件", mail.unit_name)
}

/// A form in the unit's name arrived but its sender could not be verified: nothing recorded.
pub fn held_body(head: &Letterhead, mail: &HeldMail<'_>) -> String {
    let mut out = format!("{}：\n\n", mail.unit_name);
    out.push_str(
        "我办收到一封以贵单位名义报送报表的邮件，但该邮件未能通过发件人验证（可能是他人冒用贵单位的邮箱地址），暂未登记。\n\n",
    );
    mail.describe(&mut out);
    out.push_str(
        "\n如该邮件确为贵单位所发，请与我办联系确认，核实后即按原收到时间登记；如不是贵单位所发，无需处理，我办不会登记。\n",
    );
    sign(&mut out, head);
    out
}

/// Staff rejected the held form: it is not recorded.
pub fn rejected_body(head: &Letterhead, mail: &HeldMail<'_>) -> String {
    let mut out = format!("{}：\n\n", mail.unit_name);
    out.push_str("以下以贵单位名义发来、未通过发件人验证的报表邮件，经我办核实不予登记：\n\n");
    mail.describe(&mut out);
    out.push_str("\n如贵单位确需报送，请从登记的邮箱重新发送报表。\n");
    sign(&mut out, head);
    out
}

fn sign(out: &mut String, head: &Letterhead) {
    sign_with(out, head, "（本邮件由系统自动发送。）");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_name_the_mail_and_never_echo_control_characters_or_long_subjects() {
        let head = Letterhead {
            office_name: "大渡口区安委办".into(),
            contact: Some("联系电话 023-0000".into()),
        };
        let long = format!("\u{1b}[31m报表{}", "长".repeat(500));
        let mail = HeldMail {
            unit_name: "跳磴镇",
            from: "tiaodeng@example.gov.cn",
            subject: &long,
            received_local: "2026-11-12 10:00",
        };
        let held = held_body(&head, &mail);
        assert!(held.contains("未能通过发件人验证") && held.contains("tiaodeng@example.gov.cn"));
        assert!(!held.contains('\u{1b}'), "{held}");
        assert!(held.chars().count() < 600, "{}", held.chars().count());
        let rejected = rejected_body(&head, &mail);
        assert!(rejected.contains("不予登记") && rejected.contains("2026-11-12 10:00"));
        assert_eq!(held_subject(&mail), "【待确认】以跳磴镇名义发来的报表邮件");
    }
}
