//! Start-up: the configuration, the clock and the database wired together, and the passes that
//! `run`, `run --once` and `demo` make over the mailboxes.

use std::path::Path;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::clock::Clock;
use crate::config::{Config, ConfigError, Inbound, Outbound};
use crate::delivery::{self, Transport};
use crate::intake::report::IngestReport;
use crate::intake::{Intake, IntakeError, Source};
use crate::mail::maildir::{Maildir, MaildirError};
use crate::store::{Store, StoreError};

#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error(transparent)]
    Maildir(#[from] MaildirError),
    #[error("cannot create the data dir {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{0} is configured, but this build reads and sends mail through the local Maildir only; set kind = \"maildir\""
    )]
    Unsupported(&'static str),
}

/// The running application's parts.
pub struct App {
    pub config: Config,
    pub store: Store,
    pub clock: Clock,
}

/// What one pass over the mailboxes did.
#[derive(Debug, Default)]
pub struct PassSummary {
    pub reports: Vec<IngestReport>,
    pub failed: Vec<String>,
    pub replies_delivered: usize,
}

impl App {
    pub async fn open(config: Config, clock: Clock) -> Result<Self, AppError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| AppError::DataDir {
            path: config.data_dir.clone(),
            source,
        })?;
        let store = Store::open(&config.database_url).await?;
        Ok(Self {
            config,
            store,
            clock,
        })
    }

    pub async fn load(
        config_path: &Path,
        data_dir: Option<&Path>,
        clock: Clock,
    ) -> Result<Self, AppError> {
        Self::open(Config::load(config_path, data_dir)?, clock).await
    }

    pub fn intake(&self) -> Result<Intake<'_>, AppError> {
        Ok(Intake::new(&self.config, self.store.clone())?)
    }

    pub fn inbox(&self) -> Result<Maildir, AppError> {
        match self.config.inbound {
            Inbound::Maildir => Ok(Maildir::open(&self.config.data_dir.join("mail/inbox"))?),
            Inbound::Imap(_) => Err(AppError::Unsupported("inbound IMAP")),
        }
    }

    pub fn transport(&self) -> Result<Transport, AppError> {
        match self.config.outbound {
            Outbound::Maildir => Ok(Transport::Maildir(Maildir::open(
                &self.config.data_dir.join("mail/outbox"),
            )?)),
            Outbound::Smtp(_) => Err(AppError::Unsupported("outbound SMTP")),
        }
    }

    /// One pass: finish messages a crash left half done, take in everything in the inbox, then
    /// deliver the replies that are due.
    pub async fn pass(&self) -> Result<PassSummary, AppError> {
        let intake = self.intake()?;
        let inbox = self.inbox()?;
        let transport = self.transport()?;
        let mut summary = PassSummary::default();
        self.resume_unfinished(&intake, &mut summary).await?;
        for entry in inbox.list_new()? {
            let raw = match std::fs::read(&entry.path) {
                Ok(raw) => raw,
                Err(error) => {
                    tracing::error!(path = %entry.path.display(), %error, "cannot read message");
                    summary.failed.push(format!("{}: {error}", entry.name));
                    continue;
                }
            };
            let source = Source {
                kind: "maildir",
                name: &entry.name,
            };
            let report = intake
                .ingest(&raw, entry.delivered_at, &source, self.now())
                .await?;
            inbox.mark_processed(&entry)?;
            summary.reports.push(report);
        }
        summary.replies_delivered =
            delivery::deliver_due(&self.store, &transport, self.now()).await?;
        Ok(summary)
    }

    async fn resume_unfinished(
        &self,
        intake: &Intake<'_>,
        summary: &mut PassSummary,
    ) -> Result<(), AppError> {
        for row in crate::store::messages::unfinished(&self.store).await? {
            let path = self.config.data_dir.join(&row.raw_path);
            let raw = match std::fs::read(&path) {
                Ok(raw) => raw,
                Err(error) => {
                    tracing::error!(path = %path.display(), %error, "stored message unreadable");
                    summary.failed.push(format!("{}: {error}", path.display()));
                    continue;
                }
            };
            let source = Source {
                kind: "resume",
                name: &row.raw_path,
            };
            let report = intake
                .ingest(&raw, row.received_at, &source, self.now())
                .await?;
            summary.reports.push(report);
        }
        Ok(())
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
