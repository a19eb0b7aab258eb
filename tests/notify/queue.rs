//! The queue through the library: the dispatcher's step against the stand-ins, for what a daemon
//! run would take minutes to show (a robot that throttles for ten minutes, a wrong secret, a
//! list too long for one message, alerts raised twice).

use chrono::TimeDelta;
use reportdesk::clock::Clock;
use reportdesk::notify::alerts::{Alert, queue_alert, queue_digest};
use reportdesk::notify::dispatch::{Dispatcher, Step};
use reportdesk::notify::{Channel, Event, RobotKind};
use reportdesk::store::Store;

use crate::robots::{self, Platform, Robots};
use crate::support::{TestEnv, at};
use crate::{DINGTALK_SECRET_VAR, DINGTALK_VAR, WECOM_VAR, WEDNESDAY_18};

fn channel(kind: RobotKind, webhook_env: &str, secret_env: Option<&str>) -> Channel {
    Channel {
        kind,
        webhook_env: webhook_env.into(),
        secret_env: secret_env.map(str::to_string),
        events: Event::ALL.to_vec(),
        retry_base_seconds: 30,
    }
}

async fn store(env: &TestEnv) -> Store {
    env.app(WEDNESDAY_18).await.store.clone()
}

fn dispatcher(env: &TestEnv, store: &Store, channels: &[Channel]) -> Dispatcher {
    Dispatcher::connect(
        channels,
        &env.config_path,
        store.clone(),
        Clock::Fixed(at(WEDNESDAY_18)),
        chrono_tz::Asia::Shanghai,
    )
    .expect("dispatcher")
}

async fn alert(store: &Store, alert: &Alert) -> bool {
    let mut tx = store.begin().await.unwrap();
    let queued = queue_alert(&mut tx, alert, at(WEDNESDAY_18)).await.unwrap();
    tx.commit().await.unwrap();
    queued
}

/// The variables of one test, named after it: tests run in threads of one process, and each
/// has its own stand-in.
struct Vars {
    wecom: String,
    dingtalk: String,
    secret: String,
}

fn set_env(tag: &str, robots: &Robots, dingtalk_secret: &str) -> Vars {
    let vars = Vars {
        wecom: format!("{WECOM_VAR}_{tag}"),
        dingtalk: format!("{DINGTALK_VAR}_{tag}"),
        secret: format!("{DINGTALK_SECRET_VAR}_{tag}"),
    };
    unsafe {
        std::env::set_var(&vars.wecom, robots.wecom_url());
        std::env::set_var(&vars.dingtalk, robots.dingtalk_url());
        std::env::set_var(&vars.secret, dingtalk_secret);
    }
    vars
}

#[tokio::test]
async fn throttling_waits_the_platform_window_and_a_wrong_secret_fails_for_good() {
    let env = TestEnv::new();
    let robots = Robots::start(WEDNESDAY_18).await;
    let vars = set_env("THROTTLE", &robots, robots::DINGTALK_SECRET);
    let store = store(&env).await;
    let ding = channel(RobotKind::Dingtalk, &vars.dingtalk, Some(&vars.secret));
    let mut dispatcher = dispatcher(&env, &store, &[ding]);
    robots.script(
        Platform::Dingtalk,
        &[(
            200,
            r#"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#,
        )],
    );
    let smtp = Alert::SmtpFailed {
        outbox: 7,
        recipient: "bachiao@example.gov.cn".into(),
        error: "550 5.1.1 mailbox unavailable".into(),
    };
    assert!(alert(&store, &smtp).await);
    assert!(
        !alert(&store, &smtp).await,
        "the same occurrence is queued once"
    );
    let step = dispatcher.step().await.unwrap();
    assert!(
        matches!(&step, Step::Retrying { error, .. } if error.contains("130101")),
        "{step:?}"
    );
    // Throttled: nothing more goes to this robot now.
    assert_eq!(dispatcher.step().await.unwrap(), Step::Idle);
    let (next,): (chrono::DateTime<chrono::Utc>,) =
        sqlx::query_as("SELECT next_attempt_at FROM notifications")
            .fetch_one(store.pool())
            .await
            .unwrap();
    let wait = next - at(WEDNESDAY_18);
    assert!(
        wait >= TimeDelta::minutes(10) && wait < TimeDelta::minutes(11),
        "{wait}"
    );
    let seen = robots.requests();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].problems.is_empty(), "{:#?}", seen[0]);
    assert!(seen[0].text().contains("bachiao@example.gov.cn"));
    assert!(seen[0].text().contains("时间：2026-11-18 09:30"));
}

