//! Held mail in the chat (SPEC §13, §14): `/held` lists the forms held by the sender check,
//! `/approve ID` and `/reject ID` decide, for admins, in private chats only (a held message
//! names its sender; groups get aggregates only). The decisions go through the very functions
//! of `reportdesk held approve|reject` and of the console, which write who (`chat:ID`) and when
//! to the audit log in the decision's transaction. The texts are pure; [`act`] does the IO.

use std::fmt::Write;

use chrono_tz::Tz;

use super::access::{Audience, Role};
use super::text::escape;
use crate::app::App;
use crate::clock::local_text;
use crate::intake::held::Rejected;
use crate::intake::report::{IngestReport, Outcome};
use crate::intake::{Intake, IntakeError};
use crate::sender::Verdict;
use crate::store::StoreError;
use crate::store::held::Held;

pub const ADMINS_ONLY: &str = "只有管理员可以批准或拒绝待核验的来信。";
pub const PRIVATE_ONLY: &str = "待核验的来信含发件人信息，请私聊我处理：/held";

/// What was asked about held mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldAsk {
    List,
    Approve(i64),
    Reject(i64),
}

/// Answers a held-mail question from staff or an admin.
pub async fn act(
    app: &App,
    ask: HeldAsk,
    role: Role,
    audience: Audience,
    who: &str,
) -> Result<String, StoreError> {
    if audience != Audience::Private {
        return Ok(PRIVATE_ONLY.to_string());
    }
    let tz = app.config.office.zone.tz();
    let roster = app.config.roster.current();
    let unit_name = |code: &str| roster.by_code(code).map(|u| u.name.clone());
    match ask {
        HeldAsk::List => Ok(list(
            &crate::store::held::list(&app.store).await?,
            tz,
            &unit_name,
        )),
        HeldAsk::Approve(_) | HeldAsk::Reject(_) if role != Role::Admin => {
            Ok(ADMINS_ONLY.to_string())
        }
        HeldAsk::Approve(id) => {
            let intake = Intake::new(&app.config, app.store.clone(), &app.template, &app.reader)
                .with_dkim(&app.dkim);
            match intake.approve_held(id, app.now(), who).await {
                Ok(report) => {
                    if report.reply.is_some() {
                        app.outbox_ready.notify_one();
                    }
                    Ok(approved(id, &report))
                }
                Err(error) => refused(id, error),
            }
        }
        HeldAsk::Reject(id) => {
            match crate::intake::held::reject(&app.config, &app.store, id, app.now(), who).await {
                Ok(done) => {
                    if done.told > 0 {
                        app.outbox_ready.notify_one();
                    }
                    Ok(rejected(&done, unit_name(&done.unit).as_deref()))
                }
                Err(error) => refused(id, error),
            }
        }
    }
}

/// A decision that did not happen: not held (any more), or an error (logged; one line back).
fn refused(id: i64, error: IntakeError) -> Result<String, StoreError> {
    match error {
        IntakeError::NotHeld { .. } => Ok(not_held(id)),
        IntakeError::Store(error) => Err(error),
        other => {
            tracing::error!(id, error = %other, "chat: deciding a held message failed");
            Ok(format!("来信 #{id} 这次没能处理完，详情见服务日志。"))
        }
    }
}

/// `/held`: each held message with its id, unit, sender, subject and verdict.
pub fn list(held: &[Held], tz: Tz, unit_name: &dyn Fn(&str) -> Option<String>) -> String {
    if held.is_empty() {
        return "没有待核验的来信。".into();
    }
    let mut out = format!(
        "<b>待核验的来信 {} 封</b>（发件人验证未通过，暂未登记）\n",
        held.len()
    );
    for h in held {
        let verdict = h.sender_check.unwrap_or(Verdict::None);
        let _ = writeln!(
            out,
            "#{}  {}  {}  {}  「{}」  {}",
            h.id,
            escape(&unit_name(&h.unit).unwrap_or_else(|| h.unit.clone())),
            local_text(h.received_at, tz),
            escape(h.sender.as_deref().unwrap_or("-")),
            escape(&h.subject),
            verdict.chinese()
        );
    }
    out.push_str("管理员核实后：/approve ID 批准登记（按原收到时间，发回执），/reject ID 拒绝（不登记，告知该单位）。");
    out
}

/// `/approve ID` done: what intake made of the message.
pub fn approved(id: i64, report: &IngestReport) -> String {
    let mut out = format!("已批准来信 #{id}：{}", outcome_zh(report.outcome));
    if let Some(receipt) = &report.receipt_no {
        let _ = write!(out, "，回执号 {}", escape(receipt));
    }
    for form in &report.forms {
        if let (Some(period), Some(version)) = (&form.period, form.version) {
            let _ = write!(out, "\n{} 第{version}版", escape(period));
        }
    }
    out
}

/// `/reject ID` done.
pub fn rejected(done: &Rejected, unit_name: Option<&str>) -> String {
    format!(
        "已拒绝来信 #{}：不登记，已告知{}（{} 个邮箱）。",
        done.id,
        escape(unit_name.unwrap_or(&done.unit)),
        done.told
    )
}

pub fn not_held(id: i64) -> String {
    format!("来信 #{id} 不在待核验之列（可能已有人处理）。发送 /held 查看。")
}

pub fn bad_id(arg: &str) -> String {
    format!(
        "“{}”不是来信编号。请写成 /approve 12 或 /reject 12（编号见 /held）。",
        escape(arg)
    )
}

fn outcome_zh(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Accepted => "已登记",
        Outcome::Rejected => "报表有误，已退回（回执说明了要改什么）",
        _ => "已处理",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_id_unit_sender_and_verdict_escaped() {
        let at = "2026-11-12T01:00:00Z".parse().unwrap();
        let held = vec![Held {
            id: 7,
            unit: "xinshancun".into(),
            sender: Some("a<b>@x.cn".into()),
            subject: "11月<报表>".into(),
            received_at: at,
            held_at: at,
            sender_check: Some(Verdict::Fail),
            sender_evidence: None,
            raw_path: "raw/x.eml".into(),
        }];
        let text = list(&held, chrono_tz::Asia::Shanghai, &|_| {
            Some("新山村街道".into())
        });
        assert!(text.contains("#7  新山村街道  2026-11-12 09:00"), "{text}");
        assert!(
            text.contains("a&lt;b&gt;@x.cn") && text.contains("11月&lt;报表&gt;"),
            "{text}"
        );
        assert!(text.contains("发件人验证未通过"), "{text}");
        assert_eq!(
            list(&[], chrono_tz::Asia::Shanghai, &|_| None),
            "没有待核验的来信。"
        );
        assert!(bad_id("<x>").contains("&lt;x&gt;"));
    }
}
