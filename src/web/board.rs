//! The month's board: every unit in roster order with its state (已报 / 退回待改 / 未报 /
//! 逾期), when its counting form arrived, its version and receipt number, and for admins the
//! one-click 催办 of a unit that has not reported, and the sender check of the counting version
//! ([`super::verdict`]). [`rows`] is the pure half.

use std::collections::HashMap;

use axum::extract::{Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::Staff;
use super::{Shared, WebError, layout};
use crate::clock::local_text;
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::store::console;
use crate::store::held::{self as held_store, VersionCheck};
use crate::store::submissions::{self, Submission};

/// Where a unit stands for the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitState {
    /// A counting form is in; `late` when it came after the deadline.
    Reported { late: bool },
    /// A form came and was returned; nothing counting since.
    Returned { overdue: bool },
    /// Nothing yet, deadline not passed.
    Missing,
    /// Nothing, and the deadline has passed.
    Overdue,
}

impl UnitState {
    pub fn zh(self) -> &'static str {
        match self {
            UnitState::Reported { late: false } => "已报",
            UnitState::Reported { late: true } => "已报（逾期）",
            UnitState::Returned { overdue: false } => "退回待改",
            UnitState::Returned { overdue: true } => "退回待改（逾期）",
            UnitState::Missing => "未报",
            UnitState::Overdue => "逾期",
        }
    }

    fn class(self) -> &'static str {
        match self {
            UnitState::Reported { late: false } => "s-done",
            UnitState::Reported { late: true } => "s-late",
            UnitState::Returned { .. } => "s-returned",
            UnitState::Missing => "s-missing",
            UnitState::Overdue => "s-overdue",
        }
    }

    /// Whether 催办 makes sense.
    pub fn may_chase(self) -> bool {
        !matches!(self, UnitState::Reported { .. })
    }
}

/// One line of the board.
#[derive(Debug, Clone)]
pub struct BoardRow<'a> {
    pub unit: &'a Unit,
    pub state: UnitState,
    pub received_at: Option<DateTime<Utc>>,
    pub version: Option<i64>,
    pub receipt_no: Option<&'a str>,
    /// When the newest returned form arrived (for 退回待改).
    pub returned_at: Option<DateTime<Utc>>,
}

