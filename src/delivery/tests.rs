//! The delivery's own tests: the outbox rounds against a real SQLite store and Maildir.

use super::*;

/// A reply refused for good is marked failed and alerted once, in one transaction; the row
/// is never claimed again, so a second refusal cannot happen for it.
#[tokio::test]
async fn a_reply_refused_for_good_is_alerted_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::open(&url).await.unwrap();
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let reply = outbox::NewReply {
        message_row: None,
        kind: outbox::ReplyKind::Receipt,
        recipient: "bachiao@example.gov.cn",
        subject: "回执",
        outgoing_id: "<r1@x>",
        body: b"raw",
        created_at: now,
    };
    outbox::enqueue(&mut tx, &reply).await.unwrap();
    tx.commit().await.unwrap();
    let row = outbox::claim_next(&store, now, now).await.unwrap().unwrap();
    give_up(&store, &row, "550 5.1.1 no such user", now)
        .await
        .unwrap();
    let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM notify_events")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(keys, vec![format!("alert:smtp_failed:{}", row.id)]);
    assert!(
        outbox::claim_next(&store, now, now)
            .await
            .unwrap()
            .is_none()
    );
    let counts = outbox::counts(&store).await.unwrap();
    assert_eq!(counts, vec![("failed".to_string(), 1)]);
}

/// A failing outbox Maildir ends the round after the batch claimed beside the failing one:
/// every reply tried is pending again with a retry time, none is left claimed, and once
/// the Maildir works each is written exactly once.
#[tokio::test]
async fn a_failing_outbox_maildir_stops_the_round_and_leaves_nothing_claimed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::open(&url).await.unwrap();
    let now = Utc::now();
    let replies = 3 * MAILDIR_BATCH + 5;
    let mut tx = store.begin().await.unwrap();
    for i in 0..replies {
        let id = format!("<r{i}@x>");
        let reply = outbox::NewReply {
            message_row: None,
            kind: outbox::ReplyKind::Receipt,
            recipient: "bachiao@example.gov.cn",
            subject: "回执",
            outgoing_id: &id,
            body: b"raw",
            created_at: now,
        };
        outbox::enqueue(&mut tx, &reply).await.unwrap();
    }
    tx.commit().await.unwrap();
    let root = dir.path().join("outbox");
    let maildir = Maildir::open(&root).unwrap();
    // tmp/ turned into a file: no reply can be staged.
    std::fs::remove_dir(root.join("tmp")).unwrap();
    std::fs::write(root.join("tmp"), b"").unwrap();
    let transport = Transport::Maildir(maildir.clone());
    let retry = RetryPolicy::from_base_seconds(30);
    let sent = deliver_due(&store, &transport, now, retry).await.unwrap();
    assert_eq!(sent, 0);
    let counts = outbox::counts(&store).await.unwrap();
    assert_eq!(counts, vec![("pending".to_string(), replies as i64)]);
    let tried: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE attempts > 0")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(
        tried,
        2 * MAILDIR_BATCH as i64,
        "the failing batch and the one claimed beside it"
    );

    std::fs::remove_file(root.join("tmp")).unwrap();
    std::fs::create_dir(root.join("tmp")).unwrap();
    let later = now + Duration::minutes(5);
    let sent = deliver_due(&store, &transport, later, retry).await.unwrap();
    assert_eq!(sent, replies);
    assert_eq!(
        std::fs::read_dir(root.join("new")).unwrap().count(),
        replies
    );
    let counts = outbox::counts(&store).await.unwrap();
    assert_eq!(counts, vec![("sent".to_string(), replies as i64)]);
}

#[test]
fn retries_double_up_to_the_cap() {
    let policy = RetryPolicy {
        base: Duration::seconds(30),
        cap: Duration::minutes(10),
    };
    assert_eq!(policy.after(1), Duration::seconds(30));
    assert_eq!(policy.after(3), Duration::minutes(2));
    assert_eq!(policy.after(50), Duration::minutes(10));
}
