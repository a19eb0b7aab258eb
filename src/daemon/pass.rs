//! The orchestration of one pass (`run --once`, `demo`, `ingest`'s delivery): the transports
//! built from the configuration, the messages a crash left half done, the inbound mailbox, then
//! the replies that are due. The daemon's start-up in [`super::run`] repeats only the first
//! steps, through the same functions.

use secrecy::SecretString;
use thiserror::Error;

use crate::app::{App, AppError};
use crate::config::{Config, Inbound, Outbound};
use crate::delivery::{self, RetryPolicy, Transport};
use crate::inbound::{self, InboundError, Inlet, Taken};
use crate::intake::report::IngestReport;
use crate::intake::{Intake, Source};
use crate::mail::maildir::{Maildir, MaildirError};
use crate::net::smtp_client::{Smtp, SmtpError};
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum PassError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Inbound(#[from] InboundError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Maildir(#[from] MaildirError),
    #[error(transparent)]
    Smtp(#[from] SmtpError),
}

/// What one pass over the mailboxes did.
#[derive(Debug, Default)]
pub struct PassSummary {
    pub reports: Vec<IngestReport>,
    pub failed: Vec<String>,
    pub replies_delivered: usize,
}

/// The intake pipeline over the app's configuration, database and template.
pub fn intake(app: &App) -> Intake<'_> {
    Intake::new(&app.config, app.store.clone(), &app.template, &app.reader).with_dkim(&app.dkim)
}

/// The inbound side's handles, borrowed from the app.
pub fn inlet(app: &App) -> Inlet<'_> {
    Inlet {
        intake: intake(app),
        store: &app.store,
        clock: &app.clock,
        outbox_ready: &app.outbox_ready,
    }
}

/// The local inbox Maildir under the data dir (the embedded default inbound).
pub const INBOX: &str = "mail/inbox";

/// The local inbox Maildir.
pub fn inbox(config: &Config) -> Result<Maildir, MaildirError> {
    Maildir::open(&config.data_dir.join(INBOX))
}

/// The configured outbound transport.
pub fn transport(app: &App) -> Result<Transport, PassError> {
    match &app.config.outbound {
        Outbound::Maildir => Ok(Transport::Maildir(Maildir::open(
            &app.config.data_dir.join("mail/outbox"),
        )?)),
        Outbound::Smtp(settings) => {
            let password = app.secret(&settings.password_env, "outbound.password_env")?;
            Ok(Transport::Smtp(Smtp::new(
                settings,
                &password,
                &app.config.office.address,
                app.config.sending,
            )?))
        }
    }
}

/// The configured wait before a failed reply is tried again.
pub fn retry_policy(config: &Config) -> RetryPolicy {
    RetryPolicy::from_base_seconds(config.retry_base_seconds)
}

/// The inbound IMAP password, when the inbound is IMAP.
pub fn imap_password(app: &App, password_env: &str) -> Result<SecretString, AppError> {
    app.secret(password_env, "inbound.password_env")
}

/// Delivers every reply due now through the configured transport; returns how many went out.
pub async fn deliver_due(app: &App) -> Result<usize, PassError> {
    let transport = transport(app)?;
    Ok(delivery::deliver_due(&app.store, &transport, app.now(), retry_policy(&app.config)).await?)
}

/// One pass: finish messages a crash left half done, take in everything waiting in the
/// inbound mailbox, and deliver the replies that are due: those queued by this pass as its
/// batches commit (beside the intake), and then the rest.
pub async fn pass(app: &App) -> Result<PassSummary, PassError> {
    let transport = transport(app)?;
    let inlet = inlet(app);
    let mut taken = Taken::default();
    let intake = async {
        resume_unfinished(app, &inlet, &mut taken).await?;
        match &app.config.inbound {
            Inbound::Maildir => {
                inbound::maildir::pass(&inlet, &inbox(&app.config)?, &mut taken).await?
            }
            Inbound::Imap(settings) => {
                let password = imap_password(app, &settings.password_env)?;
                inbound::imap::pass(&inlet, settings, &password, &mut taken).await?;
            }
        }
        Ok(())
    };
    let (taken_in, delivered) = deliver_beside(app, &transport, intake).await;
    taken_in?;
    Ok(PassSummary {
        reports: taken.reports,
        failed: taken.failed,
        replies_delivered: delivered?,
    })
}

