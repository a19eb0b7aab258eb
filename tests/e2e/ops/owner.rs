//! A database the service user may not write is named, with its owner and mode and the user we
//! run as, before anything is read or sent (SPEC §17) — not left to SQLite's first write
//! ("attempt to write a readonly database", no file named).
//!
//! As root (CI), the daemon is started as `nobody` through `setpriv` against a database owned
//! by root; as any other user, against a database of its own made read-only (mode 0444), since
//! only root may change a file's owner.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::{TestEnv, project};

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn chown(path: &Path, uid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(uid)).expect("chown");
}

/// A test env every user can read: its own roster and a copy of the binary in the temp dir
/// (the checkout's folders may be closed to `nobody`).
fn open_env() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    let config_dir = env.config_path.parent().expect("config dir").to_path_buf();
    std::fs::copy(
        project().join("config/units.toml"),
        config_dir.join("units.toml"),
    )
    .expect("roster");
    let text = std::fs::read_to_string(&env.config_path).expect("config");
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("roster = ") {
                "roster = \"units.toml\""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&env.config_path, text).expect("config");
    let bin = env.dir.path().join("reportdesk");
    std::fs::copy(env!("CARGO_BIN_EXE_reportdesk"), &bin).expect("binary");
    for (path, mode) in [
        (env.dir.path(), 0o755),
        (config_dir.as_path(), 0o755),
        (env.config_path.as_path(), 0o644),
        (config_dir.join("units.toml").as_path(), 0o644),
        (bin.as_path(), 0o755),
    ] {
        chmod(path, mode);
    }
    (env, bin)
}

fn run_once(env: &TestEnv, bin: &Path, as_nobody: bool) -> Output {
    let mut command = if as_nobody {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    command
        .arg("--config")
        .arg(&env.config_path)
        .arg("--data-dir")
        .arg(env.data_dir())
        .args(["--now", "2026-11-12T10:00:00+08:00", "run", "--once"])
        .output()
        .expect("run the binary")
}

#[test]
fn a_database_the_service_user_may_not_write_is_named_with_its_owner() {
    let (env, bin) = open_env();
    let data = env.data_dir();
    let made = run_once(&env, &bin, false);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let db = data.join("reportdesk.db");
    assert!(db.exists());

    let as_nobody = is_root();
    if as_nobody {
        // The service user owns the data dir and everything in it but the database.
        let mut stack = vec![data.clone()];
        while let Some(path) = stack.pop() {
            chown(&path, NOBODY);
            if path.is_dir() {
                stack.extend(
                    std::fs::read_dir(&path)
                        .expect("read dir")
                        .flatten()
                        .map(|e| e.path()),
                );
            }
        }
        chown(&db, 0);
        chmod(&db, 0o644);
    } else {
        chmod(&db, 0o444);
    }

    let refused = run_once(&env, &bin, as_nobody);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{} is not writable", db.display())),
        "{stderr}"
    );
    assert!(stderr.contains("mode 0"), "{stderr}");
    assert!(stderr.contains("reportdesk runs as"), "{stderr}");
    if as_nobody {
        assert!(stderr.contains("is owned by root (uid 0)"), "{stderr}");
        assert!(stderr.contains("runs as nobody (uid 65534)"), "{stderr}");
    }
    assert!(!stderr.contains("readonly database"), "{stderr}");

    // Given back to the user, the same command runs.
    if as_nobody {
        chown(&db, NOBODY);
    } else {
        chmod(&db, 0o644);
    }
    let runs = run_once(&env, &bin, as_nobody);
    assert!(
        runs.status.success(),
        "{}",
        String::from_utf8_lossy(&runs.stderr)
    );
}
