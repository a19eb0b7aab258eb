//! The message log's actions in headless Chromium (the driver and helpers of [`crate::browser`]):
//! an admin releases a quarantined form and registers an unknown sender to a unit, each with a
//! click, and reads on the answer page what intake made of the message; and approves a held
//! form, which the board then shows as reported.

use fantoccini::{Client, Locator};

use crate::actions::{kept_from_stranger, quarantined_form};
use crate::browser::{Driver, WAIT, log_in, screenshot, text_of};
use crate::held::{RECEIVED, held_form, outbox_of, trust_office_mx};
use crate::support::{TestEnv, at};
use crate::{Console, MONDAY, seed, with_writable_roster};

/// Opens `path`, clicks `css` (the button `what`) once it is there, and returns what the answer
/// page's `#outcome` says.
async fn click_on(
    browser: &Client,
    console: &Console,
    path: &str,
    css: &str,
    what: &str,
) -> Result<String, String> {
    let step = |name: String| move |e: fantoccini::error::CmdError| format!("{name}: {e}");
    browser
        .goto(&console.url(path))
        .await
        .map_err(step(path.to_string()))?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .map_err(step(format!("{what} button")))?
        .click()
        .await
        .map_err(step(what.to_string()))?;
    text_of(browser, "#outcome")
        .await
        .map_err(step(format!("{what} outcome")))
}

/// Logs in, takes `steps`, and closes the browser; a failed step panics with a screenshot named
/// `failure`.
async fn logged_in(
    browser: &Client,
    console: &Console,
    failure: &str,
    steps: impl std::future::Future<Output = Result<(), String>>,
) {
    let mut result = log_in(browser, console).await;
    if result.is_ok() {
        result = steps.await;
    }
    if let Err(problem) = &result {
        let shot = screenshot(browser, failure).await;
        let _ = browser.clone().close().await;
        panic!("{problem}; screenshot: {shot:?}");
    }
    let _ = browser.clone().close().await;
}

/// On the message log: release the quarantined form, then register the unknown sender to 跃进村街道
/// and reprocess its form; each answer page says what intake made of it.
async fn message_actions(
    browser: &Client,
    console: &Console,
    quarantined: i64,
) -> Result<(), String> {
    let step = |name: &'static str| move |e: fantoccini::error::CmdError| format!("{name}: {e}");
    let button = format!("#quarantine tr[data-quarantined='{quarantined}'] button");
    let released = click_on(browser, console, "/messages", &button, "解除隔离").await?;
    if !released.contains("已解除隔离并重新处理：已接收") {
        return Err(format!("release said {released:?}"));
    }
    screenshot(browser, "released").await;
    browser
        .goto(&console.url("/messages?unknown=1"))
        .await
        .map_err(step("unknown senders"))?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("form.register select[name=unit]"))
        .await
        .map_err(step("unit list"))?
        .select_by_value("yuejincun")
        .await
        .map_err(step("choose unit"))?;
    browser
        .find(Locator::Css("form.register button"))
        .await
        .map_err(step("登记并重新处理 button"))?
        .click()
        .await
        .map_err(step("登记并重新处理"))?;
    let registered = text_of(browser, "#outcome")
        .await
        .map_err(step("register outcome"))?;
    if !registered.contains("登记为跃进村街道的邮箱并重新处理：已接收") {
        return Err(format!("register said {registered:?}"));
    }
    Ok(())
}

#[tokio::test]
async fn an_admin_releases_quarantined_mail_and_registers_an_unknown_sender_in_chromium() {
    let env = TestEnv::new();
    with_writable_roster(&env);
    seed(&env).await;
    let quarantined = quarantined_form(&env).await;
    let stranger = kept_from_stranger(&env).await;
    let console = Console::start_in(env, MONDAY).await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    let steps = message_actions(&browser, &console, quarantined);
    logged_in(&browser, &console, "actions-failure", steps).await;
    let outcomes: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, unit_code, outcome FROM messages WHERE id IN (?, ?) ORDER BY id",
    )
    .bind(quarantined)
    .bind(stranger)
    .fetch_all(console.store.pool())
    .await
    .expect("messages read");
    assert_eq!(
        outcomes,
        [
            (
                quarantined,
                Some("tiaodeng".into()),
                Some("accepted".into())
            ),
            (stranger, Some("yuejincun".into()), Some("accepted".into())),
        ]
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM web_audit WHERE actor = 'wang' ORDER BY id")
            .fetch_all(console.store.pool())
            .await
            .expect("audit read");
    assert_eq!(
        actions,
        [
            "login",
            "quarantine.release",
            "roster.address_add",
            "reprocess"
        ]
    );
}

/// On the message log: approve the held form with a click; the answer page says it was taken
/// in, and the board then shows the unit as reported with the verdict, approved by staff.
async fn approve_held(browser: &Client, console: &Console, held: i64) -> Result<(), String> {
    let step = |name: &'static str| move |e: fantoccini::error::CmdError| format!("{name}: {e}");
    let button = format!("#held tr[data-held='{held}'] button[name=approve]");
    let approved = click_on(browser, console, "/messages", &button, "批准登记").await?;
    if !approved.contains("已批准登记：已接收") {
        return Err(format!("approve said {approved:?}"));
    }
    browser
        .goto(&console.url("/"))
        .await
        .map_err(step("board"))?;
    let row = text_of(browser, "#board tr[data-unit=xinshancun]")
        .await
        .map_err(step("board row"))?;
    if !row.contains("已报") || !row.contains("未通过，已人工确认") {
        return Err(format!("board row of 新山村街道: {row:?}"));
    }
    screenshot(browser, "approved").await;
    Ok(())
}

#[tokio::test]
async fn an_admin_approves_a_held_form_in_chromium_and_its_receipt_is_queued() {
    let env = TestEnv::new();
    trust_office_mx(&env, false);
    seed(&env).await;
    let held = held_form(&env).await;
    let console = Console::start_in(env, MONDAY).await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    let steps = approve_held(&browser, &console, held);
    logged_in(&browser, &console, "held-failure", steps).await;
    let (unit, received): (String, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT unit_code, received_at FROM monthly_submissions WHERE message_row = ?",
    )
    .bind(held)
    .fetch_one(console.store.pool())
    .await
    .expect("recorded");
    assert_eq!(unit, "xinshancun");
    assert_eq!(received, at(RECEIVED), "at its original receipt time");
    let mail = outbox_of(&console.store, held).await;
    assert!(
        mail.iter().any(|(kind, _)| kind == "receipt"),
        "its receipt is in the outbox: {mail:?}"
    );
    let who: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor, action FROM web_audit WHERE action LIKE 'held.%' ORDER BY id",
    )
    .fetch_all(console.store.pool())
    .await
    .expect("audit read");
    assert_eq!(who, [("wang".to_string(), "held.approve".to_string())]);
}
