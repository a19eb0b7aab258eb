//! The staff chat bot (SPEC §8), a task of `run`: long polling through teloxide against the
//! Bot API at `[bot] api_url`, answering the configured staff and admins only, and carrying the
//! staff digests of the reminders to the `[bot] chats`.
//!
//! - [`ask`]: what a message asks (commands and plain Chinese), pure.
//! - [`answers`]: the answers as text, pure; [`text`]: escaping and splitting.
//! - [`access`]: who is answered, and what group chats may see.
//! - [`handle`]: the handler tree over the shared status layer.
//!
//! The dispatcher has no Ctrl-C handler of its own: the daemon's cancellation token stops it
//! through its shutdown token.

pub mod access;
pub mod answers;
pub mod ask;
pub mod handle;
pub mod text;

#[cfg(test)]
mod answers_tests;

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use teloxide::dispatching::ShutdownToken;
use teloxide::prelude::*;
use tokio_util::sync::CancellationToken;

use crate::app::{App, AppError};
use crate::store::reminders;

/// A digest older than this when the bot first sees it is not sent (the bot was off then).
const DIGEST_FRESH_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// How often recorded digests are looked for besides being woken.
const DIGEST_POLL: Duration = Duration::from_secs(60);

/// Builds the bot from the config and the token's environment variable: a start-up error when
/// the token is missing or the HTTP client cannot be built.
pub fn connect(app: &App) -> Result<Bot, AppError> {
    let token = app.secret(&app.config.bot.token_env, "bot.token_env")?;
    let client = teloxide::net::default_reqwest_settings()
        .build()
        .map_err(|e| AppError::Bot(format!("cannot build the HTTP client: {e}")))?;
    Ok(Bot::with_client(token.expose_secret(), client).set_api_url(app.config.bot.api_url.clone()))
}

/// The bot task: dispatches updates and forwards staff digests until `cancel`.
pub async fn run(app: Arc<App>, bot: Bot, cancel: CancellationToken) {
    let mut dispatcher = Dispatcher::builder(bot.clone(), handle::schema())
        .dependencies(dptree::deps![app.clone()])
        .default_handler(|_| async {})
        .build();
    let shutdown = dispatcher.shutdown_token();
    let mut dispatching = tokio::spawn(async move { dispatcher.dispatch().await });
    tracing::info!(api = %app.config.bot.api_url, "chat bot polling");
    let stop = async {
        tokio::select! {
            () = cancel.cancelled() => stop_dispatcher(&shutdown).await,
            _ = &mut dispatching => tracing::error!("the chat bot stopped on its own"),
        }
    };
    tokio::join!(stop, forward_digests(&app, &bot, &cancel));
    if !dispatching.is_finished() {
        let _ = dispatching.await;
    }
    tracing::info!("chat bot stopped");
}

/// Asks the dispatcher to stop; it refuses until it has started dispatching, so ask again.
async fn stop_dispatcher(shutdown: &ShutdownToken) {
    for _ in 0..100 {
        match shutdown.shutdown() {
            Ok(done) => return done.await,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    tracing::warn!("the chat bot did not start dispatching; leaving it");
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
