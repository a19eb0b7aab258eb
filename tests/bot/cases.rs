//! `/cases`: staff see unit, date and one line; admins in a private chat see the whole case, the
//! tip source included; a group chat sees counts only.

use crate::support::{fixtures, ingest, message};
use crate::{ADMIN, Daemon, GROUP, MONDAY, STAFF, one};

#[tokio::test]
async fn cases_show_as_much_as_the_asker_and_the_chat_allow() {
    let env = crate::support::TestEnv::new();
    crate::seed(&env).await;
    {
        let app = env.app("2026-11-12T10:00:00+08:00").await;
        let case = std::fs::read(fixtures().join("cases/c01-paragraphs-jiansheng.docx")).unwrap();
        let photo = std::fs::read(fixtures().join("cases/a039-photo1.jpg")).unwrap();
        let raw = message(
            "jiansheng@example.gov.cn",
            "典型案例",
            "case@x",
            &[("案例.docx", &case), ("1.jpg", &photo)],
        );
        let line = ingest(&app, &raw, "case.eml", "2026-11-12T10:00:00+08:00").await;
        assert_eq!(line["outcome"], "accepted", "{line}");
        app.store.close().await;
    }
    let bot = Daemon::start_in(env, MONDAY, false).await;

    let admin_sent = bot.ask(ADMIN as i64, ADMIN, "/cases", 1).await;
    let admin = one(&admin_sent);
    assert!(
        admin.contains("典型案例 1 件") && admin.contains("建胜镇"),
        "{admin}"
    );
    assert!(
        admin.contains("线索来源："),
        "admins see the tip source: {admin}"
    );
    assert!(admin.contains("照片 1 张"), "{admin}");

    let staff_sent = bot.ask(STAFF as i64, STAFF, "/cases", 1).await;
    let staff = one(&staff_sent);
    assert!(
        staff.contains("建胜镇") && staff.contains("2026-11-12"),
        "{staff}"
    );
    assert!(
        !staff.contains("线索来源："),
        "staff never see the tip source: {staff}"
    );

    let group_sent = bot.ask(GROUP, ADMIN, "/cases", 1).await;
    let group = one(&group_sent);
    assert!(group.contains("建胜镇：1 件"), "{group}");
    assert!(
        !group.contains("线索来源") && !group.contains("2026-11-12"),
        "aggregates only: {group}"
    );

    let plain_sent = bot.ask(STAFF as i64, STAFF, "本月典型案例", 1).await;
    let plain = one(&plain_sent);
    assert_eq!(plain, staff, "plain Chinese reaches the same answer");
    bot.stop().await;
}
