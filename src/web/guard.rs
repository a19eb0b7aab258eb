//! The Origin check: every request that can change something (any method but GET, HEAD and
//! OPTIONS) must carry an `Origin` whose host and port are the `Host` the request was sent to.
//! Browsers send `Origin` on every POST, so a form or script on another site is refused (403)
//! even before the SameSite=Strict cookie would be. A missing Origin is refused too.
//!
//! Behind nginx or Caddy the proxy must pass the original `Host` (README shows how).

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn same_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || is_same_origin(request.headers()) {
        return next.run(request).await;
    }
    tracing::warn!(
        origin = ?request.headers().get(header::ORIGIN),
        host = ?request.headers().get(header::HOST),
        path = %request.uri().path(),
        "web console: cross-origin request refused"
    );
    (
        StatusCode::FORBIDDEN,
        super::layout::message_page("请求来源不对（跨站请求），已拒绝。请从本系统的页面操作。"),
    )
        .into_response()
}

/// Whether the `Origin` header names the same host and port as the `Host` header.
pub fn is_same_origin(headers: &HeaderMap) -> bool {
    let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    let Ok(origin) = url::Url::parse(origin) else {
        return false;
    };
    let Some(origin_host) = origin.host_str() else {
        return false;
    };
    let authority = match origin.port() {
        Some(port) => format!("{origin_host}:{port}"),
        None => origin_host.to_string(),
    };
    authority.eq_ignore_ascii_case(host) || default_port_matches(&origin, host)
}

/// `Host: example.org:443` and `Origin: https://example.org` name the same place.
fn default_port_matches(origin: &url::Url, host: &str) -> bool {
    match (origin.host_str(), origin.port_or_known_default()) {
        (Some(name), Some(port)) => host.eq_ignore_ascii_case(&format!("{name}:{port}")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(host));
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
        }
        headers
    }

    #[test]
    fn only_the_same_host_and_port_pass() {
        assert!(is_same_origin(&headers(
            Some("http://127.0.0.1:8080"),
            "127.0.0.1:8080"
        )));
        assert!(is_same_origin(&headers(
            Some("https://desk.example.gov.cn"),
            "desk.example.gov.cn"
        )));
        assert!(is_same_origin(&headers(
            Some("https://desk.example.gov.cn"),
            "desk.example.gov.cn:443"
        )));
        assert!(!is_same_origin(&headers(
            Some("http://evil.example"),
            "127.0.0.1:8080"
        )));
        assert!(!is_same_origin(&headers(
            Some("http://127.0.0.1:9999"),
            "127.0.0.1:8080"
        )));
        assert!(!is_same_origin(&headers(None, "127.0.0.1:8080")));
        assert!(!is_same_origin(&headers(Some("null"), "127.0.0.1:8080")));
    }
}
