//! The contract of SPEC §15 at the HTTP level: `/healthz` without a session, 303 to `/login`
//! without one, the login form's fields, the cookie's flags, the Origin check on POST, the login
//! rate limit, logout, and staff refused admin actions.

use reqwest::StatusCode;

use crate::{Console, MONDAY, PASSWORD, client};

#[tokio::test]
async fn healthz_answers_ok_without_a_session() {
    let console = Console::start(MONDAY).await;
    let response = client().get(console.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn every_page_without_a_session_redirects_to_login() {
    let console = Console::start(MONDAY).await;
    for path in [
        "/",
        "/?month=2026-10",
        "/unit/tiaodeng",
        "/messages",
        "/health",
    ] {
        let response = client().get(console.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
    let forged = format!("reportdesk_session={}", "ab".repeat(32));
    let (status, _) = console.get(&forged, "/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_login_form_asks_for_username_and_password() {
    let console = Console::start(MONDAY).await;
    let response = client().get(console.url("/login")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert!(
        body.contains(r#"<form method="post" action="/login">"#),
        "{body}"
    );
    assert!(body.contains(r#"name="username""#));
    assert!(body.contains(r#"name="password""#));
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_redirects_to_the_board() {
    let console = Console::start(MONDAY).await;
    let response = client()
        .post(console.url("/login"))
        .header("Origin", &console.base)
        .form(&[("username", "li"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("reportdesk_session="), "{cookie}");
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Strict"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on loopback: {cookie}"
    );
    let session = cookie.split(';').next().unwrap();
    let (status, body) = console.get(session, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("2026年11月"), "{body}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_a_sixth_try_is_rate_limited() {
    let console = Console::start(MONDAY).await;
    let attempt = |password: &'static str| {
        client()
            .post(console.url("/login"))
            .header("Origin", &console.base)
            .form(&[("username", "li"), ("password", password)])
            .send()
    };
    for _ in 0..5 {
        let response = attempt("wrong password").await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().get("set-cookie").is_none());
    }
    let response = attempt(PASSWORD).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("set-cookie").is_none());
    assert!(response.text().await.unwrap().contains("分钟后再试"));
    // The admin, from the same address, is locked out too: the address counts as well.
    let response = client()
        .post(console.url("/login"))
        .header("Origin", &console.base)
        .form(&[("username", "wang"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_cross_origin_or_origin_less_post_is_refused_with_403() {
    let console = Console::start(MONDAY).await;
    let session = console.login("wang").await;
    for origin in [Some("http://evil.example"), Some("null"), None] {
        let mut request = client()
            .post(console.url("/logout"))
            .header("Cookie", &session);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin:?}");
    }
    let response = client()
        .post(console.url("/login"))
        .header("Origin", "http://evil.example")
        .form(&[("username", "wang"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // The session survived the refused logouts.
    assert_eq!(console.get(&session, "/").await.0, StatusCode::OK);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let console = Console::start(MONDAY).await;
    let session = console.login("li").await;
    let (status, _) = console.post(&session, "/logout", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(console.get(&session, "/").await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn staff_are_refused_admin_actions_and_admins_are_not() {
    let console = Console::start(MONDAY).await;
    let staff = console.login("li").await;
    let (status, _) = console.post(&staff, "/remind/xinshancun", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let form = [
        ("op", "add_address"),
        ("unit", "bachiao"),
        ("value", "x@qq.com"),
    ];
    let (status, _) = console.post(&staff, "/roster", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = console.get(&staff, "/export?month=2026-11&tips=1").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = console.get(&staff, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("催办"), "no 催办 button for staff");
    // The admin chases once a day: a second click queues nothing.
    let admin = console.login("wang").await;
    let (_, body) = console.get(&admin, "/").await;
    assert!(body.contains(r#"hx-post="/remind/xinshancun""#), "{body}");
    let (status, body) = console.post(&admin, "/remind/xinshancun", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("已催办（xinshancun@example.gov.cn）"),
        "{body}"
    );
    let (_, body) = console.post(&admin, "/remind/xinshancun", &[]).await;
    assert!(body.contains("今天已催办过"), "{body}");
    let (_, body) = console.post(&admin, "/remind/tiaodeng", &[]).await;
    assert!(body.contains("已报送"), "{body}");
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'reminder'")
        .fetch_one(console.store.pool())
        .await
        .unwrap();
    assert_eq!(queued, 1);
}

#[tokio::test]
async fn the_summary_quarter_and_export_download() {
    let console = Console::start(MONDAY).await;
    let session = console.login("li").await;
    let (status, body) = console.get(&session, "/summary").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("已报 2 / 18 个单位"), "{body}");
    assert!(body.contains("各单位每月20日前报送"), "{body}");
    let (status, body) = console.get(&session, "/summary?quarter=2026-Q4").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("2026年第四季度") || body.contains("Q4"),
        "{body}"
    );
    let response = client()
        .get(console.url("/export?month=2026-11"))
        .header("Cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("summary-2026-11.xlsx")
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx (zip) file");
}
