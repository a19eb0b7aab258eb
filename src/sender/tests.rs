//! Sender verdicts on crafted mail: signatures made here with a key generated for the test, DNS
//! answered from pinned keys only (no network).

use base64::Engine;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;

use super::*;

const FROM: &str = "tiaodeng@tiaodeng.gov.cn";

/// An ed25519 key generated for the test, and its DNS record.
struct Signer {
    pkcs8: Vec<u8>,
    record: String,
}

fn signer() -> Signer {
    let pkcs8 = Ed25519Key::generate_pkcs8().expect("key generated");
    let key = Ed25519Key::from_pkcs8_der(&pkcs8).expect("key loads");
    let public = base64::engine::general_purpose::STANDARD.encode(key.public_key());
    Signer {
        pkcs8,
        record: format!("v=DKIM1; k=ed25519; p={public}"),
    }
}

fn mail(from: &str, subject: &str) -> String {
    format!(
        "From: <{from}>\r\nTo: <office@example.gov.cn>\r\nSubject: {subject}\r\nMessage-ID: <s1@qq.example>\r\n\r\n报表见附件。\r\n"
    )
}

fn sign(signer: &Signer, domain: &str, raw: &str) -> String {
    let key = Ed25519Key::from_pkcs8_der(&signer.pkcs8).expect("key loads");
    let signature = DkimSigner::from_key(key)
        .domain(domain)
        .selector("s1")
        .headers(["From", "To", "Subject", "Message-ID"])
        .sign(raw.as_bytes())
        .expect("signed");
    format!("{}{raw}", signature.to_header())
}

fn enforce() -> SenderAuth {
    SenderAuth {
        authserv_ids: vec!["mx.qq.com".into()],
        ..SenderAuth::default()
    }
}

async fn verdict(checker: &DkimChecker, raw: &str, from: &str) -> SenderCheck {
    check(
        &enforce(),
        Some(checker),
        raw.as_bytes(),
        from,
        chrono::Utc::now(),
    )
    .await
}

#[tokio::test]
async fn an_aligned_signature_that_verifies_passes_and_an_edited_one_fails() {
    let unit = signer();
    let checker =
        DkimChecker::with_keys(&[("s1._domainkey.tiaodeng.gov.cn", &unit.record)]).unwrap();
    let signed = sign(&unit, "tiaodeng.gov.cn", &mail(FROM, "11月报表"));
    let passed = verdict(&checker, &signed, FROM).await;
    assert_eq!(passed.verdict, Verdict::Pass, "{passed:?}");
    assert_eq!(
        passed.evidence,
        vec!["dkim=pass tiaodeng.gov.cn (verified here)"]
    );

    let edited = signed.replace("11月报表", "11月报表（更正）");
    let failed = verdict(&checker, &edited, FROM).await;
    assert_eq!(failed.verdict, Verdict::Fail, "{failed:?}");
    let body_edited = signed.replace("报表见附件。", "报表见附件，数字已改。");
    let failed = verdict(&checker, &body_edited, FROM).await;
    assert_eq!(
        failed.verdict,
        Verdict::Fail,
        "a body changed after signing: {failed:?}"
    );
}

#[tokio::test]
async fn a_signature_of_another_domain_or_a_key_dns_cannot_give_is_no_evidence() {
    let stranger = signer();
    let checker =
        DkimChecker::with_keys(&[("s1._domainkey.evil.example", &stranger.record)]).unwrap();
    let theirs = sign(&stranger, "evil.example", &mail(FROM, "报表"));
    assert_eq!(
        verdict(&checker, &theirs, FROM).await.verdict,
        Verdict::None
    );

    let unit = signer();
    let unpinned = sign(&unit, "tiaodeng.gov.cn", &mail(FROM, "报表"));
    assert_eq!(
        verdict(&checker, &unpinned, FROM).await.verdict,
        Verdict::None,
        "a DNS failure is none, never fail"
    );
}

