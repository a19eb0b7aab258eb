//! `backup`, `backup --verify` and `restore` through the binary (SPEC §17): a restored data dir
//! answers exactly as the original, and a backup taken while the daemon works through a backlog
//! restores to a consistent state.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::Digest;

use super::daemon::{RunningDaemon, wait_for};
use crate::support::{TestEnv, fixtures, message};

const NOW: &str = "2026-11-22T10:00:00+08:00";

/// Relative path → SHA-256 of every file under `dir`.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(name, hex::encode(sha2::Sha256::digest(&bytes)));
            }
        }
    }
    out
}

fn run_ok(command: &mut std::process::Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every sheet of a workbook as text, cell by cell (the file's own timestamps left aside).
fn sheets(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).expect("workbook");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

fn restored_env(env: &TestEnv, name: &str) -> (PathBuf, impl Fn() -> std::process::Command) {
    let dir = env.dir.path().join(name);
    let config = env.config_path.clone();
    let data = dir.clone();
    (dir, move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_reportdesk"));
        command
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(&data);
        command
    })
}

#[test]
fn a_restored_data_dir_gives_the_same_status_export_and_raw_files() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    let form = std::fs::read(fixtures().join("forms/f01-official-tiaodeng.xlsx")).unwrap();
    let other = std::fs::read(fixtures().join("forms/f02-vertical-bachiao.xlsx")).unwrap();
    let case = std::fs::read(fixtures().join("cases/c01-paragraphs-jiansheng.docx")).unwrap();
    let jpg = std::fs::read(fixtures().join("cases/a039-photo1.jpg")).unwrap();
    let mails = [
        message(
            "tiaodeng@example.gov.cn",
            "报表",
            "b1@x",
            &[("报表.xlsx", &form)],
        ),
        message(
            "bachiao@example.gov.cn",
            "报表",
            "b2@x",
            &[("报表.xlsx", &other)],
        ),
        message(
            "jiansheng@example.gov.cn",
            "典型案例",
            "b3@x",
            &[("典型案例.docx", &case), ("现场.jpg", &jpg)],
        ),
    ];
    let mut files = Vec::new();
    for (n, mail) in mails.iter().enumerate() {
        let path = dir.join(format!("{n}.eml"));
        std::fs::write(&path, mail).unwrap();
        files.push(path);
    }
    run_ok(env.command().args(["--now", NOW, "ingest"]).args(&files));
    let archive = dir.join("backups/one.zip");
    run_ok(
        env.command()
            .args(["--now", NOW, "backup", "-o"])
            .arg(&archive),
    );
    let verified = run_ok(env.command().args(["backup", "--verify"]).arg(&archive));
    assert!(verified.contains("all checksums match"), "{verified}");

    let (restored, restored_command) = restored_env(&env, "restored");
    run_ok(
        env.command()
            .args(["restore"])
            .arg(&archive)
            .arg("--data-dir")
            .arg(&restored),
    );
    assert!(restored.join("photos").exists(), "photos restored");
    let original = env.data_dir();
    let raw = |d: &Path| tree(&d.join("raw"));
    assert_eq!(raw(&original), raw(&restored), "raw mail");
    assert_eq!(
        tree(&original.join("photos")),
        tree(&restored.join("photos"))
    );
    let status = |mut c: std::process::Command| {
        run_ok(c.args(["--now", NOW, "status", "--month", "2026-11", "--json"]))
    };
    assert_eq!(status(env.command()), status(restored_command()));
    let export = |mut c: std::process::Command, out: &Path| {
        run_ok(
            c.args(["--now", NOW, "export", "--month", "2026-11", "-o"])
                .arg(out),
        );
        sheets(out)
    };
    assert_eq!(
        export(env.command(), &dir.join("a.xlsx")),
        export(restored_command(), &dir.join("b.xlsx"))
    );
    assert!(restored.join("config-from-backup/reportdesk.toml").exists());

    // A folder that is not empty is refused; a damaged archive is named.
    let refused = env
        .command()
        .args(["restore"])
        .arg(&archive)
        .arg("--data-dir")
        .arg(&restored)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not empty"));
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let damaged = dir.join("damaged.zip");
    std::fs::write(&damaged, bytes).unwrap();
    let out = env
        .command()
        .args(["backup", "--verify"])
        .arg(&damaged)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "a flipped byte is found");
    assert!(String::from_utf8_lossy(&out.stderr).contains("damaged.zip"));
}

