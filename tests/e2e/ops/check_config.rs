//! `check-config` creates and changes nothing, and a config in an /etc-style folder finds its
//! roster beside it (SPEC §17).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::support::{TestEnv, project};

/// Every file under `dir` with its size, modification time and content hash.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, SystemTime, String)> {
    use sha2::Digest;
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read dir").flatten() {
            let path = entry.path();
            let meta = entry.metadata().expect("metadata");
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).expect("read");
            let hash = hex::encode(sha2::Sha256::digest(&bytes));
            out.insert(path, (meta.len(), meta.modified().expect("mtime"), hash));
        }
    }
    out
}

#[test]
fn check_config_creates_and_changes_nothing() {
    let env = TestEnv::new();
    let data = env.data_dir();
    let out = env.command().arg("check-config").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!data.exists(), "no data dir made: {stdout}");
    assert!(stdout.contains("does not exist yet"), "{stdout}");

    // A data dir with a database (made by `status`, as the service would).
    let made = env
        .command()
        .args(["--now", "2026-11-12T10:00:00+08:00", "status"])
        .output()
        .unwrap();
    assert!(made.status.success());
    let before = snapshot(&data);
    assert!(before.keys().any(|p| p.ends_with("reportdesk.db")));
    let out = env.command().arg("check-config").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("schema up to date"), "{stdout}");
    // SQLite's shared-memory index (`-shm`) of a WAL database is written by every reader, so
    // it is compared by presence only; the database, its WAL and every other file are identical.
    let without_shm = |mut files: BTreeMap<PathBuf, (u64, SystemTime, String)>| {
        for (path, entry) in files.iter_mut() {
            if path.to_string_lossy().ends_with("-shm") {
                entry.1 = SystemTime::UNIX_EPOCH;
                entry.2.clear();
            }
        }
        files
    };
    assert_eq!(
        without_shm(before),
        without_shm(snapshot(&data)),
        "check-config changed the data dir"
    );
}

#[test]
fn a_config_in_an_etc_folder_finds_its_roster_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().join("etc/reportdesk");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::copy(project().join("config/units.toml"), etc.join("units.toml")).unwrap();
    let shipped = std::fs::read_to_string(project().join("config/reportdesk.toml")).unwrap();
    let text = shipped.replace(
        "data_dir = \"../var\"",
        "data_dir = \"../../var/lib/reportdesk\"",
    );
    assert_ne!(
        text, shipped,
        "the shipped config names data_dir = \"../var\""
    );
    std::fs::write(etc.join("reportdesk.toml"), text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reportdesk"))
        .arg("--config")
        .arg(etc.join("reportdesk.toml"))
        .arg("check-config")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let roster = etc.join("units.toml");
    assert!(stdout.contains(&roster.display().to_string()), "{stdout}");
    assert!(stdout.contains("var/lib/reportdesk"), "{stdout}");
    assert!(!dir.path().join("var").exists(), "nothing created");
}

#[test]
fn a_missing_roster_names_the_file_it_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("reportdesk.toml");
    let shipped = std::fs::read_to_string(project().join("config/reportdesk.toml")).unwrap();
    std::fs::write(&config, shipped).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reportdesk"))
        .arg("--config")
        .arg(&config)
        .arg("check-config")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let expected = dir.path().join("units.toml");
    assert!(stderr.contains(&expected.display().to_string()), "{stderr}");
}

#[test]
fn check_config_warns_when_the_coming_60_days_have_no_holiday_table() {
    let env = TestEnv::new();
    let check = |now: &str| {
        let out = env
            .command()
            .args(["--now", now, "check-config"])
            .output()
            .unwrap();
        assert!(out.status.success(), "a warning is not a failure");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let spring = check("2026-03-01T10:00:00+08:00");
    assert!(spring.contains("the next 60 days are covered"), "{spring}");
    let december = check("2026-12-03T10:00:00+08:00");
    assert!(
        december.contains("warn working days: no official holiday arrangement for 2027"),
        "{december}"
    );
    // The office lists 2027's days itself: covered again.
    let text = std::fs::read_to_string(&env.config_path).unwrap();
    let text = text.replace("holidays = []", "holidays = [\"2027-01-01\"]");
    std::fs::write(&env.config_path, text).unwrap();
    let listed = check("2026-12-03T10:00:00+08:00");
    assert!(listed.contains("the next 60 days are covered"), "{listed}");
}
