//! Delivery over a pool of SMTP connections (issue 17): two delivery rounds side by side, four
//! lanes each, hand every queued reply to the real test server exactly once.

use std::collections::HashMap;

use reportdesk::config::{Config, Outbound, Sending};
use reportdesk::delivery::{RetryPolicy, Transport, deliver_due};
use reportdesk::net::smtp_client::Smtp;
use reportdesk::store::Store;
use reportdesk::store::outbox::{NewReply, ReplyKind, counts, enqueue};

use crate::harness::MailStack;
use crate::running::{Daemon, PLAIN_IDLE, UNITS, add_users, roster_path};
use crate::support::{OFFICE, PASSWORD};

const REPLIES: usize = 40;

async fn queue(store: &Store) {
    let now = chrono::Utc::now();
    let mut tx = store.begin().await.unwrap();
    for i in 0..REPLIES {
        let (unit, _) = UNITS[i % UNITS.len()];
        let id = format!("<pool-{i}@office.example>");
        let body = format!(
            "From: <{OFFICE}>\r\nTo: <{unit}>\r\nSubject: pool {i}\r\nMessage-ID: {id}\r\n\r\nreceipt {i}\r\n"
        );
        let reply = NewReply {
            message_row: None,
            kind: ReplyKind::Receipt,
            recipient: unit,
            subject: "pool",
            outgoing_id: &id,
            body: body.as_bytes(),
            created_at: now,
        };
        enqueue(&mut tx, &reply).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn transport(config: &Config) -> Transport {
    let Outbound::Smtp(settings) = &config.outbound else {
        panic!("the live config sends by SMTP");
    };
    let password = secrecy::SecretString::from(PASSWORD.to_string());
    let sending = Sending {
        connections: 4,
        max_per_minute: None,
    };
    Transport::Smtp(Smtp::new(settings, &password, OFFICE, sending).unwrap())
}

#[test]
fn two_rounds_of_four_lanes_send_each_reply_once() {
    let stack = MailStack::start();
    add_users(&stack, &UNITS.iter().map(|u| u.0).collect::<Vec<_>>());
    let daemon = Daemon::configure(&stack, PLAIN_IDLE, &roster_path());
    let config = Config::load(&daemon.config, None).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sent = runtime.block_on(async {
        let url = format!("sqlite://{}", daemon.dir.path().join("pool.db").display());
        let store = Store::open(&url).await.unwrap();
        queue(&store).await;
        let (first, second) = (transport(&config), transport(&config));
        let now = chrono::Utc::now();
        let retry = RetryPolicy::from_base_seconds(1);
        let (a, b) = tokio::join!(
            deliver_due(&store, &first, now, retry),
            deliver_due(&store, &second, now, retry)
        );
        let outbox = counts(&store).await.unwrap();
        assert_eq!(outbox, vec![("sent".to_string(), REPLIES as i64)]);
        a.unwrap() + b.unwrap()
    });
    assert_eq!(sent, REPLIES, "every reply handed over once");
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (unit, _) in UNITS {
        for raw in stack.mailbox(unit, "INBOX") {
            let text = String::from_utf8_lossy(&raw).into_owned();
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: "))
                .unwrap_or_default()
                .to_string();
            *seen.entry(id).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), REPLIES, "{seen:?}");
    assert!(
        seen.values().all(|&n| n == 1),
        "a reply arrived twice: {seen:?}"
    );
}
