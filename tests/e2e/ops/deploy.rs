//! Deployment (SPEC §17): the systemd unit's hardening and paths agree with README's install
//! steps and with a config laid out as they lay it; `--version` names the git revision; a
//! database made by the previous release's migrations opens with this binary.

use std::path::Path;

use crate::support::{message, project};

fn unit() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(project().join("config/reportdesk.service")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn value(unit: &[(String, String)], key: &str) -> String {
    unit.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("{key} missing from the unit"))
}

#[test]
fn the_unit_is_hardened_and_the_install_steps_put_everything_where_it_looks() {
    let unit = unit();
    for (key, expected) in [
        ("User", "reportdesk"),
        ("ProtectSystem", "strict"),
        ("NoNewPrivileges", "yes"),
        ("PrivateTmp", "yes"),
    ] {
        assert_eq!(value(&unit, key), expected, "{key}");
    }
    let exec = value(&unit, "ExecStart");
    let parts: Vec<&str> = exec.split_whitespace().collect();
    assert_eq!(
        parts,
        [
            "/usr/local/bin/reportdesk",
            "--config",
            "/etc/reportdesk/reportdesk.toml",
            "run"
        ]
    );
    let writable = value(&unit, "ReadWritePaths");
    assert!(
        writable
            .split_whitespace()
            .any(|p| p == "/var/lib/reportdesk")
    );
    let readme = std::fs::read_to_string(project().join("README.md")).unwrap();
    for step in [
        "useradd --system",
        "install -m 755 target/release/reportdesk /usr/local/bin/reportdesk",
        "config/units.toml /etc/reportdesk/",
        "data_dir = \"/var/lib/reportdesk\"",
        "install -d -o reportdesk -g reportdesk -m 750 /var/lib/reportdesk",
        "config/reportdesk.service /etc/systemd/system/",
    ] {
        assert!(readme.contains(step), "README's install steps: {step}");
    }

    // The same layout under a temporary root: the shipped config and roster copied into
    // etc/reportdesk, data_dir rewritten as README's sed does; check-config finds it all.
    let root = tempfile::tempdir().unwrap();
    let etc = root.path().join("etc/reportdesk");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::copy(project().join("config/units.toml"), etc.join("units.toml")).unwrap();
    let data = root.path().join("var/lib/reportdesk");
    let shipped = std::fs::read_to_string(project().join("config/reportdesk.toml")).unwrap();
    let text: String = shipped
        .lines()
        .map(|l| {
            if l.starts_with("data_dir = ") {
                format!("data_dir = {:?}\n", data.display().to_string())
            } else {
                format!("{l}\n")
            }
        })
        .collect();
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
    assert!(
        stdout.contains(&etc.join("units.toml").display().to_string()),
        "{stdout}"
    );
    assert!(stdout.contains(&data.display().to_string()), "{stdout}");
}

#[test]
fn version_names_the_git_revision() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reportdesk"))
        .arg("--version")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
    let git = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(project())
        .output();
    match git {
        Ok(git) if git.status.success() => {
            let revision = String::from_utf8_lossy(&git.stdout).trim().to_string();
            // Built from this checkout, rebuilt whenever HEAD moves (build.rs).
            let inside = text
                .split('(')
                .nth(1)
                .unwrap_or("")
                .trim_end_matches([')', '\n']);
            assert_eq!(inside, revision, "{text}");
        }
        _ => assert!(text.contains("(unknown)"), "{text}"),
    }
}

/// A database made by an earlier release (the migrations whose file name `keep` accepts), with
/// data in it.
async fn previous_release_database(db: &Path, keep: fn(&str) -> bool) {
    let folder = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(project().join("migrations"))
        .unwrap()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".sql") && keep(&name) {
            std::fs::copy(entry.path(), folder.path().join(&name)).unwrap();
        }
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let migrator = sqlx::migrate::Migrator::new(folder.path()).await.unwrap();
    assert!(migrator.iter().count() >= 5);
    migrator.run(&pool).await.unwrap();
    let raw = message("tiaodeng@example.gov.cn", "报表", "old-1@x", &[]);
    std::fs::create_dir_all(db.parent().unwrap().join("raw/aa")).unwrap();
    std::fs::write(db.parent().unwrap().join("raw/aa/old.eml"), &raw).unwrap();
    for sql in [
        "INSERT INTO messages (id, message_key, message_id, sender, unit_code, subject, received_at, raw_path, raw_sha256, source, state, outcome, processed_at)
         VALUES (1, '<old-1@x>', '<old-1@x>', 'tiaodeng@example.gov.cn', 'tiaodeng', '报表', '2026-11-10T02:00:00+00:00', 'raw/aa/old.eml', 'x', 'file:old.eml', 'processed', 'accepted', '2026-11-10T02:00:01+00:00')",
        "INSERT INTO monthly_submissions (unit_code, period, version, message_row, received_at, late, period_source, attachment, receipt_no,
            open_letters, media_reports, plaza_screens, brochures, community_columns, slogans_posters, qr_codes, board_icons, enterprise_trainings, informants, case_leads)
         VALUES ('tiaodeng', '2026-11', 1, 1, '2026-11-10T02:00:00+00:00', 0, 'form', '报表.xlsx', 'R-1', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)",
        "INSERT INTO outbox (message_row, kind, recipient, subject, outgoing_id, body, state, attempts, next_attempt_at, created_at)
         VALUES (1, 'receipt', 'tiaodeng@example.gov.cn', 'Re: 报表', '<r1@reportdesk>', CAST('Subject: x\r\n\r\nreceipt' AS BLOB), 'sending', 1, '2026-11-10T02:10:00+00:00', '2026-11-10T02:00:01+00:00')",
        "INSERT INTO outbox (message_row, kind, recipient, subject, outgoing_id, body, state, attempts, next_attempt_at, created_at)
         VALUES (1, 'help', 'tiaodeng@example.gov.cn', 'Re: 报表', '<r2@reportdesk>', CAST('Subject: y\r\n\r\nhelp' AS BLOB), 'pending', 0, '2026-11-10T02:00:01+00:00', '2026-11-10T02:00:01+00:00')",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

/// The first release's migrations (0001–0005).
fn first_release(name: &str) -> bool {
    name < "0006"
}

/// Every migration but this series' own (0009): the release before ops landed, whose databases
/// already carry the later numbers (0010–0012), so 0009 is applied out of order.
fn before_ops(name: &str) -> bool {
    !name.starts_with("0009_")
}

#[test]
fn a_database_made_by_the_previous_release_opens_and_its_work_goes_on() {
    upgrade_from(first_release);
}

#[test]
fn a_database_made_before_the_ops_migration_opens_and_its_work_goes_on() {
    upgrade_from(before_ops);
}

fn upgrade_from(keep: fn(&str) -> bool) {
    let env = crate::support::TestEnv::new();
    let data = env.data_dir();
    std::fs::create_dir_all(&data).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(previous_release_database(&data.join("reportdesk.db"), keep));
    let status = env
        .command()
        .args([
            "--now",
            "2026-11-12T10:00:00+08:00",
            "status",
            "--month",
            "2026-11",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(value["submitted"][0]["unit"], "tiaodeng", "{value}");
    // The old daemon's claim (no lease) and the pending reply both go out on the next pass.
    let once = env
        .command()
        .args(["--now", "2026-11-12T10:00:00+08:00", "run", "--once"])
        .output()
        .unwrap();
    assert!(
        once.status.success(),
        "{}",
        String::from_utf8_lossy(&once.stderr)
    );
    assert_eq!(env.outbox().len(), 2);
}
