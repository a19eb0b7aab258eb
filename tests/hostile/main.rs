//! Hostile input (issue 11, SPEC §12): the crafted attacks as regression tests.

mod craft;
mod daemon;
mod fuzz_regressions;
mod reader_deadline;
mod root_causes;
mod worker_process;
mod xls_continue;
