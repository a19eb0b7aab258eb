//! Who has and who has not reported for a period: one query layer for `status` and the chat
//! bot, and pure renderers for text and JSON. [`summary`] adds the district totals and the
//! checks of SPEC §9; [`unit`] one unit's recent months.

pub mod cases;
pub mod held;
pub mod quarantine;
pub mod summary;
pub mod unit;

use serde::Serialize;

use crate::clock::local_text;
use crate::config::Config;
use crate::domain::echo::printable_line;
use crate::domain::period::Period;
use crate::domain::unit::UnitCode;
use crate::sender::Verdict;
use crate::store::held as held_store;
use crate::store::{Store, StoreError, messages, outbox, reminders, submissions};

#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    pub unit: UnitCode,
    pub name: String,
    pub received_at: String,
    pub version: i64,
    pub late: bool,
    /// The sender verdict of the mail behind this version (SPEC §13): `pass`, `fail`, `none`, or
    /// null when it was not checked.
    pub sender_check: Option<Verdict>,
    /// Staff approved it after it was held.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sender_approved: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    pub unit: UnitCode,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnknownSender {
    /// The message's ID: `reportdesk reprocess ID` once the address is in the roster.
    pub id: i64,
    pub from: String,
    pub subject: String,
    pub received_at: String,
    pub stored_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub period: Period,
    pub deadline: String,
    pub submitted: Vec<Submitted>,
    pub missing: Vec<Missing>,
    /// Forms from addresses not in the roster during the period: staff should look at them.
    pub unknown_senders: Vec<UnknownSender>,
    /// Replies by delivery state (`pending`, `sent`, `failed`, …).
    pub outbox: std::collections::BTreeMap<String, i64>,
    /// Registered addresses that bounced our mail: not mailed until mail from them arrives.
    pub failing_addresses: Vec<FailingAddress>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailingAddress {
    pub address: String,
    pub unit: Option<String>,
    pub reason: String,
    pub since: String,
}

/// Reads the state of `period` in roster order.
pub async fn load(config: &Config, store: &Store, period: Period) -> Result<Status, StoreError> {
    let tz = config.office.zone.tz();
    let latest = submissions::latest_for_period(store, period).await?;
    let checks = held_store::checks_of_period(store, &period.to_string()).await?;
    let by_unit: std::collections::HashMap<&str, &submissions::Submission> =
        latest.iter().map(|s| (s.unit_code.as_str(), s)).collect();
    let mut submitted = Vec::new();
    let mut missing = Vec::new();
    let roster = config.roster.current();
    for unit in roster.units() {
        match by_unit.get(unit.code.as_str()) {
            Some(s) => {
                let check = checks.get(&(s.unit_code.clone(), s.version));
                submitted.push(Submitted {
                    unit: unit.code.clone(),
                    name: unit.name.clone(),
                    received_at: local_text(s.received_at, tz),
                    version: s.version,
                    late: s.late,
                    sender_check: check.and_then(|c| c.verdict),
                    sender_approved: check.is_some_and(|c| c.approved),
                })
            }
            None => missing.push(Missing {
                unit: unit.code.clone(),
                name: unit.name.clone(),
            }),
        }
    }
    let (from, until) = config.office.zone.bounds_of(period);
    let unknown_senders = messages::from_unknown_senders(store, from, until)
        .await?
        .into_iter()
        .map(|m| UnknownSender {
            id: m.id,
            from: printable_line(m.sender.as_deref().unwrap_or_default()),
            subject: printable_line(&m.subject),
            received_at: local_text(m.received_at, tz),
            stored_at: m.raw_path,
        })
        .collect();
    Ok(Status {
        period,
        deadline: period.deadline(config.schedule.deadline_day).to_string(),
        submitted,
        missing,
        unknown_senders,
        outbox: outbox::counts(store).await?.into_iter().collect(),
        failing_addresses: reminders::failing(store)
            .await?
            .into_iter()
            .map(|(address, reason, since)| FailingAddress {
                unit: config.roster.by_address(&address).map(|u| u.name.clone()),
                address: printable_line(&address),
                reason: printable_line(&reason),
                since: local_text(since, tz),
            })
            .collect(),
    })
}

