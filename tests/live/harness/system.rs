//! Process and file-system chores of the harness: free ports, stopping processes, permissions,
//! the mail uid, log tails.

use std::collections::HashSet;
use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The uid/gid that owns the mailboxes: 5000 when run as root (no passwd entry needed), else
/// the current user, so a non-root developer can run the stack too.
#[derive(Debug, Clone, Copy)]
pub struct MailIds {
    pub uid: u32,
    pub gid: u32,
}

impl MailIds {
    pub fn for_current_user() -> MailIds {
        if is_root() {
            return MailIds {
                uid: 5000,
                gid: 5000,
            };
        }
        // SAFETY: getuid/getgid cannot fail and touch no memory.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        MailIds { uid, gid }
    }
}

/// A free loopback port no other stack of this process has been given. Binding port 0 and
/// closing leaves a small race with other processes; `start_on_free_ports` retries on it.
pub fn free_port() -> u16 {
    static GIVEN: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("cannot bind a loopback port: {e}"));
        let mut given = lock(&GIVEN);
        if given.get_or_insert_with(HashSet::new).insert(port) {
            return port;
        }
    }
}

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub fn is_root() -> bool {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() == 0 }
}

/// Dovecot's processes run as other users: every dir on the way to a mailbox must be traversable.
pub fn make_traversable(dir: &Path) {
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("cannot chmod {}: {e}", dir.display()));
}

pub fn make_dir(dir: &Path) {
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    make_traversable(dir);
}

/// SIGTERM, then SIGKILL if the process is still there after 5 s; always reaps it.
pub fn terminate(mut child: Child, name: &str) {
    let Ok(pid) = libc::pid_t::try_from(child.id()) else {
        let _ = child.kill();
        let _ = child.wait();
        return;
    };
    // SAFETY: kill has no memory effects; the pid is our own unreaped child, so it cannot have
    // been reused for another process.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    eprintln!("{name} ignored SIGTERM for 5 s: killing it");
    let _ = child.kill();
    let _ = child.wait();
}

/// Stops a server if this test process dies without stopping it (SIGKILL, abort, a CI
/// timeout): a `sh` blocks reading a pipe that only this process holds open, and on EOF sends
/// SIGTERM to the server, then (if given) removes the stack's dir once the server is gone.
/// Ctrl-C needs no guard: it reaches the whole process group.
pub struct OrphanGuard {
    sh: Child,
}

const GUARD_SCRIPT: &str = r#"read _line
kill -TERM "$1" 2>/dev/null
[ -n "$2" ] || exit 0
i=0
while kill -0 "$1" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done
rm -rf -- "$2""#;

impl OrphanGuard {
    pub fn watch(pid: u32, remove_after: Option<&Path>) -> Option<OrphanGuard> {
        Command::new("sh")
            .args(["-c", GUARD_SCRIPT, "orphan-guard"])
            .arg(pid.to_string())
            .arg(remove_after.map(Path::as_os_str).unwrap_or_default())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()
            .map(|sh| OrphanGuard { sh })
    }

    /// Ends the guard without it signalling anything (SIGKILL interrupts the `read`).
    pub fn disarm(mut self) {
        let _ = self.sh.kill();
        let _ = self.sh.wait();
    }
}

/// The pids whose parent is `parent`, from /proc.
pub fn child_pids(parent: u32) -> Vec<libc::pid_t> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pid: libc::pid_t = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
            let after_comm = stat.get(stat.rfind(')')? + 1..)?;
            let ppid: u32 = after_comm.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == parent).then_some(pid)
        })
        .collect()
}

/// Signals processes that may already be gone. Only used on the children of a live master, so
/// a pid cannot have been reused in the microseconds since they were listed.
pub fn signal_all(pids: &[libc::pid_t], signal: libc::c_int) {
    for &pid in pids {
        // SAFETY: kill has no memory effects.
        unsafe { libc::kill(pid, signal) };
    }
}

/// The Python that runs the SMTP server and smtplib: `REPORTDESK_TEST_PYTHON` if set, else the
/// venv `scripts/install-test-deps` makes when the system Python refuses pip (target/test-venv),
/// else `python3` on PATH.
pub fn python() -> std::path::PathBuf {
    if let Some(python) = std::env::var_os("REPORTDESK_TEST_PYTHON") {
        return python.into();
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv/bin/python3");
    if venv.exists() {
        return venv;
    }
    "python3".into()
}

/// The last 40 lines of a log file (empty if it cannot be read).
pub fn log_tail(path: &Path) -> String {
    let text = fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
