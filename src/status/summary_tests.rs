//! Tests of the district summary and the quarter view.

use super::*;
use crate::domain::unit::Roster;
use crate::notice_checks::CheckState;

fn roster() -> Roster {
    Roster::parse(
        r#"
[[unit]]
code = "bachiao"
name = "八桥镇"
kind = "town"
addresses = ["a@x.cn"]
[[unit]]
code = "tiaodeng"
name = "跳磴镇"
kind = "town"
addresses = ["b@x.cn"]
"#,
    )
    .unwrap()
}

fn submission(unit: &str, period: &str, late: bool, value: u64) -> Submission {
    Submission {
        unit_code: unit.into(),
        period: period.into(),
        version: 1,
        received_at: "2026-11-10T02:00:00Z".parse().unwrap(),
        late,
        receipt_no: "R".into(),
        values: MonthlyValues::new([value; 11]),
    }
}

#[test]
fn totals_count_roster_units_only_and_checks_follow() {
    let roster = roster();
    let latest = vec![
        submission("bachiao", "2026-11", false, 2),
        submission("tiaodeng", "2026-11", true, 3),
        submission("gone", "2026-11", false, 100),
    ];
    let period = Period::parse("2026-11").unwrap();
    let summary = summarize(
        roster.units(),
        &latest,
        &latest,
        period,
        "2026-11-20".parse().unwrap(),
        "2026-11-25".parse().unwrap(),
    );
    assert_eq!(summary.totals.get(Field::CaseLeads), 5);
    assert_eq!((summary.reported, summary.late), (2, 1));
    assert!(summary.missing.is_empty());
    let states: Vec<CheckState> = summary.checks.iter().map(|c| c.state).collect();
    assert_eq!(
        states,
        [CheckState::Missed, CheckState::Met, CheckState::Met]
    );
}

#[test]
fn nothing_reported() {
    let roster = roster();
    let period = Period::parse("2026-11").unwrap();
    let summary = summarize(
        roster.units(),
        &[],
        &[],
        period,
        "2026-11-20".parse().unwrap(),
        "2026-11-02".parse().unwrap(),
    );
    assert_eq!(summary.missing.len(), 2);
    assert_eq!(summary.totals, MonthlyValues::new([0; 11]));
    assert!(summary.checks.iter().all(|c| c.state == CheckState::NotYet));
}

fn state_on(
    kind: CheckKind,
    latest: &[Submission],
    quarter: &[Submission],
    period: &str,
    today: &str,
) -> CheckState {
    let period = Period::parse(period).unwrap();
    let summary = summarize(
        roster().units(),
        latest,
        quarter,
        period,
        period.deadline(20),
        today.parse().unwrap(),
    );
    summary
        .checks
        .iter()
        .find(|c| c.kind == kind)
        .map(|c| c.state)
        .unwrap()
}

#[test]
fn a_media_report_in_the_quarters_first_month_meets_the_quarters_check() {
    let october = [
        submission("bachiao", "2026-10", false, 1),
        submission("tiaodeng", "2026-10", false, 1),
    ];
    let december = vec![
        submission("bachiao", "2026-12", false, 0),
        submission("tiaodeng", "2026-12", false, 0),
    ];
    let quarter: Vec<Submission> = october.iter().chain(&december).cloned().collect();
    let media = CheckKind::QuarterlyMedia;
    assert_eq!(
        state_on(media, &december, &quarter, "2026-12", "2026-12-25"),
        CheckState::Met
    );
    // Without October's reports: not yet on the quarter's last day, missed the day after.
    assert_eq!(
        state_on(media, &december, &december, "2026-12", "2026-12-31"),
        CheckState::NotYet
    );
    assert_eq!(
        state_on(media, &december, &december, "2026-12", "2027-01-01"),
        CheckState::Missed
    );
}

#[test]
fn a_check_is_not_yet_until_its_period_ends() {
    let none = vec![
        submission("bachiao", "2026-11", false, 0),
        submission("tiaodeng", "2026-11", false, 0),
    ];
    let leads = CheckKind::CaseLeads;
    assert_eq!(
        state_on(leads, &none, &none, "2026-11", "2026-11-30"),
        CheckState::NotYet
    );
    assert_eq!(
        state_on(leads, &none, &none, "2026-11", "2026-12-01"),
        CheckState::Missed
    );
    let on_time = CheckKind::ReportedOnTime;
    let one = vec![submission("bachiao", "2026-11", false, 1)];
    assert_eq!(
        state_on(on_time, &one, &one, "2026-11", "2026-11-20"),
        CheckState::NotYet
    );
    assert_eq!(
        state_on(on_time, &one, &one, "2026-11", "2026-11-21"),
        CheckState::Missed
    );
}

#[test]
fn a_quarter_adds_its_months_and_keeps_one_media_check() {
    let roster = roster();
    let month = |p: &str, value| {
        let period = Period::parse(p).unwrap();
        let latest = vec![submission("bachiao", p, false, value)];
        summarize(
            roster.units(),
            &latest,
            &latest,
            period,
            period.deadline(20),
            "2026-12-25".parse().unwrap(),
        )
    };
    let quarter = summarize_quarter(
        Quarter::parse("2026-Q4").unwrap(),
        vec![
            month("2026-10", 1),
            month("2026-11", 2),
            month("2026-12", 3),
        ],
    );
    assert_eq!(quarter.totals.get(Field::OpenLetters), 6);
    let media: Vec<_> = quarter
        .checks
        .iter()
        .filter(|(_, c)| c.kind == CheckKind::QuarterlyMedia)
        .collect();
    assert_eq!(media.len(), 1);
    assert_eq!(media[0].0.to_string(), "2026-Q4");
    assert_eq!(quarter.checks.len(), 3 * 2 + 1);
    assert!(render_quarter(&quarter).contains("2026年第4季度 全区汇总"));
}
