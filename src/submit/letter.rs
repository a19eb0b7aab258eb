//! The words of the district's submission to the city: subject, body and the attachment's name.
//! Pure: the month's figures in, text out.

use crate::domain::fields::MONTHLY_FORM_TITLE;
use crate::domain::period::Period;
use crate::domain::text::zh_date;

/// What the letter reports.
#[derive(Debug, Clone)]
pub struct Letter<'a> {
    pub office_name: &'a str,
    pub period: Period,
    pub made_on: chrono::NaiveDate,
    /// 1 for the first sending, more for a resend.
    pub attempt: i64,
    pub units: usize,
    pub reported: usize,
    pub case_leads: u64,
    pub cases: usize,
    pub reporter: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// `【汇总上报】大渡口区安全生产委员会办公室2026年11月安全生产举报奖励宣传工作月情况报表`, marked
/// `（第2次报送）` on a resend.
pub fn subject(letter: &Letter<'_>) -> String {
    let again = if letter.attempt > 1 {
        format!("（第{}次报送）", letter.attempt)
    } else {
        String::new()
    };
    format!(
        "【汇总上报】{}{}《{MONTHLY_FORM_TITLE}》{again}",
        letter.office_name,
        letter.period.zh()
    )
}

/// The workbook's file name.
pub fn attachment_name(letter: &Letter<'_>) -> String {
    format!(
        "{}{}{MONTHLY_FORM_TITLE}.xlsx",
        letter.office_name,
        letter.period.zh()
    )
}

pub fn body(letter: &Letter<'_>) -> String {
    let month = letter.period.zh();
    let mut lines = vec![
        "市安委办：".to_string(),
        String::new(),
        format!(
            "现将{}{month}《{MONTHLY_FORM_TITLE}》（附件3）报送贵办，请查收。",
            letter.office_name
        ),
        format!(
            "汇总情况：应报 {} 个单位，已报 {} 个，未报 {} 个；全区获取立案查处以上线索 {} 条；典型案例 {} 件。",
            letter.units,
            letter.reported,
            letter.units.saturating_sub(letter.reported),
            letter.case_leads,
            letter.cases
        ),
        format!(
            "附件：《{}》，第1张工作表为本区月情况报表，其后为各单位明细、未报送单位和典型案例。",
            attachment_name(letter)
        ),
    ];
    if letter.attempt > 1 {
        lines.push(format!(
            "本邮件为{month}报表的第{}次报送，请以本次为准。",
            letter.attempt
        ));
    }
    lines.push(String::new());
    let contact: Vec<String> = [("填报人", letter.reporter), ("联系电话", letter.phone)]
        .iter()
        .filter_map(|(label, value)| value.map(|v| format!("{label}：{v}")))
        .collect();
    if !contact.is_empty() {
        lines.push(contact.join("　"));
        lines.push(String::new());
    }
    lines.push(letter.office_name.to_string());
    lines.push(zh_date(letter.made_on));
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(attempt: i64) -> Letter<'static> {
        Letter {
            office_name: "大渡口区安全生产委员会办公室",
            period: Period::new(2026, 11).unwrap(),
            made_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            attempt,
            units: 18,
            reported: 17,
            case_leads: 3,
            cases: 2,
            reporter: Some("王晓梅"),
            phone: Some("023-68830000"),
        }
    }

    #[test]
    fn the_letter_names_the_month_the_figures_and_the_reporter() {
        let text = body(&letter(1));
        assert!(text.starts_with("市安委办：\n"), "{text}");
        assert!(text.contains("2026年11月《安全生产举报奖励宣传工作月情况报表》（附件3）报送贵办"));
        assert!(text.contains("应报 18 个单位，已报 17 个，未报 1 个"));
        assert!(text.contains("线索 3 条；典型案例 2 件"));
        assert!(text.contains("填报人：王晓梅　联系电话：023-68830000"));
        assert!(text.trim_end().ends_with("2026年11月25日"));
        assert!(!text.contains("本月") && !text.contains("第1次"));
        assert_eq!(
            subject(&letter(1)),
            "【汇总上报】大渡口区安全生产委员会办公室2026年11月《安全生产举报奖励宣传工作月情况报表》"
        );
    }

    #[test]
    fn a_resend_says_which_sending_it_is() {
        assert!(subject(&letter(2)).ends_with("（第2次报送）"));
        assert!(body(&letter(2)).contains("第2次报送，请以本次为准"));
    }
}
