//! Typical-case forms end to end: photos stored by content and linked, later photos joining the
//! case through the reply thread, the 600-character rule, the no-photo warning, a hostile photo
//! name, and one receipt for a monthly form and a case in the same mail.

use crate::support::{TestEnv, all_errors, deliver, fixtures, ingest, message};

fn file(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(path)).expect("fixture")
}

async fn photo_rows(app: &reportdesk::app::App) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT case_id, path FROM case_photos ORDER BY case_id, path")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_case_with_photos_is_recorded_and_photos_sent_later_join_it() {
    let env = TestEnv::new();
    let app = env.app("2026-11-19T15:00:00+08:00").await;
    let (case, jpg, png) = (
        file("cases/c01-paragraphs-jiansheng.docx"),
        file("cases/a039-photo1.jpg"),
        file("cases/a040-photo1.png"),
    );
    let raw = message(
        "jiansheng@example.gov.cn",
        "建胜镇典型案例",
        "case-1@163.example",
        &[("典型案例.docx", &case), ("../../../etc/现场.jpg", &jpg)],
    );
    let line = ingest(&app, &raw, "case.eml", "2026-11-19T15:00:00+08:00").await;
    assert_eq!(line["outcome"], "accepted", "{line}");
    assert_eq!(line["forms"][0]["kind"], "case");
    assert_eq!(line["forms"][0]["period"], "2026-11");
    assert!(
        !line.to_string().contains("线索来源"),
        "the ingest line carries no case text"
    );
    let photos = photo_rows(&app).await;
    assert_eq!(photos.len(), 1);
    assert!(
        photos[0].1.starts_with("photos/") && photos[0].1.ends_with(".jpg"),
        "{photos:?}"
    );
    assert!(!photos[0].1.contains(".."), "never a name from the sender");
    assert_eq!(
        std::fs::read(env.data_dir().join(&photos[0].1)).unwrap(),
        jpg
    );
    assert_eq!(deliver(&app).await, 1);
    let outbox = env.outbox();
    let receipt = mail_parser::MessageParser::default()
        .parse(&outbox[0])
        .unwrap();
    let receipt_id = format!("<{}>", receipt.message_id().unwrap());
    let body = receipt.body_text(0).unwrap().into_owned();
    assert!(body.contains("工作照片：1 张"), "{body}");

    let later = String::from_utf8(message("jiansheng@example.gov.cn", "Re: 回执", "photos-2@163.example", &[("2.png", &png)]))
        .unwrap()
        .replace("MIME-Version", &format!("In-Reply-To: {receipt_id}\r\nReferences: <case-1@163.example> {receipt_id}\r\nMIME-Version"));
    let line = ingest(
        &app,
        later.as_bytes(),
        "later.eml",
        "2026-11-20T09:00:00+08:00",
    )
    .await;
    assert_eq!(line["reply"]["kind"], "photos", "{line}");
    let photos = photo_rows(&app).await;
    assert_eq!(photos.len(), 2, "the later photo joined the case");
    assert_eq!(photos[0].0, photos[1].0);
}

#[tokio::test]
async fn over_600_characters_is_returned_with_the_count_and_no_photo_is_a_warning() {
    let env = TestEnv::new();
    let app = env.app("2026-11-19T15:00:00+08:00").await;
    let long = message(
        "tiaodeng@example.gov.cn",
        "案例",
        "long@qq.example",
        &[("案例.docx", &file("cases/c03-over-600-tiaodeng.docx"))],
    );
    let line = ingest(&app, &long, "long.eml", "2026-11-19T15:00:00+08:00").await;
    assert_eq!(line["outcome"], "rejected");
    assert!(
        all_errors(&line)
            .iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains("600")),
        "{line}"
    );
    // A case return carries the case template and the case rules, not the monthly deadline.
    assert_eq!(crate::support::deliver(&app).await, 1);
    let returned = env.outbox().pop().expect("the return");
    let parsed = mail_parser::MessageParser::default()
        .parse(&returned)
        .expect("a message");
    let body = parsed.body_text(0).expect("a body").to_string();
    assert!(body.contains("字数不超过600字"), "{body}");
    assert!(!body.contains("月情况报表》请于"), "{body}");
    let attached = parsed.attachment(0).expect("the template");
    assert_eq!(
        mail_parser::MimeHeaders::attachment_name(attached),
        Some(reportdesk::forms::template::CASE_TEMPLATE_FILE_NAME)
    );
    let bare = message(
        "yingji@example.gov.cn",
        "案例",
        "bare@qq.example",
        &[("案例.xlsx", &file("cases/c05-four-parts-yingji.xlsx"))],
    );
    let line = ingest(&app, &bare, "bare.eml", "2026-11-19T15:00:00+08:00").await;
    assert_eq!(line["outcome"], "accepted", "{line}");
    let warnings = crate::support::all_warnings(&line);
    assert!(warnings.iter().any(|w| w.contains("照片")), "{warnings:?}");
}

