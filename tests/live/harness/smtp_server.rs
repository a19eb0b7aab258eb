//! The stack's SMTP server: `smtp_server.py` (aiosmtpd) run by `python3` (see `system::python`), its log in `smtp.log`,
//! controlled through the `smtp_rejects` file it reads on every RCPT.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::certs::TestPki;
use super::system::{OrphanGuard, free_port, log_tail, python, terminate};

const SCRIPT: &str = include_str!("../smtp_server.py");

/// Python needs ~150 ms to import aiosmtpd and bind; allow for a loaded machine.
const READY_TIMEOUT: Duration = Duration::from_secs(15);

pub struct SmtpServer {
    root: PathBuf,
    args: Vec<String>,
    port: u16,
    tls_port: u16,
    process: Option<Child>,
    guard: Option<OrphanGuard>,
}

impl SmtpServer {
    /// Starts the server, retrying with other ports if one was taken meanwhile.
    pub fn start_on_free_ports(root: &Path, pki: &TestPki, lmtp_socket: &Path) -> SmtpServer {
        let script = root.join("smtp_server.py");
        fs::write(&script, SCRIPT)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", script.display()));
        let mut last_error = String::new();
        for _ in 0..3 {
            let (port, tls_port) = (free_port(), free_port());
            let path = |p: &Path| p.display().to_string();
            let args = vec![
                "-u".to_string(),
                path(&script),
                "--host=127.0.0.1".to_string(),
                format!("--port={port}"),
                format!("--tls-port={tls_port}"),
                format!("--cert={}", path(&pki.server_cert)),
                format!("--key={}", path(&pki.server_key)),
                format!("--users={}", path(&root.join("users"))),
                format!("--lmtp={}", path(lmtp_socket)),
                format!("--rejects={}", path(&root.join("smtp_rejects"))),
            ];
            let mut server = SmtpServer {
                root: root.to_path_buf(),
                args,
                port,
                tls_port,
                process: None,
                guard: None,
            };
            match server.spawn_and_wait() {
                Ok(()) => return server,
                Err(why) => last_error = why,
            }
        }
        panic!(
            "the SMTP server did not start: {last_error}\n{}",
            log_tail(&root.join("smtp.log"))
        );
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn tls_port(&self) -> u16 {
        self.tls_port
    }

    /// Starts it again on the same ports (no-op if it runs). The previous process's sockets may
    /// hold a port for a moment (or another process may have taken it meanwhile), hence retries
    /// until the ready timeout, as Dovecot's restart does.
    pub fn start(&mut self) {
        if self.process.is_some() {
            return;
        }
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match self.spawn_and_wait() {
                Ok(()) => return,
                Err(why) if Instant::now() >= deadline => panic!(
                    "the SMTP server did not restart: {why}\n{}",
                    log_tail(&self.root.join("smtp.log"))
                ),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Stops it; returns once the process is gone and its ports are closed.
    pub fn stop(&mut self) {
        if let Some(guard) = self.guard.take() {
            guard.disarm();
        }
        if let Some(process) = self.process.take() {
            terminate(process, "smtp_server.py");
        }
    }

    pub fn reject_recipient(&self, address: &str) {
        let path = self.root.join("smtp_rejects");
        let mut file = File::options()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        writeln!(file, "{address}")
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }

    fn spawn_and_wait(&mut self) -> Result<(), String> {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.root.join("smtp.log"))
            .map_err(|e| format!("cannot open smtp.log: {e}"))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot clone a file handle: {e}"))?;
        let process = Command::new(python())
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("cannot run python3: {e}"))?;
        self.guard = OrphanGuard::watch(process.id(), None);
        self.process = Some(process);
        let result = self.wait_ready();
        if result.is_err() {
            self.stop();
        }
        result
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(process) = self.process.as_mut()
                && let Ok(Some(status)) = process.try_wait()
            {
                return Err(format!("smtp_server.py exited: {status}"));
            }
            if greets_smtp(self.port) && TcpStream::connect(("127.0.0.1", self.tls_port)).is_ok() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!("not ready after {READY_TIMEOUT:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn greets_smtp(port: u16) -> bool {
    let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with("220 ")
}
