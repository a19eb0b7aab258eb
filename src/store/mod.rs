//! SQLite through sqlx: the connection pool, the embedded migrations, and one file of named
//! queries per table. Nothing outside this module writes SQL.
//!
//! The database runs in WAL mode with foreign keys on; every write that must stand or fall with
//! another (a submission and its receipt in the outbox) takes a [`Tx`] from [`Store::begin`].

pub mod cases;
pub mod console;
pub mod folders;
pub mod messages;
pub mod notifications;
pub mod outbox;
pub mod papers;
pub mod quarantine;
pub mod reminders;
pub mod staff;
pub mod submissions;
pub mod upstream;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use thiserror::Error;

pub type Tx = Transaction<'static, Sqlite>;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
}

/// The database handle, cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating when missing) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let open_error = |source| StoreError::Open {
            url: url.to_string(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // One connection: SQLite has one writer at a time, and a second connection waiting for
        // the write lock sleeps in SQLite's busy handler (up to 100 ms a try). Queuing in the pool
        // instead made a 2,000-message IMAP backlog nine times faster (45.6 s to 5.0 s,
        // scripts/bench-live) while intake and delivery write side by side.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(open_error)?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(self.pool.begin().await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
