//! The promise about the process itself (SPEC §12), with the real binary: a poison message ahead
//! of a valid form, a worker that dies or hangs mid-message, SIGTERM during a hung read, and a
//! message that takes the daemon down three times. The worker's test faults
//! (`REPORTDESK_WORKER_TEST_FAULTS=1` and a marker in the mail) make it misbehave on purpose.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::craft;

const NOW: &str = "2026-11-12T10:00:00+08:00";

pub(super) struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    pub(super) fn new(worker_seconds: u64) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let project = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let shipped =
            std::fs::read_to_string(project.join("config/reportdesk.toml")).expect("config");
        let roster = project.join("config/units.toml");
        // The shipped config names `units.toml` beside itself; this config lives elsewhere.
        let shipped_roster = "roster = \"units.toml\"";
        assert!(shipped.contains(shipped_roster), "{shipped}");
        let text = shipped
            .replace(
                shipped_roster,
                &format!("roster = {:?}", roster.display().to_string()),
            )
            .replace(
                "worker_seconds = 10 ",
                &format!("worker_seconds = {worker_seconds} "),
            );
        assert!(text.contains(&format!("worker_seconds = {worker_seconds}")));
        std::fs::create_dir(dir.path().join("config")).expect("config dir");
        std::fs::write(dir.path().join("config/reportdesk.toml"), text).expect("write config");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(dir.path().join("data/mail/inbox").join(sub)).expect("inbox");
        }
        Self { dir }
    }

    pub(super) fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_reportdesk"));
        command
            .arg("--config")
            .arg(self.dir.path().join("config/reportdesk.toml"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .env("REPORTDESK_WORKER_TEST_FAULTS", "1")
            .env_remove("REPORTDESK_WORKER_EXE");
        command
    }

    pub(super) fn deliver(&self, name: &str, raw: &[u8]) {
        std::fs::write(self.dir.path().join("data/mail/inbox/new").join(name), raw).expect("mail");
    }

    pub(super) fn once(&self) -> Vec<Value> {
        lines(
            &self
                .command()
                .args(["--now", NOW, "run", "--once"])
                .output()
                .expect("run"),
        )
    }

    /// As [`Env::once`], with what the run logged on standard error.
    pub(super) fn once_logged(&self) -> (Vec<Value>, String) {
        let output = self
            .command()
            .args(["--now", NOW, "run", "--once"])
            .output()
            .expect("run");
        (
            lines(&output),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// The staff alerts recorded for the robots (SPEC §14), by key.
    fn alert_keys(&self) -> Vec<String> {
        self.query(
            "SELECT key FROM notify_events WHERE event = 'alerts' ORDER BY id",
            &[],
        )
    }

    /// The first column of each row `sql` (with `args` bound) selects from the daemon's
    /// database, as text.
    pub(super) fn query(&self, sql: &'static str, args: &[&str]) -> Vec<String> {
        let url = format!(
            "sqlite://{}",
            self.dir.path().join("data/reportdesk.db").display()
        );
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let store = reportdesk::store::Store::open(&url)
                .await
                .expect("database");
            let mut query = sqlx::query_as(sql);
            for arg in args {
                query = query.bind(*arg);
            }
            let rows: Vec<(String,)> = query
                .fetch_all(store.pool())
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            rows.into_iter().map(|(value,)| value).collect()
        })
    }

    /// Rewrites the config's `worker_seconds` from `from` to `to`.
    pub(super) fn set_worker_seconds(&self, from: u64, to: u64) {
        let path = self.dir.path().join("config/reportdesk.toml");
        let text = std::fs::read_to_string(&path).expect("config");
        let old = format!("worker_seconds = {from} ");
        assert!(text.contains(&old), "{old}");
        let text = text.replace(&old, &format!("worker_seconds = {to} "));
        std::fs::write(&path, text).expect("write config");
    }

    /// The data dir.
    pub(super) fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The files waiting in the inbox's `new/`.
    pub(super) fn waiting(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("data/mail/inbox/new"))
            .map(|entries| entries.count())
            .unwrap_or(0)
    }

    pub(super) fn start(&self) -> Child {
        self.command()
            .args(["--now", NOW, "run"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("daemon")
    }
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// A mail from the 跳磴镇 unit with `subject` and one xlsx attached.
pub(super) fn mail(subject: &str, id: &str, xlsx: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let mut raw = format!(
        "From: <tiaodeng@example.gov.cn>\r\nTo: <office@example.gov.cn>\r\nSubject: {subject}\r\nMessage-ID: <{id}@example.gov.cn>\r\nDate: Thu, 12 Nov 2026 09:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{subject}\r\n--b\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name=\"report.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    let text = base64::engine::general_purpose::STANDARD.encode(xlsx);
    for line in text.as_bytes().chunks(76) {
        raw.extend_from_slice(line);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"--b--\r\n");
    raw
}

pub(super) fn valid_form() -> Vec<u8> {
    mail(
        "11月报表",
        "valid",
        &craft::fixture("forms/f01-official-tiaodeng.xlsx"),
    )
}

pub(super) fn poison(fault: &str) -> Vec<u8> {
    mail(
        &format!("报表 [[reportdesk-test:{fault}]]"),
        fault,
        &craft::fixture("forms/f01-official-tiaodeng.xlsx"),
    )
}

pub(super) fn outcome_of<'a>(reports: &'a [Value], id: &str) -> &'a Value {
    let id = format!("<{id}@example.gov.cn>");
    let report = reports
        .iter()
        .find(|r| r["message_id"] == id.as_str())
        .unwrap_or_else(|| panic!("no report for {id}: {reports:?}"));
    &report["outcome"]
}

#[test]
fn a_poison_message_ahead_of_a_valid_form_stops_nothing() {
    for fault in ["abort", "oom"] {
        let env = Env::new(10);
        env.deliver("1.poison", &poison(fault));
        env.deliver("2.valid", &valid_form());
        let reports = env.once();
        assert_eq!(outcome_of(&reports, fault), "rejected", "{reports:?}");
        let errors = reports
            .iter()
            .find(|r| r["outcome"] == "rejected")
            .map(|r| r["errors"].to_string())
            .unwrap_or_default();
        assert!(errors.contains("无法读取"), "{errors}");
        assert_eq!(outcome_of(&reports, "valid"), "accepted", "{reports:?}");
    }
}

/// The reader is handed a batch's messages one after another without waiting for each reply:
/// the worker dying on the middle one fails that one alone. The one before keeps the reply it
/// was read with, and the one after (already written to the dead worker) is read again by the
/// new one.
#[test]
fn a_worker_dying_in_the_middle_of_a_batch_costs_only_that_message() {
    let form = craft::fixture("forms/f01-official-tiaodeng.xlsx");
    for fault in ["abort", "hang"] {
        let env = Env::new(2);
        env.deliver("1.before", &mail("11月报表", "before", &form));
        env.deliver("2.poison", &poison(fault));
        env.deliver("3.after", &mail("11月报表", "after", &form));
        let reports = env.once();
        assert_eq!(reports.len(), 3, "{reports:?}");
        assert_eq!(outcome_of(&reports, "before"), "accepted", "{reports:?}");
        assert_eq!(outcome_of(&reports, fault), "rejected", "{reports:?}");
        assert_eq!(outcome_of(&reports, "after"), "accepted", "{reports:?}");
        let versions = env.query(
            "SELECT CAST(version AS TEXT) FROM monthly_submissions ORDER BY version",
            &[],
        );
        assert_eq!(versions, ["1", "2"], "{fault}");
        assert_eq!(env.waiting(), 0);
    }
}

#[test]
fn a_hung_read_is_cut_at_worker_seconds_and_the_worker_replaced() {
    let env = Env::new(2);
    env.deliver("1.hang", &poison("hang"));
    env.deliver("2.valid", &valid_form());
    let start = Instant::now();
    let reports = env.once();
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(outcome_of(&reports, "hang"), "rejected", "{reports:?}");
    assert_eq!(outcome_of(&reports, "valid"), "accepted", "{reports:?}");
}

/// The pids of `parent`'s children.
pub(super) fn children(parent: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{parent}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|text| {
            text.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

/// Waits (generously: the machine is shared) until the daemon has started a reader process.
pub(super) fn wait_for_worker(daemon: &Child) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(pid) = children(daemon.id()).first() {
            return *pid;
        }
        assert!(Instant::now() < deadline, "no reader process started");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub(super) fn gone(pid: u32) -> bool {
    !Path::new(&format!("/proc/{pid}")).exists()
        || std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z "))
}

#[test]
fn a_message_that_kills_the_daemon_three_times_is_quarantined() {
    let env = Env::new(600);
    env.deliver("1.hang", &poison("hang"));
    for _ in 0..3 {
        let mut daemon = env.start();
        let worker = wait_for_worker(&daemon);
        std::thread::sleep(Duration::from_millis(300));
        daemon.kill().expect("SIGKILL");
        daemon.wait().expect("reaped");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !gone(worker) {
            assert!(Instant::now() < deadline, "the reader outlived its daemon");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    env.deliver("2.valid", &valid_form());
    let reports = env.once();
    assert_eq!(outcome_of(&reports, "hang"), "quarantined", "{reports:?}");
    assert_eq!(outcome_of(&reports, "valid"), "accepted", "{reports:?}");
    let status = lines(
        &env.command()
            .args(["--now", NOW, "status", "--json"])
            .output()
            .expect("status"),
    );
    let quarantined = status[0]["quarantined"].as_array().expect("a list").clone();
    assert_eq!(quarantined.len(), 1, "{status:?}");
    assert_eq!(quarantined[0]["attempts"], 3);
    let text = env
        .command()
        .args(["--now", NOW, "status"])
        .output()
        .expect("status");
    assert!(String::from_utf8_lossy(&text.stdout).contains("已隔离"));
    let id = quarantined[0]["id"].as_i64().expect("an id").to_string();
    env.once();
    assert_eq!(
        env.alert_keys(),
        vec![format!("alert:quarantined:{id}")],
        "one staff alert for the quarantine, not one per pass"
    );
    let released = env
        .command()
        .args(["quarantine", "release", &id])
        .output()
        .expect("release");
    assert!(released.status.success(), "{released:?}");
    let listed = env
        .command()
        .args(["quarantine", "list", "--json"])
        .output()
        .expect("list");
    assert_eq!(String::from_utf8_lossy(&listed.stdout).trim(), "[]");
}
