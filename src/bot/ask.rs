//! What a chat message asks: a command of the [`Command`] enum, or plain Chinese such as
//! 谁还没报 / 11月汇总 / a unit's name. Pure: the text, the bot's user name, the roster and the
//! office-local date in, an [`Ask`] out.

use chrono::NaiveDate;
use teloxide::utils::command::BotCommands;

use crate::domain::period::Period;
use crate::domain::quarter::Quarter;
use crate::domain::unit::{Roster, Unit};

/// The bot's commands; the doc comments are what `/help` shows.
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(
    rename_rule = "lowercase",
    description = "区安委办报表机器人，可用命令如下（月份格式 YYYY-MM，不填为本月）："
)]
pub enum Command {
    /// 未报送的单位，例如 /missing 2026-11
    Missing(String),
    /// 报送情况：已报送与未报送的单位
    Status(String),
    /// 某单位近12个月的报送情况，例如 /unit 八桥镇
    Unit(String),
    /// 全区汇总：十一项合计与通知要求的完成情况；也可按季度，例如 /summary 2026-Q4
    Summary(String),
    /// 汇总表（Excel）：本月全区汇总上报表，例如 /export 2026-11（仅私聊）
    Export(String),
    /// 典型案例：本月报送的案例（详情仅管理员私聊可见），例如 /cases 2026-11
    Cases(String),
    /// 立即提醒未报送的单位（仅管理员，每个单位每天至多一次）
    Remind,
    /// 待核验的来信：发件人验证未通过、暂未登记的报表（仅私聊）
    Held,
    /// 批准登记一封待核验的来信，按原收到时间登记并发回执，例如 /approve 12（仅管理员私聊）
    Approve(String),
    /// 拒绝一封待核验的来信：不登记，并告知该单位，例如 /reject 12（仅管理员私聊）
    Reject(String),
    /// 显示本帮助
    Help,
}

/// A question the bot can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    Missing(Period),
    Status(Period),
    /// A unit's code in the roster.
    Unit(String),
    Summary(Period),
    QuarterSummary(Quarter),
    Export(Period),
    Cases(Period),
    Remind,
    /// The held messages (SPEC §13).
    Held,
    /// Approve held message ID (admins).
    Approve(i64),
    /// Reject held message ID (admins).
    Reject(i64),
    Help,
}

/// What a message turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Ask(Ask),
    /// A month argument that is not a month.
    BadMonth(String),
    /// `/unit` with a name no unit has (or none).
    UnknownUnit(String),
    /// `/approve` or `/reject` without a message id (the argument as given).
    BadId(String),
    /// Plain text the bot does not understand.
    Unknown,
}

/// Reads a message. `today` is the office-local date (the default month is the open one).
pub fn parse(text: &str, bot_username: &str, roster: &Roster, today: NaiveDate) -> Parsed {
    let text = text.trim();
    if text.starts_with('/') {
        return match Command::parse(text, bot_username) {
            Ok(command) => from_command(command, roster, today),
            Err(_) => Parsed::Unknown,
        };
    }
    from_plain(text, roster, today)
}

fn from_command(command: Command, roster: &Roster, today: NaiveDate) -> Parsed {
    let month = |arg: &str, ask: fn(Period) -> Ask| match month_argument(arg, today) {
        Some(period) => Parsed::Ask(ask(period)),
        None => Parsed::BadMonth(arg.trim().to_string()),
    };
    match command {
        Command::Missing(arg) => month(&arg, Ask::Missing),
        Command::Status(arg) => month(&arg, Ask::Status),
        Command::Summary(arg) => match Quarter::parse(&arg) {
            Ok(quarter) => Parsed::Ask(Ask::QuarterSummary(quarter)),
            Err(_) => month(&arg, Ask::Summary),
        },
        Command::Export(arg) => month(&arg, Ask::Export),
        Command::Cases(arg) => month(&arg, Ask::Cases),
        Command::Unit(name) => match find_unit(roster, name.trim()) {
            Some(unit) => Parsed::Ask(Ask::Unit(unit.code.to_string())),
            None => Parsed::UnknownUnit(name.trim().to_string()),
        },
        Command::Remind => Parsed::Ask(Ask::Remind),
        Command::Held => Parsed::Ask(Ask::Held),
        Command::Approve(arg) => by_id(&arg, Ask::Approve),
        Command::Reject(arg) => by_id(&arg, Ask::Reject),
        Command::Help => Parsed::Ask(Ask::Help),
    }
}

