//! The commands that look after the installation: `notify test`, `user`, `quarantine`.

use std::path::Path;

use anyhow::{Context, Result};

use super::UserAction;
use crate::app::App;
use crate::clock::Clock;

/// `notify test`: one line to every `[[notify]]` robot; exit 1 unless every one took it.
pub(super) async fn notify_test(
    config: &Path,
    data_dir: Option<&Path>,
    clock: Clock,
) -> Result<i32> {
    let config = crate::config::Config::load(config, data_dir)
        .with_context(|| format!("cannot start with {}", config.display()))?;
    if config.notify.is_empty() {
        eprintln!(
            "reportdesk: {} has no [[notify]] tables; see README \"Group robots\"",
            config.path.display()
        );
        return Ok(1);
    }
    let probes = crate::notify::probe::test_all(
        &config.notify,
        &config.path,
        &config.office.name,
        clock.now(),
    )
    .await;
    for probe in &probes {
        let mark = if probe.ok { "ok  " } else { "FAIL" };
        println!("{mark} {}: {}", probe.channel, probe.said);
    }
    Ok(if probes.iter().all(|p| p.ok) { 0 } else { 1 })
}

pub(super) async fn user(app: &App, action: UserAction) -> Result<()> {
    use crate::web::{auth::Role, users};
    let now = app.now();
    match action {
        UserAction::Add { name, admin } => {
            let role = if admin { Role::Admin } else { Role::Staff };
            users::check_name(&name)?;
            users::add(&app.store, &name, role, users::read_password()?, now).await?;
            eprintln!("added {} user {name}", role.as_str());
        }
        UserAction::Passwd { name } => {
            users::passwd(&app.store, &name, users::read_password()?, now).await?;
            eprintln!("password of {name} changed; their sessions ended");
        }
        UserAction::Remove { name } => {
            users::remove(&app.store, &name, now).await?;
            eprintln!("removed {name}");
        }
    }
    Ok(())
}

/// `reportdesk quarantine list [--json]`.
pub(super) async fn quarantine_list(app: &App, json: bool) -> Result<()> {
    let list = crate::store::quarantine::list(&app.store).await?;
    if json {
        println!("{}", serde_json::to_string(&list)?);
    } else if list.is_empty() {
        println!("没有被隔离的邮件。");
    } else {
        print!("{}", crate::status::quarantine::render_text(&list));
    }
    Ok(())
}

/// `reportdesk quarantine release ID`.
pub(super) async fn quarantine_release(app: &App, id: i64) -> Result<()> {
    if !crate::store::quarantine::release(&app.store, id, app.now()).await? {
        anyhow::bail!(
            "message {id} is not quarantined (see `reportdesk quarantine list` for the ids)"
        );
    }
    println!(
        "released message {id}: a running daemon tries it again within {} s, else the next \
         pass (or start-up)",
        crate::store::quarantine::RELEASED_POLL.as_secs()
    );
    Ok(())
}
