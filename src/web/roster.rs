//! The roster page: every unit with its aliases and registered addresses; admins add and remove
//! them and add units. Each change is made in `units.toml` in place ([`super::roster_edit`]),
//! written atomically (a temporary file and a rename), audited, and the written file reloaded as
//! the daemon's one roster ([`crate::config::LiveRoster`]): the next message taken in and the
//! board both use it at once.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::Staff;
use super::roster_edit::{self, RosterChange};
use super::{Shared, WebError, layout};
use crate::domain::unit::{Unit, UnitKind};
use crate::store::{StoreError, staff};

pub async fn page(State(web): State<Shared>, staff: Staff) -> Result<Markup, WebError> {
    let config = web.config();
    let admin = staff.is_admin();
    let roster = config.roster.current();
    let body = html! {
        h1 { "单位名册" }
        p.note { "名册文件：" (config.roster_path.display()) "。改动直接写入该文件，保留其中的注释。" }
        table #roster {
            thead { tr { th { "单位" } th { "别名" } th { "登记邮箱" } } }
            tbody { @for unit in roster.units() { (unit_row(unit, admin)) } }
        }
        @if admin { (add_unit_form()) }
    };
    Ok(layout::page("单位名册", &staff, body))
}

fn unit_row(unit: &Unit, admin: bool) -> Markup {
    let code = unit.code.as_str();
    html! {
        tr data-unit=(code) {
            td { a href={ "/unit/" (code) } { (unit.name) } br; span.note { (code) } }
            td { (items(code, "alias", &unit.aliases, admin)) }
            td { (items(code, "address", &unit.addresses, admin)) }
        }
    }
}

fn items(code: &str, what: &str, values: &[String], admin: bool) -> Markup {
    let placeholder = if what == "address" {
        "新邮箱"
    } else {
        "新别名"
    };
    html! {
        ul {
            @for v in values {
                li { (v)
                    @if admin {
                        " "
                        form.inline method="post" action="/roster" {
                            input type="hidden" name="unit" value=(code);
                            input type="hidden" name="op" value={ "remove_" (what) };
                            input type="hidden" name="value" value=(v);
                            button type="submit" { "删除" }
                        }
                    }
                }
            }
        }
        @if admin {
            form method="post" action="/roster" {
                input type="hidden" name="unit" value=(code);
                input type="hidden" name="op" value={ "add_" (what) };
                input type="text" name="value" placeholder=(placeholder) required;
                button type="submit" { "添加" }
            }
        }
    }
}

fn add_unit_form() -> Markup {
    html! {
        h2 { "新增单位" }
        form method="post" action="/roster" {
            input type="hidden" name="op" value="add_unit";
            label { "代码（小写字母、数字，建好后不能改）" input type="text" name="unit" required; }
            label { "名称" input type="text" name="value" required; }
            label { "类别 "
                select name="kind" {
                    option value="town" { "镇" } option value="subdistrict" { "街道" }
                    option value="department" { "部门" }
                }
            }
            button type="submit" { "新增" }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    op: String,
    unit: String,
    value: String,
    kind: Option<String>,
}

impl ChangeForm {
    fn change(self) -> Result<RosterChange, WebError> {
        let (unit, value) = (self.unit, self.value);
        Ok(match self.op.as_str() {
            "add_address" => RosterChange::AddAddress {
                unit,
                address: value,
            },
            "remove_address" => RosterChange::RemoveAddress {
                unit,
                address: value,
            },
            "add_alias" => RosterChange::AddAlias { unit, alias: value },
            "remove_alias" => RosterChange::RemoveAlias { unit, alias: value },
            "add_unit" => RosterChange::AddUnit {
                code: unit,
                name: value,
                kind: match self.kind.as_deref() {
                    Some("subdistrict") => UnitKind::Subdistrict,
                    Some("department") => UnitKind::Department,
                    _ => UnitKind::Town,
                },
            },
            other => return Err(WebError::BadRequest(format!("未知的名册操作 {other:?}"))),
        })
    }
}

pub async fn change(
    State(web): State<Shared>,
    staff: Staff,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    staff.require_admin()?;
    let change = form.change()?;
    match apply(&web, &staff, &change).await {
        Ok(()) => Ok(Redirect::to("/roster").into_response()),
        Err(WebError::BadRequest(problem)) => Ok((
            axum::http::StatusCode::BAD_REQUEST,
            layout::page(
                "单位名册",
                &staff,
                html! {
                    p.problem { (problem) }
                    p { a href="/roster" { "返回名册" } }
                },
            ),
        )
            .into_response()),
        Err(other) => Err(other),
    }
}

/// Applies one change to `units.toml`, audits it and reloads the console's roster. Changes are
/// made one at a time (a lock), so two admins never write over each other.
pub async fn apply(web: &Shared, staff: &Staff, change: &RosterChange) -> Result<(), WebError> {
    let _one_at_a_time = web.roster_lock.lock().await;
    let path = web.config().roster_path.clone();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| WebError::Internal(format!("cannot read {}: {e}", path.display())))?;
    // The edited text is parsed as a whole roster before anything is written: a change that
    // would leave an invalid roster (or a hand edit that already did) is refused here.
    let (new_text, _checked) =
        roster_edit::apply(&text, change).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let mut tx = web.store.begin().await?;
    let (target, detail) = change.target_and_detail();
    staff::audit(
        &mut tx,
        web.now(),
        &staff.name,
        change.action(),
        target,
        detail,
    )
    .await?;
    crate::intake::write_atomically(&path, new_text.as_bytes())
        .map_err(|e| WebError::Internal(format!("cannot write {}: {e}", path.display())))?;
    tx.commit().await.map_err(StoreError::from)?;
    // The saved file, read back and checked as at start-up, becomes the roster of the whole
    // daemon; were it unreadable the roster in use would stay.
    web.config()
        .roster
        .reload(&path)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    tracing::info!(user = %staff.name, action = change.action(), target, "roster changed");
    Ok(())
}
