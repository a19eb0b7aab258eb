//! `run --once` over 1,000 messages waiting in the local Maildir: raw storage, parsing, reading
//! the form, the transaction with its receipt, and delivery into the outbox Maildir.
//!
//!     cargo bench --bench intake

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use reportdesk::app::App;
use reportdesk::clock::Clock;
use reportdesk::config::Config;

const MESSAGES: usize = 1000;

fn mail(from: &str, id: usize, form: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(form);
    format!(
        "From: <{from}>\r\nTo: <office@example.gov.cn>\r\nSubject: =?UTF-8?B?5pyI5oql?=\r\nMessage-ID: <bench-{id}@qq.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream; name=\"form.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b--\r\n"
    )
    .into_bytes()
}

/// One timed pass over a fresh data dir holding `MESSAGES` messages.
fn one_pass(runtime: &tokio::runtime::Runtime, form: &[u8]) -> Duration {
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
    runtime.block_on(async {
        let app = App::open(
            config,
            Clock::Fixed("2026-11-12T02:00:00Z".parse().expect("time")),
        )
        .await
        .expect("app");
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
        took
    })
}

fn bench(c: &mut Criterion) {
    let form = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/forms/f01-official-tiaodeng.xlsx"
    ))
    .expect("fixture");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("intake");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("run --once over 1000 maildir messages", |b| {
        b.iter_custom(|iterations| (0..iterations).map(|_| one_pass(&runtime, &form)).sum())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
