//! The web console at district scale and beyond: 1,000 units × 120 months of forms (120,000
//! versions), the server on loopback, one logged-in client. Measures a whole request (loopback
//! HTTP included) for the month's board and for a unit's page (charts and versions).
//!
//! `cargo bench --bench web`; figures in README ("The web console").

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use reportdesk::app::App;
use reportdesk::clock::Clock;
use reportdesk::config::Config;
use reportdesk::domain::period::Period;
use reportdesk::web::{self, auth::Role};

const UNITS: usize = 1_000;
const MONTHS: i32 = 120;
const NOW: &str = "2026-11-16T02:00:00Z";

struct Bench {
    _dir: tempfile::TempDir,
    base: String,
    cookie: String,
    rt: tokio::runtime::Runtime,
}

fn roster() -> String {
    let mut text = String::from("# generated for the benchmark\n");
    for i in 0..UNITS {
        text.push_str(&format!(
            "\n[[unit]]\ncode = \"u{i:04}\"\nname = \"单位{i:04}\"\nkind = \"town\"\naddresses = [\"u{i:04}@example.gov.cn\"]\n"
        ));
    }
    text
}

async fn seed(app: &App) {
    let now: chrono::DateTime<chrono::Utc> = NOW.parse().expect("time");
    let mut tx = app.store.begin().await.expect("tx");
    sqlx::query(
        "INSERT INTO messages (id, message_key, sender, unit_code, subject, received_at, raw_path,
            raw_sha256, source, state, outcome) VALUES (1, 'bench', 'u0000@example.gov.cn', 'u0000',
            '', ?, 'raw/00/bench.eml', '', 'bench', 'processed', 'accepted')",
    )
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("message");
    let last = Period::parse("2026-11").expect("period");
    for back in 0..MONTHS {
        let period = last.add_months(-back).expect("in range").to_string();
        for unit in 0..UNITS {
            sqlx::query(
                "INSERT INTO monthly_submissions (unit_code, period, version, message_row,
                    received_at, late, period_source, attachment, receipt_no, open_letters,
                    media_reports, plaza_screens, brochures, community_columns, slogans_posters,
                    qr_codes, board_icons, enterprise_trainings, informants, case_leads)
                 VALUES (?, ?, 1, 1, ?, 0, 'title', 'f.xlsx', 'R', ?, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1)",
            )
            .bind(format!("u{unit:04}"))
            .bind(&period)
            .bind(now)
            .bind(i64::from(back) + 3)
            .execute(&mut *tx)
            .await
            .expect("submission");
        }
    }
    tx.commit().await.expect("commit");
}

fn setup() -> Bench {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let roster_path = dir.path().join("units.toml");
    std::fs::write(&roster_path, roster()).expect("roster");
    let shipped =
        std::fs::read_to_string(project.join("config/reportdesk.toml")).expect("shipped config");
    std::fs::create_dir(dir.path().join("config")).expect("config dir");
    let config_path = dir.path().join("config/reportdesk.toml");
    let text = shipped.replace(
        "roster = \"units.toml\"",
        &format!("roster = {:?}", roster_path.display().to_string()),
    );
    std::fs::write(&config_path, text).expect("config");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (base, cookie) = rt.block_on(async {
        let config = Config::load(&config_path, Some(&dir.path().join("data"))).expect("config");
        let clock = Clock::Fixed(NOW.parse().expect("time"));
        let app = App::open(config, clock).await.expect("app");
        seed(&app).await;
        web::users::add(
            &app.store,
            "bench",
            Role::Admin,
            "bench password".into(),
            clock.now(),
        )
        .await
        .expect("user");
        let state = web::Web::new(
            app.store.clone(),
            Arc::new(app.config.clone()),
            clock,
            app.outbox_ready.clone(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(web::serve(
            listener,
            state,
            tokio_util::sync::CancellationToken::new(),
        ));
        let response = client()
            .post(format!("{base}/login"))
            .header("Origin", &base)
            .form(&[("username", "bench"), ("password", "bench password")])
            .send()
            .await
            .expect("login");
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .expect("cookie")
            .split(';')
            .next()
            .expect("pair")
            .to_string();
        (base, cookie)
    });
    Bench {
        _dir: dir,
        base,
        cookie,
        rt,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn pages(c: &mut Criterion) {
    let bench = setup();
    let client = client();
    let get = |path: &str| {
        let url = format!("{}{path}", bench.base);
        bench.rt.block_on(async {
            let response = client
                .get(&url)
                .header("Cookie", &bench.cookie)
                .send()
                .await
                .expect("answer");
            assert!(
                response.status().is_success(),
                "{url}: {}",
                response.status()
            );
            response.bytes().await.expect("body").len()
        })
    };
    let board = get("/");
    let unit = get("/unit/u0500");
    eprintln!("board page {board} bytes, unit page {unit} bytes");
    let mut group = c.benchmark_group("web_1000_units_120_months");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("board", |b| b.iter(|| get("/")));
    group.bench_function("unit_page", |b| b.iter(|| get("/unit/u0500")));
    group.finish();
}

criterion_group!(benches, pages);
criterion_main!(benches);
