//! Held mail in the console over HTTP (SPEC §13, §15): a form whose sender check failed is
//! listed with its verdict; staff see it but are refused approve / reject (403), a cross-origin
//! POST is refused (403); an admin approves it (recorded at its receipt time, receipt queued,
//! who and when in the audit log, in the decision's transaction) or rejects it (nothing recorded, the unit told).
//! The board and the log show each version's sender check. An upload by a logged-in user is
//! not held under `require_pass`: the login vouches for it.

use reportdesk::store::Store;
use reqwest::StatusCode;

pub use crate::held_mail::trust_office_mx;
use crate::support::{TestEnv, at, fixtures, ingest, message};
use crate::{Console, MONDAY, client, seed};

pub const RECEIVED: &str = "2026-11-12T09:00:00+08:00";
/// A 新山村 form whose From the office's server says is forged: held; returns its id.
pub async fn held_form(env: &TestEnv) -> i64 {
    crate::held_mail::held_form(env, "forged@elsewhere.example", RECEIVED).await
}

pub async fn decision(store: &Store, id: i64) -> Option<String> {
    sqlx::query_scalar("SELECT decision FROM held_mail WHERE message_row = ?")
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

pub async fn outbox_of(store: &Store, id: i64) -> Vec<(String, String)> {
    sqlx::query_as("SELECT kind, recipient FROM outbox WHERE message_row = ? ORDER BY id")
        .bind(id)
        .fetch_all(store.pool())
        .await
        .unwrap()
}

async fn audit(store: &Store) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT actor, action, target FROM web_audit WHERE action LIKE 'held.%' ORDER BY id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
}

/// The `<tr>` of `marker` in `body`.
fn row_of<'a>(body: &'a str, marker: &str) -> &'a str {
    let from = body
        .find(marker)
        .unwrap_or_else(|| panic!("{marker}: {body}"));
    let row = &body[from..];
    &row[..row.find("</tr>").unwrap_or(row.len())]
}

