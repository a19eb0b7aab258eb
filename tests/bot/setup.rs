//! Setting the bot up: `check-config` asks the Bot API who the bot is, and a missing token stops
//! `run` at start-up with a message naming the key.

use std::process::Stdio;
use std::time::Duration;

use crate::stand_in::StandIn;
use crate::support::TestEnv;
use crate::{TOKEN_VAR, configure};

/// Runs the binary to its end without blocking this runtime (the stand-in lives on it).
async fn output(mut command: std::process::Command) -> std::process::Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let waiting = tokio::task::spawn_blocking(move || child.wait_with_output().expect("output"));
    tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("ends")
        .expect("joins")
}

#[tokio::test]
async fn check_config_says_the_bot_answers() {
    let env = TestEnv::new();
    let api = StandIn::start().await;
    configure(&env, &api.url, false);
    let mut command = env.command();
    command
        .arg("check-config")
        .env(TOKEN_VAR, "123456:TEST-TOKEN");
    let out = output(command).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("ok   bot: @reportdesk_bot at http://127.0.0.1:"),
        "{stdout}"
    );
    assert!(!stdout.contains("TEST-TOKEN"));
}

#[tokio::test]
async fn run_without_the_token_stops_at_start_up_naming_the_key() {
    let env = TestEnv::new();
    let api = StandIn::start().await;
    configure(&env, &api.url, false);
    let mut command = env.command();
    command.arg("run").env_remove(TOKEN_VAR);
    let out = output(command).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bot.token_env"), "{stderr}");
    assert!(stderr.contains(TOKEN_VAR), "{stderr}");
}

/// getMe refused at start (Telegram unreachable or a token being fixed): the daemon keeps
/// running, the bot tries again after a pause and then answers.
#[tokio::test]
async fn the_bot_starts_again_when_the_bot_api_refused_it_at_start() {
    let env = TestEnv::new();
    crate::seed(&env).await;
    let api = StandIn::start().await;
    api.refuse_get_me(1);
    let bot = crate::Daemon::start_with_api(env, api, crate::MONDAY, false).await;
    let said = bot
        .ask(crate::STAFF as i64, crate::STAFF, "/missing", 1)
        .await;
    assert!(crate::one(&said).contains("未报送 16 / 18"));
    let log = bot.stop().await;
    assert!(
        log.contains("cannot reach the Bot API; trying again"),
        "{log}"
    );
}

/// The stand-in takes sendDocument (multipart) as teloxide sends it, for the export to come.
#[tokio::test]
async fn the_stand_in_records_a_document_sent_by_teloxide() {
    use teloxide::prelude::*;
    use teloxide::types::InputFile;
    let api = StandIn::start().await;
    let bot = Bot::new("123456:TEST-TOKEN").set_api_url(api.url.parse().unwrap());
    let file = InputFile::memory(b"PK\x03\x04".to_vec()).file_name("汇总.xlsx");
    bot.send_document(ChatId(-500), file).await.unwrap();
    let sent = api.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].method.as_str(), sent[0].chat_id),
        ("senddocument", -500)
    );
    let (name, bytes) = sent[0].document.clone().expect("the file is kept");
    assert_eq!(bytes, b"PK\x03\x04");
    assert!(name.ends_with(".xlsx"), "{name}");
}
