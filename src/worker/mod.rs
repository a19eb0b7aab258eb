//! The attachment reader in its own process (SPEC §12): nothing a sender attaches can take the
//! daemon down, hold it up, or swell it.
//!
//! Parsing a raw message, unpacking its archives and opening its workbooks and Word files (the
//! code that meets hostile bytes first: mail-parser, zip, calamine, quick-xml) runs in a worker:
//! the same binary started as `reportdesk read-worker` (hidden), long-lived and reused across
//! messages, fed over its stdin and answering on its stdout in length-prefixed frames
//! ([`frame`]). It limits its own address space with `setrlimit(RLIMIT_AS)` to
//! `[intake] worker_memory_mib` at start ([`child`]); the daemon side ([`reader`]) kills it when a
//! message takes more than `worker_seconds`, or on shutdown, and starts another for the next
//! message. The whole of open + read happens there: it opens each workbook and Word file and
//! runs the form readers on it (label splitter, monthly and case readers: [`reading`]), so one
//! deadline and one memory limit cover all of it; what it sends back ([`job::Reply`]) is the
//! parsed message and the forms and findings read (small), not the opened files. While it works
//! it names each file it opens, so when it dies the daemon can say which file could not be read.
//! [`job::read`] is the work itself, the same in the worker and in-process.

pub mod child;
pub mod frame;
pub mod job;
pub mod reader;
pub mod reading;

pub use job::{Job, Purpose, Reply};
pub use reader::{ReadFailure, Reader, ReaderSettings};
