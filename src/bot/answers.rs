//! The bot's answers: pure functions from query results to HTML text (escaped for
//! `ParseMode::Html`), split into messages by the caller with [`super::text::split`].

use std::fmt::Write;

use teloxide::utils::command::BotCommands;

use super::access::{Audience, CaseDetail};
use super::ask::Command;
use super::text::escape;
use crate::domain::fields::Field;
use crate::domain::period::Period;
use crate::reminders::manual::ManualOutcome;
use crate::status::Status;
use crate::status::cases::CaseView;
use crate::status::summary::{QuarterSummary, Summary};
use crate::status::unit::UnitHistory;

pub const REFUSAL: &str = "抱歉，您没有使用本机器人的权限。";
pub const ADMINS_ONLY: &str = "只有管理员可以发出提醒。";
pub const NOT_UNDERSTOOD: &str =
    "没有听懂。发送 /help 查看可用的命令，或直接问“谁还没报”“11月汇总”或单位名称。";

pub fn help() -> String {
    let mut out = escape(&Command::descriptions().to_string());
    out.push_str(
        "\n\n也可以直接发送：谁还没报、哪些单位没交、汇总、11月汇总，或单位名称（如 八桥镇）。",
    );
    out
}

pub fn bad_month(arg: &str) -> String {
    format!(
        "“{}”不是月份。请写成 YYYY-MM（如 2026-11）或“11月”。",
        escape(arg)
    )
}

pub fn unknown_unit(name: &str) -> String {
    if name.is_empty() {
        return "请在 /unit 后写单位名称，例如 /unit 八桥镇。".into();
    }
    format!("名单中没有“{}”。请用单位名称或其简称。", escape(name))
}

/// `/missing`: the units without a counting form.
pub fn missing(status: &Status) -> String {
    let month = status.period.zh();
    if status.missing.is_empty() {
        return format!(
            "<b>{month}</b> 各单位均已报送（共 {} 个）。",
            status.submitted.len()
        );
    }
    let total = status.missing.len() + status.submitted.len();
    let mut out = format!(
        "<b>{month} 未报送 {} / {total} 个单位</b>（截止 {}）\n",
        status.missing.len(),
        status.deadline
    );
    for (i, m) in status.missing.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, escape(&m.name));
    }
    out
}

/// `/status`: who reported when, and who has not.
pub fn status(status: &Status) -> String {
    let month = status.period.zh();
    let mut out = format!(
        "<b>{month} 报送情况</b>（截止 {}）：已报 {}，未报 {}\n",
        status.deadline,
        status.submitted.len(),
        status.missing.len()
    );
    if !status.submitted.is_empty() {
        out.push_str("\n<b>已报送</b>\n");
    }
    for s in &status.submitted {
        let late = if s.late { " 逾期" } else { "" };
        let _ = writeln!(
            out,
            "{}  {}  第{}版{late}",
            escape(&s.name),
            s.received_at,
            s.version
        );
    }
    if !status.missing.is_empty() {
        out.push_str("\n<b>未报送</b>\n");
    }
    for m in &status.missing {
        let _ = writeln!(out, "{}", escape(&m.name));
    }
    out
}

/// `/unit`: a unit's recent months and the values of its latest form. The person who filled
/// it in and their phone are shown in private chats only.
pub fn unit(history: &UnitHistory, audience: Audience) -> String {
    let mut out = format!("<b>{}</b>\n", escape(&history.name));
    let Some(latest) = history.months.first() else {
        out.push_str("近12个月没有报送记录。");
        return out;
    };
    let _ = writeln!(
        out,
        "最近一期：{}（{} 第{}版）",
        latest.period.zh(),
        latest.received_at,
        latest.version
    );
    for (field, value) in latest.values.iter() {
        let _ = writeln!(out, "  {} {value} {}", field.short_label(), field.unit());
    }
    if audience.shows_personal_details() {
        let who = latest.filled_by.as_deref().unwrap_or("未填写");
        let phone = latest.phone.as_deref().unwrap_or("未填写");
        let _ = writeln!(out, "填表人：{}  电话：{}", escape(who), escape(phone));
    }
    out.push_str("\n<b>近12个月</b>\n");
    for month in &history.months {
        let late = if month.late { " 逾期" } else { "" };
        let _ = writeln!(
            out,
            "{}  {}  第{}版{late}",
            month.period, month.received_at, month.version
        );
    }
    out
}

/// `/summary`: district totals of the eleven fields and the checks of SPEC §9.
pub fn summary(summary: &Summary) -> String {
    let month = summary.period.zh();
    let mut out = format!(
        "<b>{month} 全区汇总</b>（截止 {}）\n已报 {}/{}，其中逾期 {}；未报 {}\n",
        summary.deadline,
        summary.reported,
        summary.units,
        summary.late,
        summary.missing.len()
    );
    out.push_str("\n<b>十一项合计</b>\n");
    for field in Field::ALL {
        let _ = writeln!(
            out,
            "{} {} {}",
            field.short_label(),
            summary.totals.get(field),
            field.unit()
        );
    }
    out.push_str("\n<b>通知要求</b>\n");
    for check in &summary.checks {
        let _ = writeln!(
            out,
            "{}：{}（{}）",
            check.kind.zh(),
            check.state.zh(),
            escape(&check.detail)
        );
    }
    let _ = writeln!(
        out,
        "企业培训与二维码（只列数量）：企业培训 {} 次，两单两卡加印二维码 {} 个",
        summary.totals.get(Field::EnterpriseTrainings),
        summary.totals.get(Field::QrCodes)
    );
    if !summary.missing.is_empty() {
        let names: Vec<String> = summary.missing.iter().map(|m| escape(&m.name)).collect();
        let _ = writeln!(out, "\n<b>未报送</b>\n{}", names.join("\n"));
    }
    out
}

