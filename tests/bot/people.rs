//! Who is answered where: a stranger, a group chat, and the staff digest in the staff chat.

use crate::{Daemon, GROUP, MONDAY, STAFF, STAFF_CHAT, STRANGER, UNLISTED_GROUP, one};

#[tokio::test]
async fn a_stranger_gets_one_refusal_line_and_nothing_more() {
    let bot = Daemon::start(MONDAY, false).await;
    for text in ["/missing", "谁还没报", "/remind", "你好"] {
        let said = bot.ask(STRANGER as i64, STRANGER, text, 1).await;
        assert_eq!(one(&said), "抱歉，您没有使用本机器人的权限。", "{text}");
    }
    let api = bot.api.clone();
    let log = bot.stop().await;
    assert_eq!(
        api.sent().len(),
        4,
        "one line per attempt, nothing more (counted after the daemon exited)"
    );
    assert_eq!(
        log.matches("refused a user not in [bot] staff or admins")
            .count(),
        4,
        "{log}"
    );
    assert!(log.contains("user=Some(30)"), "{log}");
}

#[tokio::test]
async fn a_group_chat_gets_aggregates_only() {
    let bot = Daemon::start(MONDAY, false).await;
    let unit = bot
        .ask(GROUP, STAFF, "/unit@reportdesk_bot 跳磴镇", 1)
        .await;
    let text = one(&unit);
    assert_eq!(unit[0].chat_id, GROUP);
    assert!(text.contains("最近一期：2026年11月"), "{text}");
    assert!(
        !text.contains("填表人"),
        "no person's details in a group: {text}"
    );

    let missing = bot.ask(GROUP, STAFF, "谁还没报", 1).await;
    assert!(one(&missing).contains("未报送 16 / 18 个单位"));

    let chatter = bot.ask_expecting_silence(GROUP, STAFF, "大家辛苦了").await;
    assert!(chatter.is_empty(), "chatter is not answered: {chatter:#?}");
    let stranger_chatter = bot.ask_expecting_silence(GROUP, STRANGER, "收到").await;
    assert!(stranger_chatter.is_empty(), "{stranger_chatter:#?}");

    let stranger = bot.ask(GROUP, STRANGER, "/summary", 1).await;
    assert_eq!(one(&stranger), "抱歉，您没有使用本机器人的权限。");
    bot.stop().await;
}

#[tokio::test]
async fn a_group_not_in_bot_chats_gets_nothing_even_from_staff() {
    let bot = Daemon::start(MONDAY, false).await;
    bot.api.say(UNLISTED_GROUP, STAFF, "/missing");
    bot.api.say(UNLISTED_GROUP, STRANGER, "/summary");
    let marker = bot.ask(STAFF as i64, STAFF, "/help", 1).await;
    assert!(one(&marker).contains("/missing"));
    let api = bot.api.clone();
    let log = bot.stop().await;
    assert_eq!(
        log.matches("message in a group not in [bot] chats").count(),
        2,
        "both messages were handled: {log}"
    );
    let to_group: Vec<_> = api
        .sent()
        .into_iter()
        .filter(|s| s.chat_id == UNLISTED_GROUP)
        .collect();
    assert!(
        to_group.is_empty(),
        "nothing to the unlisted group (counted after the daemon exited): {to_group:#?}"
    );
}

/// Friday 13 November 2026, 09:30: the reminder of Sunday the 15th moves here, and the staff
/// digest goes to the staff chat.
#[tokio::test]
async fn the_staff_digest_goes_to_the_staff_chats() {
    let bot = Daemon::start("2026-11-13T09:30:00+08:00", true).await;
    let sent = bot.api.wait_sent(2).await;
    let mut chats: Vec<i64> = sent.iter().map(|s| s.chat_id).collect();
    chats.sort_unstable();
    assert_eq!(chats, vec![GROUP, STAFF_CHAT], "every chat in [bot] chats");
    for digest in &sent {
        assert!(
            digest.text.starts_with("<b>报表提醒日报</b>"),
            "{}",
            digest.text
        );
        assert!(digest.text.contains("建胜镇"), "{}", digest.text);
    }
    let api = bot.api.clone();
    let log = bot.stop().await;
    assert!(log.contains("staff digest sent to the chats"), "{log}");
    assert_eq!(
        api.sent().len(),
        2,
        "sent once to each chat (counted after the daemon exited)"
    );
}

/// The overdue day (the 21st, a Saturday in November 2026, moves to Monday the 23rd): the units
/// still missing get an overdue notice by mail and the overdue list reaches the staff chat.
#[tokio::test]
async fn the_overdue_list_reaches_the_staff_chat() {
    let bot = Daemon::start("2026-11-23T09:30:00+08:00", true).await;
    let sent = bot
        .api
        .wait_until("the overdue list in the staff chat", |sent| {
            sent.iter().any(|s| s.chat_id == STAFF_CHAT)
        })
        .await;
    let list = &sent.iter().find(|s| s.chat_id == STAFF_CHAT).unwrap().text;
    assert!(list.contains("已过报送截止日期"), "{list}");
    let missing = list
        .split("未报送（16）")
        .nth(1)
        .and_then(|rest| rest.split("已报送").next())
        .unwrap_or_else(|| panic!("no list of the 16 missing units: {list}"));
    assert!(
        missing.contains("建胜镇") && missing.contains("区应急局"),
        "{list}"
    );
    assert!(
        !missing.contains("跳磴镇") && !missing.contains("八桥镇"),
        "{list}"
    );

    let outbox = bot.env.data_dir().join("mail/outbox/new");
    let overdue_notices = || {
        std::fs::read_dir(&outbox)
            .map(|d| {
                d.filter_map(|e| std::fs::read(e.ok()?.path()).ok())
                    .filter_map(|raw| {
                        let parsed = mail_parser::MessageParser::default().parse(&raw)?;
                        Some(parsed.subject()?.contains("逾期"))
                    })
                    .filter(|overdue| *overdue)
                    .count()
            })
            .unwrap_or(0)
    };
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while overdue_notices() < 16 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} notices",
            overdue_notices()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let api = bot.api.clone();
    let (_log, _env) = bot.stop_keeping_env().await;
    assert_eq!(overdue_notices(), 16, "one overdue notice per missing unit");
    let to_chat = api
        .sent()
        .iter()
        .filter(|s| s.chat_id == STAFF_CHAT)
        .count();
    assert_eq!(to_chat, 1, "the list once");
}