#[tokio::test]
async fn a_signature_the_robot_refuses_is_not_retried() {
    let env = TestEnv::new();
    let robots = Robots::start(WEDNESDAY_18).await;
    let vars = set_env("WRONG", &robots, "SECwrong");
    let store = store(&env).await;
    let ding = channel(RobotKind::Dingtalk, &vars.dingtalk, Some(&vars.secret));
    let mut dispatcher = dispatcher(&env, &store, &[ding]);
    let held = Alert::Held {
        message: 3,
        from: "bachiao@example.gov.cn".into(),
        unit: "八桥镇".into(),
    };
    assert!(alert(&store, &held).await);
    let step = dispatcher.step().await.unwrap();
    assert!(
        matches!(&step, Step::Failed { error, .. } if error.contains("310000") && error.contains("sign not match")),
        "{step:?}"
    );
    let seen = robots.requests();
    assert!(
        seen[0]
            .problems
            .iter()
            .any(|p| p.contains("does not match")),
        "{seen:#?}"
    );
}

#[tokio::test]
async fn a_long_list_arrives_in_parts_in_order_each_under_the_limit() {
    let env = TestEnv::new();
    let robots = Robots::start(WEDNESDAY_18).await;
    let vars = set_env("LONG", &robots, robots::DINGTALK_SECRET);
    let store = store(&env).await;
    let wecom = channel(RobotKind::Wecom, &vars.wecom, None);
    let mut dispatcher = dispatcher(&env, &store, &[wecom]);
    let lines: Vec<String> = (1..=400)
        .map(|i| format!("{i}. 某某街道第{i}社区"))
        .collect();
    let text = lines.join("\n");
    let mut tx = store.begin().await.unwrap();
    queue_digest(
        &mut tx,
        Event::Digest,
        "2026-11",
        "due_soon:18",
        &text,
        at(WEDNESDAY_18),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let sent = dispatcher.deliver_due().await.unwrap();
    let seen = robots.requests();
    assert!(sent >= 3, "{sent}");
    assert_eq!(seen.len(), sent);
    assert!(seen.iter().all(|r| r.accepted()), "{seen:#?}");
    let mut joined = Vec::new();
    for (i, request) in seen.iter().enumerate() {
        let content = request.text();
        let (title, body) = content.split_once('\n').unwrap();
        assert_eq!(title, format!("**报表提醒日报（{}/{sent}）**", i + 1));
        joined.push(body.to_string());
    }
    assert_eq!(joined.join("\n"), text);
}

/// The mailbox watchdog alerts once when polls have failed for 30 minutes, not again while the
/// outage lasts, and once when a poll succeeds again.
#[tokio::test]
async fn a_mailbox_outage_is_alerted_once_and_so_is_its_recovery() {
    use reportdesk::notify::health::{MailboxHealth, Verdict, check};
    let env = TestEnv::new();
    let store = store(&env).await;
    let start = at(WEDNESDAY_18);
    let health = MailboxHealth::default();
    health.polled(start);
    health.failed(
        start + TimeDelta::minutes(1),
        "cannot connect to imap.example.cn:993",
    );
    let after = |m: i64| start + TimeDelta::minutes(m);
    assert_eq!(
        check(&store, &health, after(20)).await.unwrap(),
        Verdict::Nothing
    );
    assert_eq!(
        check(&store, &health, after(31)).await.unwrap(),
        Verdict::Stale
    );
    health.failed(after(40), "still refused");
    assert_eq!(
        check(&store, &health, after(45)).await.unwrap(),
        Verdict::Nothing
    );
    health.polled(after(50));
    assert_eq!(
        check(&store, &health, after(50)).await.unwrap(),
        Verdict::Recovered
    );
    assert_eq!(
        check(&store, &health, after(51)).await.unwrap(),
        Verdict::Nothing
    );
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT key, body FROM notify_events ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].0, "alert:mailbox_stale:1");
    assert!(events[0].1.contains("imap.example.cn:993"), "{events:?}");
    assert_eq!(events[1].0, "alert:mailbox_recovered:1");
}
