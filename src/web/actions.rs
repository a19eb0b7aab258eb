//! The message log's actions (SPEC §15), for admins: release a quarantined message, and register
//! an unknown sender's address to a unit and reprocess its mail.
//!
//! Release puts the message back where intake takes it (state `received`, tries cleared) in the
//! transaction that writes the audit line, then runs it through the same intake as mail at once,
//! at its original receipt time; were the service to stop in between, start-up (or the
//! daemon's next look for released mail) finishes it. Register adds the address to the roster,
//! then runs [`crate::intake::Intake::reprocess`], the very function of `reportdesk reprocess
//! ID`: receipt time the original, the reply sent as for new mail. Both wake delivery.

use axum::extract::{Form, Path, State};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::Staff;
use super::roster_edit::RosterChange;
use super::{Shared, WebError, layout};
use crate::intake::report::{IngestReport, Outcome};
use crate::intake::{IntakeError, Source};
use crate::store::{StoreError, console, quarantine, staff};

/// `POST /messages/{id}/release`: out of quarantine and through intake again, now.
pub async fn release(
    State(web): State<Shared>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    staff.require_admin()?;
    let now = web.now();
    let mut tx = web.store.begin().await?;
    if !quarantine::release_in(&mut tx, id, now).await? {
        return Err(WebError::NotFound(format!("隔离中的来信 {id}")));
    }
    staff::audit(
        &mut tx,
        now,
        &staff.name,
        "quarantine.release",
        &id.to_string(),
        "",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(user = %staff.name, id, "quarantined message released");
    let report = take_again(&web, &staff, id).await;
    Ok(done(&staff, "已解除隔离并重新处理", report))
}

#[derive(Debug, Deserialize)]
pub struct RegisterForm {
    unit: String,
}

/// `POST /messages/{id}/register` with `unit`: the sender's address added to that unit in the
/// roster (unless it is there already), then the message reprocessed as that unit's mail.
pub async fn register(
    State(web): State<Shared>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<RegisterForm>,
) -> Result<Markup, WebError> {
    staff.require_admin()?;
    let message = console::message(&web.store, id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("来信 {id}")))?;
    let kept = message.state == "processed"
        && message.unit_code.is_none()
        && message.outcome == Some(Outcome::Rejected);
    let Some(sender) = message.sender.filter(|_| kept) else {
        return Err(WebError::BadRequest(format!(
            "来信 {id} 不是未登记发件人的报表，无需登记后重新处理。"
        )));
    };
    let config = web.config();
    let unit = config
        .roster
        .by_code(&form.unit)
        .ok_or_else(|| WebError::NotFound(format!("单位 {}", form.unit)))?;
    match config.roster.by_address(&sender) {
        Some(other) if other.code != unit.code => {
            return Err(WebError::BadRequest(format!(
                "{sender} 已登记为{}的邮箱；如要改登记，请先在名册里删除。",
                other.name
            )));
        }
        Some(_) => {}
        None => {
            let change = RosterChange::AddAddress {
                unit: unit.code.to_string(),
                address: sender.clone(),
            };
            super::roster::apply(&web, &staff, &change).await?;
        }
    }
    let report = reprocess(&web, &staff, id, unit.code.as_str()).await;
    Ok(done(
        &staff,
        &format!("已将 {sender} 登记为{}的邮箱并重新处理", unit.name),
        report,
    ))
}

/// The kept message through [`Intake::reprocess`], exactly as `reportdesk reprocess ID`: at its
/// original receipt time, answered as new mail; the audit line says who and the outcome.
async fn reprocess(
    web: &Shared,
    staff: &Staff,
    id: i64,
    unit: &str,
) -> Result<IngestReport, WebError> {
    let config = web.config();
    let intake = web.intake(&config);
    let report = intake.reprocess(id, web.now()).await.map_err(|e| match e {
        IntakeError::NotReprocessable { reason, .. } => {
            WebError::BadRequest(format!("来信 {id} 不能重新处理：{reason}"))
        }
        other => WebError::Internal(format!("message {id}: {other}")),
    })?;
    if report.reply.is_some() {
        web.wake_delivery();
    }
    let mut tx = web.store.begin().await?;
    let detail = format!("{unit} {}", report.outcome.as_str());
    staff::audit(
        &mut tx,
        web.now(),
        &staff.name,
        "reprocess",
        &id.to_string(),
        &detail,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(user = %staff.name, id, unit, "message of an unknown sender reprocessed");
    Ok(report)
}

/// Runs message `id` (back in `received`) through intake now; wakes delivery for its reply.
async fn take_again(web: &Shared, staff: &Staff, id: i64) -> Result<IngestReport, WebError> {
    let message = console::message(&web.store, id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("来信 {id}")))?;
    let config = web.config();
    let raw = super::unit::read_raw(&config.data_dir, &message.raw_path)?;
    let name = format!("web:{}", staff.name);
    let source = Source {
        kind: "console",
        name: &name,
    };
    let intake = web.intake(&config);
    let report = intake
        .ingest(&raw, message.received_at, &source, web.now())
        .await
        .map_err(|e| WebError::Internal(format!("message {id}: {e}")))?;
    if report.reply.is_some() {
        web.wake_delivery();
    }
    Ok(report)
}

/// The answer page: what intake made of the message this time.
pub(super) fn done(staff: &Staff, what: &str, report: Result<IngestReport, WebError>) -> Markup {
    let body = html! {
        h1 { "来信记录" }
        div #outcome {
            @match &report {
                Ok(report) => {
                    p class=(if report.outcome == Outcome::Accepted { "ok" } else { "problem" }) {
                        (what) "：" (super::upload::outcome_zh(report.outcome))
                        @if let Some(receipt) = &report.receipt_no { "，回执号 " (receipt) }
                    }
                    @for form in &report.forms { @for e in &form.errors { p.problem { (e.message) } } }
                    @for e in &report.errors { p.problem { (e.message) } }
                }
                Err(error) => p.problem {
                    (what) "，但这次没能处理完（" (error_text(error)) "）；服务下次启动时会再试，详情见服务日志。"
                },
            }
        }
        p { a href="/messages" { "返回来信记录" } }
    };
    layout::page("来信记录", staff, body)
}

fn error_text(error: &WebError) -> String {
    tracing::error!(?error, "console: taking a message in again failed");
    match error {
        WebError::NotFound(what) => format!("找不到：{what}"),
        WebError::BadRequest(what) => what.clone(),
        _ => "服务出错".into(),
    }
}
