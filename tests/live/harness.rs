//! A real mail stack on loopback for live tests: a private Dovecot (IMAP, IMAPS, LMTP) and an
//! aiosmtpd SMTP server (plaintext + STARTTLS, implicit TLS, AUTH PLAIN/LOGIN) that delivers into
//! Dovecot over LMTP, all under one temp dir with its own test CA.
//!
//! Layout of the temp dir (`/tmp/rd-XXXXXX`, short because Dovecot's unix sockets live in it):
//! `dovecot.conf`, `users` (passwd-file shared by Dovecot and the SMTP server), `home/<login>/Maildir`,
//! `run/` (Dovecot base_dir), `state/`, `tls/` (CA and server certificate), `dovecot.log`,
//! `smtp.log`, `smtp_rejects` (recipients the SMTP server refuses with 550).
//!
//! Set `REPORTDESK_KEEP_MAILSTACK=1` to keep the dir after the test for a look at the logs.
//!
//! Every `MailStack` is independent (own ports, dirs and processes), so tests run in parallel.
//! Calls panic with the relevant server logs when something fails: this is test code.

mod certs;
mod dovecot;
mod inspect;
mod maildir;
mod smtp_client;
mod smtp_server;
mod system;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use dovecot::Options;
pub use smtp_client::SmtpError;
pub use system::python;

use dovecot::Dovecot;
use smtp_server::SmtpServer;
use system::{MailIds, is_root, lock, log_tail, make_dir, make_traversable};

/// A private Dovecot and SMTP server on free loopback ports; everything is removed on drop.
pub struct MailStack {
    /// `Drop` stops both servers; the dir (last field) is removed after that.
    dovecot: Mutex<Dovecot>,
    smtp: Mutex<SmtpServer>,
    /// login -> password, mirrored into the passwd-file on every change.
    users: Mutex<BTreeMap<String, String>>,
    mail_ids: MailIds,
    ca_file: PathBuf,
    dir: tempfile::TempDir,
}

impl MailStack {
    /// Starts Dovecot and the SMTP server; panics with a clear message if a tool is missing.
    pub fn start() -> MailStack {
        MailStack::start_with(Options::default())
    }

    /// Like `start`, with a Dovecot that differs from the default (capabilities, rawlog).
    pub fn start_with(options: Options) -> MailStack {
        check_tools();
        let dir = tempfile::Builder::new()
            .prefix("rd-")
            .tempdir_in("/tmp")
            .unwrap_or_else(|e| panic!("cannot create a temp dir in /tmp: {e}"));
        let root = dir.path().to_path_buf();
        make_traversable(&root);
        let mail_ids = MailIds::for_current_user();
        let tls = certs::write_test_pki(&root.join("tls"));
        make_dir(&root.join("home"));
        dovecot::write_users_file(&root, &BTreeMap::new(), mail_ids.uid, mail_ids.gid);
        // Python needs ~0.3 s to start: start both servers at once.
        let (dovecot, smtp) = std::thread::scope(|scope| {
            let smtp = scope.spawn(|| {
                SmtpServer::start_on_free_ports(&root, &tls, &dovecot::lmtp_socket(&root))
            });
            let dovecot = Dovecot::start_on_free_ports(&root, &tls, mail_ids.uid, &options);
            let smtp = smtp
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (dovecot, smtp)
        });
        MailStack {
            dovecot: Mutex::new(dovecot),
            smtp: Mutex::new(smtp),
            users: Mutex::new(BTreeMap::new()),
            mail_ids,
            ca_file: tls.ca_cert,
            dir,
        }
    }

    pub fn imap_port(&self) -> u16 {
        lock(&self.dovecot).imap_port()
    }

    pub fn imaps_port(&self) -> u16 {
        lock(&self.dovecot).imaps_port()
    }

    pub fn smtp_port(&self) -> u16 {
        lock(&self.smtp).port()
    }

    pub fn smtps_port(&self) -> u16 {
        lock(&self.smtp).tls_port()
    }

