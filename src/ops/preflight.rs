//! `check-config`'s look at the files (SPEC §17): the data dir and the database, read and never
//! written. Nothing is created or changed: a missing data dir or database is reported, not made,
//! and an existing database is opened read-only (`mode=ro`) and never migrated, so running it as
//! root leaves nothing behind that the service user could not write.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

/// One line of the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub level: Level,
    pub what: String,
}

impl Line {
    fn new(level: Level, what: impl Into<String>) -> Self {
        Self {
            level,
            what: what.into(),
        }
    }
}

/// The data dir, the database and the working-day calendar, in that order.
pub async fn run(config: &Config, now: DateTime<Utc>) -> Vec<Line> {
    let mut lines = vec![data_dir(&config.data_dir)];
    lines.push(database(config).await);
    lines.extend(calendar(config, now));
    lines
}

pub fn failed(lines: &[Line]) -> bool {
    lines.iter().any(|l| l.level == Level::Fail)
}

pub fn render(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| {
            let tag = match l.level {
                Level::Ok => "ok  ",
                Level::Warn => "warn",
                Level::Fail => "FAIL",
            };
            format!("{tag} {}\n", l.what)
        })
        .collect()
}

fn data_dir(dir: &Path) -> Line {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Line::new(
            Level::Ok,
            format!("data dir {}", crate::ops::access::ownership(dir)),
        ),
        Ok(_) => Line::new(
            Level::Fail,
            format!("data dir {} is not a folder", dir.display()),
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Line::new(
            Level::Warn,
            format!(
                "data dir {} does not exist yet: `run` creates it as the user it runs as",
                dir.display()
            ),
        ),
        Err(error) => Line::new(
            Level::Fail,
            format!(
                "data dir {}: {error}{}",
                dir.display(),
                crate::ops::access::hint(dir, &error)
            ),
        ),
    }
}

async fn database(config: &Config) -> Line {
    let Some(path) = crate::store::database_file(&config.database_url) else {
        return Line::new(
            Level::Fail,
            format!("database.url {:?} names no file", config.database_url),
        );
    };
    if !path.exists() {
        return Line::new(
            Level::Warn,
            format!(
                "database {} does not exist yet: `run` creates it",
                path.display()
            ),
        );
    }
    let store = match Store::open_read_only(&path).await {
        Ok(store) => store,
        Err(error) => {
            let hint = std::fs::File::open(&path)
                .err()
                .map(|e| crate::ops::access::hint(&path, &e))
                .unwrap_or_default();
            return Line::new(Level::Fail, format!("{error}{hint}"));
        }
    };
    let line = match pending_migrations(&store).await {
        Ok(pending) if pending.is_empty() => Line::new(
            Level::Ok,
            format!("database {} (schema up to date)", owner_text(&path)),
        ),
        Ok(pending) => Line::new(
            Level::Warn,
            format!(
                "database {}: `run` will bring its schema up to date ({})",
                owner_text(&path),
                pending.join(", ")
            ),
        ),
        Err(error) => Line::new(Level::Fail, format!("database {}: {error}", path.display())),
    };
    store.close().await;
    line
}

fn owner_text(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(meta) => format!("{} (owner uid {})", path.display(), meta.uid()),
        Err(_) => path.display().to_string(),
    }
}

/// The migrations this binary carries that the database has not had, as "0009 ops lease health".
async fn pending_migrations(store: &Store) -> Result<Vec<String>, sqlx::Error> {
    let has_table: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(store.pool())
    .await?;
    let applied: Vec<i64> = if has_table.is_some() {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(store.pool())
            .await?
    } else {
        Vec::new()
    };
    Ok(sqlx::migrate!("./migrations")
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .map(|m| format!("{:04} {}", m.version, m.description))
        .collect())
}

/// How far ahead the working-day calendar must be known.
const CALENDAR_AHEAD_DAYS: u64 = 60;

/// Whether the official holiday table (or the config's own lists) covers the coming 60 days.
fn calendar(config: &Config, now: DateTime<Utc>) -> Vec<Line> {
    let calendar = &config.schedule.calendar;
    let today = config.office.zone.today(now);
    let years: Vec<String> = calendar.covered_years().map(|y| y.to_string()).collect();
    let known = match (years.first(), years.last()) {
        (Some(first), Some(last)) => format!("{first}–{last}"),
        _ => "none".into(),
    };
    vec![match calendar.first_uncovered(today, CALENDAR_AHEAD_DAYS) {
        None => Line::new(
            Level::Ok,
            format!(
                "working days: official holidays known for {known}; the next {CALENDAR_AHEAD_DAYS} days are covered"
            ),
        ),
        Some(day) => Line::new(
            Level::Warn,
            format!(
                "working days: no official holiday arrangement for {} (from {day}, within the next {CALENDAR_AHEAD_DAYS} days; known: {known}): list that year's 放假 and 调休 days from the State Council's notice in [schedule] holidays and extra_workdays of {}, or upgrade reportdesk",
                chrono::Datelike::year(&day),
                config.path.display()
            ),
        ),
    }]
}