/// Runs `intake` while delivering the replies it queues (woken by the app's `outbox_ready`
/// after each batch with a reply), then delivers what is due once it is done.
async fn deliver_beside(
    app: &App,
    transport: &Transport,
    intake: impl std::future::Future<Output = Result<(), PassError>>,
) -> (Result<(), PassError>, Result<usize, PassError>) {
    let finished = std::sync::atomic::AtomicBool::new(false);
    let intake = async {
        let result = intake.await;
        finished.store(true, std::sync::atomic::Ordering::SeqCst);
        app.outbox_ready.notify_one();
        result
    };
    let retry = retry_policy(&app.config);
    let delivering = async {
        let mut sent = 0;
        loop {
            let last = finished.load(std::sync::atomic::Ordering::SeqCst);
            sent += delivery::deliver_due(&app.store, transport, app.now(), retry).await?;
            if last {
                return Ok(sent);
            }
            app.outbox_ready.notified().await;
        }
    };
    tokio::join!(intake, delivering)
}

/// Finishes messages that were recorded but not processed (the daemon stopped in between).
pub async fn resume_unfinished(
    app: &App,
    inlet: &Inlet<'_>,
    taken: &mut Taken,
) -> Result<(), PassError> {
    let rows = crate::store::messages::unfinished(&app.store).await?;
    take_stored(app, inlet, rows, taken).await;
    Ok(())
}

/// Takes in the messages released from quarantine since they were last tried (`reportdesk
/// quarantine release ID`, run beside the daemon), until `cancel`; every
/// [`crate::store::quarantine::RELEASED_POLL`].
pub async fn watch_released(
    app: &App,
    on_taken: &(dyn Fn(&Taken) + Send + Sync),
    cancel: tokio_util::sync::CancellationToken,
) {
    let inlet = inlet(app);
    loop {
        let mut taken = Taken::default();
        match crate::store::quarantine::released_untried(&app.store).await {
            Ok(ids) => {
                let mut rows = Vec::with_capacity(ids.len());
                for id in ids {
                    match crate::store::messages::by_id(&app.store, id).await {
                        Ok(Some(row)) => rows.push(row),
                        Ok(None) => {}
                        Err(error) => tracing::error!(%error, id, "cannot read a released message"),
                    }
                }
                if !rows.is_empty() {
                    tracing::info!(
                        count = rows.len(),
                        "taking in messages released from quarantine"
                    );
                }
                take_stored(app, &inlet, rows, &mut taken).await;
            }
            Err(error) => tracing::error!(%error, "cannot look for released messages"),
        }
        if !taken.reports.is_empty() || !taken.failed.is_empty() {
            on_taken(&taken);
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(crate::store::quarantine::RELEASED_POLL) => {}
        }
    }
}

/// Runs stored messages through intake again, each from its raw file.
async fn take_stored(
    app: &App,
    inlet: &Inlet<'_>,
    rows: Vec<crate::store::messages::MessageRow>,
    taken: &mut Taken,
) {
    for row in rows {
        let path = app.config.data_dir.join(&row.raw_path);
        let raw = match std::fs::read(&path) {
            Ok(raw) => raw,
            Err(error) => {
                tracing::error!(path = %path.display(), %error, "stored message unreadable");
                taken.failed.push(format!("{}: {error}", path.display()));
                continue;
            }
        };
        let source = Source {
            kind: "resume",
            name: &row.raw_path,
        };
        let handled = inlet
            .ingest_in_pass(&raw, row.received_at, &source, taken)
            .await;
        if handled == inbound::Handled::Stopped {
            break;
        }
    }
}
