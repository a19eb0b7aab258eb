//! The message log: every message kept, newest first, filtered by state (`messages.state`, so
//! the states other parts add — held, quarantined — list here as they land), by outcome, by unit
//! and "unknown senders only". Each row links to its stored original.
//!
//! Quarantined mail (SPEC §12) is listed above the log with why it was set aside; admins release
//! it, and register an unknown sender's address to a unit and reprocess its mail, from here
//! ([`super::actions`]). Held forms (SPEC §13) are listed above the log too, with approve /
//! reject for admins ([`super::held`]); every row shows its sender check.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::Staff;
use super::{Shared, WebError, layout};
use crate::clock::local_text;
use crate::domain::outcome::Outcome;
use crate::domain::unit::Roster;
use crate::store::console::{self, LogFilter, LoggedMessage};
use crate::store::quarantine::{self, Quarantined};

/// The most rows one page lists.
const PAGE_ROWS: u32 = 200;

#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    state: Option<String>,
    outcome: Option<String>,
    unit: Option<String>,
    unknown: Option<String>,
}

impl LogQuery {
    fn filter(&self) -> LogFilter {
        let given = |v: &Option<String>| v.clone().filter(|s| !s.is_empty() && s.len() <= 64);
        LogFilter {
            state: given(&self.state),
            outcome: self.outcome.as_deref().and_then(Outcome::parse),
            unit: given(&self.unit),
            unknown_only: self.unknown.as_deref() == Some("1"),
        }
    }
}

pub async fn page(
    State(web): State<Shared>,
    staff: Staff,
    Query(query): Query<LogQuery>,
) -> Result<Markup, WebError> {
    let filter = query.filter();
    let rows = console::message_log(&web.store, &filter, PAGE_ROWS).await?;
    let states = console::message_states(&web.store).await?;
    let set_aside = quarantine::list(&web.store).await?;
    let held = crate::store::held::list(&web.store).await?;
    let config = web.config();
    let tz = config.office.zone.tz();
    let roster = config.roster.current();
    let admin = staff.is_admin();
    let body = html! {
        h1 { "来信记录" }
        @if !held.is_empty() { (super::held::section(&held, tz, admin)) }
        @if !set_aside.is_empty() { (quarantined(&set_aside, tz, admin)) }
        (filter_form(&filter, &states))
        p.note { "最多列出最近 " (PAGE_ROWS) " 封。" }
        table #messages {
            thead { tr {
                th { "收到时间" } th { "发件人" } th { "单位" } th.wide { "主题" }
                th { "状态" } th { "结果" } th { "发件核验" } th { "操作" }
            } }
            tbody { @for m in &rows {
                (row(&roster, m, tz, admin, held.iter().any(|h| h.id == m.id)))
            } }
        }
    };
    Ok(layout::page("来信记录", &staff, body))
}

fn filter_form(filter: &LogFilter, states: &[(String, i64)]) -> Markup {
    let outcomes = [
        (Outcome::Accepted, "已接收"),
        (Outcome::Rejected, "已退回"),
        (Outcome::Ignored, "未处理（无报表）"),
    ];
    html! {
        form method="get" action="/messages" {
            label.inline { "状态 "
                select name="state" {
                    option value="" { "全部" }
                    @for (state, n) in states {
                        option value=(state) selected[filter.state.as_deref() == Some(state)] {
                            (state_zh(state)) "（" (n) "）"
                        }
                    }
                }
            }
            label.inline { "结果 "
                select name="outcome" {
                    option value="" { "全部" }
                    @for (value, zh) in outcomes {
                        option value=(value.as_str()) selected[filter.outcome == Some(value)] { (zh) }
                    }
                }
            }
            label.inline {
                input type="checkbox" name="unknown" value="1" checked[filter.unknown_only];
                " 只看未登记发件人"
            }
            button type="submit" { "筛选" }
        }
    }
}

