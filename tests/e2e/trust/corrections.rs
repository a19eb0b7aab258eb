//! Case corrections (SPEC §4) through the binary: a case form sent in reply to a case's receipt,
//! or with 更正 / 修改 / 重报 in the subject while the unit has exactly one case that month,
//! replaces that case as its next version; anything else is a new case. Counts use the latest.

use serde_json::Value;

use super::{JIANSHENG, ingest_file, message_id_of};
use crate::support::{TestEnv, fixtures, message};

const FIRST: &str = "2026-11-10T09:00:00+08:00";
const REPLY: &str = "2026-11-11T10:00:00+08:00";
const SUBJECT_FIX: &str = "2026-11-12T11:00:00+08:00";
const ANOTHER: &str = "2026-11-13T12:00:00+08:00";
const AMBIGUOUS: &str = "2026-11-14T13:00:00+08:00";

fn file(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(path)).expect("fixture")
}

/// (cases that count now, all versions stored, photos of the counting ones) of 建胜镇.
fn counts(env: &TestEnv) -> (i64, i64, i64) {
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
            "SELECT (SELECT COUNT(*) FROM cases WHERE unit_code = 'jiansheng' AND replaced_by IS NULL),
                    (SELECT COUNT(*) FROM cases WHERE unit_code = 'jiansheng'),
                    (SELECT COUNT(*) FROM case_photos p JOIN cases c ON c.id = p.case_id
                      WHERE c.replaced_by IS NULL)",
        )
        .fetch_one(store.pool())
        .await
        .expect("counts")
    })
}

fn body_of(raw: &[u8]) -> String {
    mail_parser::MessageParser::default()
        .parse(raw)
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .expect("mail text")
}

fn case_mail(subject: &str, id: &str, photo: bool) -> Vec<u8> {
    let case = file("cases/c01-paragraphs-jiansheng.docx");
    let jpg = file("cases/a039-photo1.jpg");
    let mut attachments: Vec<(&str, &[u8])> = vec![("典型案例.docx", &case)];
    if photo {
        attachments.push(("现场.jpg", &jpg));
    }
    message(JIANSHENG, subject, id, &attachments)
}

fn version_of(line: &Value) -> i64 {
    assert_eq!(line["outcome"], "accepted", "{line}");
    assert_eq!(line["forms"][0]["kind"], "case", "{line}");
    line["forms"][0]["version"].as_i64().expect("a version")
}

#[test]
fn a_corrected_case_replaces_the_one_it_corrects_and_is_counted_once() {
    let env = TestEnv::new();
    let first = ingest_file(
        &env,
        "1.eml",
        &case_mail("建胜镇典型案例", "case-1@jiansheng.example", true),
        FIRST,
    );
    assert_eq!(version_of(&first), 1);
    let outbox = env.outbox();
    assert_eq!(outbox.len(), 1, "one receipt");
    let receipt = outbox[0].clone();
    assert!(body_of(&receipt).contains("如需更正本案例，请直接回复本邮件"));
    let receipt_id = message_id_of(&receipt);

    let reply = String::from_utf8(case_mail("Re: 回执", "case-2@jiansheng.example", false))
        .unwrap()
        .replace(
            "MIME-Version",
            &format!("In-Reply-To: {receipt_id}\r\nReferences: <case-1@jiansheng.example> {receipt_id}\r\nMIME-Version"),
        );
    let second = ingest_file(&env, "2.eml", reply.as_bytes(), REPLY);
    assert_eq!(
        version_of(&second),
        2,
        "a reply to the case's receipt corrects it"
    );
    assert_eq!(second["forms"][0]["period"], "2026-11");
    let texts: Vec<String> = env.outbox().iter().map(|m| body_of(m)).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("第 2 版（替换 2026-11-10 09:00 收到的上一版")),
        "{texts:?}"
    );
    assert_eq!(
        counts(&env),
        (1, 2, 1),
        "one case counts; its photo came along"
    );

    let by_subject = ingest_file(
        &env,
        "3.eml",
        &case_mail("典型案例（更正）", "case-3@jiansheng.example", false),
        SUBJECT_FIX,
    );
    assert_eq!(version_of(&by_subject), 3, "更正 with one case that month");
    assert_eq!(counts(&env), (1, 3, 1));

    let another = ingest_file(
        &env,
        "4.eml",
        &case_mail("又一个典型案例", "case-4@jiansheng.example", true),
        ANOTHER,
    );
    assert_eq!(version_of(&another), 1, "a new case");
    assert_eq!(counts(&env).0, 2);

    let unclear = ingest_file(
        &env,
        "5.eml",
        &case_mail("修改案例", "case-5@jiansheng.example", true),
        AMBIGUOUS,
    );
    assert_eq!(
        version_of(&unclear),
        1,
        "two cases that month: which one is not guessed"
    );
    assert_eq!(counts(&env).0, 3);
}
