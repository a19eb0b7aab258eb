//! Mail kept from an unknown sender is processed once its address is registered:
//! `reportdesk reprocess ID`, at its original receipt time, with the reply sent (SPEC §13).

use super::{form, ingest_file, run, status_json};
use crate::support::{TestEnv, message, project};

const CLERK: &str = "new-clerk@qq.example";
const SENT: &str = "2026-11-18T09:30:00+08:00";
const LATER: &str = "2026-11-23T16:00:00+08:00";

#[test]
fn a_kept_form_is_recorded_at_its_receipt_time_once_the_sender_is_registered() {
    let roster_dir = tempfile::tempdir().unwrap();
    let roster = roster_dir.path().join("units.toml");
    let shipped = std::fs::read_to_string(project().join("config/units.toml")).unwrap();
    std::fs::write(&roster, &shipped).unwrap();
    let env = TestEnv::with_roster(&roster, "office@example.gov.cn");

    let good = form("f01-official-tiaodeng.xlsx");
    let raw = message(
        CLERK,
        "跳磴镇报表",
        "clerk-1@qq.example",
        &[("报表.xlsx", &good)],
    );
    let line = ingest_file(&env, "clerk.eml", &raw, SENT);
    assert_eq!(line["outcome"], "rejected", "{line}");
    assert!(env.outbox().is_empty(), "an unknown sender is not answered");

    let (text, _) = run(&env, SENT, &["status", "--month", "2026-11"]);
    let id_line = text.lines().find(|l| l.contains(CLERK)).expect("listed");
    let id = id_line.split_whitespace().nth(1).expect("ID n");
    assert!(id_line.trim_start().starts_with("ID "), "{id_line}");
    assert!(text.contains("reportdesk reprocess ID"), "{text}");

    let refused = env
        .command()
        .args(["--now", LATER, "reprocess", id])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("still not in the roster"));

    let registered = shipped.replace(
        "addresses = [\"tiaodeng@example.gov.cn\"]",
        &format!("addresses = [\"tiaodeng@example.gov.cn\", \"{CLERK}\"]"),
    );
    assert_ne!(registered, shipped);
    std::fs::write(&roster, registered).unwrap();
    let (out, _) = run(&env, LATER, &["reprocess", id]);
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["outcome"], "accepted", "{line}");
    assert_eq!(line["unit"], "tiaodeng");
    assert_eq!(
        line["forms"][0]["late"], false,
        "received on the 18th, before the deadline"
    );
    assert_eq!(line["received_at"], "2026-11-18T01:30:00+00:00");
    assert_eq!(env.outbox().len(), 1, "the receipt went out");

    let status = status_json(&env, LATER);
    assert_eq!(status["submitted"][0]["unit"], "tiaodeng");
    assert_eq!(status["submitted"][0]["version"], 1);
    assert!(
        status["unknown_senders"].as_array().unwrap().is_empty(),
        "{status}"
    );

    let again = env
        .command()
        .args(["--now", LATER, "reprocess", id])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "never recorded twice");
    let missing = env.command().args(["reprocess", "9999"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
