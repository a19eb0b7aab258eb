//! The words of every reply, in plain Chinese: pure functions from what happened to text.
//!
//! A receipt (回执) lists what was recorded, so the unit can check it; a return (退回) lists each
//! problem with the file and cell and says how to fix it; a help reply says how to submit.
//!
//! One voice, as in the office's reminders: the unit is 贵单位 and the office 我办; every month is
//! named (`2026年11月`), never 本月, since a late form or a reply read days later makes "this
//! month" ambiguous; an amount carries its unit once (`3000元`). A return about a case quotes the
//! case rules (附件2), not the monthly deadline. `reminders::voice_tests` renders every kind and checks this.

use std::fmt::Write;

use chrono::NaiveDate;

use crate::domain::text::zh_date;

use crate::domain::fields::{Field, MonthlyValues};
use crate::domain::period::Period;
use crate::forms::Finding;
use crate::forms::case::Amount;

/// Who signs the replies.
#[derive(Debug, Clone)]
pub struct Letterhead {
    pub office_name: String,
    pub contact: Option<String>,
}

/// A monthly form that was recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub attachment: String,
    pub period: Period,
    /// Where the period came from, in words (see [`period_source_text`]).
    pub period_source: String,
    pub version: i64,
    /// When the version this one replaces was received (office-local text).
    pub replaces: Option<String>,
    pub values: MonthlyValues,
    pub changes: Vec<(Field, u64, u64)>,
    pub late: bool,
    pub deadline: NaiveDate,
    pub warnings: Vec<String>,
}

/// A typical-case form that was recorded.
#[derive(Debug, Clone)]
pub struct RecordedCase {
    pub attachment: String,
    pub period: Period,
    /// Photos linked to it from this mail.
    pub photos: usize,
    /// The reward paid, as read from the form.
    pub reward: Option<Amount>,
    pub warnings: Vec<String>,
    /// The case's version: 1, or more for a correction (SPEC §4).
    pub version: i64,
    /// When the version this correction replaces was received (office time), for a correction.
    pub replaces: Option<String>,
}

/// The month a unit is asked to report for and its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub period: Period,
    pub deadline: NaiveDate,
}

/// What a return asks the unit to send again: it decides the rules quoted and the template
/// attached (the monthly one unless only case forms are returned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    Monthly,
    Case,
    Both,
}

impl Resend {
    /// What a return is about, from whether it has problems of monthly forms (or of the mail)
    /// and of case forms.
    pub fn of(monthly_or_mail: bool, case: bool) -> Self {
        match (monthly_or_mail, case) {
            (false, true) => Resend::Case,
            (true, true) => Resend::Both,
            _ => Resend::Monthly,
        }
    }

    /// Whether the blank case template (rather than the monthly one) goes with the return.
    pub fn attaches_case_template(self) -> bool {
        self == Resend::Case
    }
}

/// The notice's rules for a typical case (附件2), as a return quotes them.
pub const CASE_RULES: &str = "典型案例请按《安全生产举报奖励工作典型案例报送表》（附件2）填写“典型案例概述”：\
    写明线索来源、简要案情、执法处罚、奖励发放等相关工作情况，字数不超过600字（不计空格），\
    并附上工作图片（直接作为邮件附件发送）；必要时，相关信息需加密处理。典型案例随时报送，不受每月报表期限限制。";

/// The facts every reply to a unit starts from.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub unit_name: String,
    pub received_local: String,
    pub receipt_no: String,
    /// The sender check as the unit reads it (SPEC §13), shown on receipts; `None` when off.
    pub sender_check: Option<String>,
}

pub fn period_source_text(source: &crate::forms::monthly::PeriodSource) -> String {
    use crate::forms::monthly::PeriodSource;
    match source {
        PeriodSource::Cell(cell) => format!("取自表内“报表月份”，{cell}"),
        PeriodSource::Title(cell) => format!("取自表格标题，{cell}"),
        PeriodSource::Subject => "取自邮件主题".into(),
        PeriodSource::OpenAtReceipt => {
            "表内未写报表月份，按收件时所在的月份登记；如不对，请在“报表月份”中写明后重新发送"
                .into()
        }
    }
}

