//! The staff web console over real HTTP: the server from the library on a loopback port 0, a
//! fresh data dir per test, forms taken in through the same intake as mail, and requests made
//! with reqwest (no redirects followed, cookies handled by hand, so every status is seen).
//! `browser` and `browser_actions` drive the same server from headless Chromium; `daemon` runs
//! the binary's `run` with the console on; `users` runs `reportdesk user`; `upload` takes forms
//! in with the receipt ticked and not.

#[allow(dead_code)]
#[path = "../e2e/support.rs"]
mod support;

mod actions;
mod browser;
mod browser_actions;
mod daemon;
#[allow(dead_code)]
#[path = "../common/guard.rs"]
mod guard;
mod held;
#[path = "../common/held_mail.rs"]
mod held_mail;
mod http;
mod pages;
mod upload;
mod users;

use std::sync::Arc;

use reportdesk::clock::Clock;
use reportdesk::web::{self, auth::Role};
use reqwest::StatusCode;
use support::{TestEnv, at, fixtures, ingest, message, project};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Monday 16 November 2026, 10:00 in Shanghai: the November form is due on Friday the 20th.
pub const MONDAY: &str = "2026-11-16T10:00:00+08:00";
pub const PASSWORD: &str = "correct horse battery";

/// A console served on a loopback port for one test; stopped when dropped.
pub struct Console {
    pub env: TestEnv,
    pub base: String,
    pub store: reportdesk::store::Store,
    /// The console's delivery wake-up (a test may run a delivery task on it).
    pub outbox_ready: Arc<Notify>,
    cancel: CancellationToken,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Drop for Console {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

impl Console {
    /// Two November forms in (跳磴镇, 八桥镇), users `li` (staff) and `wang` (admin), served at `now`.
    pub async fn start(now: &str) -> Console {
        let env = TestEnv::new();
        seed(&env).await;
        Console::start_in(env, now).await
    }

    pub async fn start_in(env: TestEnv, now: &str) -> Console {
        let app = env.app(now).await;
        for (name, role) in [("li", Role::Staff), ("wang", Role::Admin)] {
            web::users::add(&app.store, name, role, PASSWORD.into(), at(now))
                .await
                .expect("user added");
        }
        let state = web::Web::new(
            app.store.clone(),
            Arc::new(app.config.clone()),
            Clock::Fixed(at(now)),
            app.outbox_ready.clone(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let cancel = CancellationToken::new();
        let server = tokio::spawn(web::serve(listener, state, cancel.clone()));
        Console {
            env,
            base,
            store: app.store.clone(),
            outbox_ready: app.outbox_ready.clone(),
            cancel,
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Logs `user` in; returns the `Cookie` header value of the session.
    pub async fn login(&self, user: &str) -> String {
        let response = client()
            .post(self.url("/login"))
            .header("Origin", &self.base)
            .form(&[("username", user), ("password", PASSWORD)])
            .send()
            .await
            .expect("login answers");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/");
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .expect("ASCII cookie")
            .to_string();
        cookie.split(';').next().expect("name=value").to_string()
    }

    /// GET as the session `cookie`; returns status and body.
    pub async fn get(&self, cookie: &str, path: &str) -> (StatusCode, String) {
        let response = client()
            .get(self.url(path))
            .header("Cookie", cookie)
            .send()
            .await
            .expect("answers");
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// A same-origin form POST as the session `cookie`.
    pub async fn post(
        &self,
        cookie: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let response = client()
            .post(self.url(path))
            .header("Cookie", cookie)
            .header("Origin", &self.base)
            .form(form)
            .send()
            .await
            .expect("answers");
        let status = response.status();
        (status, response.text().await.expect("body"))
    }
}

/// A client that follows no redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Two November forms, from 跳磴镇 (tiaodeng) and 八桥镇 (bachiao), taken in on 10 November.
pub async fn seed(env: &TestEnv) {
    let app = env.app("2026-11-10T10:00:00+08:00").await;
    for (file, from, id) in [
        (
            "f01-official-tiaodeng.xlsx",
            "tiaodeng@example.gov.cn",
            "t@x",
        ),
        ("f02-vertical-bachiao.xlsx", "bachiao@example.gov.cn", "b@x"),
    ] {
        let form = std::fs::read(fixtures().join("forms").join(file)).expect("fixture");
        let raw = message(from, "11月报表", id, &[(file, &form)]);
        let line = ingest(&app, &raw, file, "2026-11-10T10:00:00+08:00").await;
        assert_eq!(line["outcome"], "accepted", "{line}");
    }
    app.store.close().await;
}

/// The roster copied into the test's dir, so editing it leaves the checkout alone.
pub fn with_writable_roster(env: &TestEnv) {
    let copy = env.dir.path().join("config/units.toml");
    std::fs::copy(project().join("config/units.toml"), &copy).expect("roster copied");
    let text = std::fs::read_to_string(&env.config_path).expect("config");
    let shipped = format!(
        "roster = {:?}",
        project().join("config/units.toml").display().to_string()
    );
    assert!(text.contains(&shipped), "{text}");
    let text = text.replace(
        &shipped,
        &format!("roster = {:?}", copy.display().to_string()),
    );
    std::fs::write(&env.config_path, text).expect("config written");
}
