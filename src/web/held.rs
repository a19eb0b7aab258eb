//! Held mail in the console (SPEC §13, §15): forms whose sender check failed wait in the message
//! log for an admin to approve (recorded at the original receipt time, receipt sent) or reject
//! (nothing recorded, the unit told). Both go through the very functions of `reportdesk held
//! approve|reject` ([`crate::intake::Intake::approve_held`], [`crate::intake::held::reject`]),
//! which write who (the user's name) and when to the audit log in the transaction of the
//! decision. Staff see the list but not the buttons, and are refused (403) the actions.

use axum::extract::{Path, State};
use chrono_tz::Tz;
use maud::{Markup, html};

use super::auth::Staff;
use super::{Shared, WebError, layout};
use crate::clock::local_text;
use crate::intake::IntakeError;
use crate::store::held::Held;

/// The held section of the message log: each message with why it is held, and for admins the
/// two buttons.
pub fn section(list: &[Held], tz: Tz, admin: bool) -> Markup {
    html! {
        h2 { "待核验的来信（" (list.len()) " 封）" }
        p.note { "发件人验证未通过，报表暂未登记。核实确为该单位所发后批准（按原收到时间登记并发回执），否则拒绝（不登记，并告知该单位）。" }
        table #held {
            thead { tr {
                th { "收到时间" } th { "发件人" } th { "单位" } th.wide { "主题" }
                th { "发件核验" } th { "操作" }
            } }
            tbody { @for h in list {
                tr data-held=(h.id) {
                    td { (local_text(h.received_at, tz)) }
                    td { (h.sender.as_deref().unwrap_or("（无发件人）")) }
                    td { a href={ "/unit/" (h.unit) } { (h.unit) } }
                    td.wide { (h.subject) }
                    (super::verdict::cell(h.sender_check, false, ""))
                    td {
                        a href={ "/messages/" (h.id) "/raw" } { "原件" }
                        @if admin {
                            form.inline method="post" action={ "/messages/" (h.id) "/approve" } {
                                button type="submit" name="approve" { "批准登记" }
                            }
                            form.inline method="post" action={ "/messages/" (h.id) "/reject" } {
                                button type="submit" name="reject" { "拒绝" }
                            }
                        }
                    }
                }
            } }
        }
    }
}

/// `POST /messages/{id}/approve`: admins only; recorded as at its original receipt time.
pub async fn approve(
    State(web): State<Shared>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    staff.require_admin()?;
    let config = web.config();
    let intake = web.intake(&config);
    let report = intake
        .approve_held(id, web.now(), &staff.name)
        .await
        .map_err(|e| refused(id, e))?;
    if report.reply.is_some() {
        web.wake_delivery();
    }
    tracing::info!(user = %staff.name, id, "held message approved in the console");
    Ok(super::actions::done(&staff, "已批准登记", Ok(report)))
}

/// `POST /messages/{id}/reject`: admins only; nothing recorded, the unit told.
pub async fn reject(
    State(web): State<Shared>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    staff.require_admin()?;
    let config = web.config();
    let rejected = crate::intake::held::reject(&config, &web.store, id, web.now(), &staff.name)
        .await
        .map_err(|e| refused(id, e))?;
    if rejected.told > 0 {
        web.wake_delivery();
    }
    tracing::info!(user = %staff.name, id, "held message rejected in the console");
    let body = html! {
        h1 { "来信记录" }
        div #outcome { p.ok { "已拒绝来信 " (id) "：未登记，已告知该单位（" (rejected.told) " 个邮箱）。" } }
        p { a href="/messages" { "返回来信记录" } }
    };
    Ok(layout::page("来信记录", &staff, body))
}

fn refused(id: i64, error: IntakeError) -> WebError {
    match error {
        IntakeError::NotHeld { .. } => {
            WebError::NotFound(format!("待核验的来信 {id}（可能已有人处理）"))
        }
        other => WebError::Internal(format!("held message {id}: {other}")),
    }
}