/// `/remind`: what was queued now and what was not.
pub fn remind(outcome: &ManualOutcome) -> String {
    let month = outcome.period.zh();
    let list = |names: &[String]| {
        names
            .iter()
            .map(|n| escape(n))
            .collect::<Vec<_>>()
            .join("、")
    };
    if outcome.queued.is_empty() && outcome.already.is_empty() && outcome.no_address.is_empty() {
        return format!("{month} 各单位均已报送，无需提醒。");
    }
    let mut out = String::new();
    if outcome.queued.is_empty() {
        let _ = writeln!(out, "{month} 没有新发出的提醒。");
    } else {
        let _ = writeln!(
            out,
            "已向 {} 个未报送单位发出{month}报表提醒：{}",
            outcome.queued.len(),
            list(&outcome.queued)
        );
    }
    for (what, units) in [
        ("今天已提醒过、不再重复发送", &outcome.already),
        ("没有可用邮箱、请电话联系", &outcome.no_address),
    ] {
        if !units.is_empty() {
            let _ = writeln!(out, "{what} {} 个：{}", units.len(), list(units));
        }
    }
    out
}

/// The staff digest of the reminders, as a chat message.
pub fn digest(text: &str) -> String {
    format!("<b>报表提醒日报</b>\n{}", escape(text))
}

/// The month's typical cases, as much as `detail` allows.
pub fn cases(period: Period, cases: &[CaseView], detail: CaseDetail) -> String {
    let month = period.zh();
    if cases.is_empty() {
        return format!("<b>{month}</b> 尚无典型案例。");
    }
    let mut out = format!("<b>{month} 典型案例 {} 件</b>\n", cases.len());
    match detail {
        CaseDetail::Counts => {
            let mut counts: Vec<(&str, usize)> = Vec::new();
            for case in cases {
                match counts.iter_mut().find(|(name, _)| *name == case.unit_name) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((&case.unit_name, 1)),
                }
            }
            for (name, n) in counts {
                let _ = writeln!(out, "{}：{n} 件", escape(name));
            }
            out.push_str("（案例详情仅在私聊中提供。）");
        }
        CaseDetail::OneLine => {
            for case in cases {
                let _ = writeln!(
                    out,
                    "{} {}：{}（照片 {} 张）",
                    escape(&case.received),
                    escape(&case.unit_name),
                    escape(&one_line(case)),
                    case.photos
                );
            }
            out.push_str("（线索来源等详情仅管理员可见。）");
        }
        CaseDetail::Full => {
            for case in cases {
                let _ = writeln!(
                    out,
                    "\n<b>{} {}</b>（回执 {}，照片 {} 张）",
                    escape(&case.received),
                    escape(&case.unit_name),
                    escape(&case.receipt_no),
                    case.photos
                );
                for (label, text) in [
                    ("线索来源", &case.tip_source),
                    ("简要案情", &case.facts),
                    ("执法处罚", &case.enforcement),
                    ("奖励发放", &case.reward),
                    ("典型案例概述", &case.overview),
                    ("备注", &case.remarks),
                ] {
                    if let Some(text) = text {
                        let _ = writeln!(out, "{label}：{}", escape(text));
                    }
                }
            }
        }
    }
    out
}

/// A case in one line: the start of its facts (or overview), never the tip source.
fn one_line(case: &CaseView) -> String {
    let text = case
        .facts
        .as_deref()
        .or(case.overview.as_deref())
        .or(case.enforcement.as_deref())
        .unwrap_or("（无摘要）");
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut line: String = flat.chars().take(40).collect();
    if flat.chars().count() > 40 {
        line.push('…');
    }
    match &case.reward_yuan {
        Some(reward) => format!("{line}；奖励 {reward}"),
        None => line,
    }
}

/// A quarter: its months' reporting, the totals added up, and the checks.
pub fn quarter_summary(quarter: &QuarterSummary) -> String {
    let mut out = format!("<b>{} 全区汇总</b>\n", escape(&quarter.title));
    if quarter.months.is_empty() {
        out.push_str("本季度尚未开始。");
        return out;
    }
    for month in &quarter.months {
        let _ = writeln!(
            out,
            "{}：已报 {}/{}，逾期 {}",
            month.period.zh(),
            month.reported,
            month.units,
            month.late
        );
    }
    out.push_str("\n<b>十一项合计</b>\n");
    for field in Field::ALL {
        let _ = writeln!(
            out,
            "{} {} {}",
            field.short_label(),
            quarter.totals.get(field),
            field.unit()
        );
    }
    out.push_str("\n<b>通知要求</b>\n");
    for (when, check) in &quarter.checks {
        let when = escape(&when.zh());
        let _ = writeln!(
            out,
            "{when} {}：{}（{}）",
            check.kind.zh(),
            check.state.zh(),
            escape(&check.detail)
        );
    }
    out
}

/// `/export` asked in a group: the workbook holds case summaries, which groups never see.
pub const EXPORT_PRIVATE_ONLY: &str = "汇总表含典型案例摘要，请私聊我获取：/export";

/// `/export` asked in DingTalk: a robot's session webhook carries text and markdown, not files,
/// so the workbook is fetched where files can be (the web console or the command line).
pub fn export_elsewhere(period: Period) -> String {
    format!(
        "钉钉机器人不能发送文件。{}汇总表请在网页控制台的「导出」页下载，\
         或由管理员在服务器上运行：reportdesk export --month {period} -o 汇总表.xlsx",
        period.zh()
    )
}