/// The notice's label, except where the notice left the bracket empty (标语海报（）).
fn shown_label(field: Field) -> &'static str {
    let label = field.label();
    if label.ends_with("（）") {
        field.short_label()
    } else {
        label
    }
}

/// The body of a receipt for one or more recorded monthly forms and typical cases.
pub fn receipt_body(
    head: &Letterhead,
    env: &Envelope,
    forms: &[Recorded],
    cases: &[RecordedCase],
) -> String {
    let mut out = format!("{}：\n\n", env.unit_name);
    let mut what: Vec<String> = forms
        .iter()
        .map(|f| format!("{} 《安全生产举报奖励宣传工作月情况报表》", f.period.zh()))
        .collect();
    if !cases.is_empty() {
        what.push(format!("典型案例报送表 {} 份", cases.len()));
    }
    let _ = writeln!(
        out,
        "贵单位报送的{}已收到并登记，请核对以下内容。\n",
        what.join("、")
    );
    let _ = writeln!(out, "回执编号：{}", env.receipt_no);
    let _ = writeln!(
        out,
        "收到时间：{}（以邮件服务器收件时间为准）",
        env.received_local
    );
    if let Some(check) = &env.sender_check {
        let _ = writeln!(out, "发件人核验：{check}");
    }
    for form in forms {
        write_recorded(&mut out, form);
    }
    for case in cases {
        write_case(&mut out, case);
    }
    out.push_str("\n如数据有误，直接回复本邮件并附上更正后的报表即可，以最后一次报送的为准。\n");
    sign(&mut out, head);
    out
}

fn write_case(out: &mut String, case: &RecordedCase) {
    let _ = writeln!(out, "\n附件：{}", case.attachment);
    match &case.replaces {
        Some(when) => {
            let _ = writeln!(
                out,
                "已登记为 {} 典型案例的更正：第 {} 版（替换 {} 收到的上一版，以本版为准，不重复计数）。",
                case.period.zh(),
                case.version,
                when
            );
        }
        None => {
            let _ = writeln!(out, "已登记为 {} 的典型案例。", case.period.zh());
        }
    }
    if case.photos > 0 {
        let _ = writeln!(out, "工作照片：{} 张，已一并存档。", case.photos);
    }
    if let Some(reward) = &case.reward {
        let _ = writeln!(out, "奖励发放金额：{reward}");
    }
    for warning in &case.warnings {
        let _ = writeln!(out, "提示：{warning}");
    }
    let _ = writeln!(
        out,
        "如需更正本案例，请直接回复本邮件并附上更正后的案例表（或在主题中写明“更正”），将替换本案例，不会重复计数。"
    );
}

fn write_recorded(out: &mut String, form: &Recorded) {
    let _ = writeln!(out, "\n附件：{}", form.attachment);
    let _ = writeln!(
        out,
        "报表月份：{}（{}）",
        form.period.zh(),
        form.period_source
    );
    match &form.replaces {
        Some(when) => {
            let _ = writeln!(
                out,
                "版本：第 {} 版（替换 {} 收到的上一版，以本版为准）",
                form.version, when
            );
        }
        None => {
            let _ = writeln!(out, "版本：第 {} 版", form.version);
        }
    }
    if form.late {
        let _ = writeln!(
            out,
            "说明：{}报表应于{}前报送，本次已登记，记为逾期报送。",
            form.period.zh(),
            zh_date(form.deadline)
        );
    }
    out.push_str("登记的数据：\n");
    for (field, value) in form.values.iter() {
        let _ = writeln!(out, "  {}：{}", shown_label(field), value);
    }
    if form.replaces.is_some() {
        if form.changes.is_empty() {
            out.push_str("与上一版相比：数据没有变化。\n");
        } else {
            out.push_str("与上一版相比的变动：\n");
            for (field, old, new) in &form.changes {
                let _ = writeln!(out, "  {}：{} → {}", shown_label(*field), old, new);
            }
        }
    }
    if !form.warnings.is_empty() {
        out.push_str("提示：\n");
        for warning in &form.warnings {
            let _ = writeln!(out, "  - {warning}");
        }
    }
}

