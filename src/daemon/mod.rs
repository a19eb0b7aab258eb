//! `run`: one task per job (inbound intake, outbox delivery, reminders, the chat bot, the group
//! robots' dispatch and the mailbox watchdog) under one cancellation token; [`pass`]: the one pass
//! of `run --once` and `demo`, and the transports. Each task is handed the handles it uses; what
//! the inbound tasks take in goes to the caller's `on_taken` (the CLI prints it).
//! SIGINT or SIGTERM cancels the token; each task notices it between messages, so the message in
//! hand is finished and committed, and the daemon exits within a few seconds.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub mod pass;

pub use pass::{PassError, PassSummary, deliver_due, inbox, intake, pass, transport};

use crate::app::App;
use crate::config::Inbound;
use crate::inbound::Taken;

/// How long the tasks get to finish after a signal before the daemon exits anyway.
const GRACE: Duration = Duration::from_secs(5);

/// Runs the daemon until a signal (or, with `once`, makes one pass); `on_taken` is called with
/// what each round of intake took in.
pub async fn run(app: App, once: bool, on_taken: fn(&Taken)) -> Result<()> {
    if once {
        let summary = pass(&app).await?;
        on_taken(&Taken {
            reports: summary.reports,
            failed: summary.failed,
        });
        return Ok(());
    }
    let app = Arc::new(app);
    let cancel = CancellationToken::new();
    let tasks = TaskTracker::new();
    pass::resume_unfinished(&app, &pass::inlet(&app), &mut Taken::default()).await?;
    let transport = transport(&app)?;
    {
        let (app, cancel) = (app.clone(), cancel.clone());
        tasks.spawn(async move {
            let retry = pass::retry_policy(&app.config);
            let idle_check = Duration::from_secs(app.config.outbox_check_seconds);
            crate::delivery::run(
                &app.store,
                transport,
                &app.clock,
                retry,
                &app.outbox_ready,
                idle_check,
                cancel,
            )
            .await;
        });
    }
    if app.config.send_reminders {
        let (app, cancel) = (app.clone(), cancel.clone());
        tasks.spawn(async move {
            crate::reminders::run::run(crate::reminders::run::Scheduler::of(&app), cancel).await
        });
    }
    if !app.config.notify.is_empty() {
        let dispatcher = crate::notify::dispatch::Dispatcher::connect(
            &app.config.notify,
            &app.config.path,
            app.store.clone(),
            app.clock,
            app.config.office.zone.tz(),
        )?;
        tasks.spawn(dispatcher.run(cancel.clone()));
    }
    if app.config.dingtalk.enabled {
        let credentials = crate::notify::stream::Credentials {
            client_id: app.secret(&app.config.dingtalk.client_id_env, "dingtalk.client_id_env")?,
            client_secret: app.secret(
                &app.config.dingtalk.client_secret_env,
                "dingtalk.client_secret_env",
            )?,
        };
        let (app, cancel) = (app.clone(), cancel.clone());
        tasks.spawn(crate::notify::stream::run(app, credentials, cancel));
    }
    if let Some(settings) = app.config.backup.clone() {
        let (app, cancel) = (app.clone(), cancel.clone());
        tasks.spawn(async move {
            crate::ops::backup::nightly::run(&app.store, &app.config, &app.clock, settings, cancel)
                .await
        });
    }
    if app.config.bot.enabled {
        let bot = crate::bot::connect(&app.config)?;
        let (app, cancel) = (app.clone(), cancel.clone());
        tasks.spawn(async move { crate::bot::run(app, bot, cancel).await });
    }
    if app.config.web.enabled {
        // The console shares the daemon's roster (a clone of the config shares its live
        // roster) and its delivery wake-up.
        let mut web = crate::web::Web::build(
            app.store.clone(),
            Arc::new(app.config.clone()),
            app.clock,
            app.outbox_ready.clone(),
        );
        web.dkim = Some(app.dkim.clone());
        let web = Arc::new(web);
        let cancel = cancel.clone();
        tasks.spawn(async move { crate::web::run(web, cancel).await });
    }
    {
        // `quarantine release ID` from another process: taken at the next look, not next start.
        let (app, cancel) = (app.clone(), cancel.clone());
        tasks.spawn(async move { pass::watch_released(&app, &on_taken, cancel).await });
    }
    match app.config.inbound.clone() {
        Inbound::Maildir => {
            let inbox = app.config.data_dir.join(pass::INBOX);
            let (app, cancel) = (app.clone(), cancel.clone());
            tasks.spawn(async move {
                crate::inbound::maildir::run(&pass::inlet(&app), &inbox, &on_taken, cancel).await;
            });
        }
        Inbound::Imap(settings) => {
            let password = pass::imap_password(&app, &settings.password_env)?;
            let health = crate::notify::health::MailboxHealth::default();
            if !app.config.notify.is_empty() {
                let (store, health, clock) = (app.store.clone(), health.clone(), app.clock);
                let started = std::time::Instant::now();
                let now = move || crate::notify::dispatch::running_clock(clock, started);
                tasks.spawn(crate::notify::health::run(
                    store,
                    health,
                    now,
                    cancel.clone(),
                ));
            }
            let (app, cancel) = (app.clone(), cancel.clone());
            tasks.spawn(async move {
                let inlet = pass::inlet(&app);
                crate::inbound::imap::run(&inlet, &settings, &password, &health, &on_taken, cancel)
                    .await;
            });
        }
    }
    tasks.close();
    tracing::info!(data_dir = %app.config.data_dir.display(), "reportdesk running");
    tokio::select! {
        () = shutdown_signal() => tracing::info!("stopping"),
        () = tasks.wait() => tracing::error!("every task ended on its own"),
    }
    // A worker busy on a message is killed now, so no task waits on it.
    app.reader.stop();
    cancel.cancel();
    if tokio::time::timeout(GRACE, tasks.wait()).await.is_err() {
        tracing::warn!("tasks still busy after {} s; exiting", GRACE.as_secs());
    }
    app.store.close().await;
    tracing::info!("stopped");
    Ok(())
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
