//! Every command and the plain-Chinese phrasings, asked by staff and an admin in private chats.

use crate::{ADMIN, Daemon, MONDAY, STAFF, UNITS, one};

#[tokio::test]
async fn every_command_answers_from_the_database() {
    let bot = Daemon::start(MONDAY, false).await;
    let help = bot.ask(STAFF as i64, STAFF, "/help", 1).await;
    for command in [
        "/missing",
        "/status",
        "/unit",
        "/summary",
        "/remind",
        "谁还没报",
    ] {
        assert!(one(&help).contains(command), "{command}");
    }

    let missing = bot.ask(STAFF as i64, STAFF, "/missing", 1).await;
    let text = one(&missing);
    let header = format!("<b>2026年11月 未报送 {} / {UNITS} 个单位</b>", UNITS - 2);
    assert!(text.starts_with(&header), "{text}");
    assert!(text.contains("建胜镇") && !text.contains("跳磴镇") && !text.contains("八桥镇"));

    let october = bot.ask(STAFF as i64, STAFF, "/missing 2026-10", 1).await;
    assert!(one(&october).contains(&format!("未报送 {UNITS} / {UNITS}")));

    let status = bot.ask(STAFF as i64, STAFF, "/status", 1).await;
    let text = one(&status);
    assert!(text.contains("已报 2，未报 16"), "{text}");
    assert!(text.contains("跳磴镇  2026-11-10 10:00  第1版"), "{text}");

    let unit = bot.ask(STAFF as i64, STAFF, "/unit 跳磴镇", 1).await;
    let text = one(&unit);
    assert!(
        text.starts_with("<b>跳磴镇</b>\n最近一期：2026年11月"),
        "{text}"
    );
    assert!(text.contains("填表人："), "{text}");

    let summary = bot.ask(STAFF as i64, STAFF, "/summary", 1).await;
    let text = one(&summary);
    assert!(text.contains("已报 2/18，其中逾期 0；未报 16"), "{text}");
    assert!(text.contains("各单位每月20日前报送：暂未达到"), "{text}");
    assert!(text.contains("公开信 "), "{text}");

    let bad = bot.ask(STAFF as i64, STAFF, "/summary 2026-13", 1).await;
    assert!(one(&bad).contains("不是月份"));
    let nobody = bot.ask(STAFF as i64, STAFF, "/unit 火星镇", 1).await;
    assert!(one(&nobody).contains("名单中没有“火星镇”"));

    let refused = bot.ask(STAFF as i64, STAFF, "/remind", 1).await;
    assert_eq!(one(&refused), "只有管理员可以发出提醒。");
    let reminded = bot.ask(ADMIN as i64, ADMIN, "/remind", 1).await;
    assert!(
        one(&reminded).starts_with("已向 16 个未报送单位发出2026年11月报表提醒"),
        "{reminded:#?}"
    );
    let again = bot.ask(ADMIN as i64, ADMIN, "/remind", 1).await;
    let text = one(&again);
    assert!(text.contains("没有新发出的提醒"), "{text}");
    assert!(text.contains("今天已提醒过、不再重复发送 16 个"), "{text}");

    // 2 receipts of the seeded forms, then one reminder to each of the 16 missing units.
    let outbox = bot.env.data_dir().join("mail/outbox/new");
    let mails = || std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while mails() < 18 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of 18 mails in the outbox",
            mails()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (_log, _env) = bot.stop_keeping_env().await;
    assert_eq!(
        mails(),
        18,
        "the reminders went out through the outbox, once (counted after the daemon exited)"
    );
}

#[tokio::test]
async fn plain_chinese_reaches_the_same_answers() {
    let bot = Daemon::start(MONDAY, false).await;
    let missing = one(&bot.ask(STAFF as i64, STAFF, "/missing", 1).await).to_string();
    for phrase in ["谁还没报", "哪些单位没交？", "未报"] {
        let said = bot.ask(STAFF as i64, STAFF, phrase, 1).await;
        assert_eq!(one(&said), missing, "{phrase}");
    }
    let summary = one(&bot.ask(STAFF as i64, STAFF, "/summary", 1).await).to_string();
    for phrase in ["汇总", "11月汇总"] {
        let said = bot.ask(STAFF as i64, STAFF, phrase, 1).await;
        assert_eq!(one(&said), summary, "{phrase}");
    }
    let unit = one(&bot.ask(STAFF as i64, STAFF, "/unit 跳磴镇", 1).await).to_string();
    let alias = bot
        .ask(STAFF as i64, STAFF, "大渡口区跳磴镇人民政府", 1)
        .await;
    assert_eq!(one(&alias), unit);
    let lost = bot.ask(STAFF as i64, STAFF, "今天天气不错", 1).await;
    assert!(one(&lost).contains("没有听懂"));
    bot.stop().await;
}

/// 600 units, none reported: the list exceeds Telegram's 4,096 characters and arrives as
/// several messages, each within the limit, split at line ends.
#[tokio::test]
async fn a_long_missing_list_arrives_in_several_messages() {
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("units.toml");
    let units: String = (0..600)
        .map(|i| {
            format!(
                "[[unit]]\ncode = \"u{i}\"\nname = \"测试街道{i}\"\nkind = \"subdistrict\"\naddresses = [\"u{i}@example.gov.cn\"]\n\n"
            )
        })
        .collect();
    std::fs::write(&roster, units).unwrap();
    let env = crate::support::TestEnv::with_roster(&roster, crate::support::DEFAULT_OFFICE);
    let bot = Daemon::start_in(env, MONDAY, false).await;
    let before = bot.api.sent().len();
    bot.api.say(STAFF as i64, STAFF, "/missing");
    bot.api
        .wait_until("the list's last line", |sent| {
            sent.iter()
                .skip(before)
                .any(|s| s.text.contains("600. 测试街道599"))
        })
        .await;
    let api = bot.api.clone();
    bot.stop().await;
    // Counted after the daemon exited: nothing more can come.
    let sent = api.sent()[before..].to_vec();
    assert!(sent.iter().all(|s| s.text.chars().count() <= 4096));
    let joined: Vec<&str> = sent.iter().map(|s| s.text.as_str()).collect();
    let text = joined.join("\n");
    assert!(text.starts_with("<b>2026年11月 未报送 600 / 600 个单位</b>"));
    assert!(text.contains("\n600. 测试街道599"));
    assert_eq!(text.lines().count(), 601, "no line cut or lost");
}
