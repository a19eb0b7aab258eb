//! The daemon as the live tests run it: a config for a `MailStack`, the real binary's `run` as a
//! child process (killed on drop, and with its test's thread), the forms units send, and waiting
//! for mail to arrive.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reportdesk::domain::OfficeZone;
use reportdesk::domain::period::Period;
use reportdesk::forms::template::{TemplateFill, monthly_filled};

use crate::events::tail;
use crate::harness::MailStack;
use crate::support::{OFFICE, PASSWORD};

/// How the daemon reaches the stack.
#[derive(Clone, Copy)]
pub struct Mode {
    /// `none`, `starttls` (on the plaintext ports) or `implicit` (on the TLS ports).
    pub tls: &'static str,
    pub idle: bool,
    /// Where processed mail goes: Chinese names exercise modified UTF-7.
    pub processed: &'static str,
}

pub const PLAIN_IDLE: Mode = Mode {
    tls: "none",
    idle: true,
    processed: "reportdesk/processed",
};

/// A configured data dir and the daemon process running on it.
pub struct Daemon {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    child: Option<Child>,
    started: Option<Instant>,
}

/// The default roster's units, which the tests send as.
pub const UNITS: [(&str, &str); 4] = [
    ("tiaodeng@example.gov.cn", "跳磴镇"),
    ("bachiao@example.gov.cn", "八桥镇"),
    ("jiansheng@example.gov.cn", "建胜镇"),
    ("yingji@example.gov.cn", "区应急局"),
];

pub fn roster_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config/units.toml")
}

/// Office and unit mailboxes on the stack.
pub fn add_users(stack: &MailStack, units: &[&str]) {
    stack.add_user(OFFICE, PASSWORD);
    for unit in units {
        stack.add_user(unit, PASSWORD);
    }
}

