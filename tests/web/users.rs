//! `reportdesk user add|passwd|remove` as an operator runs it (SPEC §15): the password read
//! from standard input when it is not a terminal and never written back out, stored only as an
//! Argon2id hash; what the binary did is what the console's login then accepts or refuses.

use std::io::Write;
use std::process::{Output, Stdio};

use reqwest::StatusCode;

use crate::support::TestEnv;
use crate::{Console, MONDAY, client, seed};

const FIRST: &str = "zhao's first secret";
const SECOND: &str = "zhao's second secret";

/// Runs `reportdesk user ARGS` with `stdin` piped in.
fn user(env: &TestEnv, args: &[&str], stdin: &str) -> Output {
    let mut child = env
        .command()
        .args(["--now", MONDAY, "user"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("reportdesk runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("password written");
    child.wait_with_output().expect("exits")
}

/// Everything the command wrote, which must never hold a password.
fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn login(console: &Console, password: &str) -> reqwest::Response {
    client()
        .post(console.url("/login"))
        .header("Origin", &console.base)
        .form(&[("username", "zhao"), ("password", password)])
        .send()
        .await
        .expect("login answers")
}

#[tokio::test]
async fn user_add_passwd_and_remove_work_from_the_binary_without_echoing_the_password() {
    let env = TestEnv::new();
    seed(&env).await;
    let added = user(&env, &["add", "zhao", "--admin"], &format!("{FIRST}\n"));
    assert!(added.status.success(), "{}", said(&added));
    assert!(
        said(&added).contains("added admin user zhao"),
        "{}",
        said(&added)
    );
    assert!(!said(&added).contains(FIRST));
    // A second add, a bad name and a short password are refused, saying why; nothing echoed.
    let again = user(&env, &["add", "zhao"], &format!("{SECOND}\n"));
    assert!(!again.status.success());
    assert!(said(&again).contains("already exists"), "{}", said(&again));
    let short = user(&env, &["add", "qian"], "short\n");
    assert!(!short.status.success());
    assert!(
        said(&short).contains("password must be"),
        "{}",
        said(&short)
    );
    assert!(!said(&short).contains("short\n") && !said(&again).contains(SECOND));
    let bad = user(&env, &["add", "a b"], &format!("{FIRST}\n"));
    assert!(!bad.status.success());
    assert!(said(&bad).contains("user name"), "{}", said(&bad));

    let console = Console::start_in(env, MONDAY).await;
    let (hash, role): (String, String) =
        sqlx::query_as("SELECT password_hash, role FROM web_users WHERE name = 'zhao'")
            .fetch_one(console.store.pool())
            .await
            .expect("zhao stored");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(FIRST));
    assert_eq!(role, "admin");
    let response = login(&console, FIRST).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    let session = cookie.split(';').next().unwrap().to_string();
    assert_eq!(console.get(&session, "/").await.0, StatusCode::OK);

    // passwd: the new password works, the old does not, the session it had is ended.
    let changed = user(&console.env, &["passwd", "zhao"], &format!("{SECOND}\n"));
    assert!(changed.status.success(), "{}", said(&changed));
    assert!(!said(&changed).contains(SECOND));
    assert_eq!(console.get(&session, "/").await.0, StatusCode::SEE_OTHER);
    assert_eq!(
        login(&console, FIRST).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let response = login(&console, SECOND).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    let session = cookie.split(';').next().unwrap().to_string();

    // remove: the user and their sessions are gone; removing again says there is no such user.
    let removed = user(&console.env, &["remove", "zhao"], "");
    assert!(removed.status.success(), "{}", said(&removed));
    assert_eq!(console.get(&session, "/").await.0, StatusCode::SEE_OTHER);
    assert_eq!(
        login(&console, SECOND).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let twice = user(&console.env, &["remove", "zhao"], "");
    assert!(!twice.status.success());
    assert!(said(&twice).contains("no user named"), "{}", said(&twice));
    let passwd_missing = user(&console.env, &["passwd", "nobody"], &format!("{FIRST}\n"));
    assert!(!passwd_missing.status.success());

    let audit: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor, action, target FROM web_audit WHERE actor = 'cli' AND target = 'zhao' ORDER BY id",
    )
    .fetch_all(console.store.pool())
    .await
    .expect("audit read");
    let actions: Vec<&str> = audit.iter().map(|(_, a, _)| a.as_str()).collect();
    assert_eq!(actions, ["user.add", "user.passwd", "user.remove"]);
}
