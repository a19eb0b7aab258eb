//! One daemon per data dir, and replies delivered exactly once when `ingest` and `remind` run
//! beside the daemon (SPEC §17).

use std::collections::HashMap;
use std::time::Duration;

use super::daemon::{RunningDaemon, wait_for};
use super::smtp_sink::{SmtpSink, message_id};
use crate::support::{TestEnv, fixtures, message, project};

/// The shipped config with SMTP to `port` on loopback, reminders off in the daemon and no
/// per-sender reply limit in the way.
pub fn smtp_config(env: &TestEnv, port: u16) {
    let roster = project().join("config/units.toml");
    let text = format!(
        r#"roster = {roster:?}
[office]
name = "大渡口区安全生产委员会办公室"
address = "office@example.gov.cn"
[outbound]
kind = "smtp"
host = "127.0.0.1"
port = {port}
tls = "none"
username = "office"
password_env = "REPORTDESK_TEST_SMTP_PASSWORD"
retry_base_seconds = 1
[schedule]
send_reminders = false
[intake]
replies_per_sender_per_hour = 100000
"#,
        roster = roster.display().to_string()
    );
    std::fs::write(&env.config_path, text).expect("config");
}

fn addresses() -> Vec<String> {
    let roster = std::fs::read_to_string(project().join("config/units.toml")).expect("roster");
    roster
        .lines()
        .filter_map(|l| l.strip_prefix("addresses = [\""))
        .filter_map(|l| l.split('"').next())
        .map(str::to_string)
        .collect()
}

fn lock_pid(env: &TestEnv) -> Option<String> {
    let text = std::fs::read_to_string(env.data_dir().join("reportdesk.lock")).ok()?;
    let pid = text.trim();
    (!pid.is_empty()).then(|| pid.to_string())
}

#[test]
fn a_second_run_exits_2_naming_the_first_ones_pid() {
    let env = TestEnv::new();
    let mut run = env.command();
    run.arg("run");
    let mut daemon = RunningDaemon::start(run, env.dir.path().join("daemon.log"));
    let pid = daemon.pid().to_string();
    assert!(
        wait_for(Duration::from_secs(60), || lock_pid(&env).as_deref()
            == Some(pid.as_str())),
        "the daemon wrote its pid into the lock file\n{}",
        daemon.log_text()
    );
    for args in [&["run", "--once"][..], &["run"][..]] {
        let second = env.command().args(args).output().expect("second run");
        let stderr = String::from_utf8_lossy(&second.stderr);
        assert_eq!(second.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(&format!("pid {pid}")), "{stderr}");
        assert!(stderr.contains("reportdesk.lock"), "{stderr}");
    }
    let status = daemon.stop().expect("daemon stopped");
    assert!(status.success(), "{status:?}\n{}", daemon.log_text());
    let once = env.command().args(["run", "--once"]).output().unwrap();
    assert!(
        once.status.success(),
        "the lock is free once the daemon stopped: {}",
        String::from_utf8_lossy(&once.stderr)
    );
}

#[test]
fn ingest_and_remind_beside_a_running_daemon_send_every_reply_exactly_once() {
    let sink = SmtpSink::start(Duration::from_millis(15));
    let env = TestEnv::new();
    smtp_config(&env, sink.port);
    let form = std::fs::read(fixtures().join("forms/f01-official-tiaodeng.xlsx")).unwrap();
    let senders = addresses();
    let inbox = env.data_dir().join("mail/inbox");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(inbox.join(sub)).unwrap();
    }
    let mail = |n: usize, tag: &str| {
        let from = &senders[n % senders.len()];
        message(
            from,
            "报表",
            &format!("{tag}-{n}@load.example"),
            &[("报表.xlsx", &form)],
        )
    };
    for n in 0..30 {
        std::fs::write(
            inbox.join("new").join(format!("{n:03}.eml")),
            mail(n, "inbox"),
        )
        .unwrap();
    }
    let mut batches = Vec::new();
    for batch in 0..3 {
        let mut files = Vec::new();
        for n in 0..15 {
            let path = env.dir.path().join(format!("b{batch}-{n}.eml"));
            std::fs::write(&path, mail(n + batch * 15, &format!("ingest{batch}"))).unwrap();
            files.push(path);
        }
        batches.push(files);
    }
    let password = ("REPORTDESK_TEST_SMTP_PASSWORD", "secret");
    let mut ingests: Vec<_> = batches
        .iter()
        .map(|files| {
            env.command()
                .env(password.0, password.1)
                .args(["--now", "2026-11-12T10:00:00+08:00", "ingest"])
                .args(files)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("ingest")
        })
        .collect();
    let mut run = env.command();
    run.env(password.0, password.1).arg("run");
    let daemon = RunningDaemon::start(run, env.dir.path().join("daemon.log"));
    let remind = env
        .command()
        .env(password.0, password.1)
        .args(["--now", "2026-11-15T09:30:00+08:00", "remind"])
        .output()
        .expect("remind");
    assert!(
        remind.status.success(),
        "{}",
        String::from_utf8_lossy(&remind.stderr)
    );
    for child in ingests.drain(..) {
        let out = child.wait_with_output().expect("ingest ends");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let db = env.data_dir().join("reportdesk.db");
    let settled = wait_for(Duration::from_secs(180), || {
        let (processed, open, sent) = counts(&db);
        processed == 75 && open == 0 && sink.messages().len() as i64 == sent
    });
    let (processed, open, sent) = counts(&db);
    assert!(
        settled,
        "processed {processed}, unsent {open}, sent {sent}, received {}\n{}",
        sink.messages().len(),
        daemon.log_text()
    );
    let mut seen: HashMap<String, usize> = HashMap::new();
    for raw in sink.messages() {
        *seen
            .entry(message_id(&raw).expect("Message-ID"))
            .or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(
        seen.len() as i64,
        sent,
        "every reply the outbox sent arrived"
    );
    assert!(
        sent >= 75,
        "a reply per message at least, plus reminders: {sent}"
    );
}

/// (messages processed, outbox rows not yet sent, outbox rows sent), read with the sqlite3
/// shell's absence in mind: through sqlx, read-only.
fn counts(db: &std::path::Path) -> (i64, i64, i64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = format!("sqlite://{}?mode=ro", db.display());
        let Ok(pool) = sqlx::SqlitePool::connect(&url).await else {
            return (0, -1, 0);
        };
        let one = |sql: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&pool)
                    .await
                    .unwrap_or(-1)
            }
        };
        let processed = one("SELECT COUNT(*) FROM messages WHERE state = 'processed'").await;
        let open = one("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')").await;
        let sent = one("SELECT COUNT(*) FROM outbox WHERE state = 'sent'").await;
        pool.close().await;
        (processed, open, sent)
    })
}
