//! 催办: an admin chases one unit that has not reported, through the reminder queue the bot's
//! `/remind` uses: the slot `manual:YYYY-MM-DD` is recorded in the same transaction as the mails,
//! so a unit is chased this way at most once a day, whoever clicks and however often.

use axum::extract::{Path, State};
use maud::{Markup, html};

use super::auth::Staff;
use super::{Shared, WebError};
use crate::domain::period::Period;
use crate::reminders::manual::{manual_kind, manual_slot};
use crate::reminders::run::{Queued, queue_reminder_with};
use crate::store::{StoreError, reminders, staff, submissions};

/// The board's button: htmx posts it and puts the answer in its place (a plain form post
/// without JavaScript).
pub fn button(code: &str) -> Markup {
    html! {
        form.inline method="post" action={ "/remind/" (code) }
            hx-post={ "/remind/" (code) } hx-target="this" hx-swap="outerHTML" {
            button type="submit" { "催办" }
        }
    }
}

/// What chasing one unit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chased {
    Queued { recipients: Vec<String> },
    AlreadyToday,
    AlreadyReported,
    NoWorkingAddress,
}

impl Chased {
    pub fn zh(&self) -> String {
        match self {
            Chased::Queued { recipients } => format!("已催办（{}）", recipients.join("、")),
            Chased::AlreadyToday => "今天已催办过".into(),
            Chased::AlreadyReported => "已报送，无需催办".into(),
            Chased::NoWorkingAddress => "没有可用邮箱，请电话催办".into(),
        }
    }
}

pub async fn chase(
    State(web): State<Shared>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Markup, WebError> {
    staff.require_admin()?;
    let outcome = chase_unit(&web, &staff, &code).await?;
    Ok(html! { span.chased { (outcome.zh()) } })
}

/// Queues a reminder to one unit for the period open today, unless it has reported or was
/// chased by hand today.
pub async fn chase_unit(web: &Shared, staff: &Staff, code: &str) -> Result<Chased, WebError> {
    let config = web.config();
    let unit = config
        .roster
        .by_code(code)
        .ok_or_else(|| WebError::NotFound(format!("单位 {code}")))?;
    let (now, today) = (web.now(), web.today());
    let period = Period::open_at(today);
    let reported = submissions::latest_for_period(&web.store, period)
        .await?
        .iter()
        .any(|s| s.unit_code == unit.code.as_str());
    if reported {
        return Ok(Chased::AlreadyReported);
    }
    let failing = reminders::failing_addresses(&web.store).await?;
    let (working, failed) = reminders::split_failing(&unit.addresses, &failing);
    if working.is_empty() {
        return Ok(Chased::NoWorkingAddress);
    }
    let item = Queued {
        unit: unit.code.to_string(),
        name: unit.name.clone(),
        period,
        slot: manual_slot(today),
        kind: manual_kind(today, config.schedule.deadline(period)),
        recipients: working.clone(),
        failing: failed,
    };
    let queued = queue_reminder_with(&web.store, &config, &web.template, &item, now).await?;
    if !queued {
        return Ok(Chased::AlreadyToday);
    }
    // Committed to the outbox: the delivery task sends it now, not at its next look.
    web.wake_delivery();
    let mut tx = web.store.begin().await?;
    staff::audit(
        &mut tx,
        now,
        &staff.name,
        "remind",
        code,
        &working.join(","),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Chased::Queued {
        recipients: working,
    })
}