/// The board of a period from its counting versions and the units' newest returned forms.
pub fn rows<'a>(
    units: &'a [Unit],
    latest: &'a [Submission],
    returned: &HashMap<String, DateTime<Utc>>,
    today: NaiveDate,
    deadline: NaiveDate,
) -> Vec<BoardRow<'a>> {
    let counted: HashMap<&str, &Submission> =
        latest.iter().map(|s| (s.unit_code.as_str(), s)).collect();
    let overdue = today > deadline;
    units
        .iter()
        .map(|unit| match counted.get(unit.code.as_str()) {
            Some(s) => BoardRow {
                unit,
                state: UnitState::Reported { late: s.late },
                received_at: Some(s.received_at),
                version: Some(s.version),
                receipt_no: Some(&s.receipt_no),
                returned_at: None,
            },
            None => {
                let returned_at = returned.get(unit.code.as_str()).copied();
                let state = match (returned_at, overdue) {
                    (Some(_), overdue) => UnitState::Returned { overdue },
                    (None, true) => UnitState::Overdue,
                    (None, false) => UnitState::Missing,
                };
                BoardRow {
                    unit,
                    state,
                    received_at: None,
                    version: None,
                    receipt_no: None,
                    returned_at,
                }
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

/// The period asked for (`?month=YYYY-MM`), else the one open today.
pub fn chosen_period(month: Option<&str>, today: NaiveDate) -> Result<Period, WebError> {
    match month.filter(|m| !m.is_empty()) {
        Some(text) => Period::parse(text).map_err(|_| {
            WebError::BadRequest(format!("月份 {text:?} 不对，应为 2026-11 这样的格式。"))
        }),
        None => Ok(Period::open_at(today)),
    }
}

pub async fn page(
    State(web): State<Shared>,
    staff: Staff,
    Query(query): Query<MonthQuery>,
) -> Result<Markup, WebError> {
    let today = web.today();
    let period = chosen_period(query.month.as_deref(), today)?;
    let config = web.config();
    let tz = config.office.zone.tz();
    let latest = submissions::latest_for_period(&web.store, period).await?;
    let (from, until) = config.office.zone.bounds_of(period);
    let returned: HashMap<String, DateTime<Utc>> =
        console::rejected_by_unit(&web.store, from, until)
            .await?
            .into_iter()
            .collect();
    let deadline = config.schedule.deadline(period);
    let roster = config.roster.current();
    let board = rows(roster.units(), &latest, &returned, today, deadline);
    let checks = held_store::checks_of_period(&web.store, &period.to_string()).await?;
    let view = View {
        tz,
        admin: staff.is_admin(),
        checks: &checks,
    };
    Ok(layout::page(
        &format!("{} 报送情况", period.zh()),
        &staff,
        render(period, deadline, &board, &view),
    ))
}

/// What every row is drawn with.
struct View<'a> {
    tz: Tz,
    admin: bool,
    /// The sender check of each version, by (unit, version).
    checks: &'a HashMap<(String, i64), VersionCheck>,
}

fn render(period: Period, deadline: NaiveDate, board: &[BoardRow<'_>], view: &View<'_>) -> Markup {
    let count = |f: fn(UnitState) -> bool| board.iter().filter(|r| f(r.state)).count();
    let reported = count(|s| matches!(s, UnitState::Reported { .. }));
    let returned = count(|s| matches!(s, UnitState::Returned { .. }));
    let month_link = |p: Option<Period>| p.map(|p| format!("/?month={p}"));
    html! {
        h1 { (period.zh()) " 报送情况" }
        p {
            "截止 " (deadline.to_string()) "。 已报 " strong { (reported) } " / 退回待改 " strong { (returned) }
            " / 未报 " strong { (board.len() - reported - returned) } " （共 " (board.len()) " 个单位）"
        }
        p.note {
            @if let Some(link) = month_link(period.pred()) { a href=(link) { "‹ 上月" } " " }
            @if let Some(link) = month_link(period.succ()) { a href=(link) { "下月 ›" } }
        }
        table #board {
            thead { tr {
                th { "单位" } th { "状态" } th { "收到时间" } th { "版本" } th.wide { "回执号" }
                th { "发件核验" } th { "操作" }
            } }
            tbody {
                @for row in board { (render_row(row, view)) }
            }
        }
    }
}

fn render_row(row: &BoardRow<'_>, view: &View<'_>) -> Markup {
    let code = row.unit.code.as_str();
    let time = row
        .received_at
        .or(row.returned_at)
        .map(|t| local_text(t, view.tz));
    let check = row
        .version
        .and_then(|v| view.checks.get(&(code.to_string(), v)));
    html! {
        tr data-unit=(code) {
            td { a href={ "/unit/" (code) } { (row.unit.name) } }
            td class=(row.state.class()) { (row.state.zh()) }
            td { (time.unwrap_or_default()) }
            td.num { @if let Some(v) = row.version { "第" (v) "版" } }
            td.wide { (row.receipt_no.unwrap_or_default()) }
            @match check {
                Some(c) => (super::verdict::cell(c.verdict, c.approved, &c.source)),
                None => td.verdict data-verdict="" { "—" },
            }
            td {
                @if view.admin && row.state.may_chase() {
                    (super::remind::button(code))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fields::MonthlyValues;
    use crate::domain::unit::Roster;

    fn roster() -> Roster {
        Roster::parse(
            r#"
[[unit]]
code = "a"
name = "甲镇"
kind = "town"
[[unit]]
code = "b"
name = "乙镇"
kind = "town"
[[unit]]
code = "c"
name = "丙街道"
kind = "subdistrict"
"#,
        )
        .unwrap()
    }

    #[test]
    fn each_unit_gets_its_state_in_roster_order() {
        let roster = roster();
        let at: DateTime<Utc> = "2026-11-10T02:00:00Z".parse().unwrap();
        let latest = vec![Submission {
            unit_code: "a".into(),
            period: "2026-11".into(),
            version: 2,
            received_at: at,
            late: false,
            receipt_no: "R-1".into(),
            values: MonthlyValues::new([0; 11]),
        }];
        let returned: HashMap<String, DateTime<Utc>> = [("b".to_string(), at)].into();
        let deadline: NaiveDate = "2026-11-20".parse().unwrap();
        let before = rows(
            roster.units(),
            &latest,
            &returned,
            "2026-11-15".parse().unwrap(),
            deadline,
        );
        let states: Vec<UnitState> = before.iter().map(|r| r.state).collect();
        assert_eq!(
            states,
            [
                UnitState::Reported { late: false },
                UnitState::Returned { overdue: false },
                UnitState::Missing
            ]
        );
        assert_eq!(before[0].receipt_no, Some("R-1"));
        let after = rows(
            roster.units(),
            &latest,
            &returned,
            "2026-11-21".parse().unwrap(),
            deadline,
        );
        assert_eq!(after[1].state, UnitState::Returned { overdue: true });
        assert_eq!(after[2].state, UnitState::Overdue);
        assert_eq!(after[2].state.zh(), "逾期");
    }
}