/// The body of a return: what could not be recorded and how to fix each problem. Forms of the same
/// message that were recorded are listed too, so one reply tells the whole story. `resend` decides
/// the closing: the monthly template and deadline, the case rules, or both.
pub fn return_body(
    head: &Letterhead,
    env: &Envelope,
    fixes: &[Finding],
    (recorded, cases): (&[Recorded], &[RecordedCase]),
    resend: Resend,
    due: Due,
) -> String {
    let mut out = format!("{}：\n\n", env.unit_name);
    let what = match resend {
        Resend::Case => "典型案例报送表",
        Resend::Monthly | Resend::Both => "报表",
    };
    let _ = writeln!(
        out,
        "贵单位 {} 发来的邮件中，以下内容未能登记，请修改后重新发送（直接回复本邮件并附上改好的{what}即可）：\n",
        env.received_local
    );
    for (i, fix) in fixes.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, fix.return_line());
    }
    let _ = writeln!(out, "\n编号：{}", env.receipt_no);
    if !recorded.is_empty() || !cases.is_empty() {
        out.push_str("\n同一邮件中以下材料已登记：\n");
        for form in recorded {
            write_recorded(&mut out, form);
        }
        for case in cases {
            write_case(&mut out, case);
        }
    }
    out.push('\n');
    match resend {
        Resend::Case => {
            let _ = writeln!(
                out,
                "{CASE_RULES}随信附上空白的典型案例报送表模板，可直接填写。"
            );
        }
        Resend::Monthly => monthly_closing(&mut out, due),
        Resend::Both => {
            monthly_closing(&mut out, due);
            let _ = writeln!(out, "{CASE_RULES}");
        }
    }
    sign(&mut out, head);
    out
}

fn monthly_closing(out: &mut String, due: Due) {
    let _ = writeln!(
        out,
        "随信附上空白的月情况报表模板，可直接填写。{}《安全生产举报奖励宣传工作月情况报表》请于{}前报送。",
        due.period.zh(),
        zh_date(due.deadline)
    );
}

/// The body of a help reply: the mail held no form.
pub fn help_body(head: &Letterhead, env: &Envelope, others: &[String], due: Due) -> String {
    let mut out = format!("{}：\n\n", env.unit_name);
    let _ = writeln!(
        out,
        "我办收到了贵单位 {} 发来的邮件，但其中没有找到需要登记的报表。",
        env.received_local
    );
    if !others.is_empty() {
        let _ = writeln!(out, "邮件中的附件（{}）不是报表。", others.join("、"));
    }
    let _ = writeln!(
        out,
        "\n报送方法：将填好的《安全生产举报奖励宣传工作月情况报表》作为附件（Excel 或 WPS 表格：xlsx、xls、ods、et 均可）发送到本邮箱，\
         系统会在几秒内回复回执；表中有问题的，会逐项说明如何修改。{}报表请于{}前报送。随信附上空白模板。",
        due.period.zh(),
        zh_date(due.deadline)
    );
    sign(&mut out, head);
    out
}

/// The body of a reply to work photos sent later, in a reply to a case's receipt.
pub fn photos_body(
    head: &Letterhead,
    env: &Envelope,
    photos: usize,
    receipts: &[String],
) -> String {
    let mut out = format!("{}：\n\n", env.unit_name);
    let _ = writeln!(
        out,
        "贵单位 {} 补发的工作照片 {} 张已收到，已归入典型案例（回执编号 {}）。",
        env.received_local,
        photos,
        receipts.join("、")
    );
    sign(&mut out, head);
    out
}

fn sign(out: &mut String, head: &Letterhead) {
    sign_with(
        out,
        head,
        "（本邮件由系统自动发送，回复本邮件即可补充或更正。）",
    );
}

/// The office's signature, its contact line and a last line saying how the mail was sent (a
/// reply corrects a form; a notice about held mail says only that it was sent automatically).
pub(super) fn sign_with(out: &mut String, head: &Letterhead, last_line: &str) {
    let _ = write!(out, "\n{}\n", head.office_name);
    if let Some(contact) = &head.contact {
        let _ = writeln!(out, "{contact}");
    }
    let _ = writeln!(out, "{last_line}");
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
