//! The health panel: what exists today to tell whether the service is well — the last mail taken
//! in, the IMAP folders' last sync, the outbox by state and its oldest waiting reply, replies that
//! failed, addresses that bounce, and the latest changes from the audit log. (A fuller health
//! report comes with issue 13's `health`; this page shows it when it lands.)

use axum::extract::State;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{Markup, html};

use super::auth::Staff;
use super::{Shared, WebError, layout};
use crate::clock::local_text;
use crate::store::{console, outbox, reminders, staff};

pub async fn page(State(web): State<Shared>, staff: Staff) -> Result<Markup, WebError> {
    let store = &web.store;
    let tz = web.config().office.zone.tz();
    let (last_received, oldest_pending) = console::last_received_and_oldest_pending(store).await?;
    let counts = outbox::counts(store).await?;
    let failed = console::failed_replies(store, 20).await?;
    let failing = reminders::failing(store).await?;
    let syncs = console::imap_syncs(store).await?;
    let audit = staff::recent_audit(store, 30).await?;
    let when = |t: Option<DateTime<Utc>>| t.map_or_else(|| "—".to_string(), |t| local_text(t, tz));
    let body = html! {
        h1 { "运行状态" }
        table #health {
            tr { th { "最近收到来信" } td { (when(last_received)) } }
            @for (folder, at) in &syncs { tr { th { "邮箱同步 " (folder) } td { (local_text(*at, tz)) } } }
            tr { th { "待发送最早一封" } td { (when(oldest_pending)) } }
            @for (state, n) in &counts { tr { th { "发件箱 " (outbox_zh(state)) } td.num { (n) } } }
        }
        @if !failed.is_empty() {
            h2.problem { "发送失败的回复" }
            ul { @for (to, subject, error) in &failed {
                li { (to) " · " (subject) " · " (error.as_deref().unwrap_or("")) }
            } }
        }
        @if !failing.is_empty() {
            h2 { "退信的地址（暂停发送）" }
            ul { @for (address, reason, since) in &failing {
                li { (address) " · " (reason) " · 自 " (local_text(*since, tz)) }
            } }
        }
        (audit_list(&audit, tz))
    };
    Ok(layout::page("运行状态", &staff, body))
}

fn audit_list(audit: &[staff::AuditRow], tz: Tz) -> Markup {
    html! {
        h2 { "最近的操作记录" }
        @if audit.is_empty() { p.note { "（无）" } }
        ul #audit { @for a in audit {
            li { (local_text(a.at, tz)) " " (a.actor) " " (a.action) " " (a.target) " " span.note { (a.detail) } }
        } }
    }
}

fn outbox_zh(state: &str) -> &str {
    match state {
        "pending" => "待发送",
        "sending" => "发送中",
        "sent" => "已发送",
        "failed" => "失败",
        other => other,
    }
}
