//! The staff web console (SPEC §15), a task of `run` when `[web] enabled = true`.
//!
//! Pages are rendered on the server (maud) in plain Chinese and work on a phone; htmx is served
//! from a vendored file for the one-click actions; charts are SVG drawn on the server. The console
//! reads through the same query layer as `status` and the bot ([`crate::status`]) and writes
//! through the same intake and reminder queue as mail.
//!
//! Security: local users with Argon2id hashes ([`auth`]); a session cookie that is HttpOnly and
//! SameSite=Strict (and Secure when configured), backed by the `web_sessions` table; every
//! non-GET request must carry an `Origin` naming this host ([`guard`]); logins are rate-limited
//! per user and per address ([`limit`]); every change is written to `web_audit` in the
//! transaction of the change.
//!
//! # Layout
//! - [`auth`]: users, password hashes, sessions, the [`auth::Staff`] extractor, login/logout;
//!   [`staff`]: who is signed in (a [`staff::Staff`] with a [`staff::Role`]).
//! - [`guard`]: the Origin check. [`limit`]: the login rate limit.
//! - [`layout`]: the page frame and shared bits. [`board`]: the month's board.
//! - [`unit`] and [`chart`]: a unit's page and its SVG history chart.
//! - [`messages`]: the message log, with quarantined mail; [`actions`]: release it, and register
//!   an unknown sender and reprocess its mail; [`held`]: approve or reject held forms;
//!   [`verdict`]: the sender check as shown. [`health`]: the health panel.
//! - [`remind`]: 催办. [`summary`]: the summary, quarter, cases and export download.
//! - [`roster`] and [`roster_edit`]: the roster page and in-place edits of `units.toml`.
//! - [`upload`]: a form that came another way, through the same intake as mail.
//! - [`users`]: `reportdesk user add|passwd|remove`.

pub mod actions;
pub mod auth;
pub mod board;
pub mod chart;
pub mod guard;
pub mod health;
pub mod held;
pub mod layout;
pub mod limit;
pub mod messages;
pub mod remind;
pub mod roster;
pub mod roster_edit;
pub mod staff;
pub mod summary;
pub mod unit;
pub mod upload;
pub mod users;
pub mod verdict;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::Config;
use crate::store::{Store, StoreError};

/// What the console's handlers share: handles, not the application.
pub struct Web {
    pub store: Store,
    /// The settings; their roster is the daemon's own ([`crate::config::LiveRoster`]), so an
    /// edit saved here is what intake, reminders and the bot use from then on.
    config: Arc<Config>,
    pub clock: Clock,
    /// The delivery task's wake-up: woken whenever the console queued mail (催办, upload,
    /// release, reprocess), so it goes out now rather than at delivery's next look.
    pub outbox_ready: Arc<Notify>,
    /// The blank monthly template, attached to returns and reminders.
    pub template: Vec<u8>,
    pub limiter: Mutex<limit::LoginLimiter>,
    /// The console's own attachment reader process (SPEC §12) for uploads, set up as the app's.
    pub reader: crate::worker::Reader,
    /// Roster edits are made one at a time.
    pub roster_lock: tokio::sync::Mutex<()>,
    /// The daemon's DKIM checker (its key cache), so reprocessing checks senders as mail does.
    pub dkim: Option<crate::sender::DkimChecker>,
}

pub type Shared = Arc<Web>;

impl Web {
    /// `config` is a clone of the daemon's (sharing its roster); `outbox_ready` is the delivery
    /// task's wake-up ([`crate::app::App::outbox_ready`]).
    pub fn new(
        store: Store,
        config: Arc<Config>,
        clock: Clock,
        outbox_ready: Arc<Notify>,
    ) -> Shared {
        Arc::new(Self::build(store, config, clock, outbox_ready))
    }

