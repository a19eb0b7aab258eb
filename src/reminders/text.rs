//! The Chinese texts of reminders and of the staff digest (SPEC §5). Pure: data in, text out.
//!
//! Reminders are short official notes in the office's voice: what is due, the deadline, how to
//! submit (reply with the filled form attached; the blank template is attached), whom to contact.

pub use crate::domain::text::{zh_date, zh_date_weekday};
use chrono::{NaiveDate, NaiveDateTime};

use super::schedule::ReminderKind;
use crate::domain::Period;
use crate::domain::fields::MONTHLY_FORM_TITLE;

/// The reminder's subject line.
pub fn reminder_subject(kind: ReminderKind, period: Period, office_name: &str) -> String {
    let month = period.zh();
    let what = match kind {
        ReminderKind::DueSoon => format!("【报送提醒】请报送{month}《{MONTHLY_FORM_TITLE}》"),
        ReminderKind::FinalDay => {
            format!("【今日截止】请于今天报送{month}《{MONTHLY_FORM_TITLE}》")
        }
        ReminderKind::Overdue => format!("【逾期提醒】{month}《{MONTHLY_FORM_TITLE}》已逾期未报"),
    };
    format!("{what}（{office_name}）")
}

/// The reminder's plain-text body, addressed to `unit_name` and signed by `office_name`.
pub fn reminder_body(
    kind: ReminderKind,
    unit_name: &str,
    period: Period,
    deadline: NaiveDate,
    office_name: &str,
    contact: Option<&str>,
    template_name: &str,
) -> String {
    let contact_line = match contact {
        Some(contact) if !contact.trim().is_empty() => {
            format!("如有疑问，请联系：{}。", contact.trim())
        }
        _ => "如有疑问，请直接回复本邮件。".to_string(),
    };
    [
        format!("{unit_name}："),
        String::new(),
        reminder_lead(kind, period, deadline),
        String::new(),
        format!(
            "报送方式：请直接回复本邮件，将填写完整的报表作为附件发送（支持 xlsx、xls、ods、et \
             格式）。空白模板“{template_name}”已随本邮件附上。我办收到后将自动回复回执；\
             如报表有误，回复中会逐项列明需修改之处。"
        ),
        String::new(),
        "如贵单位已经报送，请忽略本邮件。".to_string(),
        contact_line,
        String::new(),
        office_name.to_string(),
        String::new(),
    ]
    .join("\n")
}

fn reminder_lead(kind: ReminderKind, period: Period, deadline: NaiveDate) -> String {
    let month = period.zh();
    let short = zh_date(deadline);
    let deadline = zh_date_weekday(deadline);
    match kind {
        ReminderKind::DueSoon => format!(
            "截至目前，我办尚未收到贵单位{month}的《{MONTHLY_FORM_TITLE}》。报送截止日期为\
             {deadline}，请在截止日期前（含当日）报送。"
        ),
        ReminderKind::FinalDay => format!(
            "今天是报送截止日（{short}）。截至目前，我办尚未收到贵单位{month}的\
             《{MONTHLY_FORM_TITLE}》，请于今天内报送。"
        ),
        ReminderKind::Overdue => format!(
            "{month}《{MONTHLY_FORM_TITLE}》的报送截止日期为{deadline}，截至目前我办仍未收到\
             贵单位的报表，已经逾期。请尽快报送；逾期报送的报表仍予登记，但将标注为逾期。"
        ),
    }
}

