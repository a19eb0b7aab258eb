//! `/export` sends the month's workbook as a document (private chats only) and `/summary 2026-Q4`
//! answers for the quarter.

use crate::{Daemon, GROUP, MONDAY, STAFF, one};

#[tokio::test]
async fn export_sends_the_workbook_and_the_quarter_summary_answers() {
    let bot = Daemon::start(MONDAY, false).await;
    let sent = bot.ask(STAFF as i64, STAFF, "/export", 1).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].method.as_str(), sent[0].chat_id),
        ("senddocument", STAFF as i64)
    );

    let group = bot.ask(GROUP, STAFF, "/export", 1).await;
    assert!(one(&group).contains("请私聊"), "{group:?}");

    let quarter = bot.ask(STAFF as i64, STAFF, "/summary 2026-Q4", 1).await;
    let text = one(&quarter);
    assert!(text.starts_with("<b>2026年第4季度 全区汇总</b>"), "{text}");
    assert!(text.contains("2026年11月：已报 2/18"), "{text}");
    assert!(
        text.contains("2026年第4季度 各单位每季度至少1篇网络媒体宣传"),
        "{text}"
    );
    bot.stop().await;
}
