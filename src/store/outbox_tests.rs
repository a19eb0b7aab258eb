//! The outbox claim's lease (SPEC §17): a live claimer keeps its row, a stopped one's row is
//! due again after the lease (or at once when its process is gone on this host), and a claimer
//! whose row was taken over cannot mark it.

use super::*;

async fn store_with_one_reply(dir: &tempfile::TempDir, now: DateTime<Utc>) -> Store {
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::open(&url).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let reply = NewReply {
        message_row: None,
        kind: ReplyKind::Receipt,
        recipient: "bachiao@example.gov.cn",
        subject: "回执",
        outgoing_id: "<lease@x>",
        body: b"raw",
        created_at: now,
    };
    enqueue(&mut tx, &reply).await.unwrap();
    tx.commit().await.unwrap();
    store
}

/// Hands the row to another claimer, as if another process had claimed it.
async fn claimed_by(store: &Store, claimer: &str, lease_until: DateTime<Utc>) {
    sqlx::query("UPDATE outbox SET state = 'sending', claimed_by = ?, lease_until = ?")
        .bind(claimer)
        .bind(lease_until)
        .execute(store.pool())
        .await
        .unwrap();
}

async fn state(store: &Store) -> (String, Option<String>) {
    sqlx::query_as("SELECT state, claimed_by FROM outbox")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// The pid of a process that has ended (spawned, waited for).
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[tokio::test]
async fn a_claim_holds_for_its_lease_and_is_taken_over_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let store = store_with_one_reply(&dir, now).await;
    // Claimed on another host (no way to ask whether it lives): wait for the lease.
    claimed_by(&store, "elsewhere:4242:1", now + LEASE).await;
    assert_eq!(release_orphans(&store, now).await.unwrap(), 0);
    assert!(claim_next(&store, now, now).await.unwrap().is_none());
    let before_end = now + LEASE - Duration::seconds(1);
    assert!(claim_next(&store, now, before_end).await.unwrap().is_none());
    let row = claim_next(&store, now, now + LEASE).await.unwrap().unwrap();
    assert_eq!(
        row.attempts, 1,
        "the take-over counts as an attempt (the fake claim did not)"
    );
    assert_eq!(
        state(&store).await,
        ("sending".into(), Some(claimer().into()))
    );
    // The first claimer coming back late cannot mark what is no longer its claim: simulate it
    // by handing the row back to it, then marking as ourselves.
    claimed_by(&store, "elsewhere:4242:1", now + LEASE).await;
    mark_sent(&store, row.id, now).await.unwrap();
    assert_eq!(state(&store).await.0, "sending");
}

#[tokio::test]
async fn a_gone_process_on_this_host_is_released_at_once_and_a_live_one_never() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let store = store_with_one_reply(&dir, now).await;
    let host = host_name();
    // A live process of this host (the test's own parent) is never released early.
    let live = format!("{host}:{}:1", std::os::unix::process::parent_id());
    claimed_by(&store, &live, now + LEASE).await;
    assert_eq!(release_orphans(&store, now).await.unwrap(), 0);
    assert!(claim_next(&store, now, now).await.unwrap().is_none());
    // A process that has ended is released at once, long before its lease runs out.
    let gone = format!("{host}:{}:1", dead_pid());
    claimed_by(&store, &gone, now + LEASE).await;
    assert_eq!(release_orphans(&store, now).await.unwrap(), 1);
    assert_eq!(state(&store).await, ("pending".into(), None));
    let row = claim_next(&store, now, now).await.unwrap().unwrap();
    mark_sent(&store, row.id, now).await.unwrap();
    assert_eq!(state(&store).await.0, "sent");
}

#[test]
fn only_a_gone_process_of_this_host_is_an_orphan() {
    assert!(is_orphan(&format!("h:{}:9", dead_pid()), "h"));
    assert!(!is_orphan(&format!("h:{}:9", std::process::id()), "h"));
    assert!(!is_orphan(&format!("other:{}:9", dead_pid()), "h"));
    assert!(!is_orphan("h:not-a-pid:9", "h"));
    assert!(!is_orphan(claimer(), &host_name()));
}
