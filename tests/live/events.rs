//! Waiting on events instead of sleeping: a line in the daemon's log, a value in its database.
//! Every wait has a deadline and fails with the daemon's log; "nothing happened" is asserted only
//! after a positive marker shows the daemon got past the point where it would have happened.

use std::time::{Duration, Instant};

use sqlx::Connection;

use crate::running::Daemon;

/// The daemon's own grace period after SIGTERM/SIGINT (`src/daemon.rs`), and the margin a loaded
/// CI machine gets on top of it: a stop must take less than the sum.
pub const GRACE: Duration = Duration::from_secs(5);
pub const STOP_MARGIN: Duration = Duration::from_secs(5);

/// Polls `done` every 50 ms until it holds; panics with `what` and the daemon's log at `limit`.
pub fn wait_until(daemon: &Daemon, what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > limit {
            panic!(
                "waited {limit:?} for {what}\n--- daemon log (tail) ---\n{}",
                tail(&daemon.log(), 6000)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the daemon's log holds `needle` at least `times` times (counted over the whole
/// log file, which every start of this `Daemon` appends to).
pub fn await_log(daemon: &Daemon, needle: &str, times: usize, limit: Duration) {
    wait_until(
        daemon,
        &format!("{times} × {needle:?} in the log"),
        limit,
        || daemon.log().matches(needle).count() >= times,
    );
}

/// One integer from the daemon's database (e.g. a `COUNT(*)`), read beside the running daemon.
pub fn db_i64(daemon: &Daemon, sql: &'static str) -> i64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut db = sqlx::SqliteConnection::connect(&daemon.db_url())
            .await
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", daemon.db_url()));
        let value: i64 = sqlx::query_scalar(sql)
            .fetch_one(&mut db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let _ = db.close().await;
        value
    })
}

/// The end of a log, cut at a character boundary.
pub fn tail(text: &str, max: usize) -> &str {
    let start = text.len().saturating_sub(max);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    &text[start..]
}

/// Asserts a stop took less than the grace period plus the margin, and that the daemon's tasks
/// finished by themselves (the daemon logs it when the grace period ran out instead).
pub fn assert_clean_stop(daemon: &Daemon, status: std::process::ExitStatus, took: Duration) {
    let log = daemon.log();
    assert!(status.success(), "exit {status:?}\n{}", tail(&log, 6000));
    assert!(
        took < GRACE + STOP_MARGIN,
        "stopping took {took:?}\n{}",
        tail(&log, 6000)
    );
    assert!(
        !log.contains("tasks still busy"),
        "the tasks did not stop within the grace period:\n{}",
        tail(&log, 6000)
    );
}
