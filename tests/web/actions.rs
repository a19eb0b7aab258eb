//! The message log's actions over HTTP: quarantined mail listed and released (then taken in at
//! once), an unknown sender registered to a unit and its mail reprocessed through intake, both
//! admin-only, Origin-guarded and audited; and a roster edit refused, with the roster in use
//! kept, when `units.toml` on disk is no longer a valid roster.

use chrono::{DateTime, Utc};
use reportdesk::store::Store;
use reportdesk::store::quarantine;
use reqwest::StatusCode;

use crate::support::{TestEnv, at, fixtures, ingest, message};
use crate::{Console, MONDAY, client, seed, with_writable_roster};

const RECEIVED: &str = "2026-11-12T09:00:00+08:00";

/// A valid form from 跳磴镇 set aside after three tries ([`crate::support::quarantined_form`]).
pub async fn quarantined_form(env: &TestEnv) -> i64 {
    crate::support::quarantined_form(env, RECEIVED).await
}

/// A form from an address nobody registered, kept and not answered; returns its id.
pub async fn kept_from_stranger(env: &TestEnv) -> i64 {
    let app = env.app(RECEIVED).await;
    let file = "f05-inline-yuejincun.xlsx";
    let form = std::fs::read(fixtures().join("forms").join(file)).unwrap();
    let raw = message("stranger@qq.com", "11月报表", "s@x", &[(file, &form)]);
    let line = ingest(&app, &raw, file, RECEIVED).await;
    assert_eq!(line["outcome"], "rejected", "{line}");
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM messages WHERE sender = 'stranger@qq.com'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    app.store.close().await;
    id
}

async fn audit(store: &Store) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT actor, action, target FROM web_audit WHERE actor <> 'cli' AND action <> 'login' ORDER BY id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
}