impl Daemon {
    /// Writes a config for `stack` (and `roster`) without starting anything.
    pub fn configure(stack: &MailStack, mode: Mode, roster: &Path) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let tls = mode.tls;
        let (imap, smtp) = if tls == "implicit" {
            (stack.imaps_port(), stack.smtps_port())
        } else {
            (stack.imap_port(), stack.smtp_port())
        };
        let processed = mode.processed;
        let ca = stack.ca_file().display();
        let text = format!(
            r#"data_dir = "{data}"
roster = "{roster}"

[office]
name = "大渡口区安全生产委员会办公室"
address = "{OFFICE}"
timezone = "Asia/Shanghai"

[inbound]
kind = "imap"
host = "127.0.0.1"
port = {imap}
tls = "{tls}"
username = "{OFFICE}"
password_env = "RD_LIVE_PASSWORD"
idle = {idle}
poll_seconds = 1
processed_folder = "{processed}"
ca_file = "{ca}"

[outbound]
kind = "smtp"
host = "127.0.0.1"
port = {smtp}
tls = "{tls}"
username = "{OFFICE}"
password_env = "RD_LIVE_PASSWORD"
ca_file = "{ca}"
retry_base_seconds = 1

[schedule]
# The daemon runs on the real clock: reminders would land beside the receipts these tests count.
send_reminders = false

[intake]
replies_per_sender_per_hour = 100000
"#,
            data = dir.path().join("data").display(),
            roster = roster.display(),
            idle = mode.idle,
        );
        std::fs::create_dir(dir.path().join("config")).expect("config dir");
        let config = dir.path().join("config/reportdesk.toml");
        std::fs::write(&config, text).expect("write config");
        Self {
            dir,
            config,
            child: None,
            started: None,
        }
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_reportdesk"));
        command
            .arg("--config")
            .arg(&self.config)
            .env("RD_LIVE_PASSWORD", PASSWORD)
            .env("RUST_LOG", "info");
        command
    }

    /// Starts `reportdesk run`, logging to `daemon.log` in the data dir's parent.
    pub fn start(&mut self) {
        self.start_with(&[]);
    }

    /// Starts `reportdesk [global options] run`, e.g. with `--now` for a fixed clock.
    pub fn start_with(&mut self, global: &[&str]) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("daemon.log"))
            .expect("log file");
        let mut command = self.command();
        command
            .args(global)
            .arg("run")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        // Killed on drop (below) and, where no drop runs, by the kernel with this test's thread.
        let child = crate::guard::die_with_parent(&mut command)
            .spawn()
            .expect("daemon starts");
        self.child = Some(child);
        self.started = Some(Instant::now());
    }

    /// Time since the daemon was last started.
    pub fn uptime(&self) -> Duration {
        self.started.map_or(Duration::ZERO, |t| t.elapsed())
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// SIGTERM, then the exit status and how long the daemon took to stop.
    pub fn terminate(&mut self) -> (std::process::ExitStatus, Duration) {
        let mut child = self.child.take().expect("running");
        let started = Instant::now();
        signal(child.id(), libc::SIGTERM);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return (status, started.elapsed());
            }
            if started.elapsed() > Duration::from_secs(15) {
                let _ = child.kill();
                panic!("the daemon ignored SIGTERM for 15 s\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("daemon.log")).unwrap_or_default()
    }

    pub fn db_url(&self) -> String {
        format!("sqlite://{}/data/reportdesk.db", self.dir.path().display())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn signal(pid: u32, signal: i32) {
    let pid = i32::try_from(pid).expect("pid");
    // SAFETY: kill(2) on a child process id we own.
    let rc = unsafe { libc::kill(pid, signal) };
    assert_eq!(rc, 0, "kill({pid}, {signal})");
}

/// The period every form of this test binary is for: the month open in the office's zone when
/// first asked, then fixed. Mail sent by SMTP gets the server's real receipt time (the daemon
/// reads INTERNALDATE, as it must), so the forms follow the real month; fixing it once means a
/// month rollover mid-run turns a form into last month's (still accepted, and the receipt still
/// names this period) instead of making the form and the assertion disagree. The one read of the
/// real clock in tests/.
pub fn open_period() -> Period {
    static PERIOD: std::sync::OnceLock<Period> = std::sync::OnceLock::new();
    *PERIOD.get_or_init(|| {
        Period::open_at(OfficeZone::new(chrono_tz::Asia::Shanghai).today(chrono::Utc::now()))
    })
}

/// A unit's filled form for this binary's period as mail from `from`, with a distinct Message-ID.
pub fn form_mail(from: &str, unit_name: &str, id: &str, first_value: u64) -> Vec<u8> {
    form_mail_for(from, unit_name, id, first_value, open_period())
}

/// The same for a given period.
pub fn form_mail_for(
    from: &str,
    unit_name: &str,
    id: &str,
    first_value: u64,
    period: Period,
) -> Vec<u8> {
    use base64::Engine;
    let mut values = [2u64; 11];
    values[0] = first_value;
    let form = monthly_filled(&TemplateFill {
        unit: unit_name.into(),
        period: period.zh(),
        filled_by: "张敏".into(),
        phone: "023-68173265".into(),
        filled_on: "2026-11-10".into(),
        values,
    })
    .expect("form");
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    // SMTP lines stop at 1000 octets: wrap the attachment at 76 as mailers do.
    let wrapped = |b: &[u8]| {
        b64(b)
            .as_bytes()
            .chunks(76)
            .map(|line| String::from_utf8_lossy(line).into_owned())
            .collect::<Vec<_>>()
            .join("\r\n")
    };
    format!(
        "From: <{from}>\r\nTo: <{OFFICE}>\r\nSubject: =?UTF-8?B?{}?=\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nform attached\r\n--XX\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name=\"form.xlsx\"\r\nContent-Disposition: attachment; filename=\"form.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--XX--\r\n",
        b64(format!("{unit_name}月报表").as_bytes()),
        wrapped(&form)
    )
    .into_bytes()
}

/// The In-Reply-To of a raw reply, without brackets.
pub fn in_reply_to(raw: &[u8]) -> Option<String> {
    let parsed = mail_parser::MessageParser::default().parse(raw)?;
    parsed.in_reply_to().as_text().map(str::to_string)
}

pub fn body_text(raw: &[u8]) -> String {
    mail_parser::MessageParser::default()
        .parse(raw)
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .unwrap_or_default()
}

/// Waits until `folder` of `login` holds at least `count` messages, or fails with the logs.
pub fn await_count(
    stack: &MailStack,
    daemon: &Daemon,
    login: &str,
    folder: &str,
    count: usize,
    limit: Duration,
) -> Vec<Vec<u8>> {
    let started = Instant::now();
    loop {
        let messages = stack.mailbox(login, folder);
        if messages.len() >= count {
            return messages;
        }
        if started.elapsed() > limit {
            panic!(
                "{login}/{folder}: {} of {count} messages after {limit:?}\n--- daemon log ---\n{}\n--- stack ---\n{}",
                messages.len(),
                tail(&daemon.log(), 6000),
                stack.logs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
