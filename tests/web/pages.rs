//! The pages' content over HTTP: the board's states, a unit's charts and versions with the
//! original mail, the message log's filters, the health panel.

use reqwest::StatusCode;

use crate::support::{TestEnv, fixtures, ingest, message};
use crate::{Console, MONDAY, seed};

/// The seed, plus 跳磴镇's corrected second version, a form from 建胜镇 that was returned, and a
/// form from an address nobody registered.
async fn richer() -> TestEnv {
    let env = TestEnv::new();
    seed(&env).await;
    let app = env.app("2026-11-12T09:00:00+08:00").await;
    let form = |name: &str| std::fs::read(fixtures().join("forms").join(name)).unwrap();
    let sent = [
        (
            "f22-resubmission-tiaodeng.xlsx",
            "tiaodeng@example.gov.cn",
            "t2@x",
            "accepted",
        ),
        (
            "f12-invalid-blank-jiansheng.xlsx",
            "jiansheng@example.gov.cn",
            "j@x",
            "rejected",
        ),
        (
            "f05-inline-yuejincun.xlsx",
            "stranger@qq.com",
            "s@x",
            "rejected",
        ),
    ];
    for (file, from, id, outcome) in sent {
        let raw = message(from, "11月报表", id, &[(file, &form(file))]);
        let line = ingest(&app, &raw, file, "2026-11-12T09:00:00+08:00").await;
        assert_eq!(line["outcome"], outcome, "{line}");
    }
    app.store.close().await;
    env
}

fn row<'a>(body: &'a str, marker: &str) -> &'a str {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {body}"));
    let end = body[start..]
        .find("</tr>")
        .map_or(body.len(), |e| start + e);
    &body[start..end]
}

#[tokio::test]
async fn the_board_shows_reported_returned_and_missing_units() {
    let console = Console::start_in(richer().await, MONDAY).await;
    let session = console.login("li").await;
    let (status, body) = console.get(&session, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(
            "已报 <strong>2</strong> / 退回待改 <strong>1</strong> / 未报 <strong>15</strong>"
        ),
        "{body}"
    );
    let tiaodeng = row(&body, r#"data-unit="tiaodeng""#);
    assert!(tiaodeng.contains("已报"), "{tiaodeng}");
    assert!(tiaodeng.contains("第2版"), "{tiaodeng}");
    assert!(tiaodeng.contains("2026-11-12 09:00"), "{tiaodeng}");
    let jiansheng = row(&body, r#"data-unit="jiansheng""#);
    assert!(jiansheng.contains("退回待改"), "{jiansheng}");
    let xinshancun = row(&body, r#"data-unit="xinshancun""#);
    assert!(xinshancun.contains(">未报<"), "{xinshancun}");
    // Staff see no 催办 button; the same board after the deadline says 逾期.
    assert!(!body.contains("催办"));
    let late = Console::start_in(richer().await, "2026-11-23T10:00:00+08:00").await;
    let session = late.login("li").await;
    let (_, body) = late.get(&session, "/").await;
    assert!(
        row(&body, r#"data-unit="xinshancun""#).contains(">逾期<"),
        "{body}"
    );
    assert!(row(&body, r#"data-unit="jiansheng""#).contains("退回待改（逾期）"));
}

#[tokio::test]
async fn the_board_of_another_month_and_a_bad_month() {
    let console = Console::start(MONDAY).await;
    let session = console.login("li").await;
    let (status, body) = console.get(&session, "/?month=2026-10").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("2026年10月"));
    assert!(body.contains("已报 <strong>0</strong>"), "{body}");
    let (status, body) = console.get(&session, "/?month=2026-13").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("2026-13"), "{body}");
}

#[tokio::test]
async fn a_unit_page_charts_twelve_months_and_lists_every_version_with_its_changes() {
    let console = Console::start_in(richer().await, MONDAY).await;
    let session = console.login("li").await;
    let (status, body) = console.get(&session, "/unit/tiaodeng").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("<svg").count(), 11, "one chart per field");
    assert!(body.contains("跳磴镇"));
    let versions = &body[body.find(r#"id="versions""#).expect("versions table")..];
    let second = versions.find("第2版").expect("version 2");
    let first = versions.find("第1版").expect("version 1");
    assert!(second < first, "newest first");
    assert!(versions.contains("首次报送"));
    assert!(
        versions.contains("→"),
        "the second version's changes: {versions}"
    );
    let link = versions
        .split("href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a download link");
    assert!(link.starts_with("/unit/tiaodeng/raw/"), "{link}");
    let (status, raw) = console.get(&session, link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(raw.contains("From: <tiaodeng@example.gov.cn>"));
    // Another unit's message is not served under this unit's name.
    let other = link.rsplit('/').next().unwrap();
    let (status, _) = console
        .get(&session, &format!("/unit/bachiao/raw/{other}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = console.get(&session, "/unit/nosuchunit").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_message_log_lists_and_filters_unknown_senders() {
    let console = Console::start_in(richer().await, MONDAY).await;
    let session = console.login("li").await;
    let (status, body) = console.get(&session, "/messages").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("data-message=").count(), 5, "{body}");
    let (_, body) = console.get(&session, "/messages?unknown=1").await;
    assert_eq!(body.matches("data-message=").count(), 1, "{body}");
    assert!(body.contains("stranger@qq.com"));
    assert!(body.contains("未登记"));
    let (_, body) = console.get(&session, "/messages?outcome=rejected").await;
    assert_eq!(body.matches("data-message=").count(), 2, "{body}");
    let (_, body) = console.get(&session, "/messages?state=processed").await;
    assert_eq!(body.matches("data-message=").count(), 5, "{body}");
}

#[tokio::test]
async fn the_health_panel_shows_the_last_mail_and_the_outbox() {
    let console = Console::start_in(richer().await, MONDAY).await;
    let session = console.login("wang").await;
    let (status, body) = console.get(&session, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("2026-11-12 09:00"), "{body}");
    assert!(body.contains("发件箱 待发送"), "{body}");
    assert!(
        body.contains("wang login"),
        "the login is in the audit log: {body}"
    );
}
