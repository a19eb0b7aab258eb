//! `run`: passes over the mailboxes until SIGINT or SIGTERM. A signal is noticed between
//! messages, so the message in hand is always finished (and committed) before the exit.

use std::time::Duration;

use anyhow::Result;

use crate::app::App;

/// How often the local Maildir is looked at.
const MAILDIR_POLL: Duration = Duration::from_secs(5);

pub async fn run(app: &App, once: bool) -> Result<()> {
    if once {
        let summary = app.pass().await?;
        print_summary(&summary);
        return Ok(());
    }
    tracing::info!(data_dir = %app.config.data_dir.display(), "reportdesk running");
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        let summary = app.pass().await?;
        if !summary.reports.is_empty() || summary.replies_delivered > 0 {
            print_summary(&summary);
        }
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(MAILDIR_POLL) => {}
        }
    }
    tracing::info!("stopped");
    app.store.close().await;
    Ok(())
}

fn print_summary(summary: &crate::app::PassSummary) {
    for report in &summary.reports {
        println!("{}", report.to_json_line());
    }
    for failure in &summary.failed {
        eprintln!("reportdesk: {failure}");
    }
    tracing::info!(
        messages = summary.reports.len(),
        replies = summary.replies_delivered,
        "pass done"
    );
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