    /// PEM of the test CA that signed both servers' certificate (SAN localhost and 127.0.0.1).
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The temp dir holding configs, logs and mailboxes (for debugging a failing test).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Adds (or changes the password of) a mailbox user, e.g. "office@example.gov.cn". Both
    /// servers re-read the passwd-file, so this works before and after start.
    pub fn add_user(&self, login: &str, password: &str) {
        check_login(login);
        assert!(
            !password.contains([':', '\n']),
            "add_user: a password with ':' or a newline cannot go in a passwd-file"
        );
        let home = self.home(login);
        make_dir(&home.join("rawlog"));
        if is_root() {
            for dir in [home.clone(), home.join("rawlog")] {
                std::os::unix::fs::chown(&dir, Some(self.mail_ids.uid), Some(self.mail_ids.gid))
                    .unwrap_or_else(|e| panic!("cannot chown {}: {e}", dir.display()));
            }
        }
        fs::set_permissions(&home, fs::Permissions::from_mode(0o700))
            .unwrap_or_else(|e| panic!("cannot chmod {}: {e}", home.display()));
        let mut users = lock(&self.users);
        users.insert(login.to_string(), password.to_string());
        dovecot::write_users_file(self.dir(), &users, self.mail_ids.uid, self.mail_ids.gid);
    }

    /// Saves a raw message straight into the user's INBOX with `doveadm save` (~20 ms). Needs
    /// Dovecot running (doveadm looks the user up through its auth socket), as do `folders`,
    /// `create_folder` and `mailbox` of a folder other than INBOX.
    pub fn inject(&self, login: &str, raw: &[u8]) {
        self.doveadm_with_input(&["save", "-u", login], raw);
    }

    /// Drops a message straight into the INBOX Maildir's `new/`, as a delivery agent does: for
    /// backlogs of thousands, where one doveadm call per message would take minutes. Dovecot
    /// assigns the UIDs when it next looks at the folder.
    pub fn drop_into_inbox(&self, login: &str, unique: &str, raw: &[u8]) {
        let maildir = self.home(login).join("Maildir");
        for sub in ["new", "cur", "tmp"] {
            let dir = maildir.join(sub);
            if !dir.exists() {
                fs::create_dir_all(&dir)
                    .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
                self.give_to_mail_user(&dir);
            }
        }
        self.give_to_mail_user(&maildir);
        let tmp = maildir.join("tmp").join(unique);
        fs::write(&tmp, raw).unwrap_or_else(|e| panic!("cannot write {}: {e}", tmp.display()));
        self.give_to_mail_user(&tmp);
        let target = maildir.join("new").join(unique);
        fs::rename(&tmp, &target)
            .unwrap_or_else(|e| panic!("cannot deliver {}: {e}", target.display()));
    }

    fn give_to_mail_user(&self, path: &Path) {
        if is_root() {
            std::os::unix::fs::chown(path, Some(self.mail_ids.uid), Some(self.mail_ids.gid))
                .unwrap_or_else(|e| panic!("cannot chown {}: {e}", path.display()));
        }
    }

    /// Creates a folder (UTF-8 name, e.g. "已处理") for the user.
    pub fn create_folder(&self, login: &str, folder: &str) {
        self.doveadm(&["mailbox", "create", "-u", login, folder]);
    }

    /// The raw messages of a folder in UID order, exactly as IMAP serves them (CRLF line ends,
    /// plus the Return-Path/Delivered-To headers LMTP adds). Empty if the folder does not exist.
    pub fn mailbox(&self, login: &str, folder: &str) -> Vec<Vec<u8>> {
        let dir = self.maildir_of(login, folder);
        maildir::read_messages(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}\n{}", dir.display(), self.logs()))
    }

    /// How many messages a folder holds, counting its Maildir files without reading them: cheap
    /// enough to poll while thousands arrive.
    pub fn count(&self, login: &str, folder: &str) -> usize {
        let dir = self.maildir_of(login, folder);
        ["new", "cur"]
            .iter()
            .map(|sub| fs::read_dir(dir.join(sub)).map_or(0, |entries| entries.count()))
            .sum()
    }

