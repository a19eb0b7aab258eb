//! A unit's page: its roster entry, twelve months of the eleven fields as charts, and every
//! version of its forms with what changed from the version before, each with the original mail
//! to download.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use maud::{Markup, PreEscaped, html};

use super::auth::Staff;
use super::chart;
use super::{Shared, WebError, layout};
use crate::clock::local_text;
use crate::domain::fields::{Field, MonthlyValues};
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::store::console::{self, VersionRow};

/// The largest raw message served for download (intake refuses bigger ones anyway).
const MAX_RAW_BYTES: u64 = 64 * 1024 * 1024;

pub async fn page(
    State(web): State<Shared>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Markup, WebError> {
    let config = web.config();
    let unit = config
        .roster
        .by_code(&code)
        .ok_or_else(|| WebError::NotFound(format!("单位 {code}")))?;
    let months = chart::twelve_months(Period::open_at(web.today()));
    let first = months.first().map(|p| p.to_string()).unwrap_or_default();
    let versions = console::versions_of_unit(&web.store, unit.code.as_str(), &first).await?;
    let charts = charts(&months, &versions)?;
    let body = render(&unit, &charts, &versions, config.office.zone.tz());
    Ok(layout::page(&unit.name, &staff, body))
}

/// The counting (highest) version of each period.
fn counting(versions: &[VersionRow]) -> BTreeMap<&str, &MonthlyValues> {
    let mut out = BTreeMap::new();
    for v in versions {
        out.insert(v.period.as_str(), &v.values);
    }
    out
}

fn charts(months: &[Period], versions: &[VersionRow]) -> Result<Vec<(Field, String)>, WebError> {
    let counted = counting(versions);
    let keys: Vec<String> = months.iter().map(|p| p.to_string()).collect();
    Field::ALL
        .iter()
        .map(|&field| {
            let values: Vec<Option<u64>> = keys
                .iter()
                .map(|k| counted.get(k.as_str()).map(|v| v.get(field)))
                .collect();
            chart::field_chart(months, &values)
                .map(|svg| (field, svg))
                .map_err(WebError::Internal)
        })
        .collect()
}

/// What changed from the previous version of the same period: `(field, before, after)`.
pub fn changes(versions: &[VersionRow]) -> Vec<Option<Vec<(Field, u64, u64)>>> {
    versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let previous = i
                .checked_sub(1)
                .and_then(|p| versions.get(p))
                .filter(|p| p.period == v.period);
            previous.map(|p| v.values.diff(&p.values))
        })
        .collect()
}

fn render(unit: &Unit, charts: &[(Field, String)], versions: &[VersionRow], tz: Tz) -> Markup {
    let changes = changes(versions);
    html! {
        h1 { (unit.name) }
        p.note {
            "代码 " (unit.code.as_str())
            @if !unit.aliases.is_empty() { "；别名 " (unit.aliases.join("、")) }
            "；登记邮箱 " (unit.addresses.join("、"))
        }
        h2 { "近12个月" }
        div.charts {
            @for (field, svg) in charts {
                figure { figcaption { (field.label()) } (PreEscaped(svg)) }
            }
        }
        h2 { "每一版报表" }
        @if versions.is_empty() { p { "近12个月没有收到报表。" } }
        @else {
            table #versions {
                thead { tr {
                    th { "月份" } th { "版本" } th { "收到时间" } th.wide { "回执号" }
                    th { "与上一版相比" } th { "原件" }
                } }
                tbody {
                    @for (v, change) in versions.iter().zip(&changes).rev() {
                        tr {
                            td { (v.period) } td { "第" (v.version) "版" @if v.late { "（逾期）" } }
                            td { (local_text(v.received_at, tz)) } td.wide { (v.receipt_no) }
                            td { (change_text(change.as_deref())) }
                            td { a href={ "/unit/" (unit.code.as_str()) "/raw/" (v.message_row) } { "下载来信" }
                                 " " span.note { (v.attachment) } }
                        }
                    }
                }
            }
        }
    }
}

fn change_text(change: Option<&[(Field, u64, u64)]>) -> String {
    match change {
        None => "首次报送".to_string(),
        Some([]) => "数值无变化".to_string(),
        Some(diff) => diff
            .iter()
            .map(|(f, before, after)| format!("{} {before}→{after}", f.short_label()))
            .collect::<Vec<_>>()
            .join("；"),
    }
}

/// The original mail of one of the unit's forms, as it arrived (`.eml`, with the attachment).
pub async fn raw_mail(
    State(web): State<Shared>,
    _staff: Staff,
    Path((code, message)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let row = console::message(&web.store, message)
        .await?
        .filter(|m| m.unit_code.as_deref() == Some(code.as_str()))
        .ok_or_else(|| WebError::NotFound(format!("单位 {code} 的来信 {message}")))?;
    let bytes = read_raw(&web.config().data_dir, &row.raw_path)?;
    let name = format!("{code}-{message}.eml");
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Reads a stored raw message; only paths intake writes (`raw/…`, no `..`) are read.
pub fn read_raw(data_dir: &std::path::Path, raw_path: &str) -> Result<Vec<u8>, WebError> {
    let relative = std::path::Path::new(raw_path);
    let plain = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain || !raw_path.starts_with("raw/") {
        return Err(WebError::Internal(format!(
            "stored path {raw_path:?} is not under raw/"
        )));
    }
    let path = data_dir.join(relative);
    let size = std::fs::metadata(&path)
        .map_err(|e| WebError::NotFound(format!("原件 {} ({e})", path.display())))?
        .len();
    if size > MAX_RAW_BYTES {
        return Err(WebError::Internal(format!(
            "{} is {size} bytes, over the download limit",
            path.display()
        )));
    }
    std::fs::read(&path).map_err(|e| WebError::NotFound(format!("原件 {} ({e})", path.display())))
}