#[tokio::test]
async fn staff_are_refused_and_an_admin_approves_a_held_form_through_the_cli_path() {
    let env = TestEnv::new();
    trust_office_mx(&env, false);
    seed(&env).await;
    let id = held_form(&env).await;
    let console = Console::start_in(env, MONDAY).await;
    let (approve, reject) = (
        format!("/messages/{id}/approve"),
        format!("/messages/{id}/reject"),
    );
    let staff = console.login("li").await;
    let (status, body) = console.get(&staff, "/messages").await;
    assert_eq!(status, StatusCode::OK);
    let held = row_of(&body, &format!(r#"data-held="{id}""#));
    assert!(held.contains(r#"data-verdict="fail""#), "{held}");
    assert!(
        !body.contains(&approve) && !body.contains(&reject),
        "{held}"
    );
    for path in [&approve, &reject] {
        assert_eq!(
            console.post(&staff, path, &[]).await.0,
            StatusCode::FORBIDDEN
        );
    }
    let logged = row_of(&body, &format!(r#"data-message="{id}""#));
    assert!(logged.contains("待核验"), "{logged}");
    let admin = console.login("wang").await;
    let (_, body) = console.get(&admin, "/messages").await;
    assert!(body.contains(&format!(r#"action="{approve}""#)), "{body}");
    for path in [&approve, &reject] {
        let forged = client()
            .post(console.url(path))
            .header("Cookie", &admin)
            .header("Origin", "http://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(decision(&console.store, id).await, None);

    let (status, body) = console.post(&admin, &approve, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("已批准登记：已接收"), "{body}");
    assert_eq!(
        decision(&console.store, id).await.as_deref(),
        Some("approved")
    );
    let (received,): (chrono::DateTime<chrono::Utc>,) = sqlx::query_as(
        "SELECT received_at FROM monthly_submissions WHERE message_row = ? AND unit_code = 'xinshancun'",
    )
    .bind(id)
    .fetch_one(console.store.pool())
    .await
    .unwrap();
    assert_eq!(received, at(RECEIVED), "recorded at its receipt time");
    let mail = outbox_of(&console.store, id).await;
    assert!(
        mail.iter().any(|(kind, _)| kind == "receipt"),
        "the receipt is queued: {mail:?}"
    );
    assert_eq!(
        audit(&console.store).await,
        [("wang".into(), "held.approve".into(), id.to_string())]
    );
    // The board and the log show the verdict, approved by staff.
    let (_, board) = console.get(&admin, "/").await;
    let row = row_of(&board, r#"data-unit="xinshancun""#);
    assert!(row.contains(r#"data-verdict="fail""#), "{row}");
    assert!(row.contains("未通过，已人工确认"), "{row}");
    let (_, log) = console.get(&admin, "/messages").await;
    assert!(!log.contains(r#"id="held""#), "nothing held now");
    let logged = row_of(&log, &format!(r#"data-message="{id}""#));
    assert!(logged.contains(r#"data-verdict="fail""#), "{logged}");
    // Decided once: neither action finds it again, and nothing is recorded twice.
    for path in [&approve, &reject] {
        assert_eq!(
            console.post(&admin, path, &[]).await.0,
            StatusCode::NOT_FOUND
        );
    }
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM monthly_submissions WHERE unit_code = 'xinshancun'")
            .fetch_one(console.store.pool())
            .await
            .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn an_admin_rejects_a_held_form_nothing_is_recorded_and_the_unit_is_told() {
    let env = TestEnv::new();
    trust_office_mx(&env, false);
    seed(&env).await;
    let id = held_form(&env).await;
    let console = Console::start_in(env, MONDAY).await;
    let admin = console.login("wang").await;
    let (status, body) = console
        .post(&admin, &format!("/messages/{id}/reject"), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("已拒绝来信"), "{body}");
    assert_eq!(
        decision(&console.store, id).await.as_deref(),
        Some("rejected")
    );
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM monthly_submissions WHERE unit_code = 'xinshancun'")
            .fetch_one(console.store.pool())
            .await
            .unwrap();
    assert_eq!(count, 0, "nothing recorded");
    let mail = outbox_of(&console.store, id).await;
    assert_eq!(
        mail,
        [
            ("held".into(), "xinshancun@example.gov.cn".into()),
            ("held_rejected".into(), "xinshancun@example.gov.cn".into())
        ],
        "the unit told it was held, then that it was rejected; no receipt"
    );
    assert_eq!(
        audit(&console.store).await,
        [("wang".into(), "held.reject".into(), id.to_string())]
    );
    let (_, board) = console.get(&admin, "/").await;
    let row = row_of(&board, r#"data-unit="xinshancun""#);
    assert!(
        row.contains("未报") && row.contains(r#"data-verdict="""#),
        "{row}"
    );
}

#[tokio::test]
async fn an_upload_by_a_logged_in_user_is_not_held_under_require_pass() {
    let env = TestEnv::new();
    seed(&env).await;
    trust_office_mx(&env, true);
    let console = Console::start_in(env, MONDAY).await;
    let staff = console.login("li").await;
    let form = std::fs::read(fixtures().join("forms/f04-retyped-labels-xinshancun.xlsx")).unwrap();
    let part = reqwest::multipart::Part::bytes(form).file_name("新山村.xlsx");
    let upload = reqwest::multipart::Form::new()
        .text("unit", "xinshancun")
        .part("file", part);
    let response = client()
        .post(console.url("/upload"))
        .header("Cookie", &staff)
        .header("Origin", &console.base)
        .multipart(upload)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("已接收"), "{body}");
    let (check, evidence, source): (Option<String>, Option<String>, String) = sqlx::query_as(
        "SELECT m.sender_check, m.sender_evidence, m.source FROM monthly_submissions s
           JOIN messages m ON m.id = s.message_row WHERE s.unit_code = 'xinshancun'",
    )
    .fetch_one(console.store.pool())
    .await
    .expect("recorded, not held");
    assert_eq!(check.as_deref(), Some("pass"));
    assert_eq!(source, "upload:web:li");
    assert!(
        evidence
            .as_deref()
            .is_some_and(|e| e.contains("uploaded on the web console by li")),
        "{evidence:?}"
    );
    let (held,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM held_mail")
        .fetch_one(console.store.pool())
        .await
        .unwrap();
    assert_eq!(held, 0);
    let (_, board) = console.get(&staff, "/").await;
    let row = row_of(&board, r#"data-unit="xinshancun""#);
    assert!(row.contains("通过（网页上传：li）"), "{row}");
}

#[tokio::test]
async fn the_same_mail_by_mail_is_held_under_require_pass() {
    // The counterpart of the upload: a form by mail without a verified sender is held.
    let env = TestEnv::new();
    trust_office_mx(&env, true);
    let app = env.app(MONDAY).await;
    let form = std::fs::read(fixtures().join("forms/f04-retyped-labels-xinshancun.xlsx")).unwrap();
    let raw = message(
        "xinshancun@example.gov.cn",
        "11月报表",
        "plain@x",
        &[("报表.xlsx", &form)],
    );
    let line = ingest(&app, &raw, "plain.eml", MONDAY).await;
    assert_eq!(line["outcome"], "held", "{line}");
    assert_eq!(line["sender_check"], "none", "{line}");
}
