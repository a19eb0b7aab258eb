//! Each message is processed once, keyed by Message-ID *and* sender: a stranger who uses a unit's
//! Message-ID first shadows nothing (SPEC §6).

use super::{NOW, TIAODENG, form, ingest_file, status_json};
use crate::support::{TestEnv, message};

#[test]
fn a_stranger_who_uses_a_units_message_id_first_shadows_nothing() {
    let env = TestEnv::new();
    let good = form("f01-official-tiaodeng.xlsx");
    let attachments: &[(&str, &[u8])] = &[("报表.xlsx", &good)];
    let stranger = message(
        "someone@evil.example",
        "报表",
        "m-77@qq.example",
        attachments,
    );
    let line = ingest_file(&env, "stranger.eml", &stranger, NOW);
    assert_eq!(line["outcome"], "rejected", "unknown sender: {line}");

    let unit = message(TIAODENG, "报表", "m-77@qq.example", attachments);
    let line = ingest_file(&env, "unit.eml", &unit, NOW);
    assert_eq!(line["outcome"], "accepted", "{line}");
    assert_eq!(line["forms"][0]["version"], 1);
    assert_eq!(line["reply"]["kind"], "receipt");

    let again = ingest_file(&env, "unit-again.eml", &unit, NOW);
    assert_eq!(again["outcome"], "duplicate", "{again}");
    let status = status_json(&env, NOW);
    assert_eq!(status["submitted"][0]["version"], 1, "recorded once");
}

#[test]
fn a_message_without_an_id_is_keyed_by_its_bytes() {
    let env = TestEnv::new();
    let raw = String::from_utf8(message(TIAODENG, "你好", "unused@x", &[]))
        .unwrap()
        .replace("Message-ID: <unused@x>\r\n", "");
    let first = ingest_file(&env, "a.eml", raw.as_bytes(), NOW);
    assert_eq!(first["outcome"], "ignored", "{first}");
    assert!(first["message_id"].is_null(), "{first}");
    let second = ingest_file(&env, "b.eml", raw.as_bytes(), NOW);
    assert_eq!(second["outcome"], "duplicate", "{second}");
    let changed = raw.replace("hello", "hello again");
    let third = ingest_file(&env, "c.eml", changed.as_bytes(), NOW);
    assert_eq!(
        third["outcome"], "ignored",
        "other bytes, another message: {third}"
    );
}
