//! The staff chat bot (SPEC §8), a task of `run`: long polling through teloxide against the
//! Bot API at `[bot] api_url`, answering the configured staff and admins only, and carrying the
//! staff digests of the reminders to the `[bot] chats`.
//!
//! - [`ask`]: what a message asks (commands and plain Chinese), pure.
//! - [`answers`]: the answers as text, pure; [`text`]: escaping and splitting.
//! - [`access`]: who is answered, and what group chats may see.
//! - [`handle`]: the handler tree over the shared status layer.
//! - [`held`]: `/held`, `/approve ID`, `/reject ID` for held mail (SPEC §13).
//!
//! The dispatcher has no Ctrl-C handler of its own: the daemon's cancellation token stops it
//! through its shutdown token.

pub mod access;
pub mod answers;
pub mod ask;
pub mod handle;
pub mod held;
pub mod text;

#[cfg(test)]
mod answers_tests;

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use teloxide::dispatching::ShutdownToken;
use teloxide::prelude::*;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::app::{App, AppError};
use crate::store::reminders;

/// A digest older than this when the bot first sees it is not sent (the bot was off then).
const DIGEST_FRESH_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// How often recorded digests are looked for besides being woken.
const DIGEST_POLL: Duration = Duration::from_secs(60);
/// The pause before the dispatcher is started again after it could not start.
const RESTART_PAUSE: Duration = Duration::from_secs(10);

type DispatchOutcome = Result<(), teloxide::RequestError>;

/// Builds the bot from the config and the token's environment variable: a start-up error when
/// the token is missing or the HTTP client cannot be built.
pub fn connect(config: &crate::config::Config) -> Result<Bot, AppError> {
    let token = crate::config::read_secret(&config.path, &config.bot.token_env, "bot.token_env")?;
    let client = teloxide::net::default_reqwest_settings()
        .build()
        .map_err(|e| AppError::Bot(format!("cannot build the HTTP client: {e}")))?;
    Ok(Bot::with_client(token.expose_secret(), client).set_api_url(config.bot.api_url.clone()))
}

/// The bot task: dispatches updates and forwards staff digests until `cancel`.
pub async fn run(app: Arc<App>, bot: Bot, cancel: CancellationToken) {
    tracing::info!(api = %app.config.bot.api_url, "chat bot polling");
    tokio::join!(
        dispatch_until_cancelled(&app, &bot, &cancel),
        forward_digests(&app, &bot, &cancel)
    );
    tracing::info!("chat bot stopped");
}

/// Long polling until `cancel`; when the Bot API cannot be reached at start (getMe fails), tries
/// again after a pause instead of leaving the daemon without its bot.
async fn dispatch_until_cancelled(app: &Arc<App>, bot: &Bot, cancel: &CancellationToken) {
    loop {
        let mut dispatcher = Dispatcher::builder(bot.clone(), handle::schema())
            .dependencies(dptree::deps![app.clone()])
            .default_handler(|_| async {})
            .build();
        let shutdown = dispatcher.shutdown_token();
        let listener_bot = bot.clone();
        let mut dispatching = tokio::spawn(async move {
            let listener = teloxide::update_listeners::polling_default(listener_bot).await;
            let on_error = LoggingErrorHandler::with_custom_text("Bot API polling failed");
            dispatcher
                .try_dispatch_with_listener(listener, on_error)
                .await
        });
        tokio::select! {
            () = cancel.cancelled() => return stop_dispatcher(&shutdown, dispatching).await,
            outcome = &mut dispatching => match outcome {
                Ok(Err(error)) => tracing::warn!(%error, "cannot reach the Bot API; trying again"),
                _ => tracing::error!("the chat bot stopped on its own; starting it again"),
            },
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(RESTART_PAUSE) => {}
        }
    }
}

/// Stops the dispatcher through its shutdown token and waits for it. Before it has started
/// dispatching (still asking getMe) the token refuses, and there is nothing to finish: the task
/// is aborted.
async fn stop_dispatcher(shutdown: &ShutdownToken, dispatching: JoinHandle<DispatchOutcome>) {
    match shutdown.shutdown() {
        Ok(done) => done.await,
        Err(_) => dispatching.abort(),
    }
    let _ = dispatching.await;
}

async fn forward_digests(app: &App, bot: &Bot, cancel: &CancellationToken) {
    loop {
        if let Err(error) = send_digests(app, bot).await {
            tracing::warn!(%error, "cannot send the staff digest to the chats; trying again later");
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = app.digest_ready.notified() => {}
            () = tokio::time::sleep(DIGEST_POLL) => {}
        }
    }
}

/// Sends each recorded digest not yet handled to every staff chat, then marks it handled.
async fn send_digests(app: &App, bot: &Bot) -> Result<(), handle::BotError> {
    for digest in reminders::digests_for_chats(&app.store).await? {
        if app.now() - digest.created_at <= DIGEST_FRESH_FOR {
            let html = answers::digest(&digest.text);
            for chat in &app.config.bot.chats {
                handle::send(bot, ChatId(*chat), &html).await?;
            }
        }
        reminders::digest_chats_done(&app.store, &digest.period, &digest.slot, app.now()).await?;
        tracing::info!(period = %digest.period, slot = %digest.slot, "staff digest sent to the chats");
    }
    Ok(())
}
