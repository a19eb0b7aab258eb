//! `reportdesk read-worker`: the worker process's side. It caps its own address space, then
//! reads jobs from stdin and answers on stdout until stdin closes. Nothing here is async: one
//! message at a time, and a crash takes only this process.

use std::io::{BufReader, BufWriter, Write};

use super::frame::{self, FrameError, Tag};
use super::job::{self, Job};
use super::reading::Step;

/// The largest job frame: a message at the configured maximum, with room for its framing.
pub fn job_limit(max_message_bytes: u64) -> u64 {
    max_message_bytes.saturating_mul(2).saturating_add(1 << 20)
}

/// Lets a test make the worker misbehave on purpose: with `REPORTDESK_WORKER_TEST_FAULTS=1` in
/// its environment, a message whose raw bytes contain `[[reportdesk-test:hang]]` never finishes,
/// `[[reportdesk-test:abort]]` aborts the process, `[[reportdesk-test:oom]]` allocates until
/// the address-space limit stops it and `[[reportdesk-test:slow-read]]` hangs once a file is
/// opened and its forms are being read. Without the variable nothing of the kind is looked at.
pub const TEST_FAULTS_ENV: &str = "REPORTDESK_WORKER_TEST_FAULTS";

/// Serves jobs until stdin closes; returns the process exit code.
pub fn serve(memory_mib: u64, max_message_bytes: u64) -> i32 {
    // Die with the daemon, even when it is killed outright (no reader is left hanging).
    // SAFETY: prctl with PR_SET_PDEATHSIG only sets this process's parent-death signal.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    if let Err(error) = limit_address_space(memory_mib) {
        eprintln!("reportdesk read-worker: cannot limit memory to {memory_mib} MiB: {error}");
        return 2;
    }
    let faults = std::env::var(TEST_FAULTS_ENV).is_ok_and(|v| v == "1");
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut output = BufWriter::new(std::io::stdout().lock());
    loop {
        let body = match frame::read_frame(&mut input, job_limit(max_message_bytes)) {
            Ok((Tag::Job, body)) => body,
            Ok((tag, _)) => {
                eprintln!("reportdesk read-worker: unexpected frame {tag:?}");
                return 2;
            }
            Err(FrameError::Closed) => return 0,
            Err(error) => {
                eprintln!("reportdesk read-worker: {error}");
                return 2;
            }
        };
        if let Err(error) = answer(&body, faults, &mut output) {
            eprintln!("reportdesk read-worker: {error}");
            return 2;
        }
    }
}

fn answer(body: &[u8], faults: bool, output: &mut impl Write) -> Result<(), String> {
    let job: Job = job::decode(body)?;
    if faults {
        misbehave(&job.raw);
    }
    let hang_reading = faults && has_marker(&job.raw, "[[reportdesk-test:slow-read]]");
    let mut progress_error = None;
    let reply = job::read(&job, |step| {
        let (tag, name) = match step {
            Step::Opening(name) => (Tag::Progress, name),
            Step::Reading(name) => (Tag::Reading, name),
        };
        if let Err(error) = frame::write_frame(output, tag, name.as_bytes()) {
            progress_error.get_or_insert(error.to_string());
        }
        if hang_reading && tag == Tag::Reading {
            hang();
        }
    });
    if let Some(error) = progress_error {
        return Err(error);
    }
    let bytes = job::encode(&reply)?;
    frame::write_frame(output, Tag::Reply, &bytes).map_err(|e| e.to_string())
}

fn has_marker(raw: &[u8], marker: &str) -> bool {
    raw.windows(marker.len()).any(|w| w == marker.as_bytes())
}

fn hang() -> ! {
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

fn misbehave(raw: &[u8]) {
    let has = |marker: &str| has_marker(raw, marker);
    if has("[[reportdesk-test:hang]]") {
        hang();
    }
    if has("[[reportdesk-test:abort]]") {
        std::process::abort();
    }
    if has("[[reportdesk-test:oom]]") {
        let mut hog: Vec<Vec<u8>> = Vec::new();
        loop {
            hog.push(vec![1u8; 64 << 20]);
        }
    }
}

/// `setrlimit(RLIMIT_AS)`: past this the allocator fails and the process aborts, this process
/// only.
fn limit_address_space(mib: u64) -> std::io::Result<()> {
    let bytes = mib.saturating_mul(1 << 20);
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit reads the struct passed by reference and changes only this process.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
