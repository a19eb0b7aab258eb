//! `notify test` says per robot what the platform answered; `check-config` names a missing
//! variable of a `[[notify]]` table.

use std::process::Stdio;
use std::time::Duration;

use crate::robots::{Platform, Robots};
use crate::support::TestEnv;
use crate::{DINGTALK_SECRET_VAR, Tables, WEDNESDAY_18, command, configure};

/// Runs the binary to its end without blocking this runtime (the stand-in lives on it).
async fn output(mut command: std::process::Command) -> std::process::Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let waiting = tokio::task::spawn_blocking(move || child.wait_with_output().expect("output"));
    tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("ends")
        .expect("joins")
}

const ALL: Tables = Tables {
    wecom: true,
    dingtalk: true,
    feishu: true,
};

#[tokio::test]
async fn notify_test_prints_what_each_platform_answered() {
    let env = TestEnv::new();
    let robots = Robots::start(WEDNESDAY_18).await;
    configure(&env, ALL);
    robots.script(
        Platform::Feishu,
        &[(200, r#"{"code":19024,"msg":"Key Words Not Found"}"#)],
    );
    let mut cmd = command(&env, &robots);
    cmd.args(["--now", WEDNESDAY_18, "notify", "test"]);
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with("ok   wecom (RD_TEST_WECOM_WEBHOOK): 127.0.0.1:"),
        "{stdout}"
    );
    assert!(
        lines[0].ends_with("answered HTTP 200, code 0: ok"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("ok   dingtalk (RD_TEST_DINGTALK_WEBHOOK)"),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("FAIL feishu (RD_TEST_FEISHU_WEBHOOK)")
            && lines[2].ends_with("code 19024: Key Words Not Found"),
        "{stdout}"
    );
    let seen = robots.requests();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|r| r.problems.is_empty()), "{seen:#?}");
    assert!(seen.iter().all(|r| r.text().contains("测试消息")));
    assert!(
        !stdout.contains(crate::robots::WECOM_KEY),
        "the key leaked: {stdout}"
    );
}

#[tokio::test]
async fn check_config_names_a_missing_variable() {
    let env = TestEnv::new();
    let robots = Robots::start(WEDNESDAY_18).await;
    configure(&env, ALL);
    let mut cmd = command(&env, &robots);
    cmd.arg("check-config").env_remove(DINGTALK_SECRET_VAR);
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("ok   notify: wecom (RD_TEST_WECOM_WEBHOOK) to 127.0.0.1; events digest, overdue, alerts"), "{stdout}");
    assert!(
        stdout.contains("FAIL notify: dingtalk (RD_TEST_DINGTALK_WEBHOOK)")
            && stdout.contains(DINGTALK_SECRET_VAR),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok   notify: feishu (RD_TEST_FEISHU_WEBHOOK) to 127.0.0.1, signed"),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_plain_http_webhook_off_loopback_is_refused() {
    let env = TestEnv::new();
    let robots = Robots::start(WEDNESDAY_18).await;
    configure(&env, ALL);
    let mut cmd = command(&env, &robots);
    cmd.arg("check-config").env(
        crate::WECOM_VAR,
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    );
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("FAIL notify: wecom (RD_TEST_WECOM_WEBHOOK)")
            && stdout.contains("loopback"),
        "{stdout}"
    );
}
