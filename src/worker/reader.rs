//! The daemon's side of the worker: one long-lived `reportdesk read-worker` process, started on
//! first use and reused, killed and replaced when it dies, answers nonsense, overruns
//! `worker_seconds`, or the daemon stops ([`Reader::stop`]). Without a worker executable (the
//! library's own tests) the same [`super::job::read`] runs in-process.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::child::job_limit;
use super::frame::{self, Tag};
use super::job::{self, Job, Reply};

/// The environment variable naming the executable to run as the worker (its `read-worker`
/// mode). `reportdesk` itself sets nothing: it runs its own executable.
pub const WORKER_EXE_ENV: &str = "REPORTDESK_WORKER_EXE";

/// How the reader runs.
#[derive(Debug, Clone)]
pub struct ReaderSettings {
    /// The executable with a `read-worker` mode; `None`: read in-process (tests of the library).
    pub exe: Option<PathBuf>,
    pub memory_mib: u64,
    pub seconds: u64,
    pub max_message_bytes: u64,
}

impl ReaderSettings {
    /// The worker is this very executable when it is `reportdesk` (or what
    /// `REPORTDESK_WORKER_EXE` names); otherwise (a test harness) reading is in-process.
    pub fn for_this_process(memory_mib: u64, seconds: u64, max_message_bytes: u64) -> Self {
        let exe = std::env::var_os(WORKER_EXE_ENV)
            .map(PathBuf::from)
            .or_else(|| {
                let exe = std::env::current_exe().ok()?;
                let name = exe.file_stem()?.to_str()?;
                (name == "reportdesk").then_some(exe)
            });
        Self {
            exe,
            memory_mib,
            seconds,
            max_message_bytes,
        }
    }
}

/// Why a message could not be read.
#[derive(Debug, Error)]
pub enum ReadFailure {
    /// The worker died, overran or answered nonsense while on `file` (or before any file).
    #[error("the reader gave up on {}: {why}", file.as_deref().unwrap_or("the message"))]
    Unreadable { file: Option<String>, why: String },
    /// The daemon is stopping; the message stays unfinished.
    #[error("the daemon is stopping")]
    Stopped,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// The attachment reader, shared by every intake of one process.
pub struct Reader {
    settings: ReaderSettings,
    worker: Mutex<Option<Worker>>,
    stop: CancellationToken,
}

impl Reader {
    pub fn new(settings: ReaderSettings) -> Self {
        Self {
            settings,
            worker: Mutex::new(None),
            stop: CancellationToken::new(),
        }
    }

    /// Whether reading happens in a separate process.
    pub fn isolated(&self) -> bool {
        self.settings.exe.is_some()
    }

    /// Stops reading for good: a busy worker is killed at once and later reads fail `Stopped`.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// Reads several messages and hands each result to `each` as soon as it is read, in order.
    /// The jobs are written to the worker while its replies are read, so it goes from one
    /// message to the next without waiting for a round trip. Each job has `worker_seconds`
    /// from the reply before it. When the worker dies, overruns or answers nonsense, the job it
    /// was on fails alone and a new worker reads the rest. Each job is encoded, then dropped,
    /// before any is sent.
    pub async fn read_each(
        &self,
        jobs: impl IntoIterator<Item = Job>,
        each: &mut (dyn FnMut(Result<Reply, ReadFailure>) + Send),
    ) {
        let Some(exe) = &self.settings.exe else {
            for job in jobs {
                each(Ok(job::read(&job, |_| {})));
            }
            return;
        };
        let frames: Vec<Result<Vec<u8>, String>> =
            jobs.into_iter().map(|job| job_frame(&job)).collect();
        let mut results = Results { done: 0, each };
        let mut slot = self.worker.lock().await;
        while results.done < frames.len() {
            if self.stop.is_cancelled() {
                results.push(Err(ReadFailure::Stopped));
                continue;
            }
            let rest = &frames[results.done..];
            let sendable = rest.iter().take_while(|f| f.is_ok()).count();
            if sendable == 0 {
                let why = rest[0].as_ref().err().cloned().unwrap_or_default();
                results.push(Err(ReadFailure::Unreadable { file: None, why }));
                continue;
            }
            let mut worker = match slot.take() {
                Some(worker) => worker,
                None => match self.spawn(exe) {
                    Ok(worker) => worker,
                    Err(error) => {
                        results.push(Err(ReadFailure::Unreadable {
                            file: None,
                            why: format!(
                                "cannot start the reader process {}: {error}",
                                exe.display()
                            ),
                        }));
                        continue;
                    }
                },
            };
            let sent: Vec<&[u8]> = rest[..sendable]
                .iter()
                .filter_map(|f| f.as_deref().ok())
                .collect();
            match self.pipeline(&mut worker, &sent, &mut results).await {
                None => *slot = Some(worker),
                Some(failure) => {
                    end(worker).await;
                    results.push(Err(failure));
                }
            }
        }
    }