const MISSING_PHRASES: [&str; 6] = ["谁还没报", "哪些单位没交", "未报", "没报", "没交", "未交"];

fn from_plain(text: &str, roster: &Roster, today: NaiveDate) -> Parsed {
    let period = month_in_text(text, today).unwrap_or_else(|| Period::open_at(today));
    if MISSING_PHRASES.iter().any(|p| text.contains(p)) {
        return Parsed::Ask(Ask::Missing(period));
    }
    if text.contains("待核验") {
        return Parsed::Ask(Ask::Held);
    }
    if text.contains("典型案例") || text.contains("案例") {
        return Parsed::Ask(Ask::Cases(period));
    }
    if text.contains("汇总") {
        return Parsed::Ask(Ask::Summary(period));
    }
    if text.contains("报送情况") {
        return Parsed::Ask(Ask::Status(period));
    }
    match find_unit(roster, text) {
        Some(unit) => Parsed::Ask(Ask::Unit(unit.code.to_string())),
        None => Parsed::Unknown,
    }
}

/// A unit by its name, an alias or its code (exactly, ignoring surrounding blanks).
pub fn find_unit<'r>(roster: &'r Roster, text: &str) -> Option<&'r Unit> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    roster
        .units()
        .iter()
        .find(|u| u.code.as_str() == text || u.names().iter().any(|n| n == text))
}

fn by_id(arg: &str, ask: fn(i64) -> Ask) -> Parsed {
    match message_id(arg) {
        Some(id) => Parsed::Ask(ask(id)),
        None => Parsed::BadId(arg.trim().to_string()),
    }
}

/// A message id as `/held` lists it (`12` or `#12`).
fn message_id(arg: &str) -> Option<i64> {
    let arg = arg.trim();
    arg.strip_prefix('#')
        .unwrap_or(arg)
        .parse()
        .ok()
        .filter(|id| *id > 0)
}

/// A command's month argument: empty for the open month, else a month as people write it, the
/// whole argument ([`Period::from_written`]: `2026-11`, `2026年11月`, `2026.11`, `11月`, `十一月`…).
fn month_argument(arg: &str, today: NaiveDate) -> Option<Period> {
    let arg = arg.trim();
    let open = Period::open_at(today);
    if arg.is_empty() {
        return Some(open);
    }
    Period::from_written(arg, open)
}

