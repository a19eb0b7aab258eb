//! The stack's private Dovecot: its config (a pure function of the layout, unit-tested), its
//! passwd-file, and the master process (`dovecot -F`, a child of the test, stdio to a file).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::certs::TestPki;
use super::system::{
    OrphanGuard, child_pids, free_port, is_root, log_tail, make_dir, signal_all, terminate,
};

/// How long Dovecot may take to accept connections after start (it usually needs ~50 ms).
const READY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Dovecot {
    root: PathBuf,
    imap_port: u16,
    imaps_port: u16,
    master: Option<Child>,
    guard: Option<OrphanGuard>,
}

/// Everything the config depends on.
#[derive(Debug, Clone)]
pub struct Layout {
    pub root: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub imap_port: u16,
    pub imaps_port: u16,
    pub mail_uid: u32,
    /// `Some((user, group))` when not run as root: Dovecot then runs all its services as them.
    pub service_user: Option<(String, String)>,
    /// How this Dovecot differs from a default one.
    pub options: Options,
}

/// A Dovecot that is not the default one, for the client's fallbacks.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Replaces the CAPABILITY list (`imap_capability`), e.g. one without MOVE and IDLE. Dovecot
    /// still accepts those commands; the rawlog shows whether the client used them.
    pub imap_capability: Option<String>,
    /// Records every IMAP session's client commands in `home/<login>/rawlog/*.in` (`rawlog_dir`).
    pub rawlog: bool,
}

impl Dovecot {
    /// Writes the config and starts Dovecot, retrying with other ports if one was taken meanwhile.
    pub fn start_on_free_ports(
        root: &Path,
        pki: &TestPki,
        mail_uid: u32,
        options: &Options,
    ) -> Dovecot {
        make_dir(&root.join("run"));
        make_dir(&root.join("state"));
        let service_user = (!is_root()).then(|| (id_name("-un"), id_name("-gn")));
        let mut last_error = String::new();
        for _ in 0..3 {
            let layout = Layout {
                root: root.to_path_buf(),
                cert: pki.server_cert.clone(),
                key: pki.server_key.clone(),
                imap_port: free_port(),
                imaps_port: free_port(),
                mail_uid,
                service_user: service_user.clone(),
                options: options.clone(),
            };
            let conf = root.join("dovecot.conf");
            fs::write(&conf, render_config(&layout))
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", conf.display()));
            let mut dovecot = Dovecot {
                root: root.to_path_buf(),
                imap_port: layout.imap_port,
                imaps_port: layout.imaps_port,
                master: None,
                guard: None,
            };
            match dovecot.spawn_and_wait() {
                Ok(()) => return dovecot,
                Err(why) => last_error = why,
            }
        }
        panic!("Dovecot did not start: {last_error}\n{}", logs(root));
    }

    pub fn imap_port(&self) -> u16 {
        self.imap_port
    }

    pub fn imaps_port(&self) -> u16 {
        self.imaps_port
    }

