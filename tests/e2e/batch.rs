//! Group commit through the binary (`run --once` over the local Maildir): a backlog longer than
//! one batch (64) is taken in in receipt order, a message whose key repeats inside a batch is a
//! duplicate exactly as when it comes later, the hourly reply limit counts replies queued earlier
//! in the same batch, every message leaves `new/` once its batch is committed, and one that fails
//! while it is settled is undone alone.

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
        // Message 5 comes twice, byte for byte, in the same batch; message 3 comes again in the
        // second batch, which is staged while the first is settled.
        let id = match n {
            6 => 5,
            66 => 3,
            _ => n,
        };
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
        2,
        "{outcomes:?}"
    );
    assert_eq!(outcomes[6], "duplicate", "the repeat of message 5");
    assert_eq!(
        outcomes[66], "duplicate",
        "the repeat of message 3, a batch later"
    );
    let versions: Vec<i64> = lines
        .iter()
        .filter(|l| l["outcome"] == "accepted")
        .map(|l| l["forms"][0]["version"].as_i64().expect("a version"))
        .collect();
    assert_eq!(
        versions,
        (1..=68).collect::<Vec<i64>>(),
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

/// One message of a batch failing while it is settled (here a trigger refuses its receipt) is
/// undone alone: the ones before and after it keep their versions and receipts, it keeps no
/// version and stays in `new/`, and the next run finishes it.
#[tokio::test]
async fn a_message_failing_inside_a_batch_is_undone_alone_and_taken_in_next_time() {
    let env = TestEnv::new();
    let inbox = env.data_dir().join("mail/inbox");
    let app = env.app(NOW).await;
    sqlx::query(
        "CREATE TRIGGER refuse_m2 BEFORE INSERT ON outbox
         WHEN (SELECT message_id FROM messages WHERE id = NEW.message_row) = '<m2@qq.example>'
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    )
    .execute(app.store.pool())
    .await
    .expect("trigger");
    app.store.close().await;
    let form = std::fs::read(fixtures().join("forms/f01-official-tiaodeng.xlsx")).expect("form");
    for n in 1..=3 {
        let raw = message(
            TIAODENG,
            "报表",
            &format!("m{n}@qq.example"),
            &[("报表.xlsx", &form)],
        );
        let at = format!("2026-11-12T09:00:{n:02}+08:00");
        deliver_at(&inbox, &format!("{n}.host"), &raw, &at);
    }
    let run = || {
        let out = env
            .command()
            .args(["--now", NOW, "run", "--once"])
            .output()
            .expect("run --once");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .filter(|v: &Value| v.get("outcome").is_some())
            .map(|l| (l["message_id"].as_str().unwrap_or("").to_string(), l))
            .collect::<Vec<(String, Value)>>()
    };
    let version = |lines: &[(String, Value)], id: &str| {
        lines
            .iter()
            .find(|(m, _)| m == id)
            .and_then(|(_, l)| l["forms"][0]["version"].as_i64())
    };
    let first = run();
    assert_eq!(first.len(), 2, "the refused one has no line: {first:?}");
    assert_eq!(version(&first, "<m1@qq.example>"), Some(1));
    assert_eq!(
        version(&first, "<m3@qq.example>"),
        Some(2),
        "m2 kept nothing"
    );
    assert_eq!(env.outbox().len(), 2, "two receipts");
    let waiting: Vec<_> = std::fs::read_dir(inbox.join("new"))
        .expect("new/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(waiting, ["2.host"], "only the refused one waits");

    let app = env.app(NOW).await;
    sqlx::query("DROP TRIGGER refuse_m2")
        .execute(app.store.pool())
        .await
        .expect("drop");
    app.store.close().await;
    // The next run finishes it from its stored raw bytes (recorded, never settled); its copy
    // still in `new/` is then a duplicate and leaves.
    let second = run();
    let outcomes: Vec<&str> = second
        .iter()
        .map(|(_, l)| l["outcome"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(outcomes, ["accepted", "duplicate"], "{second:?}");
    assert_eq!(version(&second, "<m2@qq.example>"), Some(3));
    assert_eq!(env.outbox().len(), 3, "its receipt now, once");
    let left = std::fs::read_dir(inbox.join("new")).expect("new/").count();
    assert_eq!(left, 0, "nothing waits");
}
