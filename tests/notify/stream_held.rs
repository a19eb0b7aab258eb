//! Held mail over DingTalk Stream (SPEC §13, §14): the same `/approve ID` as in Telegram, refused
//! to staff, done for an admin through the CLI's path, and audited as `dingtalk:STAFF_ID`.

use crate::WEDNESDAY_18;
use crate::held_mail::trust_office_mx;
use crate::stream::{callback, next_ack, streaming_daemon};
use crate::support::TestEnv;

const RECEIVED: &str = "2026-11-17T09:00:00+08:00";

/// A 新山村 form whose From the office's own server says is forged: held; returns its id.
async fn held_form(env: &TestEnv) -> i64 {
    trust_office_mx(env, false);
    crate::held_mail::held_form(env, "forged@elsewhere.example", RECEIVED).await
}

#[tokio::test]
async fn an_admin_approves_held_mail_over_dingtalk_and_staff_are_refused() {
    let env = TestEnv::new();
    let id = held_form(&env).await;
    let (gateway, daemon, mut socket, _sockets) = streaming_daemon(&env).await;
    let webhook = format!("{}/robot/sendBySession?session=s1", gateway.base);
    let approve = format!("/approve {id}");
    let asks = [
        ("cb-1", "staff-1", "/held"),
        ("cb-2", "staff-1", approve.as_str()),
    ];
    for (n, (cb, who, text)) in asks.iter().enumerate() {
        futures_util::SinkExt::send(&mut socket, callback(cb, who, text, &webhook))
            .await
            .unwrap();
        next_ack(&mut socket).await;
        gateway.wait_posts(n + 1).await;
    }
    futures_util::SinkExt::send(&mut socket, callback("cb-3", "admin-1", &approve, &webhook))
        .await
        .unwrap();
    next_ack(&mut socket).await;
    let posts = gateway.wait_posts(3).await;
    let text = |i: usize| {
        posts[i].1["markdown"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    // A line starting with `#` is written `＃` in DingTalk markdown (no heading).
    assert!(
        text(0).contains(&format!("＃{id}  新山村街道")),
        "{}",
        text(0)
    );
    assert_eq!(text(1), "只有管理员可以批准或拒绝待核验的来信。");
    assert!(
        text(2).starts_with(&format!("已批准来信 ＃{id}：已登记")),
        "{}",
        text(2)
    );
    daemon.stop().await;
    let app = env.app(WEDNESDAY_18).await;
    let audit: Vec<(String, String, String)> =
        sqlx::query_as("SELECT actor, action, target FROM web_audit WHERE action LIKE 'held.%'")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        audit,
        [(
            "dingtalk:admin-1".to_string(),
            "held.approve".to_string(),
            id.to_string()
        )]
    );
    let (unit,): (String,) =
        sqlx::query_as("SELECT unit_code FROM monthly_submissions WHERE message_row = ?")
            .bind(id)
            .fetch_one(app.store.pool())
            .await
            .expect("recorded");
    assert_eq!(unit, "xinshancun");
    app.store.close().await;
}
