//! Who is asking: local users (Argon2id hashes), sessions in SQLite behind an HttpOnly,
//! SameSite=Strict cookie, the [`Staff`] extractor that sends anyone without a session to
//! `/login` (303), and the login and logout handlers.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use maud::html;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::limit::Verdict;
pub use super::staff::{Role, Staff};
use super::{Shared, WebError, layout};
use crate::store::staff;

/// The session cookie's name.
pub const COOKIE: &str = "reportdesk_session";
/// How long a session lasts after login.
pub const SESSION_HOURS: i64 = 12;
/// The longest user name or password looked at (Argon2 is not fed megabytes).
const MAX_CREDENTIAL_BYTES: usize = 256;

impl FromRequestParts<Shared> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Shared) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/login").into_response();
        let Some(token) = session_token(&parts.headers) else {
            return Err(to_login());
        };
        match staff::session_user(&web.store, &token_hash(&token), web.now()).await {
            Ok(Some(user)) => Ok(Staff {
                role: Role::parse(&user.role).unwrap_or(Role::Staff),
                name: user.name,
            }),
            Ok(None) => Err(to_login()),
            Err(error) => Err(WebError::from(error).into_response()),
        }
    }
}

/// The session token from the request's cookies, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> Result<String, WebError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| WebError::Internal(format!("no randomness for a session token: {e}")))?;
    Ok(hex::encode(bytes))
}

/// An Argon2id hash of a password, off the async threads.
pub async fn hash_password(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| format!("password hashing stopped: {e}"))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login_form() -> Response {
    login_page(StatusCode::OK, None)
}

fn login_page(status: StatusCode, problem: Option<&str>) -> Response {
    let body = html! {
        h1 { "登录" }
        @if let Some(problem) = problem { p.problem { (problem) } }
        form method="post" action="/login" {
            label { "用户名" input type="text" name="username" autocomplete="username" required; }
            label { "密码" input type="password" name="password" autocomplete="current-password" required; }
            button type="submit" { "登录" }
        }
    };
    (status, layout::bare("登录", body)).into_response()
}

pub async fn login(
    State(web): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let name = form.username.trim().to_string();
    let now = web.now();
    let verdict = web
        .limiter
        .lock()
        .map(|mut l| l.check(&name, peer.ip(), now))
        .unwrap_or(Verdict::Allowed);
    if let Verdict::Refused { retry_after } = verdict {
        let minutes = retry_after.num_minutes().max(1);
        let text = format!("登录失败次数过多，请 {minutes} 分钟后再试。");
        return Ok(login_page(StatusCode::TOO_MANY_REQUESTS, Some(&text)));
    }
    let user = if name.len() > MAX_CREDENTIAL_BYTES || form.password.len() > MAX_CREDENTIAL_BYTES {
        None
    } else {
        staff::user_by_name(&web.store, &name).await?
    };
    let accepted = match &user {
        Some(user) => verify(form.password, user.password_hash.clone()).await,
        None => false,
    };
    let Some(user) = user.filter(|_| accepted) else {
        if let Ok(mut limiter) = web.limiter.lock() {
            limiter.failed(&name, peer.ip(), now);
        }
        tracing::warn!(user = %name, peer = %peer.ip(), "web console: failed login");
        return Ok(login_page(
            StatusCode::UNAUTHORIZED,
            Some("用户名或密码不对。"),
        ));
    };
    if let Ok(mut limiter) = web.limiter.lock() {
        limiter.succeeded(&name);
    }
    let token = new_token()?;
    let expires = now + Duration::hours(SESSION_HOURS);
    staff::create_session(&web.store, &token_hash(&token), user.id, now, expires).await?;
    let mut tx = web.store.begin().await?;
    staff::audit(
        &mut tx,
        now,
        &user.name,
        "login",
        "",
        &peer.ip().to_string(),
    )
    .await?;
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION_HOURS * 3600,
        if web.config().web.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    let mut response = Redirect::to("/").into_response();
    let value = HeaderValue::from_str(&cookie)
        .map_err(|e| WebError::Internal(format!("session cookie: {e}")))?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(response)
}

/// Argon2 verification takes tens of milliseconds: keep it off the async threads.
async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .unwrap_or(false)
}

pub async fn logout(State(web): State<Shared>, headers: HeaderMap) -> Result<Response, WebError> {
    if let Some(token) = session_token(&headers) {
        staff::end_session(&web.store, &token_hash(&token)).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "reportdesk_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_session_cookie_is_read() {
        let mut headers = HeaderMap::new();
        let token = "ab".repeat(32);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("theme=dark; {COOKIE}={token}")).unwrap(),
        );
        assert_eq!(session_token(&headers), Some(token));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("reportdesk_session=../../etc"),
        );
        assert_eq!(session_token(&headers), None);
    }
}