    /// Starts it again on the same ports (no-op if it runs). Processes of the previous run may
    /// hold a port for a moment, hence the retries.
    pub fn start(&mut self) {
        if self.master.is_some() {
            return;
        }
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match self.spawn_and_wait() {
                Ok(()) => return,
                Err(why) if Instant::now() >= deadline => {
                    panic!("Dovecot did not restart: {why}\n{}", logs(&self.root))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Stops the master and its processes if they run. Its children get SIGTERM together with
    /// it (master first): signalled alone, the master waits a full second for its log process.
    pub fn stop(&mut self) {
        if let Some(guard) = self.guard.take() {
            guard.disarm();
        }
        if let Some(master) = self.master.take() {
            let mut pids = child_pids(master.id());
            if let Ok(pid) = libc::pid_t::try_from(master.id()) {
                pids.insert(0, pid);
            }
            signal_all(&pids, libc::SIGTERM);
            terminate(master, "dovecot");
        }
    }

    fn spawn_and_wait(&mut self) -> Result<(), String> {
        let out = File::options()
            .create(true)
            .append(true)
            .open(self.root.join("dovecot.out"))
            .map_err(|e| format!("cannot open dovecot.out: {e}"))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("cannot clone a file handle: {e}"))?;
        let master = Command::new(dovecot_binary())
            .arg("-F")
            .arg("-c")
            .arg(self.root.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot run dovecot: {e}"))?;
        self.guard = OrphanGuard::watch(master.id(), Some(&self.root));
        self.master = Some(master);
        let result = self.wait_ready();
        if result.is_err() {
            self.stop();
        }
        result
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(master) = self.master.as_mut()
                && let Ok(Some(status)) = master.try_wait()
            {
                return Err(format!("dovecot exited: {status}"));
            }
            if greets(TcpStream::connect(("127.0.0.1", self.imap_port)), "* OK")
                && greets(UnixStream::connect(lmtp_socket(&self.root)), "220 ")
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!("not ready after {READY_TIMEOUT:?}"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Dovecot's LMTP socket, where the SMTP server delivers.
pub fn lmtp_socket(root: &Path) -> PathBuf {
    root.join("run").join("lmtp")
}

/// Reads the first line the server sends and checks how it starts.
fn greets<S: std::io::Read>(stream: std::io::Result<S>, prefix: &str) -> bool {
    let Ok(stream) = stream else {
        return false;
    };
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with(prefix)
}

/// `dovecot` lives in /usr/sbin, which a non-root PATH often lacks.
pub fn dovecot_binary() -> &'static str {
    if Path::new("/usr/sbin/dovecot").exists() {
        "/usr/sbin/dovecot"
    } else {
        "dovecot"
    }
}

/// The current user's (`-un`) or group's (`-gn`) name.
fn id_name(flag: &str) -> String {
    let out = Command::new("id")
        .arg(flag)
        .output()
        .unwrap_or_else(|e| panic!("cannot run id {flag}: {e}"));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn logs(root: &Path) -> String {
    format!(
        "--- dovecot.log ---\n{}\n--- dovecot.out ---\n{}",
        log_tail(&root.join("dovecot.log")),
        log_tail(&root.join("dovecot.out"))
    )
}

/// Writes the passwd-file read by Dovecot's passdb/userdb and by the SMTP server's AUTH.
/// Written to a temp name and renamed, so a reader never sees half a file.
pub fn write_users_file(root: &Path, users: &BTreeMap<String, String>, uid: u32, gid: u32) {
    let text: String = users
        .iter()
        .map(|(login, password)| {
            let home = root.join("home").join(login);
            format!(
                "{login}:{{PLAIN}}{password}:{uid}:{gid}::{}::\n",
                home.display()
            )
        })
        .collect();
    let tmp = root.join("users.tmp");
    fs::write(&tmp, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", tmp.display()));
    fs::rename(&tmp, root.join("users")).unwrap_or_else(|e| panic!("cannot rename users: {e}"));
}

/// The whole dovecot.conf: nothing is read from /etc/dovecot.
pub fn render_config(layout: &Layout) -> String {
    let root = layout.root.display();
    let instance = layout
        .root
        .file_name()
        .map_or("rd".into(), |n| n.to_string_lossy());
    let mut protocol_imap = String::from("  mail_max_userip_connections = 1000\n");
    if let Some(capability) = &layout.options.imap_capability {
        protocol_imap.push_str(&format!("  imap_capability = {capability}\n"));
    }
    if layout.options.rawlog {
        protocol_imap.push_str(&format!("  rawlog_dir = {root}/home/%u/rawlog\n"));
    }
    let service_users = layout
        .service_user
        .as_ref()
        .map_or(String::new(), |(user, group)| {
            format!(
                "default_internal_user = {user}\ndefault_internal_group = {group}\n\
             default_login_user = {user}\nservice imap-login {{\n  chroot =\n}}\n"
            )
        });
    format!(
        r#"# Private Dovecot for reportdesk's live tests (generated by tests/live/harness).
instance_name = {instance}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap lmtp
{service_users}ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_save_crlf = yes
mail_fsync = never
first_valid_uid = {uid}
last_valid_uid = {uid}
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
protocol imap {{
{protocol_imap}}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0666
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"#,
        cert = layout.cert.display(),
        key = layout.key.display(),
        uid = layout.mail_uid,
        imap = layout.imap_port,
        imaps = layout.imaps_port,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(service_user: Option<&str>) -> Layout {
        Layout {
            root: PathBuf::from("/tmp/rd-abc123"),
            cert: PathBuf::from("/tmp/rd-abc123/tls/server.pem"),
            key: PathBuf::from("/tmp/rd-abc123/tls/server.key"),
            imap_port: 40001,
            imaps_port: 40002,
            mail_uid: 5000,
            service_user: service_user.map(|u| (u.to_string(), format!("{u}-group"))),
            options: Options::default(),
        }
    }

    #[test]
    fn config_can_hide_move_and_idle_and_record_sessions() {
        let mut layout = layout(None);
        assert!(!render_config(&layout).contains("imap_capability"));
        layout.options = Options {
            imap_capability: Some("IMAP4rev1 UIDPLUS".into()),
            rawlog: true,
        };
        let conf = render_config(&layout);
        assert!(conf.contains(
            "protocol imap {\n  mail_max_userip_connections = 1000\n  imap_capability = IMAP4rev1 UIDPLUS\n  rawlog_dir = /tmp/rd-abc123/home/%u/rawlog\n}"
        ));
    }

    #[test]
    fn config_binds_both_listeners_on_loopback_ports() {
        let conf = render_config(&layout(None));
        assert!(conf.contains("listen = 127.0.0.1\n"));
        assert!(conf.contains("port = 40001\n"));
        assert!(conf.contains("port = 40002\n    ssl = yes\n"));
        assert!(conf.contains("base_dir = /tmp/rd-abc123/run\n"));
        assert!(conf.contains("ssl_cert = </tmp/rd-abc123/tls/server.pem\n"));
        assert!(conf.contains("instance_name = rd-abc123\n"));
    }

    #[test]
    fn config_names_service_user_only_when_not_root() {
        assert!(!render_config(&layout(None)).contains("default_internal_user"));
        let conf = render_config(&layout(Some("dev")));
        assert!(conf.contains("default_internal_user = dev\ndefault_internal_group = dev-group\n"));
        assert!(conf.contains("default_login_user = dev\n"));
    }

    #[test]
    fn users_file_lines_are_passwd_file_entries() {
        let dir = tempfile::tempdir().unwrap();
        let users = BTreeMap::from([("a@x.cn".to_string(), "pw".to_string())]);
        write_users_file(dir.path(), &users, 5000, 5000);
        let text = fs::read_to_string(dir.path().join("users")).unwrap();
        let home = dir.path().join("home/a@x.cn");
        assert_eq!(
            text,
            format!("a@x.cn:{{PLAIN}}pw:5000:5000::{}::\n", home.display())
        );
    }
}
