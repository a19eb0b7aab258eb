//! Uploading a form over HTTP (SPEC §15) with the receipt optional: with 给该单位发回执 ticked
//! the unit's reply is queued as for mail; unticked, the form is recorded all the same (board,
//! version, receipt number) but nothing is queued for the unit, the message's note says why,
//! and the page and the audit line say whether a reply was queued.

use reqwest::StatusCode;

use crate::support::fixtures;
use crate::{Console, MONDAY, client};

/// Uploads `file` (a fixture form) for `unit` as the session `cookie`, the box ticked or not
/// (an unticked checkbox is not sent at all, as a browser does).
async fn upload(
    console: &Console,
    cookie: &str,
    unit: &str,
    file: &str,
    receipt: bool,
) -> (StatusCode, String) {
    let form = std::fs::read(fixtures().join("forms").join(file)).expect("fixture");
    let part = reqwest::multipart::Part::bytes(form).file_name(file.to_string());
    let mut upload = reqwest::multipart::Form::new()
        .text("unit", unit.to_string())
        .part("file", part);
    if receipt {
        upload = upload.text("receipt", "1");
    }
    let response = client()
        .post(console.url("/upload"))
        .header("Cookie", cookie)
        .header("Origin", &console.base)
        .multipart(upload)
        .send()
        .await
        .expect("upload answers");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// The uploaded message of `unit`: its id, outcome and no-reply note.
async fn uploaded(console: &Console, unit: &str) -> (i64, String, Option<String>) {
    sqlx::query_as(
        "SELECT id, outcome, no_reply FROM messages
          WHERE unit_code = ? AND source LIKE 'upload:web:%' ORDER BY id DESC LIMIT 1",
    )
    .bind(unit)
    .fetch_one(console.store.pool())
    .await
    .expect("the upload's message")
}

async fn outbox_of(console: &Console, message: i64) -> Vec<(String, String)> {
    sqlx::query_as("SELECT kind, recipient FROM outbox WHERE message_row = ? ORDER BY id")
        .bind(message)
        .fetch_all(console.store.pool())
        .await
        .expect("outbox read")
}

async fn audit_detail(console: &Console, unit: &str) -> String {
    sqlx::query_scalar(
        "SELECT detail FROM web_audit WHERE action = 'upload' AND target = ? ORDER BY id DESC",
    )
    .bind(unit)
    .fetch_one(console.store.pool())
    .await
    .expect("the upload audited")
}

/// The board's `<tr>` of `unit`.
fn board_row<'a>(board: &'a str, unit: &str) -> &'a str {
    let marker = format!(r#"data-unit="{unit}""#);
    let from = board
        .find(&marker)
        .unwrap_or_else(|| panic!("{marker}: {board}"));
    let row = &board[from..];
    &row[..row.find("</tr>").unwrap_or(row.len())]
}

#[tokio::test]
async fn an_upload_without_a_receipt_is_recorded_as_the_next_version_and_mails_nothing() {
    // 八桥镇 mailed its November form on the 10th (version 1); staff upload it again by hand.
    let console = Console::start(MONDAY).await;
    let staff = console.login("li").await;
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(console.store.pool())
        .await
        .unwrap();
    let (status, body) = upload(
        &console,
        &staff,
        "bachiao",
        "f02-vertical-bachiao.xlsx",
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("八桥镇：已接收"), "{body}");
    assert!(body.contains("未给该单位发回执（上传时未勾选）"), "{body}");
    let (id, outcome, note) = uploaded(&console, "bachiao").await;
    assert_eq!(outcome, "accepted");
    let receipt_no = format!("RD-20261116-{id:06}");
    assert!(body.contains(&format!("回执号 {receipt_no}")), "{body}");
    assert_eq!(
        note.as_deref(),
        Some("not answered: uploaded without a receipt")
    );
    // Nothing queued for the unit, by this message or at all.
    assert!(outbox_of(&console, id).await.is_empty());
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(console.store.pool())
        .await
        .unwrap();
    assert_eq!(after, before);
    // Recorded as a mailed form would be: the board counts it, as version 2 with its number.
    let (_, board) = console.get(&staff, "/").await;
    let row = board_row(&board, "bachiao");
    assert!(row.contains("已报"), "{row}");
    assert!(row.contains("第2版"), "{row}");
    assert!(row.contains(&receipt_no), "{row}");
    let detail = audit_detail(&console, "bachiao").await;
    assert_eq!(
        detail,
        "f02-vertical-bachiao.xlsx accepted, no receipt (unticked)"
    );
}

#[tokio::test]
async fn an_upload_with_the_box_ticked_queues_the_receipt_as_for_mail() {
    let console = Console::start(MONDAY).await;
    let staff = console.login("li").await;
    let (status, body) = upload(
        &console,
        &staff,
        "xinshancun",
        "f04-retyped-labels-xinshancun.xlsx",
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("新山村街道：已接收"), "{body}");
    assert!(
        body.contains("已给该单位发回执，发往 xinshancun@example.gov.cn"),
        "{body}"
    );
    let (id, outcome, note) = uploaded(&console, "xinshancun").await;
    assert_eq!(outcome, "accepted");
    assert_eq!(note, None);
    assert_eq!(
        outbox_of(&console, id).await,
        [(
            "receipt".to_string(),
            "xinshancun@example.gov.cn".to_string()
        )]
    );
    let (_, board) = console.get(&staff, "/").await;
    let row = board_row(&board, "xinshancun");
    assert!(row.contains("已报") && row.contains("第1版"), "{row}");
    assert!(row.contains(&format!("RD-20261116-{id:06}")), "{row}");
    let detail = audit_detail(&console, "xinshancun").await;
    assert_eq!(
        detail,
        "f04-retyped-labels-xinshancun.xlsx accepted, receipt queued"
    );
}

#[tokio::test]
async fn an_upload_without_a_receipt_that_fails_its_checks_is_not_returned_by_mail() {
    let console = Console::start(MONDAY).await;
    let staff = console.login("li").await;
    let file = "f14-invalid-fraction-negative-xinshancun.xlsx";
    let (status, body) = upload(&console, &staff, "xinshancun", file, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // The problems are on the page for the uploader, since the unit is not told.
    assert!(
        body.contains("新山村街道：未通过核对（问题见下）"),
        "{body}"
    );
    assert!(body.contains("未给该单位发回执（上传时未勾选）"), "{body}");
    let (id, outcome, _) = uploaded(&console, "xinshancun").await;
    assert_eq!(outcome, "rejected");
    assert!(outbox_of(&console, id).await.is_empty());
    let detail = audit_detail(&console, "xinshancun").await;
    assert_eq!(detail, format!("{file} rejected, no receipt (unticked)"));
}
