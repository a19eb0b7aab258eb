//! `/export` sends the month's workbook as a document (private chats only), which is opened and
//! read back here, and `/summary 2026-Q4` answers for the quarter.

use calamine::{Data, Reader};

use crate::support::{fixtures, ingest, message};
use crate::{Daemon, GROUP, MONDAY, STAFF, one};

/// The case's facts (简要案情) and its tip source (线索来源), as written in the fixture.
const CASE_FACTS: &str = "镇安办会同区应急局到场核查";
const TIP_SOURCE: &str = "群众通过12345热线举报";

/// Every sheet of a workbook as rows of cell texts.
fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .expect("the document is a workbook calamine can open");
    let names = workbook.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|row| {
                    row.iter()
                        .map(|cell| match cell {
                            Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

#[tokio::test]
async fn export_sends_the_workbook_and_the_quarter_summary_answers() {
    let env = crate::support::TestEnv::new();
    crate::seed(&env).await;
    {
        let app = env.app("2026-11-12T10:00:00+08:00").await;
        let case = std::fs::read(fixtures().join("cases/c01-paragraphs-jiansheng.docx")).unwrap();
        let raw = message(
            "jiansheng@example.gov.cn",
            "典型案例",
            "case@x",
            &[("案例.docx", &case)],
        );
        let line = ingest(&app, &raw, "case.eml", "2026-11-12T10:00:00+08:00").await;
        assert_eq!(line["outcome"], "accepted", "{line}");
        app.store.close().await;
    }
    let bot = Daemon::start_in(env, MONDAY, false).await;
    let sent = bot.ask(STAFF as i64, STAFF, "/export", 1).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].method.as_str(), sent[0].chat_id),
        ("senddocument", STAFF as i64)
    );
    let (file_name, bytes) = sent[0]
        .document
        .clone()
        .expect("the stand-in kept the file");
    assert!(file_name.ends_with(".xlsx"), "{file_name}");
    let sheets = sheets(&bytes);
    let rows: Vec<&Vec<String>> = sheets.iter().flat_map(|(_, rows)| rows).collect();
    let row_with = |name: &str| {
        rows.iter()
            .find(|row| row.iter().any(|cell| cell == name))
            .unwrap_or_else(|| panic!("no row for {name} in {sheets:#?}"))
    };
    // f01 (跳磴镇) and f02 (八桥镇) report 420 and 350 公开信 (tests/fixtures/forms/expected.json).
    assert!(row_with("跳磴镇").iter().any(|c| c == "420"), "{sheets:#?}");
    assert!(row_with("八桥镇").iter().any(|c| c == "350"), "{sheets:#?}");
    assert!(row_with("合计").iter().any(|c| c == "770"), "{sheets:#?}");
    let all_text: String = rows.iter().flat_map(|row| row.iter()).cloned().collect();
    assert!(
        all_text.contains(CASE_FACTS),
        "the case is in it: {sheets:#?}"
    );
    assert!(
        !all_text.contains(TIP_SOURCE) && !all_text.contains("12345热线"),
        "no tip source in a staff export: {sheets:#?}"
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