#[tokio::test]
async fn trusted_authentication_results_decide_when_there_is_no_signature() {
    let checker = DkimChecker::with_keys(&[]).unwrap();
    let forged = format!(
        "Authentication-Results: mx.qq.com; spf=fail smtp.mailfrom=tiaodeng.gov.cn;\r\n dkim=none; dmarc=fail (p=none) header.from=tiaodeng.gov.cn\r\n\
         Authentication-Results: mx.qq.com; dkim=pass header.d=tiaodeng.gov.cn\r\n{}",
        mail(FROM, "报表")
    );
    let failed = verdict(&checker, &forged, FROM).await;
    assert_eq!(failed.verdict, Verdict::Fail, "{failed:?}");
    assert!(
        failed.evidence.iter().all(|e| e.contains("mx.qq.com")),
        "{failed:?}"
    );

    let real = format!(
        "Authentication-Results: mx.qq.com; dkim=pass header.d=tiaodeng.gov.cn; dmarc=pass header.from=tiaodeng.gov.cn\r\n{}",
        mail(FROM, "报表")
    );
    assert_eq!(verdict(&checker, &real, FROM).await.verdict, Verdict::Pass);
    let untrusted = real.replace("mx.qq.com", "mx.evil.example");
    assert_eq!(
        verdict(&checker, &untrusted, FROM).await.verdict,
        Verdict::None
    );
}

#[tokio::test]
async fn mode_off_checks_nothing() {
    let checker = DkimChecker::with_keys(&[]).unwrap();
    let raw = format!(
        "Authentication-Results: mx.qq.com; dmarc=fail header.from=tiaodeng.gov.cn\r\n{}",
        mail(FROM, "x")
    );
    let off = SenderAuth {
        mode: Mode::Off,
        ..enforce()
    };
    assert_eq!(
        check(
            &off,
            Some(&checker),
            raw.as_bytes(),
            FROM,
            chrono::Utc::now()
        )
        .await,
        SenderCheck::none()
    );
}

#[test]
fn what_is_held_depends_on_the_mode_and_require_pass() {
    let enforce = SenderAuth::default();
    assert!(enforce.holds(Verdict::Fail));
    assert!(!enforce.holds(Verdict::None));
    let strict = SenderAuth {
        require_pass: true,
        ..SenderAuth::default()
    };
    assert!(strict.holds(Verdict::None) && !strict.holds(Verdict::Pass));
    let report = SenderAuth {
        mode: Mode::Report,
        require_pass: true,
        ..SenderAuth::default()
    };
    assert!(!report.holds(Verdict::Fail));
}

#[test]
fn verdicts_read_back_from_their_text() {
    for v in [Verdict::Pass, Verdict::Fail, Verdict::None] {
        assert_eq!(Verdict::parse(v.as_str()), Some(v));
    }
    assert_eq!(Mode::parse("enforce"), Some(Mode::Enforce));
    assert_eq!(Mode::parse("on"), None);
}

/// Expiry (`x=`) is judged by the one clock given to the check, not by the wall clock: a
/// signature valid for an hour passes at the moment of signing and is no evidence a day later.
#[tokio::test]
async fn signature_expiry_follows_the_injected_clock() {
    let unit = signer();
    let checker =
        DkimChecker::with_keys(&[("s1._domainkey.tiaodeng.gov.cn", &unit.record)]).unwrap();
    let raw = mail(FROM, "报表");
    let key = Ed25519Key::from_pkcs8_der(&unit.pkcs8).expect("key loads");
    let signature = DkimSigner::from_key(key)
        .domain("tiaodeng.gov.cn")
        .selector("s1")
        .headers(["From", "To", "Subject", "Message-ID"])
        .expiration(3600)
        .sign(raw.as_bytes())
        .expect("signed");
    let signed_at = chrono::DateTime::from_timestamp(i64::try_from(signature.t).unwrap(), 0)
        .expect("signing time");
    let signed = format!("{}{raw}", signature.to_header());
    let settings = enforce();
    let at = |when| check(&settings, Some(&checker), signed.as_bytes(), FROM, when);
    assert_eq!(at(signed_at).await.verdict, Verdict::Pass);
    assert_eq!(
        at(signed_at + chrono::Duration::minutes(59)).await.verdict,
        Verdict::Pass
    );
    assert_eq!(
        at(signed_at + chrono::Duration::days(1)).await.verdict,
        Verdict::None,
        "expired by the injected clock: no evidence"
    );
}

