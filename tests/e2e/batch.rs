//! Group commit through the binary (`run --once` over the local Maildir): a backlog longer than
//! one batch (64) is taken in in receipt order, a message whose key repeats inside a batch is a
//! duplicate exactly as when it comes later, the hourly reply limit counts replies queued earlier
//! in the same batch, and every message leaves `new/` once its batch is committed.

use serde_json::Value;

use crate::support::{TestEnv, deliver_at, fixtures, message};

const TIAODENG: &str = "tiaodeng@example.gov.cn";
const NOW: &str = "2026-11-25T10:00:00+08:00";

#[test]
fn a_backlog_of_two_batches_is_taken_in_order_once_each() {
    let env = TestEnv::new();
    let inbox = env.data_dir().join("mail/inbox");
    let form = std::fs::read(fixtures().join("forms/f01-official-tiaodeng.xlsx")).expect("form");
    let mut sent = 0;
    for n in 0..70 {
        // Message 5 comes twice, byte for byte, in the same batch.
        let id = if n == 6 { 5 } else { n };
        let raw = message(
            TIAODENG,
            "报表",
            &format!("m{id}@qq.example"),
            &[("报表.xlsx", &form)],
        );
        let at = format!("2026-11-12T09:{:02}:{:02}+08:00", n / 60, n % 60);
        deliver_at(&inbox, &format!("{n:03}.host"), &raw, &at);
        sent += 1;
    }
    let out = env
        .command()
        .args(["--now", NOW, "run", "--once"])
        .output()
        .expect("run --once");
    assert!(out.status.success(), "{out:?}");
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &Value| v.get("outcome").is_some())
        .collect();
    assert_eq!(lines.len(), sent, "one line a message: {lines:?}");
    let outcomes: Vec<&str> = lines
        .iter()
        .map(|l| l["outcome"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == "duplicate").count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(outcomes[6], "duplicate", "the repeat of message 5");
    let versions: Vec<i64> = lines
        .iter()
        .filter(|l| l["outcome"] == "accepted")
        .map(|l| l["forms"][0]["version"].as_i64().expect("a version"))
        .collect();
    assert_eq!(
        versions,
        (1..=69).collect::<Vec<i64>>(),
        "receipt order, each once"
    );
    // The hourly limit (10 replies to one address) holds inside a batch.
    let answered = lines.iter().filter(|l| !l["reply"].is_null()).count();
    assert_eq!(answered, 10, "replies within the hourly limit");
    assert_eq!(env.outbox().len(), 10, "each queued reply delivered once");
    let left = std::fs::read_dir(inbox.join("new")).expect("new/").count();
    let moved = std::fs::read_dir(inbox.join("cur")).expect("cur/").count();
    assert_eq!(
        (left, moved),
        (0, sent),
        "every message moved after its batch"
    );

    // The same mail again: nothing stored, nothing sent.
    let again = message(TIAODENG, "报表", "m0@qq.example", &[("报表.xlsx", &form)]);
    deliver_at(&inbox, "again.host", &again, "2026-11-12T09:00:00+08:00");
    let out = env
        .command()
        .args(["--now", NOW, "run", "--once"])
        .output()
        .expect("run --once");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\"outcome\":\"duplicate\""),
        "{out:?}"
    );
    assert_eq!(env.outbox().len(), 10);
}