/// The staff digest: counts first, then the missing units, then who reported when.
/// `reported` holds (unit name, local receipt time as text, late) in the order to show.
pub fn staff_digest(
    period: Period,
    deadline: NaiveDate,
    reported: &[(String, String, bool)],
    missing: &[String],
    now_local: NaiveDateTime,
) -> String {
    let late = reported.iter().filter(|(_, _, late)| *late).count();
    let late_note = if late > 0 {
        format!("（其中逾期 {late} 个）")
    } else {
        String::new()
    };
    let mut lines = vec![
        format!("{}《{MONTHLY_FORM_TITLE}》报送情况", period.zh()),
        format!(
            "统计时间：{} {}　截止日期：{}",
            zh_date(now_local.date()),
            now_local.format("%H:%M"),
            zh_date_weekday(deadline)
        ),
        format!(
            "应报 {} 个单位：已报 {} 个{late_note}，未报 {} 个。",
            reported.len() + missing.len(),
            reported.len(),
            missing.len()
        ),
    ];
    if now_local.date() > deadline && !missing.is_empty() {
        lines.push("已过报送截止日期。".to_string());
    }
    lines.push(String::new());
    if missing.is_empty() {
        lines.push("全部单位均已报送。".to_string());
    } else {
        lines.push(format!("未报送（{}）：", missing.len()));
        lines.extend(missing.iter().cloned());
    }
    lines.push(String::new());
    if reported.is_empty() {
        lines.push("已报送：暂无。".to_string());
    } else {
        lines.push(format!("已报送（{}）：", reported.len()));
        lines.extend(reported.iter().map(|(name, received, late)| {
            let mark = if *late { "（逾期）" } else { "" };
            format!("{name}　{received}{mark}")
        }));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICE: &str = "大渡口区安全生产委员会办公室";
    const TEMPLATE: &str = "安全生产举报奖励宣传工作月情况报表（模板）.xlsx";

    fn november() -> Period {
        Period::new(2026, 11).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn body(kind: ReminderKind, contact: Option<&str>) -> String {
        reminder_body(
            kind,
            "跳磴镇",
            november(),
            date(2026, 11, 20),
            OFFICE,
            contact,
            TEMPLATE,
        )
    }

    #[test]
    fn dates_read_as_chinese_dates_with_the_weekday() {
        assert_eq!(zh_date(date(2026, 11, 20)), "2026年11月20日");
        assert_eq!(
            zh_date_weekday(date(2026, 11, 20)),
            "2026年11月20日（星期五）"
        );
        assert_eq!(
            zh_date_weekday(date(2026, 11, 22)),
            "2026年11月22日（星期日）"
        );
    }

    #[test]
    fn subjects_name_the_month_the_form_and_the_office() {
        let due = reminder_subject(ReminderKind::DueSoon, november(), OFFICE);
        assert_eq!(
            due,
            "【报送提醒】请报送2026年11月《安全生产举报奖励宣传工作月情况报表》\
             （大渡口区安全生产委员会办公室）"
        );
        let last = reminder_subject(ReminderKind::FinalDay, november(), OFFICE);
        assert!(last.starts_with("【今日截止】"), "{last}");
        let overdue = reminder_subject(ReminderKind::Overdue, november(), OFFICE);
        assert!(overdue.contains("已逾期未报"), "{overdue}");
    }

    #[test]
    fn a_due_soon_reminder_says_what_when_and_how() {
        let text = body(ReminderKind::DueSoon, Some("023-68831234（王科长）"));
        assert!(text.starts_with("跳磴镇：\n"), "{text}");
        assert!(text.contains("2026年11月的《安全生产举报奖励宣传工作月情况报表》"));
        assert!(text.contains("报送截止日期为2026年11月20日（星期五）"));
        assert!(text.contains("请直接回复本邮件"));
        assert!(text.contains("xlsx、xls、ods、et"));
        assert!(text.contains(&format!("空白模板“{TEMPLATE}”已随本邮件附上")));
        assert!(text.contains("如有疑问，请联系：023-68831234（王科长）。"));
        assert!(text.trim_end().ends_with(OFFICE));
        assert!(!text.contains("今天"));
        assert!(!text.contains("逾期"));
    }

    #[test]
    fn a_final_day_reminder_says_today_is_the_deadline() {
        let text = body(ReminderKind::FinalDay, None);
        assert!(text.contains("今天是报送截止日（2026年11月20日）。"));
        assert!(text.contains("贵单位2026年11月的《安全生产举报奖励宣传工作月情况报表》"));
        assert!(text.contains("请于今天内报送"));
        assert!(text.contains("如有疑问，请直接回复本邮件。"));
    }

    #[test]
    fn an_overdue_notice_asks_for_the_form_as_soon_as_possible() {
        let text = body(ReminderKind::Overdue, Some("  "));
        assert!(text.contains("已经逾期"));
        assert!(text.contains("请尽快报送"));
        assert!(text.contains("仍予登记，但将标注为逾期"));
        assert!(
            text.contains("如有疑问，请直接回复本邮件。"),
            "a blank contact"
        );
    }

    #[test]
    fn the_digest_counts_first_then_lists_missing_and_reported_units() {
        let reported = vec![
            ("跳磴镇".to_string(), "11月16日 10:23".to_string(), false),
            ("区教委".to_string(), "11月21日 08:05".to_string(), true),
        ];
        let missing = vec!["八桥镇".to_string(), "建胜镇".to_string()];
        let now = date(2026, 11, 23).and_hms_opt(9, 0, 0).unwrap();
        let text = staff_digest(november(), date(2026, 11, 20), &reported, &missing, now);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "2026年11月《安全生产举报奖励宣传工作月情况报表》报送情况"
        );
        assert_eq!(
            lines[1],
            "统计时间：2026年11月23日 09:00　截止日期：2026年11月20日（星期五）"
        );
        assert_eq!(
            lines[2],
            "应报 4 个单位：已报 2 个（其中逾期 1 个），未报 2 个。"
        );
        assert!(text.contains("已过报送截止日期"));
        assert!(text.contains("未报送（2）：\n八桥镇\n建胜镇\n"));
        assert!(
            text.contains("已报送（2）：\n跳磴镇　11月16日 10:23\n区教委　11月21日 08:05（逾期）")
        );
    }

    #[test]
    fn the_digest_says_so_when_everyone_or_no_one_has_reported() {
        let now = date(2026, 11, 15).and_hms_opt(9, 0, 0).unwrap();
        let all = staff_digest(
            november(),
            date(2026, 11, 20),
            &[("跳磴镇".to_string(), "11月12日 09:10".to_string(), false)],
            &[],
            now,
        );
        assert!(all.contains("应报 1 个单位：已报 1 个，未报 0 个。"));
        assert!(all.contains("全部单位均已报送。"));
        assert!(!all.contains("已过报送截止日期"));
        let none = staff_digest(
            november(),
            date(2026, 11, 20),
            &[],
            &["八桥镇".to_string()],
            now,
        );
        assert!(none.contains("已报送：暂无。"));
    }
}