/// More signatures than anyone sends are not checked at all (each costs a pass over the body).
#[tokio::test]
async fn a_pile_of_signatures_is_no_evidence() {
    let unit = signer();
    let checker =
        DkimChecker::with_keys(&[("s1._domainkey.tiaodeng.gov.cn", &unit.record)]).unwrap();
    let signed = sign(&unit, "tiaodeng.gov.cn", &mail(FROM, "报表"));
    assert_eq!(
        verdict(&checker, &signed, FROM).await.verdict,
        Verdict::Pass
    );
    let header = signed.split("\r\nFrom:").next().unwrap().to_string();
    let piled = format!("{}{signed}", format!("{header}\r\n").repeat(6));
    assert_eq!(verdict(&checker, &piled, FROM).await.verdict, Verdict::None);
}

/// `raw` signed by the unit, its body padded so the whole message is `len` bytes.
fn signed_of_len(unit: &Signer, len: usize) -> String {
    let head = mail(FROM, "11月报表");
    let probe = sign(unit, "tiaodeng.gov.cn", &head);
    let pad = len.saturating_sub(probe.len());
    // Lines of 76 characters, as base64 attachments are.
    let line = format!("{}\r\n", "A".repeat(74));
    let mut body = line.repeat(pad / line.len());
    body.push_str(&"B".repeat(pad - body.len()));
    let signed = sign(unit, "tiaodeng.gov.cn", &format!("{head}{body}"));
    assert!(
        signed.len().abs_diff(len) < 200,
        "{} vs {len}",
        signed.len()
    );
    signed
}

#[tokio::test]
async fn a_message_over_the_hashing_bound_is_not_hashed_and_one_under_it_is() {
    let unit = signer();
    let checker =
        DkimChecker::with_keys(&[("s1._domainkey.tiaodeng.gov.cn", &unit.record)]).unwrap();
    let under = signed_of_len(&unit, dkim::MAX_HASHED_BYTES - 1_000);
    assert!(under.len() <= dkim::MAX_HASHED_BYTES);
    let passed = verdict(&checker, &under, FROM).await;
    assert_eq!(passed.verdict, Verdict::Pass, "{passed:?}");
    let over = signed_of_len(&unit, dkim::MAX_HASHED_BYTES + 1_000);
    assert!(over.len() > dkim::MAX_HASHED_BYTES);
    let unchecked = verdict(&checker, &over, FROM).await;
    assert_eq!(unchecked.verdict, Verdict::None, "{unchecked:?}");
    assert!(unchecked.evidence.is_empty());
}

/// The hashing runs on a blocking thread: on a one-thread runtime, another task keeps running
/// while a large signed message is checked, and the check still finishes with its verdict.
#[tokio::test(flavor = "current_thread")]
async fn checking_a_large_message_does_not_stall_the_runtime() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let unit = signer();
    let checker =
        DkimChecker::with_keys(&[("s1._domainkey.tiaodeng.gov.cn", &unit.record)]).unwrap();
    let large = signed_of_len(&unit, dkim::MAX_HASHED_BYTES - 1_000);
    let done = AtomicBool::new(false);
    let ticks = AtomicUsize::new(0);
    let check = async {
        let result = verdict(&checker, &large, FROM).await;
        done.store(true, Ordering::SeqCst);
        result
    };
    let ticker = async {
        while !done.load(Ordering::SeqCst) {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            ticks.fetch_add(1, Ordering::SeqCst);
        }
    };
    let started = std::time::Instant::now();
    let (result, ()) = tokio::join!(check, ticker);
    assert_eq!(result.verdict, Verdict::Pass, "{result:?}");
    let ticks = ticks.load(Ordering::SeqCst);
    assert!(
        ticks >= 3,
        "only {ticks} ticks while the check ran {:?}: the runtime thread was busy hashing",
        started.elapsed()
    );
}