    /// The user's folder names (UTF-8), INBOX included.
    pub fn folders(&self, login: &str) -> Vec<String> {
        let out = self.doveadm(&["mailbox", "list", "-u", login]);
        String::from_utf8_lossy(&out)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Stops Dovecot (dropping every IMAP connection) and starts it again on the same ports and
    /// data; returns when it accepts connections again.
    pub fn restart_dovecot(&self) {
        let mut dovecot = lock(&self.dovecot);
        dovecot.stop();
        dovecot.start();
    }

    /// Stops Dovecot: IMAP connections are refused and the SMTP server answers 451 (try again
    /// later) to DATA, until `start_dovecot`.
    pub fn stop_dovecot(&self) {
        lock(&self.dovecot).stop();
    }

    /// Starts Dovecot again on the same ports; returns when it accepts connections.
    pub fn start_dovecot(&self) {
        lock(&self.dovecot).start();
    }

    /// Stops the SMTP server: connections to its ports are refused until `start_smtp`.
    pub fn stop_smtp(&self) {
        lock(&self.smtp).stop();
    }

    /// Starts the SMTP server again on the same ports; returns when it accepts connections.
    pub fn start_smtp(&self) {
        lock(&self.smtp).start();
    }

    /// From now on the SMTP server answers 550 to `RCPT TO:<address>`.
    pub fn reject_recipient(&self, address: &str) {
        lock(&self.smtp).reject_recipient(address);
    }

    /// Submits a message over plaintext SMTP with AUTH PLAIN as `from` (which must be a user).
    pub fn send(&self, from: &str, to: &str, raw: &[u8]) {
        if let Err(e) = self.try_send(from, to, raw) {
            panic!("sending {from} -> {to} failed: {e}\n{}", self.logs());
        }
    }

    /// Like `send`, but hands back the SMTP server's refusal (e.g. the 550 of `reject_recipient`).
    pub fn try_send(&self, from: &str, to: &str, raw: &[u8]) -> Result<(), SmtpError> {
        let password = lock(&self.users)
            .get(from)
            .cloned()
            .unwrap_or_else(|| panic!("send: {from} has no account; call add_user first"));
        smtp_client::submit(self.smtp_port(), from, &password, to, raw)
    }

    /// Polls the folder until it holds at least `count` messages; panics with the logs on timeout.
    pub fn wait_for(
        &self,
        login: &str,
        folder: &str,
        count: usize,
        timeout: Duration,
    ) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.mailbox(login, folder);
            if messages.len() >= count {
                return messages;
            }
            if Instant::now() >= deadline {
                panic!(
                    "{login}/{folder}: {} of {count} messages after {timeout:?}\n{}",
                    messages.len(),
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The tails of both servers' logs, for panic messages.
    pub fn logs(&self) -> String {
        format!(
            "--- dovecot.log (tail) ---\n{}\n--- smtp.log (tail) ---\n{}",
            log_tail(&self.dir().join("dovecot.log")),
            log_tail(&self.dir().join("smtp.log"))
        )
    }

    fn home(&self, login: &str) -> PathBuf {
        self.dir().join("home").join(login)
    }

    fn maildir_of(&self, login: &str, folder: &str) -> PathBuf {
        if folder.eq_ignore_ascii_case("INBOX") {
            return self.home(login).join("Maildir");
        }
        let out = self.doveadm(&["mailbox", "path", "-u", login, folder]);
        PathBuf::from(String::from_utf8_lossy(&out).trim())
    }

    fn doveadm(&self, args: &[&str]) -> Vec<u8> {
        self.doveadm_with_input(args, &[])
    }

    fn doveadm_with_input(&self, args: &[&str], input: &[u8]) -> Vec<u8> {
        let conf = self.dir().join("dovecot.conf");
        let mut child = Command::new("doveadm")
            .arg("-c")
            .arg(&conf)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run doveadm: {e}"));
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(input)
                .unwrap_or_else(|e| panic!("doveadm {args:?}: cannot write stdin: {e}"));
        }
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("doveadm {args:?}: {e}"));
        if !out.status.success() {
            panic!(
                "doveadm {args:?} failed ({}): {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr),
                self.logs()
            );
        }
        out.stdout
    }
}

impl Drop for MailStack {
    fn drop(&mut self) {
        lock(&self.smtp).stop();
        lock(&self.dovecot).stop();
        if std::env::var_os("REPORTDESK_KEEP_MAILSTACK").is_some() {
            self.dir.disable_cleanup(true);
            eprintln!("kept the mail stack's dir: {}", self.dir.path().display());
        }
    }
}

/// Checked once per test binary: the check costs a Python start.
fn check_tools() {
    static CHECKED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    if let Err(missing) = CHECKED.get_or_init(find_missing_tool) {
        panic!("{missing}: run scripts/install-test-deps");
    }
}

fn find_missing_tool() -> Result<(), String> {
    let runs = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !runs(dovecot::dovecot_binary(), &["--version"]) {
        return Err("dovecot is not installed (Debian: dovecot-imapd, dovecot-lmtpd)".into());
    }
    let python = system::python();
    if !runs(&python.to_string_lossy(), &["-c", "import aiosmtpd"]) {
        return Err("python3 with the aiosmtpd module is not installed".into());
    }
    Ok(())
}

/// Logins become file names and passwd-file fields: refuse what would break either.
fn check_login(login: &str) {
    let bad = login.is_empty()
        || login.starts_with('.')
        || login
            .chars()
            .any(|c| c == '/' || c == ':' || c.is_whitespace() || c.is_control());
    assert!(!bad, "add_user: {login:?} cannot be a mailbox login here");
}
