//! Start-up: the configuration, the clock, the database and the mail transports wired together,
//! and the one pass that `run --once` and `demo` make over the mailboxes.

use std::path::Path;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use thiserror::Error;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::{Config, ConfigError, Inbound, Outbound};
use crate::delivery::{self, Transport};
use crate::inbound;
use crate::intake::report::IngestReport;
use crate::intake::{Intake, IntakeError};
use crate::mail::imap::ImapError;
use crate::mail::maildir::{Maildir, MaildirError};
use crate::mail::smtp::{Smtp, SmtpError};
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
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error(transparent)]
    Smtp(#[from] SmtpError),
    #[error("cannot create the data dir {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot build the blank template: {0}")]
    Template(String),
    #[error("cannot build the summary workbook: {0}")]
    Workbook(String),
    #[error("chat bot: {0}")]
    Bot(String),
}

/// The running application's parts, shared by every task.
pub struct App {
    pub config: Config,
    pub store: Store,
    pub clock: Clock,
    /// The blank monthly template, attached to returns and help replies.
    pub template: Vec<u8>,
    /// Woken whenever a reply has been queued, so the delivery task sends it at once.
    pub outbox_ready: Notify,
    /// Woken whenever a staff digest has been recorded, so the bot sends it to the staff chats.
    pub digest_ready: Notify,
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
        let template = crate::forms::template::monthly_template()
            .map_err(|e| AppError::Template(e.to_string()))?;
        Ok(Self {
            config,
            store,
            clock,
            template,
            outbox_ready: Notify::new(),
            digest_ready: Notify::new(),
        })
    }

    pub async fn load(
        config_path: &Path,
        data_dir: Option<&Path>,
        clock: Clock,
    ) -> Result<Self, AppError> {
        Self::open(Config::load(config_path, data_dir)?, clock).await
    }

    pub fn intake(&self) -> Intake<'_> {
        Intake::new(&self.config, self.store.clone(), &self.template)
    }

    /// The local inbox Maildir (the embedded default inbound).
    pub fn inbox(&self) -> Result<Maildir, AppError> {
        Ok(Maildir::open(&self.config.data_dir.join("mail/inbox"))?)
    }

    /// The configured outbound transport.
    pub fn transport(&self) -> Result<Transport, AppError> {
        match &self.config.outbound {
            Outbound::Maildir => Ok(Transport::Maildir(Maildir::open(
                &self.config.data_dir.join("mail/outbox"),
            )?)),
            Outbound::Smtp(settings) => {
                let password = self.secret(&settings.password_env, "outbound.password_env")?;
                Ok(Transport::Smtp(Smtp::new(
                    settings,
                    &password,
                    &self.config.office.address,
                )?))
            }
        }
    }

    pub fn secret(&self, var: &str, key: &'static str) -> Result<SecretString, AppError> {
        Ok(crate::config::read_secret(&self.config.path, var, key)?)
    }

    /// One pass: finish messages a crash left half done, take in everything waiting in the
    /// inbound mailbox, then deliver the replies that are due.
    pub async fn pass(&self) -> Result<PassSummary, AppError> {
        let transport = self.transport()?;
        let mut summary = PassSummary::default();
        crate::store::outbox::release_claimed(&self.store, self.now()).await?;
        inbound::resume_unfinished(self, &mut summary).await?;
        match &self.config.inbound {
            Inbound::Maildir => inbound::maildir::pass(self, &mut summary).await?,
            Inbound::Imap(settings) => {
                let password = self.secret(&settings.password_env, "inbound.password_env")?;
                inbound::imap::pass(self, settings, &password, &mut summary).await?;
            }
        }
        summary.replies_delivered =
            delivery::deliver_due(&self.store, &transport, self.now(), self.retry_policy()).await?;
        Ok(summary)
    }

    pub fn retry_policy(&self) -> delivery::RetryPolicy {
        delivery::RetryPolicy {
            base: chrono::Duration::seconds(
                i64::try_from(self.config.retry_base_seconds).unwrap_or(30),
            ),
            cap: chrono::Duration::minutes(10),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
