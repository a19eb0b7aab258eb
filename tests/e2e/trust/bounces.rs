//! A bounce marks an address failing only when it quotes a Message-ID of ours that was sent to
//! that very address; our Message-IDs carry a per-installation secret.

use super::{BACHIAO, JIANSHENG, NOW, TIAODENG, form, ingest_file, message_id_of, status_json};
use crate::support::{TestEnv, message};

/// A DSN from MAILER-DAEMON with an empty Return-Path, listing `failed` and quoting `quoted`.
fn dsn(own_id: &str, failed: &[&str], quoted: &str) -> Vec<u8> {
    let mut out = format!(
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n\
         To: office@example.gov.cn\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         Message-ID: <{own_id}@mx.example.net>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
         --B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n\
         --B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n"
    );
    for address in failed {
        out.push_str(&format!(
            "\r\nFinal-Recipient: rfc822; {address}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        ));
    }
    out.push_str(&format!(
        "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: office@example.gov.cn\r\n\
         Message-ID: {quoted}\r\nSubject: Re: report\r\n\r\n--B--\r\n"
    ));
    out.into_bytes()
}

fn failing(env: &TestEnv) -> Vec<String> {
    status_json(env, NOW)["failing_addresses"]
        .as_array()
        .expect("failing_addresses")
        .iter()
        .map(|f| f["address"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_forged_bounce_marks_only_the_address_our_quoted_mail_was_sent_to() {
    let env = TestEnv::new();
    let good = form("f01-official-tiaodeng.xlsx");
    let line = ingest_file(
        &env,
        "form.eml",
        &message(
            TIAODENG,
            "报表",
            "form-b1@qq.example",
            &[("报表.xlsx", &good)],
        ),
        NOW,
    );
    assert_eq!(line["outcome"], "accepted", "{line}");
    let replies = env.outbox();
    assert_eq!(replies.len(), 1, "the receipt was delivered");
    let ours = message_id_of(&replies[0]);

    let guessed = "<rd.000000000000000000000000.receipt@example.gov.cn>";
    let line = ingest_file(
        &env,
        "guess.eml",
        &dsn("g1", &[TIAODENG, BACHIAO], guessed),
        NOW,
    );
    assert_eq!(line["outcome"], "ignored", "{line}");
    assert!(failing(&env).is_empty(), "an ID we never sent marks nobody");

    let forged = dsn("f1", &[TIAODENG, BACHIAO, JIANSHENG], &ours);
    let line = ingest_file(&env, "forged.eml", &forged, NOW);
    assert_eq!(line["outcome"], "ignored", "{line}");
    assert_eq!(
        failing(&env),
        vec![TIAODENG.to_string()],
        "only the address the quoted receipt went to; the other units stay mailable"
    );
}

#[test]
fn the_same_mail_gets_a_different_reply_id_in_another_installation() {
    let good = form("f01-official-tiaodeng.xlsx");
    let raw = message(TIAODENG, "报表", "same@qq.example", &[("报表.xlsx", &good)]);
    let ids: Vec<String> = (0..2)
        .map(|_| {
            let env = TestEnv::new();
            ingest_file(&env, "same.eml", &raw, NOW);
            message_id_of(&env.outbox()[0])
        })
        .collect();
    assert_ne!(
        ids[0], ids[1],
        "a random per-installation secret makes our Message-IDs unpredictable"
    );
    for id in &ids {
        assert!(id.ends_with("@example.gov.cn>") && id.len() > 40, "{id}");
    }
}
