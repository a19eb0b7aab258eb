//! Sending the district's summary upward (汇总上报, SPEC §16): `reportdesk submit --month YYYY-MM`
//! mails the month's workbook (the city's copy: no internal sheet, no tip sources) to
//! `[office] upstream_address` through the outbox, once per month unless asked again. The mail
//! and its record are written in one transaction, so a crash never sends without a record or
//! records without sending. [`submit`] is the one entry point for the CLI, the web console and
//! the bot; [`status_lines`] shows what was sent.

pub mod letter;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::clock::local_text;
use crate::config::Config;
use crate::domain::fields::Field;
use crate::domain::period::Period;
use crate::export::{self, Audience};
use crate::forms::template::XLSX_CONTENT_TYPE;
use crate::replies::mime::{self, FileAttachment, MimeError, Outgoing};
use crate::replies::queue::{QueueError, queue_mail};
use crate::store::outbox::ReplyKind;
use crate::store::upstream::{self, NewUpstream, UpstreamRow};
use crate::store::{Store, StoreError};

#[derive(Debug, Error)]
pub enum SubmitError {
    #[error(
        "{path}: `[office] upstream_address` is not set: add the city office's mailbox there to send the summary upward"
    )]
    NoUpstream { path: PathBuf },
    #[error(
        "the {period} summary was already sent to {recipient} on {at} (sending {attempt}); add --again to send it once more"
    )]
    AlreadySent {
        period: Period,
        recipient: String,
        at: String,
        attempt: i64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot build the summary workbook for {period}: {message}")]
    Workbook { period: Period, message: String },
    #[error("cannot build the mail to {recipient}: {source}")]
    Mime {
        recipient: String,
        source: MimeError,
    },
}

/// A sending queued in the outbox.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Submitted {
    pub period: String,
    pub attempt: i64,
    pub recipient: String,
    pub subject: String,
    pub attachment: String,
    pub outbox_id: i64,
}

/// Queues the month's summary for the city. Refuses a second sending of a month unless `again`.
pub async fn submit(
    config: &Config,
    store: &Store,
    now: DateTime<Utc>,
    period: Period,
    again: bool,
) -> Result<Submitted, SubmitError> {
    let recipient =
        config
            .office
            .upstream_address
            .clone()
            .ok_or_else(|| SubmitError::NoUpstream {
                path: config.path.clone(),
            })?;
    let month = export::load(config, store, config.office.zone.today(now), period).await?;
    let workbook =
        export::render(&month, false, Audience::City).map_err(|e| SubmitError::Workbook {
            period,
            message: e.to_string(),
        })?;
    let mut tx = store.begin().await?;
    let earlier = upstream::of_period_tx(&mut tx, &period.to_string()).await?;
    if let (Some(last), false) = (earlier.last(), again) {
        return Err(SubmitError::AlreadySent {
            period,
            recipient: last.recipient.clone(),
            at: local_text(last.submitted_at, config.office.zone.tz()),
            attempt: last.attempt,
        });
    }
    let attempt = earlier.last().map_or(1, |last| last.attempt + 1);
    let letter = letter::Letter {
        office_name: &config.office.name,
        period,
        made_on: month.made_on,
        attempt,
        units: month.summary.units,
        reported: month.summary.reported,
        case_leads: month.summary.totals.get(Field::CaseLeads),
        cases: month.cases.len(),
        reporter: config.office.reporter.as_deref(),
        phone: config.office.phone.as_ref().map(|p| p.as_str()),
    };
    let subject = letter::subject(&letter);
    let attachment = letter::attachment_name(&letter);
    let key = format!("upstream:{period}:{attempt}");
    let secret = crate::store::installation::message_id_secret(&mut tx).await?;
    let message_id = mime::reply_message_id(
        &secret,
        &key,
        ReplyKind::Upstream.as_str(),
        &config.office.address,
    );
    let mail = Outgoing {
        from_name: &config.office.name,
        from_address: &config.office.address,
        to_address: &recipient,
        subject: &subject,
        body: &letter::body(&letter),
        in_reply_to: None,
        references: &[],
        message_id: &message_id,
        date: now,
        // Sent because a person asked for it (RFC 3834).
        auto_submitted: "no",
        attachment: Some(FileAttachment {
            name: &attachment,
            content_type: XLSX_CONTENT_TYPE,
            bytes: &workbook,
        }),
    };
    let outbox_id = match queue_mail(&mut tx, &mail, ReplyKind::Upstream, None).await {
        Ok(id) => id,
        Err(QueueError::Build(source)) => {
            return Err(SubmitError::Mime {
                recipient: recipient.clone(),
                source,
            });
        }
        Err(QueueError::Store(error)) => return Err(error.into()),
    };
    upstream::insert(
        &mut tx,
        &NewUpstream {
            period: &period.to_string(),
            attempt,
            recipient: &recipient,
            outbox_id,
            outgoing_id: &message_id,
            attachment: &attachment,
            submitted_at: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(%period, attempt, %recipient, "summary queued for the city");
    Ok(Submitted {
        period: period.to_string(),
        attempt,
        recipient,
        subject,
        attachment,
        outbox_id,
    })
}

/// The sendings of a month, for `status` (JSON).
pub async fn sendings(store: &Store, period: Period) -> Result<Vec<UpstreamRow>, StoreError> {
    upstream::of_period(store, &period.to_string()).await
}

/// `汇总上报：…` lines for `status`: not set up, not yet sent, or each sending and its state.
pub fn status_lines(config: &Config, rows: &[UpstreamRow]) -> String {
    if rows.is_empty() {
        return match &config.office.upstream_address {
            None => "汇总上报：未设置上报邮箱（[office] upstream_address）\n".to_string(),
            Some(to) => format!("汇总上报：尚未报送（reportdesk submit 报送至 {to}）\n"),
        };
    }
    rows.iter()
        .map(|row| {
            let state = match row.state.as_str() {
                "sent" => "已发出",
                "failed" => "发送失败",
                _ => "待发送",
            };
            format!(
                "汇总上报：第{}次 {} 报送至 {}，{state}\n",
                row.attempt,
                local_text(row.submitted_at, config.office.zone.tz()),
                row.recipient
            )
        })
        .collect()
}