#[tokio::test]
async fn a_monthly_form_and_a_case_in_one_mail_get_one_receipt() {
    let env = TestEnv::new();
    let app = env.app("2026-11-19T15:00:00+08:00").await;
    let raw = message(
        "jiansheng@example.gov.cn",
        "月报和案例",
        "both@163.example",
        &[
            ("月报.xlsx", &file("forms/f23-corrected-jiansheng.xlsx")),
            ("案例.docx", &file("cases/c01-paragraphs-jiansheng.docx")),
            ("现场.jpg", &file("cases/a039-photo2.jpg")),
        ],
    );
    let line = ingest(&app, &raw, "both.eml", "2026-11-19T15:00:00+08:00").await;
    assert_eq!(line["outcome"], "accepted", "{line}");
    let kinds: Vec<&str> = line["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["monthly", "case"]);
    assert_eq!(deliver(&app).await, 1, "one receipt covers both");
    let body = mail_parser::MessageParser::default()
        .parse(&env.outbox()[0])
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    assert!(body.contains("月情况报表》、典型案例报送表 1 份"), "{body}");
}

/// A roster where 建胜镇 agreed an archive password kept in `RD_TEST_ZIP_JIANSHENG`.
fn env_with_archive_password() -> TestEnv {
    let shipped =
        std::fs::read_to_string(crate::support::project().join("config/units.toml")).unwrap();
    let roster = shipped.replace(
        "addresses = [\"jiansheng@example.gov.cn\"]",
        "addresses = [\"jiansheng@example.gov.cn\"]\narchive_password_env = \"RD_TEST_ZIP_JIANSHENG\"",
    );
    // Written into the env's own temp dir, so it goes when the env does.
    let env = TestEnv::new();
    let path = env.dir.path().join("units.toml");
    std::fs::write(&path, roster).unwrap();
    let config = std::fs::read_to_string(&env.config_path).unwrap();
    let shipped = crate::support::project().join("config/units.toml");
    let config = config.replace(
        &format!("roster = {:?}", shipped.display().to_string()),
        &format!("roster = {:?}", path.display().to_string()),
    );
    assert!(config.contains("units.toml"), "{config}");
    std::fs::write(&env.config_path, config).unwrap();
    env
}

fn ingest_encrypted(env: &TestEnv, id: &str, password: Option<&str>) -> serde_json::Value {
    let zip = file("cases/encrypted-aes-jiansheng.zip");
    let eml = env.dir.path().join(format!("{id}.eml"));
    std::fs::write(
        &eml,
        message(
            "jiansheng@example.gov.cn",
            "加密案例",
            &format!("{id}@163.example"),
            &[("案例.zip", &zip)],
        ),
    )
    .unwrap();
    let mut command = env.command();
    command
        .args(["--now", "2026-11-19T15:00:00+08:00", "ingest"])
        .arg(&eml);
    match password {
        Some(p) => command.env("RD_TEST_ZIP_JIANSHENG", p),
        None => command.env_remove("RD_TEST_ZIP_JIANSHENG"),
    };
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn an_encrypted_zip_opens_with_the_units_password_and_is_refused_otherwise() {
    let env = env_with_archive_password();
    let wrong = ingest_encrypted(&env, "wrong", Some("guess"));
    assert_eq!(wrong["outcome"], "rejected", "{wrong}");
    assert!(
        all_errors(&wrong)
            .iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains("密码与办公室")),
        "{wrong}"
    );
    let missing = ingest_encrypted(&env, "missing", None);
    assert_eq!(missing["outcome"], "rejected", "{missing}");
    assert!(
        all_errors(&missing)
            .iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains("设置了密码")),
        "{missing}"
    );
    let right = ingest_encrypted(&env, "right", Some("jiansheng-2026"));
    assert_eq!(right["outcome"], "accepted", "{right}");
    assert_eq!(right["forms"][0]["kind"], "case");
    let warnings = crate::support::all_warnings(&right);
    assert!(
        !warnings.iter().any(|w| w.contains("照片")),
        "the photo in the zip counts: {warnings:?}"
    );
}
