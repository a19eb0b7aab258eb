//! Held mail in the chat (SPEC §13, §14): `/held` lists what the sender check held; staff are
//! refused `/approve` and `/reject`; a group is told to ask in private; an admin approves one
//! (recorded at its receipt time, the receipt delivered) and rejects another (nothing recorded,
//! the unit told), both through the CLI's path, audited as `chat:ID`.

use crate::held_mail::{held_form, trust_office_mx};
use crate::support::TestEnv;
use crate::{ADMIN, Daemon, GROUP, MONDAY, STAFF, one, seed};

const RECEIVED: &str = "2026-11-12T09:00:00+08:00";
#[tokio::test]
async fn an_admin_approves_and_rejects_held_mail_in_chat_and_staff_are_refused() {
    let env = TestEnv::new();
    seed(&env).await;
    trust_office_mx(&env, false);
    let first = held_form(&env, "forged-1@elsewhere.example", RECEIVED).await;
    let second = held_form(&env, "forged-2@elsewhere.example", RECEIVED).await;
    let bot = Daemon::start_in(env, MONDAY, false).await;

    let listed = bot.ask(STAFF as i64, STAFF, "/held", 1).await;
    let text = one(&listed);
    assert!(text.starts_with("<b>待核验的来信 2 封</b>"), "{text}");
    assert!(
        text.contains(&format!(
            "#{first}  新山村街道  2026-11-12 09:00  xinshancun@example.gov.cn"
        )),
        "{text}"
    );
    let refused = bot
        .ask(STAFF as i64, STAFF, &format!("/approve {first}"), 1)
        .await;
    assert_eq!(one(&refused), "只有管理员可以批准或拒绝待核验的来信。");
    let refused = bot
        .ask(STAFF as i64, STAFF, &format!("/reject {first}"), 1)
        .await;
    assert_eq!(one(&refused), "只有管理员可以批准或拒绝待核验的来信。");
    let in_group = bot.ask(GROUP, ADMIN, &format!("/approve {first}"), 1).await;
    assert!(one(&in_group).contains("请私聊我处理"), "{in_group:?}");
    let bad = bot.ask(ADMIN as i64, ADMIN, "/approve 新山村", 1).await;
    assert!(one(&bad).contains("不是来信编号"), "{bad:?}");

    let approved = bot
        .ask(ADMIN as i64, ADMIN, &format!("/approve {first}"), 1)
        .await;
    let text = one(&approved);
    assert!(
        text.starts_with(&format!("已批准来信 #{first}：已登记，回执号 ")),
        "{text}"
    );
    assert!(text.contains("2026-11 第1版"), "{text}");
    let again = bot
        .ask(ADMIN as i64, ADMIN, &format!("/approve {first}"), 1)
        .await;
    assert!(one(&again).contains("不在待核验之列"), "{again:?}");
    let rejected = bot
        .ask(ADMIN as i64, ADMIN, &format!("/reject {second}"), 1)
        .await;
    assert_eq!(
        one(&rejected),
        format!("已拒绝来信 #{second}：不登记，已告知新山村街道（1 个邮箱）。")
    );
    let left = bot.ask(STAFF as i64, STAFF, "/held", 1).await;
    assert_eq!(one(&left), "没有待核验的来信。");

    // 2 seeded receipts, 2 held notices, the approved form's receipt, the rejection notice.
    let outbox = bot.env.data_dir().join("mail/outbox/new");
    let mails = || std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while mails() < 6 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of 6 mails in the outbox",
            mails()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (_log, env) = bot.stop_keeping_env().await;
    assert_eq!(mails(), 6);
    let app = env.app(MONDAY).await;
    let kinds: Vec<(i64, String)> = sqlx::query_as(
        "SELECT message_row, kind FROM outbox WHERE message_row IN (?, ?) ORDER BY id",
    )
    .bind(first)
    .bind(second)
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert!(kinds.contains(&(first, "receipt".into())), "{kinds:?}");
    assert!(
        kinds.contains(&(second, "held_rejected".into())),
        "{kinds:?}"
    );
    assert!(!kinds.contains(&(second, "receipt".into())), "{kinds:?}");
    let (unit, received): (String, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT unit_code, received_at FROM monthly_submissions WHERE message_row = ?",
    )
    .bind(first)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(unit, "xinshancun");
    assert_eq!(received, crate::support::at(RECEIVED));
    let audit: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor, action, target FROM web_audit WHERE action LIKE 'held.%' ORDER BY id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    let admin = format!("chat:{ADMIN}");
    assert_eq!(
        audit,
        [
            (admin.clone(), "held.approve".into(), first.to_string()),
            (admin, "held.reject".into(), second.to_string())
        ]
    );
    app.store.close().await;
}
