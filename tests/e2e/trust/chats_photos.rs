//! Images are stored only when a case takes them; the bot's API URL is https unless loopback
//! (the group-chat rule is tested with the bot, in tests/bot/people.rs).

use super::{NOW, TIAODENG, form, ingest_file};
use crate::support::{TestEnv, fixtures, message};

fn stored_photos(env: &TestEnv) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    count(&env.data_dir().join("photos"))
}

#[test]
fn pictures_in_a_monthly_mail_are_not_stored_but_a_cases_are() {
    let env = TestEnv::new();
    let jpg = std::fs::read(fixtures().join("cases/a039-photo1.jpg")).unwrap();
    let monthly = form("f01-official-tiaodeng.xlsx");
    let line = ingest_file(
        &env,
        "monthly.eml",
        &message(
            TIAODENG,
            "报表",
            "pm1@qq.example",
            &[("报表.xlsx", &monthly), ("合影.jpg", &jpg)],
        ),
        NOW,
    );
    assert_eq!(line["outcome"], "accepted", "{line}");
    assert_eq!(stored_photos(&env), 0, "no case took the picture");

    let case = std::fs::read(fixtures().join("cases/c02-four-part-table-bachiao.docx")).unwrap();
    let line = ingest_file(
        &env,
        "case.eml",
        &message(
            "bachiao@example.gov.cn",
            "典型案例",
            "pc1@qq.example",
            &[("案例.docx", &case), ("现场.jpg", &jpg)],
        ),
        NOW,
    );
    assert_eq!(line["outcome"], "accepted", "{line}");
    assert_eq!(stored_photos(&env), 1, "the case took its photo");
}

#[test]
fn a_plain_http_bot_api_to_another_host_is_refused_at_load() {
    let env = TestEnv::new();
    let text = std::fs::read_to_string(&env.config_path).unwrap().replace(
        "api_url = \"https://api.telegram.org\"",
        "api_url = \"http://api.telegram.org\"",
    );
    std::fs::write(&env.config_path, text).unwrap();
    let out = env.command().args(["status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bot.api_url") && stderr.contains("https"),
        "{stderr}"
    );
}
