//! Sender checks through the binary (SPEC §13): a form DKIM-signed by the unit's domain (a key
//! generated here, pinned in `[intake.sender_auth] dkim_keys`, no DNS) is accepted as `pass`; a
//! forged From is held, the unit's registered addresses told and staff alerted once, and
//! nothing recorded until `held approve` (recorded at its receipt time, receipt sent) or
//! `held reject` (finished: nothing recorded, no reply).

use base64::Engine;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use serde_json::Value;

use super::{TIAODENG, form, ingest_file, run, status_json, write};
use crate::support::{TestEnv, message};

const SENT: &str = "2026-11-16T09:40:00+08:00";
const LATER: &str = "2026-11-24T15:00:00+08:00";
/// The office's own receiving server, whose Authentication-Results count.
const OFFICE_MX: &str = "mx.office.example";

/// A unit's signing key (ed25519, made for this test) and the env whose config pins it.
struct Signed {
    env: TestEnv,
    pkcs8: Vec<u8>,
}

fn setup() -> Signed {
    let env = TestEnv::new();
    let pkcs8 = Ed25519Key::generate_pkcs8().expect("key generated");
    let key = Ed25519Key::from_pkcs8_der(&pkcs8).expect("key loads");
    let public = base64::engine::general_purpose::STANDARD.encode(key.public_key());
    let mut config = std::fs::read_to_string(&env.config_path).expect("config");
    config.push_str(&format!(
        "\n[intake.sender_auth]\nauthserv_ids = [\"{OFFICE_MX}\"]\n\n\
         [intake.sender_auth.dkim_keys]\n\"s1._domainkey.example.gov.cn\" = \"v=DKIM1; k=ed25519; p={public}\"\n"
    ));
    std::fs::write(&env.config_path, config).expect("config written");
    Signed { env, pkcs8 }
}

impl Signed {
    /// `raw` with a DKIM signature of example.gov.cn (the units' domain) in front.
    fn sign(&self, raw: &[u8]) -> Vec<u8> {
        let key = Ed25519Key::from_pkcs8_der(&self.pkcs8).expect("key loads");
        let signature = DkimSigner::from_key(key)
            .domain("example.gov.cn")
            .selector("s1")
            .headers(["From", "To", "Subject", "Message-ID", "Content-Type"])
            .sign(raw)
            .expect("signed");
        let mut out = signature.to_header().into_bytes();
        out.extend_from_slice(raw);
        out
    }
}

fn tiaodeng_form(subject: &str, id: &str) -> Vec<u8> {
    let good = form("f01-official-tiaodeng.xlsx");
    message(TIAODENG, subject, id, &[("报表.xlsx", &good)])
}

fn held_list(env: &TestEnv, now: &str) -> Vec<Value> {
    let (out, _) = run(env, now, &["held", "--json"]);
    serde_json::from_str::<Value>(out.trim())
        .expect("held JSON")
        .as_array()
        .cloned()
        .expect("a list")
}

fn alert_keys(env: &TestEnv) -> Vec<String> {
    let url = format!(
        "sqlite://{}",
        env.data_dir().join("reportdesk.db").display()
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = reportdesk::store::Store::open(&url)
            .await
            .expect("database");
        let keys: Vec<(String,)> =
            sqlx::query_as("SELECT key FROM notify_events WHERE event = 'alerts' ORDER BY id")
                .fetch_all(store.pool())
                .await
                .expect("alerts");
        keys.into_iter().map(|(key,)| key).collect()
    })
}

/// The audit lines of held decisions: (actor, action, target, at).
fn held_audit(env: &TestEnv) -> Vec<(String, String, String, String)> {
    let url = format!(
        "sqlite://{}",
        env.data_dir().join("reportdesk.db").display()
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = reportdesk::store::Store::open(&url)
            .await
            .expect("database");
        sqlx::query_as(
            "SELECT actor, action, target, at FROM web_audit WHERE action LIKE 'held.%' ORDER BY id",
        )
        .fetch_all(store.pool())
        .await
        .expect("audit")
    })
}