/// The Chinese name of a `messages.state` value; states added by other parts show as written.
pub fn state_zh(state: &str) -> &str {
    match state {
        "received" => "待处理",
        "processed" => "已处理",
        "held" => "待核验",
        "quarantined" => "已隔离",
        other => other,
    }
}

fn outcome_zh(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        Some(Outcome::Accepted) => "已接收",
        Some(Outcome::Rejected) => "已退回",
        Some(Outcome::Ignored) => "无报表",
        Some(other) => other.as_str(),
        None => "",
    }
}

/// Mail set aside after failing to finish three times, with why; admins release it.
fn quarantined(list: &[Quarantined], tz: Tz, admin: bool) -> Markup {
    html! {
        h2 { "已隔离的来信（" (list.len()) " 封）" }
        p.note { "连续 " (quarantine::MAX_ATTEMPTS) " 次未能处理完，已搁置，其余来信照常处理。解除隔离后立即重新处理一次。" }
        table #quarantine {
            thead { tr { th { "收到时间" } th { "发件人" } th.wide { "主题" } th { "原因" } th { "操作" } } }
            tbody { @for q in list {
                tr data-quarantined=(q.id) {
                    td { (local_text(q.received_at, tz)) }
                    td { (q.sender.as_deref().unwrap_or("（无发件人）")) }
                    td.wide { (q.subject) }
                    td { "尝试 " (q.attempts) " 次" @if let Some(e) = &q.last_error { "：" (e) } }
                    td {
                        a href={ "/messages/" (q.id) "/raw" } { "原件" }
                        @if admin {
                            form.inline method="post" action={ "/messages/" (q.id) "/release" } {
                                button type="submit" { "解除隔离" }
                            }
                        }
                    }
                }
            } }
        }
    }
}

/// A kept form from an address nobody registered (processed, no unit, returned).
fn kept_from_unknown(m: &LoggedMessage) -> bool {
    m.state == "processed"
        && m.unit_code.is_none()
        && m.sender.is_some()
        && m.outcome == Some(Outcome::Rejected)
}

/// Admins register the sender to a unit and reprocess the message.
fn register_form(roster: &Roster, m: &LoggedMessage) -> Markup {
    html! {
        form.inline.register method="post" action={ "/messages/" (m.id) "/register" } {
            select name="unit" required {
                option value="" { "登记为…" }
                @for unit in roster.units() { option value=(unit.code.as_str()) { (unit.name) } }
            }
            button type="submit" { "登记并重新处理" }
        }
    }
}

/// One message of the log; `held`: waiting for staff's decision (SPEC §13), shown as 待核验.
fn row(roster: &Roster, m: &LoggedMessage, tz: Tz, admin: bool, held: bool) -> Markup {
    let unit = m.unit_code.as_deref().and_then(|code| roster.by_code(code));
    html! {
        tr data-message=(m.id) {
            td { (local_text(m.received_at, tz)) }
            td { (m.sender.as_deref().unwrap_or("（无发件人）")) }
            td {
                @match unit {
                    Some(u) => a href={ "/unit/" (u.code.as_str()) } { (u.name) },
                    None => span.problem { "未登记" },
                }
            }
            td.wide { (m.subject) }
            td { (if held { state_zh("held") } else { state_zh(&m.state) }) }
            td { (outcome_zh(m.outcome)) }
            (super::verdict::cell(m.sender_check, false, &m.source))
            td {
                a href={ "/messages/" (m.id) "/raw" } { "原件" }
                @if admin && kept_from_unknown(m) { " " (register_form(roster, m)) }
            }
        }
    }
}

/// Any kept message's original, for staff looking into the log.
pub async fn raw(
    State(web): State<Shared>,
    _staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let row = console::message(&web.store, id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("来信 {id}")))?;
    let bytes = super::unit::read_raw(&web.config().data_dir, &row.raw_path)?;
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"message-{id}.eml\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
