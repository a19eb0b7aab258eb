//! Spawned processes that cannot outlive their test: [`Guarded`] kills (and reaps) its child on
//! drop, so a failing assertion leaves no `reportdesk run` behind, and [`die_with_parent`] has the
//! kernel kill the child when the thread that spawned it ends (the test's thread: a panic, the
//! harness killed by a CI timeout, or SIGKILL), where no `Drop` runs.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command};

/// Asks the kernel to SIGKILL the child when the spawning thread exits (PR_SET_PDEATHSIG). Spawn
/// from the test's own thread: the signal follows the thread, not the process.
pub fn die_with_parent(command: &mut Command) -> &mut Command {
    // SAFETY: prctl and getppid are async-signal-safe and touch no memory of the parent; this
    // runs in the forked child before exec.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died between fork and prctl: then nobody will signal us.
            if libc::getppid() == 1 {
                libc::_exit(1);
            }
            Ok(())
        })
    }
}

/// A child killed and reaped on drop (a no-op once it has exited and been waited for).
pub struct Guarded(pub Child);

impl Guarded {
    /// Spawns `command` with [`die_with_parent`].
    pub fn spawn(command: &mut Command) -> std::io::Result<Guarded> {
        die_with_parent(command).spawn().map(Guarded)
    }

    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
