//! SQLite through sqlx: the connection pool, the embedded migrations, and one file of named
//! queries per table. Nothing outside this module writes SQL.
//!
//! The database runs in WAL mode with foreign keys on; every write that must stand or fall with
//! another (a submission and its receipt in the outbox) takes a [`Tx`] from [`Store::begin`].

pub mod cases;
pub mod console;
pub mod folders;
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

/// One message's savepoint as part of its own writes: opened by the statements before its
/// first write and released after its last, in the same round trips (a batch settles each
/// message inside one). [`Framing::none`] frames nothing (a message settled alone in its own
/// transaction).
pub struct Framing {
    opening: Option<writes::Writes>,
    closes: bool,
}

impl Framing {
    pub fn none() -> Self {
        Self {
            opening: Some(writes::Writes::new()),
            closes: false,
        }
    }

    /// A savepoint (see [`savepoint`]).
    pub fn savepoint() -> Self {
        let mut opening = writes::Writes::new();
        opening.push("SAVEPOINT one_message");
        Self {
            opening: Some(opening),
            closes: true,
        }
    }

    /// What must run before the message's first write: the caller adds its own statements
    /// after these (and runs them). Empty once taken.
    pub fn open(&mut self) -> writes::Writes {
        self.opening.take().unwrap_or_default()
    }

    /// Whether [`Framing::open`] was called: the savepoint may then be open.
    pub fn opened(&self) -> bool {
        self.opening.is_none()
    }

    /// Ends the message's last writes with the savepoint's release.
    pub fn close(&self, writes: &mut writes::Writes) {
        if self.closes {
            writes.push("RELEASE one_message");
        }
    }
}

/// Opens a savepoint inside `tx`: one message of a batch is settled between this and
/// [`release`], or undone alone by [`roll_back_to`] while the rest of the batch stays.
pub async fn savepoint(tx: &mut Tx) -> Result<(), StoreError> {
    sqlx::query("SAVEPOINT one_message")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Keeps what was written since [`savepoint`] (it commits with the transaction).
pub async fn release(tx: &mut Tx) -> Result<(), StoreError> {
    sqlx::query("RELEASE one_message")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Undoes what was written since [`savepoint`] and closes it.
pub async fn roll_back_to(tx: &mut Tx) -> Result<(), StoreError> {
    sqlx::query("ROLLBACK TO one_message")
        .execute(&mut **tx)
        .await?;
    release(tx).await
}
