//! Output to a closed pipe ends quietly (SPEC §17): `reportdesk status | head -1` must not panic.
//!
//! Rust ignores SIGPIPE, so a write to a closed pipe is an error, and `println!` panics on it.
//! The commands that only read and print (`cli::Command::only_prints`) restore the default
//! action instead: the process ends silently at the first write nobody reads, as `cat` or `ls`
//! do. The others keep ignoring it: they write to pipes of their own (the attachment reader
//! process), where a reader that died must be an error to handle, not a signal that kills us;
//! and `run` drops the lines nobody reads (`cli::print_taken`), so a closed stdout never stops
//! the daemon.

/// Restores SIGPIPE's default action for this process.
pub fn end_quietly_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to SIG_DFL installs no handler code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
