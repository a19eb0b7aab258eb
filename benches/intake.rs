//! The Maildir backlog: `run --once` over 2,000 forms waiting in the local Maildir (raw storage,
//! parsing, reading the form, the transaction with its receipt, delivery into the outbox
//! Maildir), once with the attachments read in-process (as before the reader had its own
//! process) and once by the `read-worker` process (SPEC §12). The two alternate in one run, so
//! both see the same load on a shared machine; the medians and their ratio are printed.
//!
//!     cargo bench --bench intake                 # BENCH_ROUNDS=5 passes of each by default

use std::path::PathBuf;
use std::time::{Duration, Instant};

use reportdesk::app::App;
use reportdesk::clock::Clock;
use reportdesk::config::Config;
use reportdesk::worker::{Reader, ReaderSettings};

const MESSAGES: usize = 2000;

fn mail(from: &str, id: usize, form: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(form);
    format!(
        "From: <{from}>\r\nTo: <office@example.gov.cn>\r\nSubject: =?UTF-8?B?5pyI5oql?=\r\nMessage-ID: <bench-{id}@qq.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream; name=\"form.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b--\r\n"
    )
    .into_bytes()
}

/// One timed pass over a fresh data dir holding `MESSAGES` messages, read by `worker` (the
/// executable with a `read-worker` mode) or in-process (`None`).
fn one_pass(runtime: &tokio::runtime::Runtime, form: &[u8], worker: Option<PathBuf>) -> Duration {
    let dir = tempfile::tempdir().expect("temp dir");
    let config_path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/reportdesk.toml");
    let mut config = Config::load(config_path.as_ref(), Some(dir.path())).expect("config");
    // One sender sends everything here, so lift the per-sender loop guard.
    config.intake.replies_per_sender_per_hour = u32::MAX;
    // The form names 跳磴镇, so every message is a new version of its form: the accepted path.
    let from = config
        .roster
        .by_code("tiaodeng")
        .and_then(|u| u.addresses.first().cloned())
        .expect("tiaodeng in the shipped roster");
    let settings = ReaderSettings {
        exe: worker,
        memory_mib: config.intake.worker_memory_mib,
        seconds: config.intake.worker_seconds,
        max_message_bytes: config.intake.limits.max_message_bytes,
    };
    runtime.block_on(async {
        let mut app = App::open(
            config,
            Clock::Fixed("2026-11-12T02:00:00Z".parse().expect("time")),
        )
        .await
        .expect("app");
        app.reader = Reader::new(settings);
        let inbox = reportdesk::daemon::inbox(&app.config).expect("inbox");
        for i in 0..MESSAGES {
            inbox
                .deliver(&format!("m{i:05}"), &mail(&from, i, form))
                .expect("deliver");
        }
        let start = Instant::now();
        let summary = reportdesk::daemon::pass(&app).await.expect("pass");
        let took = start.elapsed();
        assert_eq!(summary.reports.len(), MESSAGES);
        assert_eq!(summary.replies_delivered, MESSAGES);
        app.reader.stop();
        took
    })
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn show(name: &str, times: &mut [Duration]) -> Duration {
    let middle = median(times);
    println!(
        "{name:>10}: median {:.2} s (min {:.2} s, max {:.2} s, {} passes), {:.2} ms a message",
        middle.as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
        times.len(),
        middle.as_secs_f64() * 1000.0 / MESSAGES as f64,
    );
    middle
}

fn main() {
    let form = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/forms/f01-official-tiaodeng.xlsx"
    ))
    .expect("fixture");
    let worker = PathBuf::from(env!("CARGO_BIN_EXE_reportdesk"));
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // One untimed pass of each first: page cache, the worker binary, SQLite.
    one_pass(&runtime, &form, None);
    one_pass(&runtime, &form, Some(worker.clone()));
    let (mut inline, mut isolated) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let a = one_pass(&runtime, &form, None);
        let b = one_pass(&runtime, &form, Some(worker.clone()));
        println!(
            "round {}: in-process {:.2} s, worker {:.2} s",
            round + 1,
            a.as_secs_f64(),
            b.as_secs_f64()
        );
        inline.push(a);
        isolated.push(b);
    }
    println!("run --once over {MESSAGES} maildir messages:");
    let a = show("in-process", &mut inline);
    let b = show("worker", &mut isolated);
    println!(
        "worker / in-process: {:+.1} %",
        (b.as_secs_f64() / a.as_secs_f64() - 1.0) * 100.0
    );
}
