//! Test helpers: a fresh data dir and config per test, intake driven through the library, and
//! the binary run as a user runs it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use reportdesk::app::App;
use reportdesk::clock::Clock;
use reportdesk::config::Config;
use reportdesk::intake::Source;
use serde_json::Value;

pub const DEFAULT_OFFICE: &str = "office@example.gov.cn";

pub fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    project().join("tests/fixtures")
}

/// The acceptance corpus beside the checkout (`../shared/acceptance`), as CI lays it out.
pub fn acceptance() -> PathBuf {
    project().join("../shared/acceptance")
}

/// A fresh data dir and a config that points at `roster` and names `office` as the office.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub config_path: PathBuf,
}

impl TestEnv {
    pub fn new() -> Self {
        Self::with_roster(&project().join("config/units.toml"), DEFAULT_OFFICE)
    }

    pub fn with_roster(roster: &Path, office: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let shipped = std::fs::read_to_string(project().join("config/reportdesk.toml"))
            .expect("shipped config");
        let text = shipped
            .replace(
                "roster = \"units.toml\"",
                &format!("roster = {:?}", roster.display().to_string()),
            )
            .replace(
                "address = \"office@example.gov.cn\"",
                &format!("address = {office:?}"),
            );
        std::fs::create_dir(dir.path().join("config")).expect("config dir");
        let config_path = dir.path().join("config/reportdesk.toml");
        std::fs::write(&config_path, text).expect("write config");
        Self { dir, config_path }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn config(&self) -> Config {
        Config::load(&self.config_path, Some(&self.data_dir())).expect("config loads")
    }

    pub async fn app(&self, now: &str) -> App {
        App::open(self.config(), Clock::Fixed(at(now)))
            .await
            .expect("app opens")
    }

    /// The binary with this env's config and data dir.
    pub fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_reportdesk"));
        command
            .arg("--config")
            .arg(&self.config_path)
            .arg("--data-dir")
            .arg(self.data_dir());
        command
    }

    /// The replies delivered into the local outbox Maildir, as raw messages.
    pub fn outbox(&self) -> Vec<Vec<u8>> {
        let folder = self.data_dir().join("mail/outbox/new");
        let mut names: Vec<_> = std::fs::read_dir(&folder)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .map(|p| std::fs::read(p).expect("read reply"))
            .collect()
    }
}

/// Delivers `raw` into the Maildir at `root` (into `new/` through `tmp/`, as a delivery agent
/// does) with the file's modification time, which is the Maildir delivery time and so the receipt
/// time (SPEC §5), set to `delivered` (RFC 3339): a test's mail never carries the real clock.
pub fn deliver_at(root: &Path, name: &str, raw: &[u8], delivered: &str) -> PathBuf {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).expect("maildir folders");
    }
    let tmp = root.join("tmp").join(name);
    std::fs::write(&tmp, raw).expect("write into tmp/");
    set_mtime(&tmp, delivered);
    let target = root.join("new").join(name);
    std::fs::rename(&tmp, &target).expect("move into new/");
    target
}

/// Sets a file's modification time to `when` (RFC 3339).
pub fn set_mtime(path: &Path, when: &str) {
    let when: std::time::SystemTime = at(when).into();
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|file| file.set_modified(when))
        .unwrap_or_else(|e| panic!("cannot set the mtime of {}: {e}", path.display()));
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339 time")
        .with_timezone(&Utc)
}

/// Runs intake on one raw message received at `received`, returning the ingest line as JSON.
pub async fn ingest(app: &App, raw: &[u8], name: &str, received: &str) -> Value {
    let intake = reportdesk::daemon::intake(app);
    let source = Source { kind: "file", name };
    let report = intake
        .ingest(raw, at(received), &source, at(received))
        .await
        .expect("intake succeeds");
    serde_json::from_str(&report.to_json_line()).expect("valid JSON line")
}

/// Delivers what the outbox holds into the outbox Maildir.
pub async fn deliver(app: &App) -> usize {
    reportdesk::daemon::deliver_due(app)
        .await
        .expect("delivery")
}

/// Every error of the message and its forms.
pub fn all_errors(line: &Value) -> Vec<Value> {
    let mut errors: Vec<Value> = line["errors"].as_array().cloned().unwrap_or_default();
    for form in line["forms"].as_array().into_iter().flatten() {
        errors.extend(form["errors"].as_array().cloned().unwrap_or_default());
    }
    errors
}

pub fn all_warnings(line: &Value) -> Vec<String> {
    line["forms"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["warnings"].as_array().cloned().unwrap_or_default())
        .map(|w| w.as_str().unwrap_or_default().to_string())
        .collect()
}

/// A minimal message from `from` with the given attachments (name, bytes).
pub fn message(from: &str, subject: &str, id: &str, attachments: &[(&str, &[u8])]) -> Vec<u8> {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut out = format!(
        "From: <{from}>\r\nTo: <office@example.gov.cn>\r\nSubject: =?UTF-8?B?{}?=\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello\r\n",
        b64(subject.as_bytes())
    );
    for (name, bytes) in attachments {
        out.push_str(&format!(
            "--XX\r\nContent-Type: application/octet-stream; name=\"=?UTF-8?B?{}?=\"\r\nContent-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            b64(name.as_bytes()),
            b64(bytes)
        ));
    }
    out.push_str("--XX--\r\n");
    out.into_bytes()
}

/// A valid form from 跳磴镇, stored raw, that (as a reader that kept dying would leave it) was
/// recorded at `received`, tried three times without finishing and set aside; returns its id.
pub async fn quarantined_form(env: &TestEnv, received: &str) -> i64 {
    use reportdesk::store::messages::{self, NewMessage, Recorded};
    use reportdesk::store::quarantine;
    let form = std::fs::read(fixtures().join("forms/f01-official-tiaodeng.xlsx")).unwrap();
    let raw = message(
        "tiaodeng@example.gov.cn",
        "11月报表",
        "q@x",
        &[("报表.xlsx", &form)],
    );
    let raw_path = "raw/qq/quarantined.eml";
    let file = env.data_dir().join(raw_path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &raw).unwrap();
    let app = env.app(received).await;
    let received = at(received);
    let new = NewMessage {
        // The dedupe key: Message-ID and sender (SPEC §13), as intake computes it.
        message_key: "<q@x> tiaodeng@example.gov.cn",
        message_id: Some("<q@x>"),
        sender: Some("tiaodeng@example.gov.cn"),
        subject: "11月报表",
        received_at: received,
        raw_path,
        raw_sha256: "00",
        source: "maildir:1.q",
    };
    let Recorded::ToProcess(row) = messages::record(&app.store, &new).await.unwrap() else {
        panic!("a new message")
    };
    for _ in 0..=quarantine::MAX_ATTEMPTS {
        quarantine::begin_attempt(&app.store, row.id, received)
            .await
            .unwrap();
    }
    quarantine::note_failure(&app.store, row.id, "reader killed: over 10 s")
        .await
        .unwrap();
    assert!(
        quarantine::is_quarantined(&app.store, row.id)
            .await
            .unwrap()
    );
    app.store.close().await;
    row.id
}