/// Subjects and In-Reply-To of the delivered mail.
fn delivered(env: &TestEnv) -> Vec<(String, Option<String>)> {
    env.outbox()
        .iter()
        .map(|raw| {
            let parsed = mail_parser::MessageParser::default()
                .parse(raw)
                .expect("mail parses");
            (
                parsed.subject().unwrap_or_default().to_string(),
                parsed.in_reply_to().as_text().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn a_form_signed_by_the_units_domain_is_accepted_as_pass() {
    let signed = setup();
    let raw = signed.sign(&tiaodeng_form("跳磴镇11月报表", "signed-1@example.gov.cn"));
    let line = ingest_file(&signed.env, "signed.eml", &raw, SENT);
    assert_eq!(line["outcome"], "accepted", "{line}");
    assert_eq!(line["sender_check"], "pass", "{line}");

    let status = status_json(&signed.env, SENT);
    assert_eq!(status["submitted"][0]["unit"], "tiaodeng");
    assert_eq!(status["submitted"][0]["sender_check"], "pass", "{status}");
    let receipt = String::from_utf8_lossy(&signed.env.outbox()[0]).into_owned();
    let receipt = mail_parser::MessageParser::default()
        .parse(receipt.as_bytes())
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .expect("receipt text");
    assert!(receipt.contains("发件人核验：发件人已验证"), "{receipt}");
}

#[test]
fn a_forged_from_is_held_alerted_once_and_recorded_only_when_approved() {
    let signed = setup();
    let env = &signed.env;
    let forged = [
        format!(
            "Authentication-Results: {OFFICE_MX}; spf=fail smtp.mailfrom=example.gov.cn;\r\n dkim=none; dmarc=fail (p=none) header.from=example.gov.cn\r\n"
        )
        .into_bytes(),
        tiaodeng_form("跳磴镇11月报表", "forged-1@elsewhere.example"),
    ]
    .concat();
    let line = ingest_file(env, "forged.eml", &forged, SENT);
    assert_eq!(line["outcome"], "held", "{line}");
    assert_eq!(line["sender_check"], "fail");
    assert_eq!(line["forms"][0]["outcome"], "held");
    assert!(line["reply"].is_null(), "no reply to the held mail: {line}");
    let status = status_json(env, SENT);
    assert!(
        status["submitted"].as_array().unwrap().is_empty(),
        "{status}"
    );
    let held = held_list(env, SENT);
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["unit"], "tiaodeng");
    assert_eq!(held[0]["sender_check"], "fail");
    let id = held[0]["id"].as_i64().expect("id").to_string();
    assert_eq!(status["held"][0]["id"].to_string(), id, "{status}");
    let mail = delivered(env);
    assert_eq!(
        mail.len(),
        1,
        "the unit's registered address told: {mail:?}"
    );
    assert!(mail[0].0.starts_with("【待确认】"), "{mail:?}");
    assert_eq!(mail[0].1, None, "a notice, not a reply to the held mail");

    let again = ingest_file(env, "forged.eml", &forged, LATER);
    assert_eq!(again["outcome"], "duplicate", "{again}");
    assert_eq!(alert_keys(env), vec![format!("alert:held:{id}")]);
    assert_eq!(delivered(env).len(), 1, "fetching it again sends nothing");

    let (out, _) = run(env, LATER, &["held", "approve", &id]);
    let approved: Value = serde_json::from_str(out.trim()).expect("one JSON line");
    assert_eq!(approved["outcome"], "accepted", "{approved}");
    assert_eq!(approved["received_at"], "2026-11-16T01:40:00+00:00");
    assert_eq!(approved["forms"][0]["version"], 1);
    let status = status_json(env, LATER);
    let version = &status["submitted"][0];
    assert_eq!(version["unit"], "tiaodeng");
    assert_eq!(version["sender_check"], "fail");
    assert_eq!(version["sender_approved"], true, "{status}");
    assert!(status["held"].as_array().unwrap().is_empty(), "{status}");
    let mail = delivered(env);
    assert_eq!(mail.len(), 2, "{mail:?}");
    assert!(
        mail.iter()
            .any(|(_, to)| to.as_deref() == Some("forged-1@elsewhere.example")),
        "the receipt answers the approved mail: {mail:?}"
    );
    let (text, _) = run(env, LATER, &["status", "--month", "2026-11"]);
    assert!(text.contains("发件人验证未通过，已人工确认"), "{text}");

    let twice = env
        .command()
        .args(["--now", LATER, "held", "approve", &id])
        .output()
        .unwrap();
    assert_eq!(twice.status.code(), Some(2), "never recorded twice");
    assert_eq!(alert_keys(env).len(), 1, "alerted once");
    // Who and when: the CLI's decision is in the audit log, at the clock's time, once.
    assert_eq!(
        held_audit(env),
        [(
            "cli".to_string(),
            "held.approve".to_string(),
            id.clone(),
            "2026-11-24T07:00:00+00:00".to_string()
        )]
    );
}

#[test]
fn a_forged_form_rejected_by_staff_is_never_recorded_nor_answered() {
    let signed = setup();
    let env = &signed.env;
    // A real signature of the unit's domain over mail the forger then changed.
    let real = signed.sign(&tiaodeng_form("跳磴镇11月报表", "copied-1@example.gov.cn"));
    let raw = String::from_utf8(real)
        .unwrap()
        .replacen("\r\n\r\nhello\r\n", "\r\n\r\nhello again\r\n", 1)
        .into_bytes();
    let path = write(env, "edited.eml", &raw);
    let (out, _) = run(env, SENT, &["ingest", &path.to_string_lossy()]);
    let line: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["outcome"], "held", "{line}");
    assert_eq!(
        line["sender_check"], "fail",
        "a signature that does not verify"
    );
    let id = line["note"]
        .as_str()
        .and_then(|n| n.split("held reject ").nth(1))
        .and_then(|rest| rest.split('`').next())
        .expect("the note names the id")
        .to_string();

    let (out, _) = run(env, LATER, &["held", "reject", &id]);
    let rejected: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(rejected["told"], 1, "{rejected}");
    let mail = delivered(env);
    assert_eq!(mail.len(), 2, "{mail:?}");
    assert!(
        mail.iter()
            .any(|(subject, _)| subject.starts_with("【未登记】")),
        "{mail:?}"
    );
    assert!(
        mail.iter().all(|(_, in_reply_to)| in_reply_to.is_none()),
        "no reply to the forged mail: {mail:?}"
    );
    let status = status_json(env, LATER);
    assert!(
        status["submitted"].as_array().unwrap().is_empty(),
        "{status}"
    );
    assert!(held_list(env, LATER).is_empty());
    let audit = held_audit(env);
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(
        (audit[0].0.as_str(), audit[0].1.as_str()),
        ("cli", "held.reject")
    );
    for action in ["approve", "reject"] {
        let after = env
            .command()
            .args(["--now", LATER, "held", action, &id])
            .output()
            .unwrap();
        assert_eq!(after.status.code(), Some(2), "{action} after reject");
    }
}
