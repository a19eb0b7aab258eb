//! The shared handles: the configuration, the clock, the database pool, the blank template and
//! the two wake-up signals, opened once at start-up. It sits below every task: it imports no
//! task, and the orchestration that drives the tasks (`pass`, the transports, `run`) lives in
//! [`crate::daemon`]. Inbound, delivery, the export and the reminder scheduler
//! ([`crate::reminders::run::Scheduler`]) take only the handles they use; the bot and the DingTalk
//! Stream robot (which answers through the bot's handlers) use all of them, so they take `&App`.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use secrecy::SecretString;
use thiserror::Error;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::{Config, ConfigError};
use crate::store::{Store, StoreError};

#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot create the data dir {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The data dir or the database exists but this user may not write it (SPEC §17: the
    /// file, its owner and mode, and who we run as).
    #[error("{0}; chown it to the user reportdesk runs as, or run reportdesk as its owner")]
    NotWritable(String),
    #[error("cannot build the blank template: {0}")]
    Template(String),
    #[error("chat bot: {0}")]
    Bot(String),
    #[error("[intake.sender_auth] dkim_keys: {0}")]
    DkimKey(#[from] crate::sender::dkim::BadKey),
}

/// The running application's parts, shared by every task.
pub struct App {
    pub config: Config,
    pub store: Store,
    pub clock: Clock,
    /// The blank monthly template, attached to returns and help replies.
    pub template: Vec<u8>,
    /// Woken whenever a reply has been queued, so the delivery task sends it at once.
    pub outbox_ready: std::sync::Arc<Notify>,
    /// Woken whenever a staff digest has been recorded, so the bot sends it to the staff chats.
    pub digest_ready: Notify,
    /// The attachment reader process (SPEC §12), shared by every intake.
    pub reader: crate::worker::Reader,
    /// Verifies DKIM signatures for the sender check (SPEC §13), with its key cache.
    pub dkim: crate::sender::DkimChecker,
}

impl App {
    pub async fn open(config: Config, clock: Clock) -> Result<Self, AppError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| AppError::DataDir {
            path: config.data_dir.clone(),
            source,
        })?;
        require_writable(&config)?;
        let store = Store::open(&config.database_url).await?;
        let template = crate::forms::template::monthly_template()
            .map_err(|e| AppError::Template(e.to_string()))?;
        let reader = crate::worker::Reader::new(crate::worker::ReaderSettings::for_this_process(
            config.intake.worker_memory_mib,
            config.intake.worker_seconds,
            config.intake.limits.max_message_bytes,
        ));
        let dkim = crate::sender::DkimChecker::pinned(&config.intake.sender_auth.dkim_keys)?;
        Ok(Self {
            reader,
            dkim,
            config,
            store,
            clock,
            template,
            outbox_ready: std::sync::Arc::new(Notify::new()),
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

    pub fn secret(&self, var: &str, key: &'static str) -> Result<SecretString, AppError> {
        Ok(crate::config::read_secret(&self.config.path, var, key)?)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today in the office's time zone (the date people see).
    pub fn today(&self) -> NaiveDate {
        self.config.office.zone.today(self.now())
    }
}

/// The data dir and the database file with its WAL companions, each writable by this process.
fn require_writable(config: &Config) -> Result<(), AppError> {
    let mut paths = vec![config.data_dir.clone()];
    if let Some(db) = crate::store::database_file(&config.database_url) {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            paths.push(name.into());
        }
    }
    paths
        .iter()
        .try_for_each(|p| crate::ops::access::require_writable(p))
        .map_err(AppError::NotWritable)
}
