//! The console in a real browser: headless Chromium driven over WebDriver (Debian's `chromium`
//! and `chromium-driver`, installed by `scripts/install-test-deps`). An admin logs in, sees the
//! board, chases (催办) a unit that has not reported and the reminder is in the outbox, uploads
//! a form, and adds an address in the roster. On failure a screenshot is written beside the test's
//! data and its path printed.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::support::{TestEnv, fixtures};
use crate::{Console, MONDAY, PASSWORD, seed, with_writable_roster};

pub const WAIT: Duration = Duration::from_secs(20);

/// chromedriver on a free loopback port, killed when dropped.
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    pub fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs: install it with scripts/install-test-deps");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < WAIT, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    pub async fn browser(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=412,915", "--lang=zh-CN"]
            }),
        );
        // fantoccini builds its (unused, plain-HTTP here) TLS config with the process default.
        let _ = rustls::crypto::ring::default_provider().install_default();
        ClientBuilder::rustls()
            .expect("TLS roots")
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

pub async fn text_of(browser: &Client, css: &str) -> Result<String, fantoccini::error::CmdError> {
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await?
        .text()
        .await
}

/// Opens the board, is sent to the login form, and logs in as the admin `wang`.
pub async fn log_in(browser: &Client, console: &Console) -> Result<(), String> {
    let step = |name: &'static str| move |e: fantoccini::error::CmdError| format!("{name}: {e}");
    browser
        .goto(&console.url("/"))
        .await
        .map_err(step("open"))?;
    // Without a session the board sends us to the login form.
    let username = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("input[name=username]"))
        .await
        .map_err(step("login form"))?;
    username.send_keys("wang").await.map_err(step("username"))?;
    let password = browser
        .find(Locator::Css("input[name=password]"))
        .await
        .map_err(step("password field"))?;
    password
        .send_keys(PASSWORD)
        .await
        .map_err(step("password"))?;
    browser
        .find(Locator::Css("button[type=submit]"))
        .await
        .map_err(step("login button"))?
        .click()
        .await
        .map_err(step("log in"))?;
    // Logged in once the board is there.
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#board"))
        .await
        .map_err(step("board after login"))?;
    Ok(())
}

/// The whole walk; any failure comes back with the step it was at.
async fn walk(browser: &Client, console: &Console) -> Result<(), String> {
    let step = |name: &'static str| move |e: fantoccini::error::CmdError| format!("{name}: {e}");
    log_in(browser, console).await?;
    let row = text_of(browser, "#board tr[data-unit=tiaodeng]")
        .await
        .map_err(step("board"))?;
    if !row.contains("已报") || !row.contains("第1版") {
        return Err(format!("board row of 跳磴镇: {row:?}"));
    }
    screenshot(browser, "board").await;
    // 催办 新山村街道 (not reported): htmx swaps the button for the outcome.
    browser
        .find(Locator::Css("#board tr[data-unit=xinshancun] button"))
        .await
        .map_err(step("催办 button"))?
        .click()
        .await
        .map_err(step("催办"))?;
    let chased = text_of(browser, "#board tr[data-unit=xinshancun] .chased")
        .await
        .map_err(step("催办 outcome"))?;
    if !chased.contains("已催办") {
        return Err(format!("催办 said {chased:?}"));
    }
    upload(browser, console).await?;
    add_address(browser, console).await
}

async fn upload(browser: &Client, console: &Console) -> Result<(), String> {
    let step = |name: &'static str| move |e: fantoccini::error::CmdError| format!("{name}: {e}");
    browser
        .goto(&console.url("/upload"))
        .await
        .map_err(step("upload page"))?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("select[name=unit]"))
        .await
        .map_err(step("unit list"))?
        .select_by_value("xinshancun")
        .await
        .map_err(step("choose unit"))?;
    let file = fixtures().join("forms/f04-retyped-labels-xinshancun.xlsx");
    browser
        .find(Locator::Css("input[type=file]"))
        .await
        .map_err(step("file field"))?
        .send_keys(&file.display().to_string())
        .await
        .map_err(step("choose file"))?;
    browser
        .find(Locator::Css("form[action='/upload'] button"))
        .await
        .map_err(step("upload button"))?
        .click()
        .await
        .map_err(step("upload"))?;
    let outcome = text_of(browser, "#outcome")
        .await
        .map_err(step("upload outcome"))?;
    if !outcome.contains("新山村街道：已接收") || !outcome.contains("已给该单位发回执")
    {
        return Err(format!("upload said {outcome:?}"));
    }
    Ok(())
}

