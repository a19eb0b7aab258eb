//! The bot's `/missing` and `/summary` answer times over 1,000 units × 120 months of records:
//! the shared status queries plus the answer text (what a chat message costs short of Telegram).
//! Every unit reported every month except the newest, where half have not yet.
//!
//!     cargo bench --bench bot

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use reportdesk::app::App;
use reportdesk::bot::answers;
use reportdesk::clock::Clock;
use reportdesk::config::Config;
use reportdesk::domain::period::Period;
use reportdesk::status;

const UNITS: usize = 1000;
const MONTHS: i32 = 120;
const NOW: &str = "2026-11-16T02:00:00Z";

fn roster(path: &Path) {
    let units: String = (0..UNITS)
        .map(|i| {
            format!(
                "[[unit]]\ncode = \"u{i:04}\"\nname = \"测试单位{i}\"\nkind = \"department\"\naddresses = [\"u{i}@example.gov.cn\"]\n\n"
            )
        })
        .collect();
    std::fs::write(path, units).expect("roster");
}

fn config(dir: &Path) -> Config {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/reportdesk.toml"
    ))
    .expect("shipped config");
    let roster_path = dir.join("units.toml");
    roster(&roster_path);
    let text = shipped.replace(
        "roster = \"units.toml\"",
        &format!("roster = {:?}", roster_path.display().to_string()),
    );
    std::fs::create_dir_all(dir.join("config")).expect("config dir");
    let path = dir.join("config/reportdesk.toml");
    std::fs::write(&path, text).expect("config");
    Config::load(&path, Some(&dir.join("data"))).expect("config loads")
}

/// 120 months × 1,000 units of submissions in one transaction (bench-only bulk SQL).
async fn seed(app: &App, newest: Period) {
    let pool = app.store.pool();
    let mut tx = pool.begin().await.expect("tx");
    sqlx::query(
        "INSERT INTO messages (id, message_key, subject, received_at, raw_path, raw_sha256, source)
         VALUES (1, 'bench', '', '2026-01-01T00:00:00Z', 'raw/bench', '', 'bench')",
    )
    .execute(&mut *tx)
    .await
    .expect("message");
    for back in 0..MONTHS {
        let period = newest.add_months(-back).expect("period");
        let received = format!("{}-10T02:00:00Z", period);
        for unit in 0..UNITS {
            if back == 0 && unit % 2 == 0 {
                continue;
            }
            sqlx::query(
                "INSERT INTO monthly_submissions (unit_code, period, version, message_row,
                    received_at, late, period_source, attachment, receipt_no, open_letters,
                    media_reports, plaza_screens, brochures, community_columns, slogans_posters,
                    qr_codes, board_icons, enterprise_trainings, informants, case_leads)
                 VALUES (?, ?, 1, 1, ?, 0, 'form', 'form.xlsx', 'R', 1, ?, 3, 4, 5, 6, 7, 8, 9, 10, 1)",
            )
            .bind(format!("u{unit:04}"))
            .bind(period.to_string())
            .bind(&received)
            .bind(i64::from(unit % 3 == 0))
            .execute(&mut *tx)
            .await
            .expect("submission");
        }
    }
    tx.commit().await.expect("commit");
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path());
    let period = Period::parse("2026-11").expect("period");
    let today = "2026-11-16".parse().expect("date");
    let app = runtime.block_on(async {
        let app = App::open(config, Clock::Fixed(NOW.parse().expect("time")))
            .await
            .expect("app");
        seed(&app, period).await;
        app
    });
    let mut group = c.benchmark_group("bot");
    group.sample_size(30);
    group.bench_function("/missing (1,000 units × 120 months)", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let status = status::load(&app.config, &app.store, period)
                    .await
                    .expect("status");
                let text = answers::missing(&status);
                assert!(text.contains("未报送 500 / 1000"));
                text
            })
        })
    });
    group.bench_function("/summary (1,000 units × 120 months)", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let summary = status::summary::load(&app.config, &app.store, period, today)
                    .await
                    .expect("summary");
                let text = answers::summary(&summary);
                assert!(text.contains("已报 500/1000"));
                text
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
