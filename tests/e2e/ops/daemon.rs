//! A `reportdesk run` child process for a test: spawned through the shared guard
//! (`tests/common/guard.rs`, so it dies with the test's thread and is killed and reaped on drop),
//! and stopped politely (SIGTERM, then SIGKILL) by [`RunningDaemon::stop`] and on drop.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::guard::Guarded;

pub struct RunningDaemon {
    child: Option<Guarded>,
    pub log: PathBuf,
}

impl RunningDaemon {
    /// Starts `command` (a `reportdesk … run`) with its output in `log`.
    pub fn start(mut command: Command, log: PathBuf) -> Self {
        let file = std::fs::File::create(&log).expect("daemon log");
        command
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log handle"))
            .stderr(file);
        let child = Guarded::spawn(&mut command).expect("spawn reportdesk run");
        Self {
            child: Some(child),
            log,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Guarded::id)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM and wait (up to 20 s; then the guard's drop kills and reaps it); the exit status.
    pub fn stop(&mut self) -> Option<std::process::ExitStatus> {
        let mut guarded = self.child.take()?;
        let pid = libc::pid_t::try_from(guarded.id()).ok()?;
        // SAFETY: kill(2) on our own unreaped child.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = guarded.0.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for RunningDaemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Polls `done` until it holds or `limit` passes; false on time-out.
pub fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}
