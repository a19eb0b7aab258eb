//! The form's header and footer: the unit, the phone number, the period and where it is taken from.

use super::*;

#[test]
fn another_units_form_is_rejected_unless_the_sender_is_unknown() {
    let mut rows = official(VALUES, "2026年11月");
    rows[1][1] = "建胜镇";
    let wb = grid(&rows);
    let problem = only_problem(&read(&wb)).clone();
    assert_eq!(problem.field, "unit");
    assert_eq!(problem.cell.as_deref(), Some("Sheet1!B2"));
    assert!(problem.message.contains("建胜镇") && problem.message.contains("跳磴镇"));
    let unknown = read_with(&wb, period(2026, 11), "", None);
    assert!(unknown.form.is_ok());
}

#[test]
fn an_alias_or_a_longer_official_name_is_accepted() {
    let mut rows = official(VALUES, "2026年11月");
    rows[1][1] = "大渡口区跳磴镇人民政府（盖章）";
    assert!(read(&grid(&rows)).form.is_ok());
}

#[test]
fn a_bad_phone_number_is_an_error() {
    let mut rows = official(VALUES, "2026年11月");
    rows[2][5] = "12345";
    let problem = only_problem(&read(&grid(&rows))).clone();
    assert_eq!(problem.field, "phone");
    assert_eq!(problem.cell.as_deref(), Some("Sheet1!F3"));
    assert!(problem.message.contains("12345"));
}

#[test]
fn the_period_must_not_be_in_the_future_nor_older_than_twelve_months() {
    let check = |month: &str| read(&grid(&official(VALUES, month)));
    let future = check("2026年12月");
    assert_eq!(only_problem(&future).field, "period");
    assert_eq!(only_problem(&future).cell.as_deref(), Some("Sheet1!F2"));
    assert!(
        only_problem(&check("2025年10月"))
            .message
            .contains("12个月")
    );
    assert_eq!(form(&check("2025年11月")).period, period(2025, 11));
    assert_eq!(form(&check("2026/9")).period, period(2026, 9));
}

#[test]
fn an_unreadable_period_is_an_error_quoting_it() {
    let problem = only_problem(&read(&grid(&official(VALUES, "本月")))).clone();
    assert_eq!(problem.field, "period");
    assert!(problem.message.contains("本月"));
}

#[test]
fn the_period_falls_back_on_title_subject_then_open_period() {
    let mut rows = official(VALUES, "");
    let open = period(2026, 11);
    let opened = read_with(&grid(&rows), open, "报表", None);
    assert_eq!(form(&opened).period, open);
    assert_eq!(form(&opened).period_source, PeriodSource::OpenAtReceipt);

    let subject = read_with(&grid(&rows), open, "跳磴镇10月报表", None);
    assert_eq!(form(&subject).period, period(2026, 10));
    assert_eq!(form(&subject).period_source, PeriodSource::Subject);

    rows[0][0] = "安全生产举报奖励宣传工作9月情况报表";
    let titled = read_with(&grid(&rows), open, "跳磴镇10月报表", None);
    assert_eq!(form(&titled).period, period(2026, 9));
    assert_eq!(
        form(&titled).period_source,
        PeriodSource::Title("安全生产举报奖励宣传工作9月情况报表".into())
    );
}

#[test]
fn a_december_form_received_in_january_is_last_years() {
    let reading = read_with(&grid(&official(VALUES, "12月")), period(2027, 1), "", None);
    assert_eq!(form(&reading).period, period(2026, 12));
}
