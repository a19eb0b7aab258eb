//! The checks the notice sets (SPEC §9), judged as met / not yet / missed from plain counts.
//!
//! Pure: the caller gathers the counts (see [`crate::status::summary`]) and the office-local
//! date; the bot's `/summary`, and later `status` and the export, show the same verdicts.
//! "Not yet" means the check can still be met: its deadline has not passed.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::domain::period::Period;

/// A verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    Met,
    NotYet,
    Missed,
}

impl CheckState {
    /// The word staff read: 已达到 / 暂未达到 / 未达到.
    pub fn zh(self) -> &'static str {
        match self {
            CheckState::Met => "已达到",
            CheckState::NotYet => "暂未达到",
            CheckState::Missed => "未达到",
        }
    }
}

/// Which rule of the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Every unit reports every month by the deadline.
    ReportedOnTime,
    /// The district obtains at least one case-filed tip (case_leads) every month.
    CaseLeads,
    /// Every unit has at least one online media report every calendar quarter.
    QuarterlyMedia,
}

impl CheckKind {
    pub fn zh(self) -> &'static str {
        match self {
            CheckKind::ReportedOnTime => "各单位每月20日前报送",
            CheckKind::CaseLeads => "全区每月至少1条立案线索",
            CheckKind::QuarterlyMedia => "各单位每季度至少1篇网络媒体宣传",
        }
    }
}

/// One judged check with a short Chinese explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub kind: CheckKind,
    pub state: CheckState,
    pub detail: String,
}

/// What the checks are judged from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInput {
    pub period: Period,
    /// The office-local date of the question.
    pub today: NaiveDate,
    pub deadline: NaiveDate,
    pub units: usize,
    /// Units with a counting form received by the deadline.
    pub on_time: usize,
    /// Units with a counting form at all (on time or late).
    pub reported: usize,
    /// The district's case_leads total for the period.
    pub case_leads: u64,
    /// Names of the units with no media report in the period's quarter so far.
    pub without_media: Vec<String>,
}

/// The three judged checks of SPEC §9, in the notice's order.
pub fn evaluate(input: &CheckInput) -> Vec<Check> {
    vec![
        reported_on_time(input),
        case_leads(input),
        quarterly_media(input),
    ]
}

fn reported_on_time(input: &CheckInput) -> Check {
    let state = if input.on_time == input.units {
        CheckState::Met
    } else if input.today <= input.deadline {
        CheckState::NotYet
    } else {
        CheckState::Missed
    };
    let late = input.reported.saturating_sub(input.on_time);
    let mut detail = format!("按时报送 {}/{}", input.on_time, input.units);
    if late > 0 {
        detail.push_str(&format!("，逾期报送 {late}"));
    }
    Check {
        kind: CheckKind::ReportedOnTime,
        state,
        detail,
    }
}

fn case_leads(input: &CheckInput) -> Check {
    let state = if input.case_leads >= 1 {
        CheckState::Met
    } else if input.today <= input.period.last_day() {
        CheckState::NotYet
    } else {
        CheckState::Missed
    };
    Check {
        kind: CheckKind::CaseLeads,
        state,
        detail: format!("本月立案线索合计 {}", input.case_leads),
    }
}

fn quarterly_media(input: &CheckInput) -> Check {
    let quarter_end = quarter_months(input.period)
        .last()
        .map_or(input.period.last_day(), |p| p.last_day());
    let state = if input.without_media.is_empty() {
        CheckState::Met
    } else if input.today <= quarter_end {
        CheckState::NotYet
    } else {
        CheckState::Missed
    };
    let quarter = (input.period.month() - 1) / 3 + 1;
    let detail = if input.without_media.is_empty() {
        format!(
            "{}年第{quarter}季度各单位均已有网络媒体宣传",
            input.period.year()
        )
    } else {
        format!(
            "{}年第{quarter}季度尚无网络媒体宣传 {} 个单位：{}",
            input.period.year(),
            input.without_media.len(),
            input.without_media.join("、")
        )
    };
    Check {
        kind: CheckKind::QuarterlyMedia,
        state,
        detail,
    }
}

/// The months of the calendar quarter holding `period`, in order.
pub fn quarter_months(period: Period) -> Vec<Period> {
    let first_month = (period.month() - 1) / 3 * 3 + 1;
    (first_month..first_month + 3)
        .filter_map(|m| Period::new(period.year(), m))
        .collect()
}

/// The last day of a month.
trait LastDay {
    fn last_day(self) -> NaiveDate;
}

impl LastDay for Period {
    fn last_day(self) -> NaiveDate {
        let first = self.first_day();
        self.succ()
            .map(|next| next.first_day())
            .and_then(|next| next.pred_opt())
            .unwrap_or_else(|| first.with_day(31).unwrap_or(first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(today: &str) -> CheckInput {
        CheckInput {
            period: Period::parse("2026-11").unwrap(),
            today: today.parse().unwrap(),
            deadline: "2026-11-20".parse().unwrap(),
            units: 3,
            on_time: 2,
            reported: 2,
            case_leads: 0,
            without_media: vec!["八桥镇".into()],
        }
    }

    fn states(input: &CheckInput) -> Vec<CheckState> {
        evaluate(input).iter().map(|c| c.state).collect()
    }

    #[test]
    fn before_the_deadline_everything_open_is_not_yet() {
        use CheckState::*;
        assert_eq!(states(&input("2026-11-15")), vec![NotYet, NotYet, NotYet]);
    }

    #[test]
    fn after_the_deadline_a_missing_unit_misses_the_first_check() {
        use CheckState::*;
        assert_eq!(states(&input("2026-11-21")), vec![Missed, NotYet, NotYet]);
        assert_eq!(states(&input("2026-12-01")), vec![Missed, Missed, NotYet]);
        assert_eq!(states(&input("2027-01-01")), vec![Missed, Missed, Missed]);
    }

    #[test]
    fn a_late_form_still_misses_the_on_time_check() {
        let mut late = input("2026-11-25");
        late.reported = 3;
        let check = &evaluate(&late)[0];
        assert_eq!(check.state, CheckState::Missed);
        assert_eq!(check.detail, "按时报送 2/3，逾期报送 1");
    }

    #[test]
    fn everything_met() {
        let mut all = input("2026-11-15");
        all.on_time = 3;
        all.reported = 3;
        all.case_leads = 2;
        all.without_media.clear();
        assert!(evaluate(&all).iter().all(|c| c.state == CheckState::Met));
    }

    #[test]
    fn quarters_are_calendar_quarters() {
        let months = |p: &str| -> Vec<String> {
            quarter_months(Period::parse(p).unwrap())
                .iter()
                .map(|p| p.to_string())
                .collect()
        };
        assert_eq!(months("2026-11"), ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(months("2026-01"), ["2026-01", "2026-02", "2026-03"]);
        assert_eq!(
            Period::parse("2028-02").unwrap().last_day().to_string(),
            "2028-02-29"
        );
    }
}
