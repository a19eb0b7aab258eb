//! SQLite through sqlx: the connection pool, the embedded migrations, and one file of named
//! queries per table. Nothing outside this module writes SQL.
//!
//! The database runs in WAL mode with foreign keys on; every write that must stand or fall with
//! another (a submission and its receipt in the outbox) takes a [`Tx`] from [`Store::begin`].

pub mod cases;
pub mod console;
pub mod folders;
pub mod framing;
pub mod health;
pub mod held;
pub mod installation;
pub mod messages;
pub mod notifications;
pub mod outbox;
pub mod papers;
pub mod quarantine;
pub mod reminders;
pub mod staff;
pub mod submissions;
pub mod upstream;
pub mod writes;

pub use framing::{Framing, roll_back_to};

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use thiserror::Error;

pub type Tx = Transaction<'static, Sqlite>;

/// Reads a text column as `$ty`, once, where a row is read, through `$parse`
/// (`fn(&str) -> Option<$ty>`): any other text is an error naming `$what`, as for a malformed
/// date.
macro_rules! text_column {
    ($ty:ty, $parse:path, $what:literal) => {
        impl sqlx::Type<sqlx::Sqlite> for $ty {
            fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
                <str as sqlx::Type<sqlx::Sqlite>>::type_info()
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Sqlite> for $ty {
            fn decode(
                value: sqlx::sqlite::SqliteValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<'r, sqlx::Sqlite>>::decode(value)?;
                $parse(text).ok_or_else(|| format!(concat!("not ", $what, ": {:?}"), text).into())
            }
        }
    };
}
use text_column;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("cannot draw random bytes from the operating system: {0}")]
    Random(String),
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
            // A savepoint's journal (each message of a batch settles in one) stays in memory:
            // on disk it was a temporary file created, written and dropped per transaction,
            // a third of SQLite's writes in a 2,000-message backlog (issue 17).
            .pragma("temp_store", "memory")
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
        let _serialized = migration_guard(database_file(url).as_deref());
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Opens an existing database for reading only: nothing is created, migrated or written
    /// (`check-config`). The file must exist. A read-only connection to a WAL database still
    /// creates its `-wal` and `-shm` files when they are missing (measured), so when they are (no
    /// process has it open) the file is opened `immutable` instead, which creates nothing.
    pub async fn open_read_only(path: &std::path::Path) -> Result<Self, StoreError> {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(!std::path::Path::new(&wal).exists())
            .create_if_missing(false)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                url: path.display().to_string(),
                source,
            })?;
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

/// `ids` as a JSON array, for `IN (SELECT value FROM json_each(?))`: one query for a batch.
fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// The database file of a `sqlite:` URL, when it names one.
pub fn database_file(url: &str) -> Option<std::path::PathBuf> {
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename();
    (!path.as_os_str().is_empty() && path != std::path::Path::new(":memory:"))
        .then(|| path.to_path_buf())
}

/// Serializes migrations between processes starting at once on a fresh data dir (the daemon,
/// `ingest`, `remind`): sqlx's SQLite migrator does not, and two would both try to create the
/// tables. The lock is `flock` on the database's folder (no file is created), held until the
/// guard drops; any failure to take it only means running unserialized, as before.
fn migration_guard(db: Option<&std::path::Path>) -> Option<std::fs::File> {
    let folder = db?.parent().filter(|p| !p.as_os_str().is_empty())?;
    let handle = std::fs::File::open(folder).ok()?;
    handle.lock().ok()?;
    Some(handle)
}
