//! `run` with `[[notify]]` tables: the reminder-day digest reaches each robot once, signed where
//! the robot signs, retried after an error body, and never again after a restart.

use crate::robots::{Platform, Robots};
use crate::support::TestEnv;
use crate::{Daemon, FRIDAY_20, Tables, WEDNESDAY_18, configure, rows};

/// The digest of the 18th reaches WeCom once although the first try met a 502; a restart on
/// the 20th sends the 20th's digest and nothing of the 18th again.
#[tokio::test]
async fn the_digest_reaches_wecom_exactly_once_across_a_restart() {
    let env = TestEnv::new();
    let robots = Robots::start(WEDNESDAY_18).await;
    configure(
        &env,
        Tables {
            wecom: true,
            dingtalk: false,
            feishu: false,
        },
    );
    robots.script(Platform::Wecom, &[(502, "<html>502 Bad Gateway</html>")]);
    let daemon = Daemon::start(&env, &robots, WEDNESDAY_18);
    let seen = robots.wait_requests(2, 30).await;
    daemon.stop().await;
    assert!(!seen[0].accepted() && seen[1].accepted(), "{seen:#?}");
    assert_eq!(
        seen[0].text(),
        seen[1].text(),
        "the retry is the same message"
    );
    let first = seen[1].text();
    assert!(first.starts_with("**报表提醒日报**\n2026年11月"), "{first}");
    assert!(first.contains("未报送（18）"), "{first}");
    assert!(first.contains("11月18日"), "{first}");

    let daemon = Daemon::start(&env, &robots, FRIDAY_20);
    let seen = robots.wait_requests(3, 30).await;
    daemon.stop().await;
    let all = robots.requests();
    assert_eq!(all.len(), 3, "{all:#?}");
    let second = all[2].text();
    assert!(all[2].accepted(), "{:#?}", all[2]);
    assert!(
        second.contains("11月20日") && !second.contains("11月18日"),
        "{second}"
    );
    assert_eq!(seen.iter().filter(|r| r.accepted()).count(), 2);
    let states = rows(&env).await;
    assert_eq!(states.len(), 2, "{states:?}");
    assert!(
        states.iter().all(|(_, state, _)| state == "sent"),
        "{states:?}"
    );
    assert_eq!(states[0].2, 2, "the 18th took two attempts: {states:?}");
}

/// DingTalk gets a signed markdown message (the stand-in recomputes 加签); Feishu answers the
/// first try with its frequency-limit error body inside an HTTP 200, and gets it again.
#[tokio::test]
async fn dingtalk_is_signed_and_a_feishu_error_body_is_retried() {
    let env = TestEnv::new();
    let robots = Robots::start(WEDNESDAY_18).await;
    configure(
        &env,
        Tables {
            wecom: false,
            dingtalk: true,
            feishu: true,
        },
    );
    robots.script(
        Platform::Feishu,
        &[(200, r#"{"code":11232,"msg":"frequency limited","data":{}}"#)],
    );
    let daemon = Daemon::start(&env, &robots, WEDNESDAY_18);
    let seen = robots.wait_requests(3, 40).await;
    let log = daemon.stop().await;
    let ding: Vec<_> = seen
        .iter()
        .filter(|r| r.platform == Some(Platform::Dingtalk))
        .collect();
    assert_eq!(ding.len(), 1, "{seen:#?}");
    assert!(ding[0].accepted(), "{:#?}", ding[0]);
    assert_eq!(ding[0].body["msgtype"], "markdown");
    assert_eq!(ding[0].body["markdown"]["title"], "报表提醒日报");
    assert!(ding[0].path.contains("&timestamp=") && ding[0].path.contains("&sign="));
    let feishu: Vec<_> = seen
        .iter()
        .filter(|r| r.platform == Some(Platform::Feishu))
        .collect();
    assert_eq!(feishu.len(), 2, "{seen:#?}");
    assert!(feishu[0].problems.is_empty(), "{:#?}", feishu[0]);
    assert!(!feishu[0].accepted() && feishu[1].accepted(), "{feishu:#?}");
    assert!(feishu[1].text().contains("未报送（18）"));
    assert!(log.contains("frequency limited"), "{log}");
    let states = rows(&env).await;
    assert!(states.iter().all(|(_, s, _)| s == "sent"), "{states:?}");
    assert!(
        !log.contains(crate::robots::DINGTALK_TOKEN),
        "the webhook key leaked: {log}"
    );
}
