//! The commands that take mail in or send it: `ingest`, `reprocess`, `held`, `remind`, `submit`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::HeldAction;
use crate::app::App;
use crate::domain::period::Period;
use crate::inbound::Taken;
use crate::intake::Source;
use crate::reminders::run::Scheduler;

/// Queues the summary for the city and delivers it; a second sending without --again exits 1.
pub(super) async fn submit(app: &App, period: Period, again: bool) -> Result<i32> {
    let (config, store) = (&app.config, &app.store);
    match crate::submit::submit(config, store, app.now(), period, again).await {
        Ok(sent) => {
            crate::daemon::deliver_due(app).await?;
            println!("{}", serde_json::to_string(&sent)?);
            Ok(0)
        }
        Err(error @ crate::submit::SubmitError::AlreadySent { .. }) => {
            eprintln!("reportdesk: {error}");
            Ok(1)
        }
        Err(error) => Err(error.into()),
    }
}

pub(super) async fn ingest(app: &App, files: &[PathBuf]) -> Result<i32> {
    let intake = crate::daemon::intake(app);
    let mut unreadable = 0;
    let stdout = std::io::stdout();
    for file in files {
        let raw = match std::fs::read(file) {
            Ok(raw) => raw,
            Err(error) => {
                eprintln!("reportdesk: cannot read {}: {error}", file.display());
                unreadable += 1;
                continue;
            }
        };
        let name = file.to_string_lossy();
        let source = Source {
            kind: "file",
            name: &name,
        };
        let now = app.now();
        let report = intake
            .ingest(&raw, now, &source, now)
            .await
            .with_context(|| format!("cannot take in {}", file.display()))?;
        let mut out = stdout.lock();
        writeln!(out, "{}", report.to_json_line())?;
    }
    crate::daemon::deliver_due(app).await?;
    Ok(if unreadable > 0 { 1 } else { 0 })
}

pub(super) async fn reprocess(app: &App, id: i64) -> Result<i32> {
    let report = crate::daemon::intake(app).reprocess(id, app.now()).await?;
    println!("{}", report.to_json_line());
    crate::daemon::deliver_due(app).await?;
    Ok(0)
}

/// `reportdesk held [--json]`: the mail waiting for a sender decision.
async fn held_list(app: &App, json: bool) -> Result<()> {
    let list = crate::store::held::list(&app.store).await?;
    if json {
        println!("{}", serde_json::to_string(&list)?);
    } else if list.is_empty() {
        println!("没有待确认的报表邮件。");
    } else {
        print!(
            "{}",
            crate::status::held::render_text(&list, app.config.office.zone.tz())
        );
    }
    Ok(())
}

/// `held [--json]`, `held approve ID`, `held reject ID` (SPEC §13).
pub(super) async fn held(app: &App, action: Option<HeldAction>, json: bool) -> Result<i32> {
    match action {
        None => held_list(app, json).await?,
        Some(HeldAction::Approve { id }) => {
            let report = crate::daemon::intake(app)
                .approve_held(id, app.now(), "cli")
                .await?;
            println!("{}", report.to_json_line());
            crate::daemon::deliver_due(app).await?;
        }
        Some(HeldAction::Reject { id }) => {
            let rejected =
                crate::intake::held::reject(&app.config, &app.store, id, app.now(), "cli").await?;
            println!("{}", serde_json::to_string(&rejected)?);
            crate::daemon::deliver_due(app).await?;
        }
    }
    Ok(0)
}

pub(super) async fn remind(app: &App, dry_run: bool, json: bool) -> Result<()> {
    let report = crate::reminders::run::step(Scheduler::of(app), dry_run).await?;
    if !dry_run {
        crate::daemon::deliver_due(app).await?;
    }
    if json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    let verb = if dry_run { "due" } else { "queued" };
    println!("{}: {} reminders {verb}", report.now, report.queued.len());
    for item in &report.queued {
        println!(
            "  {} {} {} -> {}",
            item.name,
            item.period,
            item.slot,
            item.recipients.join(", ")
        );
    }
    for item in &report.superseded {
        println!(
            "  superseded (a later reminder replaces it): {} {}",
            item.name, item.slot
        );
    }
    for item in &report.no_address {
        println!(
            "  no working address, chase by phone: {} {}",
            item.name, item.slot
        );
    }
    if let Some(digest) = &report.digest {
        println!("\n{digest}");
    }
    Ok(())
}

/// Prints the ingest line of each message taken in (stdout), and what could not be read (stderr).
/// A closed stdout (the reader went away) is not a reason to stop the daemon: the lines are
/// dropped and intake goes on.
pub fn print_taken(taken: &Taken) {
    let mut out = std::io::stdout().lock();
    for report in &taken.reports {
        let _ = writeln!(out, "{}", report.to_json_line());
    }
    let _ = out.flush();
    let mut err = std::io::stderr().lock();
    for failure in &taken.failed {
        let _ = writeln!(err, "reportdesk: {failure}");
    }
}