/// The first month named in free text ([`Period::find_in_text`], as the forms read titles and
/// subjects): `2026年11月`, `2026-11`, or `11月` (the latest such month up to the open period).
fn month_in_text(text: &str, today: NaiveDate) -> Option<Period> {
    Period::find_in_text(text, Period::open_at(today))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster() -> Roster {
        Roster::parse(
            r#"
[[unit]]
code = "bachiao"
name = "八桥镇"
kind = "town"
aliases = ["八桥镇政府"]
addresses = ["a@x.cn"]
"#,
        )
        .unwrap()
    }

    #[test]
    fn held_commands_take_a_message_id() {
        assert_eq!(ask("/held"), Parsed::Ask(Ask::Held));
        assert_eq!(ask("有哪些待核验的来信"), Parsed::Ask(Ask::Held));
        assert_eq!(ask("/approve 12"), Parsed::Ask(Ask::Approve(12)));
        assert_eq!(ask("/reject #7"), Parsed::Ask(Ask::Reject(7)));
        assert_eq!(ask("/approve"), Parsed::BadId(String::new()));
        assert_eq!(ask("/reject 八桥镇"), Parsed::BadId("八桥镇".into()));
        assert_eq!(ask("/approve -3"), Parsed::BadId("-3".into()));
    }

    fn ask(text: &str) -> Parsed {
        parse(
            text,
            "reportdesk_bot",
            &roster(),
            "2026-11-16".parse().unwrap(),
        )
    }

    fn period(text: &str) -> Period {
        Period::parse(text).unwrap()
    }

    #[test]
    fn commands_with_and_without_a_month() {
        assert_eq!(
            ask("/missing"),
            Parsed::Ask(Ask::Missing(period("2026-11")))
        );
        assert_eq!(
            ask("/missing 2026-10"),
            Parsed::Ask(Ask::Missing(period("2026-10")))
        );
        assert_eq!(
            ask("/summary@reportdesk_bot 10月"),
            Parsed::Ask(Ask::Summary(period("2026-10")))
        );
        assert_eq!(ask("/status 13月"), Parsed::BadMonth("13月".into()));
        assert_eq!(ask("/status abc"), Parsed::BadMonth("abc".into()));
        assert_eq!(ask("/remind"), Parsed::Ask(Ask::Remind));
        assert_eq!(ask("/help"), Parsed::Ask(Ask::Help));
        assert_eq!(
            ask("/unit 八桥镇政府"),
            Parsed::Ask(Ask::Unit("bachiao".into()))
        );
        assert_eq!(ask("/unit 火星"), Parsed::UnknownUnit("火星".into()));
        assert_eq!(ask("/nonsense"), Parsed::Unknown);
    }

    #[test]
    fn plain_chinese() {
        let missing = Parsed::Ask(Ask::Missing(period("2026-11")));
        assert_eq!(ask("谁还没报"), missing);
        assert_eq!(ask("哪些单位没交？"), missing);
        assert_eq!(ask("未报"), missing);
        assert_eq!(ask("汇总"), Parsed::Ask(Ask::Summary(period("2026-11"))));
        assert_eq!(
            ask("11月汇总"),
            Parsed::Ask(Ask::Summary(period("2026-11")))
        );
        assert_eq!(
            ask("12月汇总"),
            Parsed::Ask(Ask::Summary(period("2025-12")))
        );
        assert_eq!(
            ask("2025年3月汇总"),
            Parsed::Ask(Ask::Summary(period("2025-03")))
        );
        assert_eq!(ask("八桥镇"), Parsed::Ask(Ask::Unit("bachiao".into())));
        assert_eq!(
            ask(" 八桥镇政府 "),
            Parsed::Ask(Ask::Unit("bachiao".into()))
        );
        assert_eq!(ask("今天天气不错"), Parsed::Unknown);
    }

    /// The bot reads months with the forms' reader (`Period::from_written`, `find_in_text`), so
    /// it takes what units write in forms too: `2026.10`, `2026/10`, `202610`, `十月`, `10月份`,
    /// full-width digits. Before, these were a bad month (commands) or the open month (text).
    #[test]
    fn months_as_the_forms_read_them() {
        let october = period("2026-10");
        for arg in [
            "2026.10",
            "2026/10",
            "202610",
            "2026年10月份",
            "十月",
            "10月份",
            "１０月",
        ] {
            assert_eq!(
                ask(&format!("/missing {arg}")),
                Parsed::Ask(Ask::Missing(october)),
                "{arg}"
            );
        }
        // Plain text; without a year, the latest such month up to the open one (2026-11 here).
        let december = period("2025-12");
        for (text, asked) in [
            ("十月汇总", Ask::Summary(october)),
            ("2026.10 汇总", Ask::Summary(october)),
            ("2026/9报送情况", Ask::Status(period("2026-09"))),
            ("/cases 十二月", Ask::Cases(december)),
            ("十二月的案例", Ask::Cases(december)),
        ] {
            assert_eq!(ask(text), Parsed::Ask(asked), "{text}");
        }
        // A command's argument is a month as a whole, not a text that mentions one.
        assert_eq!(ask("/status 下个11月"), Parsed::BadMonth("下个11月".into()));
        assert_eq!(ask("/status 2026.13"), Parsed::BadMonth("2026.13".into()));
    }
}
