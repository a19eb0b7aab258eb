//! The nightly backup `run` takes when `[backup] dir` is set: one archive a night at
//! `[backup] time` (office time), named `reportdesk-YYYYMMDD-HHMM.zip`, keeping the newest
//! `keep` (default 14) and deleting older ones. A failed backup is logged and tried again the
//! next night; it never stops the daemon.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::{BackupSettings, Config};
use crate::domain::OfficeZone;
use crate::store::Store;

/// The first moment at `time` (office time) strictly after `now`.
pub fn next_run(now: DateTime<Utc>, zone: OfficeZone, time: NaiveTime) -> DateTime<Utc> {
    let (today, tz) = (zone.today(now), zone.tz());
    (0..3u64)
        .filter_map(|d| today.checked_add_days(Days::new(d)))
        .filter_map(|day| tz.from_local_datetime(&day.and_time(time)).earliest())
        .map(|t| t.with_timezone(&Utc))
        .find(|t| *t > now)
        .unwrap_or(now + chrono::Duration::days(1))
}

/// The archive's file name for a backup taken at `at`.
pub fn file_name(at: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "reportdesk-{}.zip",
        at.with_timezone(&tz).format("%Y%m%d-%H%M")
    )
}

/// Of the backup names in a folder, those to delete so the newest `keep` remain.
pub fn to_prune(mut names: Vec<String>, keep: usize) -> Vec<String> {
    names.retain(|n| n.starts_with("reportdesk-") && n.ends_with(".zip"));
    names.sort();
    let excess = names.len().saturating_sub(keep.max(1));
    names.truncate(excess);
    names
}

/// Takes one backup into `settings.dir` now and prunes the old ones; the archive's path.
pub async fn take(
    store: &Store,
    config: &Config,
    now: DateTime<Utc>,
    settings: &BackupSettings,
) -> Result<PathBuf, super::BackupError> {
    let path = settings.dir.join(file_name(now, config.office.zone.tz()));
    super::create(store, config, &path, now).await?;
    prune(&settings.dir, settings.keep);
    Ok(path)
}

fn prune(dir: &Path, keep: usize) {
    let names = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    for name in to_prune(names, keep) {
        if let Err(error) = std::fs::remove_file(dir.join(&name)) {
            tracing::warn!(%error, file = %name, "cannot delete an old backup");
        }
    }
}

/// The task: sleeps until the next backup time (waking at least hourly to look at the clock
/// again), takes the backup, until cancelled.
pub async fn run(
    store: &Store,
    config: &Config,
    clock: &Clock,
    settings: BackupSettings,
    cancel: CancellationToken,
) {
    loop {
        let due = next_run(clock.now(), config.office.zone, settings.time);
        loop {
            let wait = (due - clock.now()).to_std().unwrap_or_default();
            if wait.is_zero() {
                break;
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(wait.min(std::time::Duration::from_secs(3600))) => {}
            }
        }
        match take(store, config, clock.now(), &settings).await {
            Ok(path) => tracing::info!(path = %path.display(), "nightly backup written"),
            Err(error) => tracing::error!(%error, "nightly backup failed; trying again tomorrow"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_next_run_is_tonight_or_tomorrow_night_in_office_time() {
        let tz = chrono_tz::Asia::Shanghai;
        let time = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        assert_eq!(
            next_run(at("2026-11-12T01:00:00+08:00"), OfficeZone::new(tz), time),
            at("2026-11-12T02:30:00+08:00")
        );
        assert_eq!(
            next_run(at("2026-11-12T02:30:00+08:00"), OfficeZone::new(tz), time),
            at("2026-11-13T02:30:00+08:00")
        );
        assert_eq!(
            file_name(at("2026-11-13T02:30:00+08:00"), tz),
            "reportdesk-20261113-0230.zip"
        );
    }

    #[test]
    fn pruning_keeps_the_newest_and_ignores_other_files() {
        let names = vec![
            "reportdesk-20261110-0230.zip".to_string(),
            "notes.txt".to_string(),
            "reportdesk-20261112-0230.zip".to_string(),
            "reportdesk-20261111-0230.zip".to_string(),
        ];
        assert_eq!(
            to_prune(names.clone(), 2),
            vec!["reportdesk-20261110-0230.zip".to_string()]
        );
        assert!(to_prune(names, 14).is_empty());
    }
}