async fn outcome_of(store: &Store, id: i64) -> (String, Option<String>, Option<String>) {
    sqlx::query_as("SELECT state, unit_code, outcome FROM messages WHERE id = ?")
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn quarantined_mail_is_listed_and_an_admin_releases_it_into_intake() {
    let env = TestEnv::new();
    seed(&env).await;
    let id = quarantined_form(&env).await;
    let console = Console::start_in(env, MONDAY).await;
    let release = format!("/messages/{id}/release");
    // Staff see it, with why, but no button; their POST is refused.
    let staff = console.login("li").await;
    let (status, body) = console.get(&staff, "/messages").await;
    assert_eq!(status, StatusCode::OK);
    let listed = &body[body
        .find(r#"id="quarantine""#)
        .expect("the quarantine list")..];
    assert!(
        listed.contains(&format!(r#"data-quarantined="{id}""#)),
        "{listed}"
    );
    assert!(
        listed.contains("尝试 3 次：reader killed: over 10 s"),
        "{listed}"
    );
    assert!(!body.contains(&format!(r#"action="{release}""#)));
    assert_eq!(
        console.post(&staff, &release, &[]).await.0,
        StatusCode::FORBIDDEN
    );
    // An admin's button; a POST from another origin is refused before anything happens.
    let admin = console.login("wang").await;
    let (_, body) = console.get(&admin, "/messages").await;
    assert!(body.contains(&format!(r#"action="{release}""#)), "{body}");
    let forged = client()
        .post(console.url(&release))
        .header("Cookie", &admin)
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(
        quarantine::is_quarantined(&console.store, id)
            .await
            .unwrap()
    );
    // Released: taken in at once, at its receipt time, and answered.
    let (status, body) = console.post(&admin, &release, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("已解除隔离并重新处理：已接收"), "{body}");
    assert_eq!(
        outcome_of(&console.store, id).await,
        (
            "processed".into(),
            Some("tiaodeng".into()),
            Some("accepted".into())
        )
    );
    assert!(quarantine::list(&console.store).await.unwrap().is_empty());
    let receipts: Vec<String> = sqlx::query_scalar(
        "SELECT recipient FROM outbox WHERE kind = 'receipt' AND message_row = ?",
    )
    .bind(id)
    .fetch_all(console.store.pool())
    .await
    .unwrap();
    assert_eq!(receipts, ["tiaodeng@example.gov.cn"]);
    assert_eq!(
        audit(&console.store).await,
        [("wang".into(), "quarantine.release".into(), id.to_string())]
    );
    let (_, body) = console.get(&admin, "/messages").await;
    assert!(
        !body.contains(r#"id="quarantine""#),
        "nothing set aside now"
    );
    // Released once: a second release finds nothing to release.
    assert_eq!(
        console.post(&admin, &release, &[]).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_admin_registers_an_unknown_sender_and_its_mail_is_reprocessed_as_that_unit() {
    let env = TestEnv::new();
    with_writable_roster(&env);
    seed(&env).await;
    let id = kept_from_stranger(&env).await;
    let console = Console::start_in(env, MONDAY).await;
    let register = format!("/messages/{id}/register");
    let staff = console.login("li").await;
    let (_, body) = console.get(&staff, "/messages?unknown=1").await;
    assert!(
        body.contains("stranger@qq.com") && !body.contains(&register),
        "{body}"
    );
    let form = [("unit", "yuejincun")];
    assert_eq!(
        console.post(&staff, &register, &form).await.0,
        StatusCode::FORBIDDEN
    );
    let admin = console.login("wang").await;
    let (_, body) = console.get(&admin, "/messages?unknown=1").await;
    assert!(body.contains(&format!(r#"action="{register}""#)), "{body}");
    // A unit the roster does not have.
    let (status, _) = console
        .post(
            &admin,
            &format!("/messages/{id}/register"),
            &[("unit", "nosuchunit")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = console.post(&admin, &register, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("已将 stranger@qq.com 登记为跃进村街道的邮箱并重新处理：已接收"),
        "{body}"
    );
    // The roster file has the address (comments kept); the message counts as 跃进村's form at
    // its original receipt time, with a receipt to the sender.
    let roster = std::fs::read_to_string(console.env.dir.path().join("config/units.toml")).unwrap();
    assert!(roster.contains("stranger@qq.com"), "{roster}");
    assert!(roster.starts_with("# The reporting units"));
    assert_eq!(
        outcome_of(&console.store, id).await,
        (
            "processed".into(),
            Some("yuejincun".into()),
            Some("accepted".into())
        )
    );
    let (received,): (DateTime<Utc>,) = sqlx::query_as(
        "SELECT received_at FROM monthly_submissions WHERE message_row = ? AND unit_code = 'yuejincun'",
    )
    .bind(id)
    .fetch_one(console.store.pool())
    .await
    .unwrap();
    assert_eq!(received, at(RECEIVED));
    let receipts: Vec<String> = sqlx::query_scalar(
        "SELECT recipient FROM outbox WHERE kind = 'receipt' AND message_row = ?",
    )
    .bind(id)
    .fetch_all(console.store.pool())
    .await
    .unwrap();
    assert_eq!(receipts, ["stranger@qq.com"]);
    // Through `Intake::reprocess`, the very path of `reportdesk reprocess ID`.
    let (line,): (String,) = sqlx::query_as("SELECT result_json FROM messages WHERE id = ?")
        .bind(id)
        .fetch_one(console.store.pool())
        .await
        .unwrap();
    let line: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(line["file"], format!("reprocess:{id}"), "{line}");
    assert_eq!(
        audit(&console.store).await,
        [
            (
                "wang".into(),
                "roster.address_add".into(),
                "yuejincun".into()
            ),
            ("wang".into(), "reprocess".into(), id.to_string()),
        ]
    );
    // Done once: a second try is refused, and the board counts 跃进村 as reported.
    assert_eq!(
        console.post(&admin, &register, &form).await.0,
        StatusCode::BAD_REQUEST
    );
    let (_, board) = console.get(&admin, "/").await;
    let row = &board[board.find(r#"data-unit="yuejincun""#).expect("row")..];
    assert!(row[..row.find("</tr>").unwrap()].contains("已报"), "{row}");
}

#[tokio::test]
async fn a_sender_registered_to_another_unit_is_not_moved_by_reprocessing() {
    let env = TestEnv::new();
    with_writable_roster(&env);
    seed(&env).await;
    let id = kept_from_stranger(&env).await;
    let console = Console::start_in(env, MONDAY).await;
    let admin = console.login("wang").await;
    let add = [
        ("op", "add_address"),
        ("unit", "bachiao"),
        ("value", "stranger@qq.com"),
    ];
    assert_eq!(
        console.post(&admin, "/roster", &add).await.0,
        StatusCode::SEE_OTHER
    );
    let (status, body) = console
        .post(
            &admin,
            &format!("/messages/{id}/register"),
            &[("unit", "yuejincun")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("已登记为八桥镇的邮箱"), "{body}");
    assert_eq!(
        outcome_of(&console.store, id).await,
        ("processed".into(), None, Some("rejected".into()))
    );
}

#[tokio::test]
async fn a_bad_roster_file_is_refused_and_the_roster_in_use_stays() {
    let env = TestEnv::new();
    with_writable_roster(&env);
    seed(&env).await;
    let console = Console::start_in(env, MONDAY).await;
    let admin = console.login("wang").await;
    let path = console.env.dir.path().join("config/units.toml");
    let good = std::fs::read_to_string(&path).unwrap();
    // Someone breaks the file by hand: two units with one code.
    let broken = format!(
        "{good}\n[[unit]]\ncode = \"bachiao\"\nname = \"又一个八桥镇\"\nkind = \"town\"\naddresses = []\n"
    );
    std::fs::write(&path, &broken).unwrap();
    let add = [
        ("op", "add_address"),
        ("unit", "xinshancun"),
        ("value", "xinshancun2@qq.com"),
    ];
    let (status, body) = console.post(&admin, "/roster", &add).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        broken,
        "not written"
    );
    // The roster in use is the good one: every unit on the board, none doubled.
    let (_, board) = console.get(&admin, "/").await;
    assert_eq!(board.matches(r#"data-unit="bachiao""#).count(), 1);
    assert_eq!(board.matches("data-unit=").count(), 18, "{board}");
    assert!(audit(&console.store).await.is_empty());
}
