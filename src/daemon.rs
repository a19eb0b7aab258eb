//! `run`: one task per job (inbound intake, outbox delivery, reminders, the chat bot) under one
//! cancellation token.
//! SIGINT or SIGTERM cancels the token; each task notices it between messages, so the message in
//! hand is finished and committed, and the daemon exits within a few seconds.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::app::{App, PassSummary};
use crate::config::Inbound;

/// How long the tasks get to finish after a signal before the daemon exits anyway.
const GRACE: Duration = Duration::from_secs(5);

pub async fn run(app: App, once: bool) -> Result<()> {
    if once {
        let summary = app.pass().await?;
        print_reports(&summary);
        return Ok(());
    }
    let app = Arc::new(app);
    let cancel = CancellationToken::new();
    let tasks = TaskTracker::new();
    let released = crate::store::outbox::release_claimed(&app.store, app.now()).await?;
    if released > 0 {
        tracing::warn!(
            released,
            "replies left mid-send by a stopped daemon are due again"
        );
    }
    crate::inbound::resume_unfinished(&app, &mut PassSummary::default()).await?;
    let transport = app.transport()?;
    {
        let (app, cancel) = (app.clone(), cancel.clone());
        tasks.spawn(async move { crate::delivery::run(&app, transport, cancel).await });
    }
    if app.config.send_reminders {
        let (app, cancel) = (app.clone(), cancel.clone());
        tasks.spawn(async move { crate::reminders::run::run(&app, cancel).await });
    }
    if app.config.bot.enabled {
        let bot = crate::bot::connect(&app)?;
        let (app, cancel) = (app.clone(), cancel.clone());
        tasks.spawn(async move { crate::bot::run(app, bot, cancel).await });
    }
    match app.config.inbound.clone() {
        Inbound::Maildir => {
            let (app, cancel) = (app.clone(), cancel.clone());
            tasks.spawn(async move { crate::inbound::maildir::run(&app, cancel).await });
        }
        Inbound::Imap(settings) => {
            let password = app.secret(&settings.password_env, "inbound.password_env")?;
            let (app, cancel) = (app.clone(), cancel.clone());
            tasks.spawn(async move {
                crate::inbound::imap::run(&app, &settings, &password, cancel).await
            });
        }
    }
    tasks.close();
    tracing::info!(data_dir = %app.config.data_dir.display(), "reportdesk running");
    tokio::select! {
        () = shutdown_signal() => tracing::info!("stopping"),
        () = tasks.wait() => tracing::error!("every task ended on its own"),
    }
    cancel.cancel();
    if tokio::time::timeout(GRACE, tasks.wait()).await.is_err() {
        tracing::warn!("tasks still busy after {} s; exiting", GRACE.as_secs());
    }
    app.store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Prints the ingest line of each message taken in, and what could not be read.
pub fn print_reports(summary: &PassSummary) {
    for report in &summary.reports {
        println!("{}", report.to_json_line());
    }
    for failure in &summary.failed {
        eprintln!("reportdesk: {failure}");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
