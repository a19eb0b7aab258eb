//! Held mail for the tests of the console, the chat and the robots (SPEC §13): the office's
//! receiving server listed as trusted, and a 新山村 form that server says is forged, taken in
//! through the same intake as mail and held.

use crate::support::{TestEnv, fixtures, ingest, message};

/// The office's own receiving server, whose `Authentication-Results` count.
pub const OFFICE_MX: &str = "mx.office.example";

/// Lists the office's receiving server as trusted (and `require_pass` when asked).
pub fn trust_office_mx(env: &TestEnv, require_pass: bool) {
    let mut config = std::fs::read_to_string(&env.config_path).expect("config");
    config.push_str(&format!(
        "\n[intake.sender_auth]\nauthserv_ids = [\"{OFFICE_MX}\"]\nrequire_pass = {require_pass}\n"
    ));
    std::fs::write(&env.config_path, config).expect("config written");
}

/// A 新山村 form with Message-ID `message_id`, received at `received`, whose From the office's
/// server says is forged: held; returns its id.
pub async fn held_form(env: &TestEnv, message_id: &str, received: &str) -> i64 {
    let app = env.app(received).await;
    let form = std::fs::read(fixtures().join("forms/f04-retyped-labels-xinshancun.xlsx"))
        .expect("fixture");
    let raw = [
        format!(
            "Authentication-Results: {OFFICE_MX}; spf=fail smtp.mailfrom=example.gov.cn;\r\n dkim=none; dmarc=fail header.from=example.gov.cn\r\n"
        )
        .into_bytes(),
        message(
            "xinshancun@example.gov.cn",
            "11月报表",
            message_id,
            &[("报表.xlsx", &form)],
        ),
    ]
    .concat();
    let line = ingest(&app, &raw, message_id, received).await;
    assert_eq!(line["outcome"], "held", "{line}");
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM messages WHERE message_id = ?")
        .bind(format!("<{message_id}>"))
        .fetch_one(app.store.pool())
        .await
        .expect("the held message");
    app.store.close().await;
    id
}
