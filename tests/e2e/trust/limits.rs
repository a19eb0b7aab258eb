//! All or nothing (SPEC §6): a message over any limit records nothing, its return names the limit,
//! and nothing recorded before changes.

use super::{NOW, TIAODENG, form, ingest_file, status_json};
use crate::support::{TestEnv, message};

#[test]
fn a_message_over_the_attachment_limit_records_nothing_and_says_which_limit() {
    let env = TestEnv::new();
    let good = form("f01-official-tiaodeng.xlsx");
    let first = ingest_file(
        &env,
        "v1.eml",
        &message(TIAODENG, "报表", "v1@qq.example", &[("报表.xlsx", &good)]),
        NOW,
    );
    assert_eq!(first["outcome"], "accepted", "{first}");

    let names: Vec<String> = (0..80).map(|i| format!("照片{i}.txt")).collect();
    let mut attachments: Vec<(&str, &[u8])> =
        names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    attachments.insert(0, ("报表.xlsx", &good));
    let line = ingest_file(
        &env,
        "many.eml",
        &message(TIAODENG, "报表（更正）", "many@qq.example", &attachments),
        "2026-11-12T11:00:00+08:00",
    );
    assert_eq!(line["outcome"], "rejected", "{line}");
    assert_eq!(line["reply"]["kind"], "return", "{line}");
    let forms = line["forms"].as_array().unwrap();
    assert!(
        forms.iter().all(|f| f["outcome"] != "accepted"),
        "no accepted form in the JSON: {line}"
    );
    let errors = line["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains("超过50个")),
        "the limit is named: {line}"
    );
    assert!(errors.iter().any(|e| e["field"] == "limit"), "{line}");

    let status = status_json(&env, NOW);
    let submitted = &status["submitted"][0];
    assert_eq!(
        submitted["version"], 1,
        "the earlier version stands: {status}"
    );
    let replies = env.outbox();
    let texts: Vec<String> = replies
        .iter()
        .filter_map(|r| mail_parser::MessageParser::default().parse(r))
        .filter(|p| p.subject().is_some_and(|s| s.contains("退回")))
        .map(|p| p.body_text(0).unwrap_or_default().to_string())
        .collect();
    assert_eq!(texts.len(), 1, "one return");
    assert!(texts[0].contains("超过50个"), "{}", texts[0]);
    assert!(texts[0].contains("都没有登记"), "{}", texts[0]);
    assert!(
        !texts[0].contains("已登记"),
        "the return claims nothing recorded: {}",
        texts[0]
    );
}