/// How a version's sender check reads in the table (nothing when it was not checked).
fn sender_text(s: &Submitted) -> String {
    let Some(verdict) = s.sender_check else {
        return String::new();
    };
    let approved = if s.sender_approved {
        "，已人工确认"
    } else {
        ""
    };
    format!("  {}{approved}", verdict.chinese())
}

/// The status as a person reads it in a terminal.
pub fn render_text(status: &Status) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} 月情况报表  截止 {}  已报 {} / 未报 {}",
        status.period,
        status.deadline,
        status.submitted.len(),
        status.missing.len()
    );
    out.push_str("\n已报送:\n");
    if status.submitted.is_empty() {
        out.push_str("  (无)\n");
    }
    for s in &status.submitted {
        let late = if s.late { "  逾期" } else { "" };
        let _ = writeln!(
            out,
            "  {:<14} {:<12} {}  第{}版{}{}",
            s.name,
            s.unit,
            s.received_at,
            s.version,
            late,
            sender_text(s)
        );
    }
    out.push_str("\n未报送:\n");
    if status.missing.is_empty() {
        out.push_str("  (无)\n");
    }
    for m in &status.missing {
        let _ = writeln!(out, "  {:<14} {}", m.name, m.unit);
    }
    if !status.unknown_senders.is_empty() {
        out.push_str("\n未登记发件人的来信（已保存，未自动回复，请核实；登记地址后 reportdesk reprocess ID 重新处理）:\n");
        for u in &status.unknown_senders {
            let _ = writeln!(
                out,
                "  ID {}  {}  {}  {}  ({})",
                u.id, u.received_at, u.from, u.subject, u.stored_at
            );
        }
    }
    if !status.failing_addresses.is_empty() {
        out.push_str("\n退信的地址（暂停发送，该地址来信后恢复）:\n");
        for f in &status.failing_addresses {
            let unit = f.unit.as_deref().unwrap_or("未登记");
            let _ = writeln!(
                out,
                "  {}  {}  {}  自 {}",
                f.address, unit, f.reason, f.since
            );
        }
    }
    if let Some(failed) = status.outbox.get("failed") {
        let _ = writeln!(out, "\n发送失败的回复: {failed} 封（见日志）");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lists_submitted_late_missing_and_unknown_senders() {
        let status = Status {
            period: Period::parse("2026-11").unwrap(),
            deadline: "2026-11-20".into(),
            submitted: vec![Submitted {
                unit: UnitCode::parse("tiaodeng").unwrap(),
                name: "跳磴镇".into(),
                received_at: "2026-11-22 10:15".into(),
                version: 2,
                late: true,
                sender_check: Some(Verdict::Fail),
                sender_approved: true,
            }],
            missing: vec![Missing {
                unit: UnitCode::parse("bachiao").unwrap(),
                name: "八桥镇".into(),
            }],
            unknown_senders: vec![UnknownSender {
                id: 7,
                from: "x@qq.com".into(),
                subject: "报表".into(),
                received_at: "2026-11-14 10:20".into(),
                stored_at: "raw/ab/ab.eml".into(),
            }],
            outbox: [("failed".to_string(), 1)].into_iter().collect(),
            failing_addresses: vec![FailingAddress {
                address: "old@example.gov.cn".into(),
                unit: Some("区经济信息委".into()),
                reason: "5.1.1".into(),
                since: "2026-11-21 09:05".into(),
            }],
        };
        let text = render_text(&status);
        assert!(text.contains("已报 1 / 未报 1"));
        assert!(
            text.contains("第2版  逾期  发件人验证未通过，已人工确认"),
            "{text}"
        );
        assert!(text.contains("八桥镇"));
        assert!(text.contains("ID 7  2026-11-14 10:20  x@qq.com"), "{text}");
        assert!(text.contains("发送失败的回复: 1 封"));
        assert!(text.contains("old@example.gov.cn  区经济信息委  5.1.1"));
    }
}
