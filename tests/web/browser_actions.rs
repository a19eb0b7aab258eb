//! The message log's actions in headless Chromium (the driver and helpers of [`crate::browser`]):
//! an admin releases a quarantined form and registers an unknown sender to a unit, each with a
//! click, and reads on the answer page what intake made of the message.

use fantoccini::{Client, Locator};

use crate::actions::{kept_from_stranger, quarantined_form};
use crate::browser::{Driver, WAIT, log_in, screenshot, text_of};
use crate::support::TestEnv;
use crate::{Console, MONDAY, seed, with_writable_roster};

/// On the message log: release the quarantined form, then register the unknown sender to 跃进村街道
/// and reprocess its form; each answer page says what intake made of it.
async fn message_actions(
    browser: &Client,
    console: &Console,
    quarantined: i64,
) -> Result<(), String> {
    let step = |name: &'static str| move |e: fantoccini::error::CmdError| format!("{name}: {e}");
    browser
        .goto(&console.url("/messages"))
        .await
        .map_err(step("message log"))?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!(
            "#quarantine tr[data-quarantined='{quarantined}'] button"
        )))
        .await
        .map_err(step("解除隔离 button"))?
        .click()
        .await
        .map_err(step("解除隔离"))?;
    let released = text_of(browser, "#outcome")
        .await
        .map_err(step("release outcome"))?;
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
    let mut result = log_in(&browser, &console).await;
    if result.is_ok() {
        result = message_actions(&browser, &console, quarantined).await;
    }
    if let Err(problem) = &result {
        let shot = screenshot(&browser, "actions-failure").await;
        let _ = browser.close().await;
        panic!("{problem}; screenshot: {shot:?}");
    }
    let _ = browser.close().await;
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