    /// [`Web::new`] before it is shared, for the daemon to hand it its DKIM checker.
    pub fn build(
        store: Store,
        config: Arc<Config>,
        clock: Clock,
        outbox_ready: Arc<Notify>,
    ) -> Web {
        let template = crate::forms::template::monthly_template().unwrap_or_else(|error| {
            tracing::error!(%error, "web console: cannot build the blank template");
            Vec::new()
        });
        let reader = crate::worker::Reader::new(crate::worker::ReaderSettings::for_this_process(
            config.intake.worker_memory_mib,
            config.intake.worker_seconds,
            config.intake.limits.max_message_bytes,
        ));
        Self {
            reader,
            store,
            config,
            clock,
            outbox_ready,
            template,
            limiter: Mutex::new(limit::LoginLimiter::default()),
            roster_lock: tokio::sync::Mutex::new(()),
            dkim: None,
        }
    }

    /// The settings (their roster is read through [`crate::config::LiveRoster::current`]).
    pub fn config(&self) -> Arc<Config> {
        self.config.clone()
    }

    /// Wakes the delivery task: the caller has committed mail to the outbox.
    pub fn wake_delivery(&self) {
        self.outbox_ready.notify_one();
    }

    /// The intake pipeline over `config` (from [`Web::config`]), with the console's reader and
    /// the daemon's DKIM checker when it has one.
    pub fn intake<'a>(&'a self, config: &'a Config) -> crate::intake::Intake<'a> {
        let intake =
            crate::intake::Intake::new(config, self.store.clone(), &self.template, &self.reader);
        match &self.dkim {
            Some(checker) => intake.with_dkim(checker),
            None => intake,
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Today in the office's time zone (the date people see).
    pub fn today(&self) -> chrono::NaiveDate {
        self.config().office.zone.today(self.now())
    }
}

/// The largest upload taken (a form is a few hundred KB; intake has its own limits after).
const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

/// A handler's failure: logged in full, shown to the user as one line.
#[derive(Debug)]
pub enum WebError {
    Store(StoreError),
    NotFound(String),
    BadRequest(String),
    Forbidden,
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        WebError::Store(error)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, text) = match self {
            WebError::Store(error) => {
                tracing::error!(%error, "web console: database error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "数据库出错，详情见服务日志。".to_string(),
                )
            }
            WebError::Internal(error) => {
                tracing::error!(%error, "web console: internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "服务出错，详情见服务日志。".to_string(),
                )
            }
            WebError::NotFound(what) => (StatusCode::NOT_FOUND, format!("找不到：{what}")),
            WebError::BadRequest(what) => (StatusCode::BAD_REQUEST, what),
            WebError::Forbidden => (StatusCode::FORBIDDEN, "此操作仅限管理员。".to_string()),
        };
        (status, layout::message_page(&text)).into_response()
    }
}

/// Every route of the console.
pub fn router(web: Shared) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/htmx.min.js", get(htmx))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/", get(board::page))
        .route("/unit/{code}", get(unit::page))
        .route("/unit/{code}/raw/{message}", get(unit::raw_mail))
        .route("/messages", get(messages::page))
        .route("/messages/{id}/raw", get(messages::raw))
        .route("/messages/{id}/release", post(actions::release))
        .route("/messages/{id}/register", post(actions::register))
        .route("/messages/{id}/approve", post(held::approve))
        .route("/messages/{id}/reject", post(held::reject))
        .route("/remind/{code}", post(remind::chase))
        .route("/summary", get(summary::page))
        .route("/cases", get(summary::cases))
        .route("/export", get(summary::export))
        .route("/roster", get(roster::page).post(roster::change))
        .route(
            "/upload",
            get(upload::page)
                .post(upload::submit)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/health", get(health::page))
        .layer(axum::middleware::from_fn(guard::same_origin))
        .with_state(web)
}

async fn htmx() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("static/htmx.min.js"),
    )
}

/// Serves the console on `listener` until `cancel` fires; requests in flight are finished.
pub async fn serve(
    listener: tokio::net::TcpListener,
    web: Shared,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let app = router(web).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { cancel.cancelled().await })
        .await
}

/// Binds `[web] listen` and serves; the daemon's task.
pub async fn run(web: Shared, cancel: CancellationToken) {
    let listen = web.config().web.listen;
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, %listen, "web console: cannot listen; check [web] listen");
            return;
        }
    };
    tracing::info!(%listen, "web console listening");
    if let Err(error) = serve(listener, web, cancel).await {
        tracing::error!(%error, "web console stopped");
    }
}
