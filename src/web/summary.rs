//! The district summary of a month (totals of the eleven fields and the notice's checks) or of a
//! quarter (`?quarter=2026-Q4`), and the month's typical cases, whose tip sources (线索来源) only
//! admins see. All read through [`crate::status`], as the CLI and the bot do.

use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::Staff;
use super::board::chosen_period;
use super::{Shared, WebError, layout};
use crate::domain::fields::{Field, MonthlyValues};
use crate::domain::quarter::Quarter;
use crate::notice_checks::Check;
use crate::status::summary;

#[derive(Deserialize)]
pub struct SummaryQuery {
    month: Option<String>,
    quarter: Option<String>,
}

pub async fn page(
    State(web): State<Shared>,
    staff: Staff,
    Query(query): Query<SummaryQuery>,
) -> Result<Markup, WebError> {
    let config = web.config();
    let today = web.today();
    if let Some(text) = query.quarter.as_deref().filter(|q| !q.is_empty()) {
        let quarter = Quarter::parse(text).map_err(|_| {
            WebError::BadRequest(format!("季度 {text:?} 不对，应为 2026-Q4 这样的格式。"))
        })?;
        let q = summary::load_quarter(&config, &web.store, quarter, today).await?;
        let body = html! {
            h1 { (q.title) " 汇总" }
            (totals(&q.totals))
            h2 { "通知要求完成情况" }
            ul #checks { @for (month, check) in &q.checks { li { (month) "：" (check_line(check)) } } }
        };
        return Ok(layout::page(&q.title, &staff, body));
    }
    let period = chosen_period(query.month.as_deref(), today)?;
    let s = summary::load(&config, &web.store, period, today).await?;
    let quarter = Quarter::of(period);
    let body = html! {
        h1 { (period.zh()) " 汇总" }
        p { "已报 " (s.reported) " / " (s.units) " 个单位，其中逾期 " (s.late) "。截止 " (s.deadline) "。 "
            a href={ "/summary?quarter=" (quarter.to_string()) } { "看" (quarter.zh()) }
            " · " a href={ "/export?month=" (period.to_string()) } { "下载汇总表（xlsx）" }
            " · " a href={ "/cases?month=" (period.to_string()) } { "典型案例" } }
        (totals(&s.totals))
        h2 { "通知要求完成情况" }
        ul #checks { @for check in &s.checks { li { (check_line(check)) } } }
    };
    Ok(layout::page(&period.zh(), &staff, body))
}

fn totals(values: &MonthlyValues) -> Markup {
    html! {
        table #totals {
            @for field in Field::ALL {
                tr { th { (field.label()) } td.num { (values.get(field)) " " (field.unit()) } }
            }
        }
    }
}

fn check_line(check: &Check) -> Markup {
    html! { (check.kind.zh()) "：" strong { (check.state.zh()) } "（" (check.detail) "）" }
}

#[derive(Deserialize)]
pub struct CasesQuery {
    month: Option<String>,
}

pub async fn cases(
    State(web): State<Shared>,
    staff: Staff,
    Query(query): Query<CasesQuery>,
) -> Result<Markup, WebError> {
    let config = web.config();
    let period = chosen_period(query.month.as_deref(), web.today())?;
    let cases = crate::status::cases::load(&config, &web.store, period).await?;
    let admin = staff.is_admin();
    let body = html! {
        h1 { (period.zh()) " 典型案例" }
        @if cases.is_empty() { p { "本月没有收到典型案例。" } }
        @for case in &cases {
            section.case {
                h2 { (case.unit_name) " · " (case.received) " · 回执 " (case.receipt_no) }
                @if admin {
                    p { strong { "线索来源：" } (case.tip_source.as_deref().unwrap_or("（未填）")) }
                } @else {
                    p.note { "线索来源仅管理员可见。" }
                }
                @if let Some(text) = &case.overview { p { strong { "案情概述：" } (text) } }
                @if let Some(text) = &case.enforcement { p { strong { "查处情况：" } (text) } }
                @if let Some(text) = &case.reward { p { strong { "奖励情况：" } (text)
                    @if let Some(yuan) = &case.reward_yuan { "（" (yuan) "）" } } }
                p.note { "照片 " (case.photos) " 张" }
            }
        }
    };
    Ok(layout::page("典型案例", &staff, body))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    month: Option<String>,
    /// `1`: include the tip sources (admins only).
    tips: Option<String>,
}

/// The month's summary workbook (the same as `reportdesk export`).
pub async fn export(
    State(web): State<Shared>,
    staff: Staff,
    Query(query): Query<ExportQuery>,
) -> Result<axum::response::Response, WebError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let tips = query.tips.as_deref() == Some("1");
    if tips {
        staff.require_admin()?;
    }
    let config = web.config();
    let today = web.today();
    let period = chosen_period(query.month.as_deref(), today)?;
    let bytes = crate::export::build(&config, &web.store, today, period, tips)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let name = format!("summary-{period}.xlsx");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                crate::forms::template::XLSX_CONTENT_TYPE.to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
