//! The commands that read and report: `status` (month, quarter, health block), `template`.

use std::path::Path;

use anyhow::{Context, Result};

use super::TemplateKind;
use crate::app::App;
use crate::domain::period::Period;

pub(super) fn template(kind: TemplateKind, output: &Path) -> Result<()> {
    let bytes = match kind {
        TemplateKind::Monthly => crate::forms::template::monthly_template()
            .context("cannot build the monthly template")?,
        TemplateKind::Case => {
            crate::forms::template::case_template().context("cannot build the case template")?
        }
    };
    std::fs::write(output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
    eprintln!("wrote {}", output.display());
    Ok(())
}

pub(super) async fn status(app: &App, month: Option<&str>, json: bool) -> Result<()> {
    let period = match month {
        Some(text) => Period::parse(text)
            .with_context(|| format!("--month {text:?}: expected YYYY-MM, e.g. 2026-11"))?,
        None => Period::open_at(app.today()),
    };
    let status = crate::status::load(&app.config, &app.store, period).await?;
    let today = app.today();
    let summary = crate::status::summary::load(&app.config, &app.store, period, today).await?;
    let sendings = crate::submit::sendings(&app.store, period).await?;
    let quarantined = crate::store::quarantine::list(&app.store).await?;
    let health = health(app).await?;
    let held = crate::store::held::list(&app.store).await?;
    if json {
        let mut value = serde_json::to_value(&status)?;
        value["checks"] = serde_json::to_value(&summary.checks)?;
        value["upstream"] = serde_json::to_value(&sendings)?;
        value["quarantined"] = serde_json::to_value(&quarantined)?;
        value["health"] = serde_json::to_value(&health)?;
        value["held"] = serde_json::to_value(&held)?;
        println!("{value}");
    } else {
        print!("{}", crate::status::render_text(&status));
        print!("{}", crate::status::summary::render_checks(&summary.checks));
        print!("{}", crate::submit::status_lines(&app.config, &sendings));
        print!("{}", crate::status::quarantine::render_text(&quarantined));
        print!("{}", crate::ops::health::render(&health));
        print!(
            "{}",
            crate::status::held::render_text(&held, app.config.office.zone.tz())
        );
    }
    Ok(())
}

pub(super) async fn health(app: &App) -> Result<crate::ops::health::Health> {
    let facts = crate::ops::health::facts(&app.store, app.now()).await?;
    Ok(crate::ops::health::judge(
        &facts,
        app.config.office.zone.tz(),
    ))
}

pub(super) async fn quarter_status(app: &App, quarter: &str, json: bool) -> Result<()> {
    let quarter = crate::domain::quarter::Quarter::parse(quarter)?;
    let today = app.today();
    let summary =
        crate::status::summary::load_quarter(&app.config, &app.store, quarter, today).await?;
    if json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print!("{}", crate::status::summary::render_quarter(&summary));
    }
    Ok(())
}