#[test]
fn a_backup_taken_during_a_500_message_backlog_restores_to_a_consistent_state() {
    let env = TestEnv::new();
    let form = std::fs::read(fixtures().join("forms/f01-official-tiaodeng.xlsx")).unwrap();
    let inbox = env.data_dir().join("mail/inbox");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(inbox.join(sub)).unwrap();
    }
    for n in 0..500 {
        let mail = message(
            "tiaodeng@example.gov.cn",
            "报表",
            &format!("bl-{n}@x"),
            &[("报表.xlsx", &form)],
        );
        std::fs::write(inbox.join("new").join(format!("{n:04}.eml")), mail).unwrap();
    }
    let mut run = env.command();
    run.arg("run");
    let mut daemon = RunningDaemon::start(run, env.dir.path().join("daemon.log"));
    let cur = inbox.join("cur");
    let taken = || std::fs::read_dir(&cur).map(|d| d.count()).unwrap_or(0);
    assert!(
        wait_for(Duration::from_secs(120), || taken() >= 50),
        "the daemon took in 50 messages\n{}",
        daemon.log_text()
    );
    let archive = env.dir.path().join("mid.zip");
    run_ok(env.command().args(["backup", "-o"]).arg(&archive));
    let at_backup = taken();
    assert!(
        at_backup < 500,
        "the backup was taken mid-backlog ({at_backup})"
    );
    daemon.stop();

    let (restored, restored_command) = restored_env(&env, "restored");
    run_ok(
        env.command()
            .args(["restore"])
            .arg(&archive)
            .arg("--data-dir")
            .arg(&restored),
    );
    // Every message the snapshot names has its raw mail, byte for byte; every reply its message.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (rows, orphans) = runtime.block_on(async {
        let store = reportdesk::store::Store::open_read_only(&restored.join("reportdesk.db"))
            .await
            .unwrap();
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT raw_path, raw_sha256 FROM messages")
                .fetch_all(store.pool())
                .await
                .unwrap();
        let orphans: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE message_row IS NOT NULL
             AND message_row NOT IN (SELECT id FROM messages)",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        store.close().await;
        (rows, orphans)
    });
    assert!(rows.len() >= 50, "{} messages in the snapshot", rows.len());
    assert_eq!(orphans, 0);
    for (path, sha) in &rows {
        let bytes = std::fs::read(restored.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(&hex::encode(sha2::Sha256::digest(&bytes)), sha, "{path}");
    }
    // The restored data dir runs: a pass finishes whatever the snapshot caught half done.
    run_ok(restored_command().args(["run", "--once"]));
    let health = restored_command()
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert!(health.status.success());
}

#[tokio::test]
async fn the_nightly_backup_keeps_the_newest_and_each_one_verifies() {
    use reportdesk::config::BackupSettings;
    use reportdesk::ops::backup::nightly::take;
    let env = TestEnv::new();
    let app = env.app(NOW).await;
    let dir = env.dir.path().join("nightly");
    let settings = BackupSettings {
        dir: dir.clone(),
        keep: 2,
        time: chrono::NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
    };
    for night in ["2026-11-20", "2026-11-21", "2026-11-22"] {
        let at = crate::support::at(&format!("{night}T02:30:00+08:00"));
        take(&app.store, &app.config, at, &settings).await.unwrap();
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "reportdesk-20261121-0230.zip",
            "reportdesk-20261122-0230.zip"
        ]
    );
    for name in names {
        reportdesk::ops::backup::verify(&dir.join(name)).unwrap();
    }
}