    /// Writes `frames` to `worker` while reading a reply for each into `results`; the failure
    /// of the job the worker was on when it stopped answering, if it did.
    async fn pipeline(
        &self,
        worker: &mut Worker,
        frames: &[&[u8]],
        results: &mut Results<'_>,
    ) -> Option<ReadFailure> {
        let deadline = Duration::from_secs(self.settings.seconds);
        let limit = job_limit(self.settings.max_message_bytes).saturating_mul(2);
        let Worker { stdin, stdout, .. } = worker;
        let send = async {
            for frame in frames {
                if stdin.write_all(frame).await.is_err() || stdin.flush().await.is_err() {
                    break;
                }
            }
            // A worker that stopped reading shows on the replies' side; this side waits.
            std::future::pending::<()>().await
        };
        let receive = async {
            for _ in frames {
                let mut file = Place::default();
                let why =
                    match tokio::time::timeout(deadline, receive(stdout, limit, &mut file)).await {
                        Ok(Ok(reply)) => {
                            results.push(Ok(reply));
                            continue;
                        }
                        Ok(Err(why)) => why,
                        Err(_) => format!("still at it after {} s", self.settings.seconds),
                    };
                return Some(ReadFailure::Unreadable {
                    why: format!("{}{why}", file.stage()),
                    file: file.name,
                });
            }
            None
        };
        tokio::select! {
            failure = receive => failure,
            () = send => None,
            () = self.stop.cancelled() => Some(ReadFailure::Stopped),
        }
    }

    fn spawn(&self, exe: &std::path::Path) -> std::io::Result<Worker> {
        let mut child = Command::new(exe)
            .arg("read-worker")
            .arg("--memory-mib")
            .arg(self.settings.memory_mib.to_string())
            .arg("--max-message-bytes")
            .arg(self.settings.max_message_bytes.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(std::io::Error::other("the reader process has no pipes"));
        };
        tracing::debug!(pid = child.id(), "reader process started");
        Ok(Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }
}

/// Where the results go, and how many went.
struct Results<'s> {
    done: usize,
    each: &'s mut (dyn FnMut(Result<Reply, ReadFailure>) + Send),
}

impl Results<'_> {
    fn push(&mut self, result: Result<Reply, ReadFailure>) {
        self.done += 1;
        (self.each)(result);
    }
}

/// Kills a worker and reaps it (briefly: a killed process is gone at once).
async fn end(mut worker: Worker) {
    let _ = worker.child.start_kill();
    let _ = tokio::time::timeout(Duration::from_secs(2), worker.child.wait()).await;
}

/// Which file the worker is on, and whether it has opened it yet.
#[derive(Debug, Default)]
struct Place {
    name: Option<String>,
    opened: bool,
}

impl Place {
    /// How a failure's reason starts: at which step it came.
    fn stage(&self) -> &'static str {
        match (&self.name, self.opened) {
            (None, _) => "",
            (Some(_), false) => "while opening it: ",
            (Some(_), true) => "while reading its forms: ",
        }
    }
}

/// A job as the frame the worker reads.
fn job_frame(job: &Job) -> Result<Vec<u8>, String> {
    let body = job::encode(job)?;
    let mut frame = frame::header(Tag::Job, body.len())
        .map_err(|e| e.to_string())?
        .to_vec();
    frame.extend_from_slice(&body);
    Ok(frame)
}

/// Reads frames until a reply, noting in `file` each file the worker opens and reads.
async fn receive(
    stdout: &mut BufReader<ChildStdout>,
    limit: u64,
    file: &mut Place,
) -> Result<Reply, String> {
    loop {
        let mut head = [0u8; 5];
        stdout.read_exact(&mut head).await.map_err(|e| died(&e))?;
        let (tag, len) = frame::parse_header(head, limit).map_err(|e| e.to_string())?;
        let mut bytes = vec![0u8; len];
        stdout.read_exact(&mut bytes).await.map_err(|e| died(&e))?;
        match tag {
            Tag::Progress => {
                file.name = Some(String::from_utf8_lossy(&bytes).into_owned());
                file.opened = false;
            }
            Tag::Reading => file.opened = true,
            Tag::Reply => return job::decode(&bytes),
            Tag::Job => return Err("the reader sent a job back".to_string()),
        }
    }
}

fn died(error: &std::io::Error) -> String {
    format!("the reader process ended ({error})")
}