async fn add_address(browser: &Client, console: &Console) -> Result<(), String> {
    let step = |name: &'static str| move |e: fantoccini::error::CmdError| format!("{name}: {e}");
    browser
        .goto(&console.url("/roster"))
        .await
        .map_err(step("roster page"))?;
    let field = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(
            "tr[data-unit=bachiao] form input[name=op][value=add_address] ~ input[name=value]",
        ))
        .await
        .map_err(step("address field"))?;
    field
        .send_keys("bachiao2@qq.com")
        .await
        .map_err(step("type address"))?;
    browser
        .find(Locator::Css(
            "tr[data-unit=bachiao] form input[name=op][value=add_address] ~ button",
        ))
        .await
        .map_err(step("add button"))?
        .click()
        .await
        .map_err(step("add"))?;
    // The old page has the same row until the redirect lands: wait for the new address. The
    // row found on the old page may be gone before its text is read (a stale element): that is
    // the redirect landing, so look again.
    let started = Instant::now();
    loop {
        let seen = match text_of(browser, "#roster tr[data-unit=bachiao]").await {
            Ok(row) if row.contains("bachiao2@qq.com") => return Ok(()),
            Ok(row) => format!("{row:?}"),
            Err(error) => step("roster row")(error),
        };
        if started.elapsed() > WAIT {
            return Err(format!("roster row after adding: {seen}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn screenshot(browser: &Client, name: &str) -> Option<std::path::PathBuf> {
    let png = browser.screenshot().await.ok()?;
    let dir = std::env::temp_dir().join("reportdesk-web-screenshots");
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).ok()?;
    Some(path)
}

#[tokio::test]
async fn an_admin_chases_a_unit_uploads_a_form_and_adds_an_address_in_chromium() {
    let env = TestEnv::new();
    with_writable_roster(&env);
    seed(&env).await;
    let console = Console::start_in(env, MONDAY).await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    let result = walk(&browser, &console).await;
    if let Err(problem) = &result {
        let shot = screenshot(&browser, "failure").await;
        let _ = browser.close().await;
        panic!("{problem}; screenshot: {shot:?}");
    }
    let _ = browser.close().await;
    // The reminder is in the outbox, to the unit's registered address, once.
    let reminders: Vec<(String, String)> =
        sqlx::query_as("SELECT recipient, kind FROM outbox WHERE kind = 'reminder'")
            .fetch_all(console.store.pool())
            .await
            .expect("outbox read");
    assert_eq!(
        reminders,
        [(
            "xinshancun@example.gov.cn".to_string(),
            "reminder".to_string()
        )]
    );
    // The upload went through intake as that unit's form, recorded as uploaded on the web.
    let sources: Vec<String> = sqlx::query_scalar(
        "SELECT m.source FROM monthly_submissions s JOIN messages m ON m.id = s.message_row
          WHERE s.unit_code = 'xinshancun'",
    )
    .fetch_all(console.store.pool())
    .await
    .expect("submissions read");
    assert_eq!(sources, ["upload:web:wang"]);
    // 给该单位发回执 is ticked by default, so the unit's receipt was queued.
    let replies: Vec<String> = sqlx::query_scalar(
        "SELECT o.kind FROM outbox o JOIN messages m ON m.id = o.message_row
          WHERE m.source = 'upload:web:wang'",
    )
    .fetch_all(console.store.pool())
    .await
    .expect("outbox read");
    assert_eq!(replies, ["receipt"]);
    // The roster file has the address, its comments kept; the audit log has all three changes.
    let roster = std::fs::read_to_string(console.env.dir.path().join("config/units.toml")).unwrap();
    assert!(
        roster.contains(r#""bachiao@example.gov.cn", "bachiao2@qq.com""#),
        "{roster}"
    );
    assert!(roster.starts_with("# The reporting units"));
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM web_audit WHERE actor = 'wang' ORDER BY id")
            .fetch_all(console.store.pool())
            .await
            .expect("audit read");
    assert_eq!(actions, ["login", "remind", "upload", "roster.address_add"]);
}
