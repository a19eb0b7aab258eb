//! The console inside the running daemon (`reportdesk run` with `[web] enabled = true`), as an
//! office runs it: a unit registered on the roster page is the unit the same daemon records the
//! next mail from its address as, and mail the console queues (催办, an upload's receipt) is
//! delivered at once: the delivery task is woken, not left to its next look (every 15 s by
//! default; an hour here, so a delivery within the test can only come from the wake-up).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use reportdesk::domain::fields::Field;
use reportdesk::store::Store;
use reportdesk::web::auth::Role;
use reqwest::StatusCode;

use crate::guard::Guarded;
use crate::support::{TestEnv, at, deliver_at, message};
use crate::{MONDAY, PASSWORD, client, with_writable_roster};

/// Far longer than any step takes on a loaded machine; a wait ends as soon as its event is seen.
const WAIT: Duration = Duration::from_secs(60);
/// `[outbound] check_seconds` here: the delivery task's own next look is far beyond `WAIT`, so
/// whatever is delivered after its first look was delivered because something woke it.
const CHECK_SECONDS: u64 = 3600;

/// `reportdesk run` with the console on a free loopback port; killed when dropped.
struct Daemon {
    env: TestEnv,
    base: String,
    log: PathBuf,
    _child: Guarded,
}

impl Daemon {
    /// An admin `wang`, a writable roster copy, reminders on schedule off (so the outbox holds
    /// only what the test causes), the outbox looked at unwoken only every `CHECK_SECONDS`, the
    /// console on; started at `now`, returned once the delivery task has made its first look.
    async fn start(now: &str) -> Daemon {
        let env = TestEnv::new();
        with_writable_roster(&env);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let text = std::fs::read_to_string(&env.config_path).expect("config");
        let text = text
            .replace("[web]\nenabled = false", "[web]\nenabled = true")
            .replace(
                "listen = \"127.0.0.1:8080\"",
                &format!("listen = \"127.0.0.1:{port}\""),
            )
            .replace("send_reminders = true", "send_reminders = false")
            .replace(
                "[outbound]\n",
                &format!("[outbound]\ncheck_seconds = {CHECK_SECONDS}\n"),
            );
        assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
        assert!(
            text.contains(&format!("check_seconds = {CHECK_SECONDS}")),
            "{text}"
        );
        std::fs::write(&env.config_path, text).expect("config written");
        let app = env.app(now).await;
        reportdesk::web::users::add(&app.store, "wang", Role::Admin, PASSWORD.into(), at(now))
            .await
            .expect("admin added");
        app.store.close().await;
        let log = env.dir.path().join("daemon.log");
        let child = Guarded::spawn(
            env.command()
                .args(["--now", now, "run"])
                .env("RUST_LOG", "info,reportdesk::delivery=debug")
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).expect("log file")),
        )
        .expect("reportdesk run starts");
        let daemon = Daemon {
            env,
            base: format!("http://127.0.0.1:{port}"),
            log,
            _child: child,
        };
        daemon
            .wait_for("the console to answer", || async {
                let url = format!("{}/healthz", daemon.base);
                matches!(client().get(url).send().await, Ok(r) if r.status() == StatusCode::OK)
            })
            .await;
        daemon
            .wait_for("the delivery task's first look", || async {
                daemon.idle_looks() >= 1
            })
            .await;
        daemon
    }

    async fn wait_for<F, Fut>(&self, what: &str, mut done: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let started = Instant::now();
        while !done().await {
            assert!(
                started.elapsed() < WAIT,
                "waited {WAIT:?} for {what}\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How often the delivery task has looked at the outbox and gone to wait (its debug line).
    fn idle_looks(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .matches("outbox looked at; waiting for a wake-up")
            .count()
    }

    async fn login(&self) -> String {
        let response = client()
            .post(format!("{}/login", self.base))
            .header("Origin", &self.base)
            .form(&[("username", "wang"), ("password", PASSWORD)])
            .send()
            .await
            .expect("login answers");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = response.headers()["set-cookie"].to_str().expect("ASCII");
        cookie.split(';').next().expect("name=value").to_string()
    }

    async fn post(&self, cookie: &str, path: &str, form: &[(&str, &str)]) -> StatusCode {
        client()
            .post(format!("{}{path}", self.base))
            .header("Cookie", cookie)
            .header("Origin", &self.base)
            .form(form)
            .send()
            .await
            .expect("answers")
            .status()
    }

    /// A second handle on the daemon's database (SQLite in WAL mode takes a reader beside it).
    async fn store(&self) -> Store {
        Store::open(&self.env.config().database_url)
            .await
            .expect("database opens")
    }

    /// Whether mail to `address` has been delivered into the outbox Maildir.
    fn delivered_to(&self, address: &str) -> bool {
        self.env.outbox().iter().any(|raw| {
            String::from_utf8_lossy(raw)
                .lines()
                .any(|l| l.starts_with("To:") && l.contains(address))
        })
    }
}

/// A filled official form naming `unit_name` for November 2026.
fn form_of(unit_name: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let cells = [
        (0, 0, "安全生产举报奖励宣传工作2026年11月情况报表"),
        (1, 0, "填报单位"),
        (1, 1, unit_name),
        (1, 3, "报表月份"),
        (1, 4, "2026年11月"),
        (2, 0, "填报人"),
        (2, 1, "张敏"),
        (2, 3, "联系电话"),
        (2, 4, "023-68173265"),
    ];
    for (row, col, text) in cells {
        sheet.write_string(row, col, text).expect("cell");
    }
    // The demo's good values (`reportdesk demo`): they pass every check of the notice.
    let values = [438, 1, 0, 55, 28, 112, 72, 8, 9, 4, 2];
    for ((col, field), value) in (0u16..).zip(Field::ALL.iter()).zip(values) {
        sheet.write_string(4, col, field.label()).expect("label");
        sheet.write_number(5, col, f64::from(value)).expect("value");
    }
    book.save_to_buffer().expect("workbook")
}

#[tokio::test]
async fn a_unit_registered_in_the_console_is_recorded_as_that_unit_by_the_same_daemon() {
    let daemon = Daemon::start(MONDAY).await;
    let cookie = daemon.login().await;
    let added = [
        ("op", "add_unit"),
        ("unit", "xinqiao"),
        ("value", "新桥镇"),
        ("kind", "town"),
    ];
    assert_eq!(
        daemon.post(&cookie, "/roster", &added).await,
        StatusCode::SEE_OTHER
    );
    let address = [
        ("op", "add_address"),
        ("unit", "xinqiao"),
        ("value", "xinqiao@qq.com"),
    ];
    assert_eq!(
        daemon.post(&cookie, "/roster", &address).await,
        StatusCode::SEE_OTHER
    );
    let raw = message(
        "xinqiao@qq.com",
        "新桥镇11月报表",
        "xinqiao-1@qq.com",
        &[("新桥镇11月报表.xlsx", &form_of("新桥镇"))],
    );
    deliver_at(
        &daemon.env.data_dir().join("mail/inbox"),
        "1.xinqiao",
        &raw,
        "2026-11-16T09:30:00+08:00",
    );
    let store = daemon.store().await;
    let recorded = || async {
        sqlx::query_as::<_, (Option<String>, Option<String>)>(
            "SELECT unit_code, outcome FROM messages WHERE sender = 'xinqiao@qq.com' AND state = 'processed'",
        )
        .fetch_optional(store.pool())
        .await
        .expect("messages read")
    };
    daemon
        .wait_for("the mail from the new unit", || async {
            recorded().await.is_some()
        })
        .await;
    assert_eq!(
        recorded().await,
        Some((Some("xinqiao".into()), Some("accepted".into()))),
        "recorded as the unit registered a moment ago, not as an unknown sender"
    );
    // Its receipt went to the new address; the board lists the new unit as reported.
    daemon
        .wait_for("the receipt", || async {
            daemon.delivered_to("xinqiao@qq.com")
        })
        .await;
    let board = client()
        .get(&daemon.base)
        .header("Cookie", &cookie)
        .send()
        .await
        .expect("board")
        .text()
        .await
        .expect("body");
    let row = board
        .split(r#"data-unit="xinqiao""#)
        .nth(1)
        .expect("the new unit on the board");
    assert!(
        row[..row.find("</tr>").unwrap_or(row.len())].contains("已报"),
        "{row}"
    );
}

#[tokio::test]
async fn mail_the_console_queues_is_delivered_at_once_by_the_running_daemon() {
    let daemon = Daemon::start(MONDAY).await;
    let cookie = daemon.login().await;
    // The delivery task made its first look at start-up (`start` waited for it); unwoken, it
    // would look again only in an hour.
    assert!(!daemon.delivered_to("xinshancun@example.gov.cn"));
    assert_eq!(
        daemon.post(&cookie, "/remind/xinshancun", &[]).await,
        StatusCode::OK
    );
    daemon
        .wait_for(
            "the 催办 mail in the outbox, woken by the click",
            || async { daemon.delivered_to("xinshancun@example.gov.cn") },
        )
        .await;
    // An upload's receipt, the same.
    let form = form_of("八桥镇");
    let part = reqwest::multipart::Part::bytes(form).file_name("八桥镇.xlsx");
    let upload = reqwest::multipart::Form::new()
        .text("unit", "bachiao")
        .text("receipt", "1")
        .part("file", part);
    let response = client()
        .post(format!("{}/upload", daemon.base))
        .header("Cookie", &cookie)
        .header("Origin", &daemon.base)
        .multipart(upload)
        .send()
        .await
        .expect("upload answers");
    assert_eq!(response.status(), StatusCode::OK);
    // Intake ran in the request and queued the receipt before it answered.
    daemon
        .wait_for(
            "the upload's receipt in the outbox, woken by the upload",
            || async { daemon.delivered_to("bachiao@example.gov.cn") },
        )
        .await;
}
