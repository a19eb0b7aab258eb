//! The binary as people and scripts run it: `ingest`, `status`, `template`, `run --once`, `demo`.

use serde_json::Value;

use crate::support::{TestEnv, deliver_at, fixtures, message};

fn stdout_of(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn ingest_prints_one_json_line_per_message_and_status_shows_the_month() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    let form = std::fs::read(fixtures().join("forms/f01-official-tiaodeng.xlsx")).unwrap();
    let a = dir.join("a.eml");
    let b = dir.join("b.eml");
    std::fs::write(
        &a,
        message(
            "tiaodeng@example.gov.cn",
            "报表",
            "a@qq.example",
            &[("报表.xlsx", &form)],
        ),
    )
    .unwrap();
    std::fs::write(
        &b,
        message("bachiao@example.gov.cn", "你好", "b@qq.example", &[]),
    )
    .unwrap();
    let out = stdout_of(
        &env.command()
            .args(["--now", "2026-11-22T10:00:00+08:00", "ingest"])
            .arg(&a)
            .arg(&b)
            .output()
            .unwrap(),
    );
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0]["outcome"], "accepted");
    assert_eq!(lines[0]["unit"], "tiaodeng");
    assert_eq!(lines[0]["forms"][0]["late"], true, "received on the 22nd");
    assert_eq!(lines[0]["forms"][0]["values"]["open_letters"], 420);
    assert_eq!(lines[1]["outcome"], "ignored");
    assert_eq!(lines[1]["reply"]["kind"], "help");

    let status = stdout_of(
        &env.command()
            .args([
                "--now",
                "2026-11-22T10:00:00+08:00",
                "status",
                "--month",
                "2026-11",
                "--json",
            ])
            .output()
            .unwrap(),
    );
    let status: Value = serde_json::from_str(status.trim()).unwrap();
    assert_eq!(status["period"], "2026-11");
    assert_eq!(status["deadline"], "2026-11-20");
    assert_eq!(status["submitted"][0]["unit"], "tiaodeng");
    assert_eq!(status["submitted"][0]["late"], true);
    assert_eq!(status["missing"].as_array().unwrap().len(), 17);
    assert_eq!(
        env.outbox().len(),
        2,
        "ingest delivers the replies into the outbox Maildir"
    );

    let text = stdout_of(
        &env.command()
            .args(["--now", "2026-11-22T10:00:00+08:00", "status"])
            .output()
            .unwrap(),
    );
    assert!(text.contains("已报 1 / 未报 17"), "{text}");
}

#[test]
fn a_bad_month_or_config_is_a_clear_error() {
    let env = TestEnv::new();
    let out = env
        .command()
        .args(["status", "--month", "2026-13"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reportdesk"))
        .args(["--config", "/nonexistent/reportdesk.toml", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/reportdesk.toml"));
}

#[test]
fn the_template_written_reads_back_as_an_empty_monthly_form() {
    let env = TestEnv::new();
    let path = env.dir.path().join("模板.xlsx");
    let out = env
        .command()
        .args(["template", "monthly", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let bytes = std::fs::read(&path).unwrap();
    let workbook = reportdesk::forms::open_workbook(&bytes, 100 << 20).unwrap();
    assert_eq!(
        reportdesk::forms::detect_kind(&workbook),
        Some(reportdesk::forms::FormKind::Monthly)
    );
}

#[test]
fn the_case_template_written_reads_back_as_a_case_form_without_content() {
    let env = TestEnv::new();
    let path = env.dir.path().join("案例模板.xlsx");
    let out = env
        .command()
        .args(["template", "case", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let bytes = std::fs::read(&path).unwrap();
    let workbook = reportdesk::forms::open_workbook(&bytes, 100 << 20).unwrap();
    assert_eq!(
        reportdesk::forms::detect_kind(&workbook),
        Some(reportdesk::forms::FormKind::Case)
    );
    let ctx = reportdesk::forms::case::CaseContext {
        unit_names: None,
        max_chars: 600,
    };
    let reading = reportdesk::forms::case::read_case_workbook(&workbook, &ctx);
    assert_eq!(reading.form.unwrap_err()[0].field, "overview");
}

#[test]
fn run_once_takes_in_the_inbox_maildir_and_delivers_the_replies() {
    let env = TestEnv::new();
    let inbox = env.data_dir().join("mail/inbox");
    let form = std::fs::read(fixtures().join("forms/f02-vertical-bachiao.xls")).unwrap();
    // Delivered the day before `--now`: the file's mtime, not the real clock, is the receipt time.
    deliver_at(
        &inbox,
        "1.host",
        &message(
            "bachiao@example.gov.cn",
            "报表",
            "m1@qq.example",
            &[("报表.xls", &form)],
        ),
        "2026-11-11T16:20:00+08:00",
    );
    let out = stdout_of(
        &env.command()
            .args(["--now", "2026-11-12T10:00:00+08:00", "run", "--once"])
            .output()
            .unwrap(),
    );
    let line: Value = serde_json::from_str(out.lines().next().expect("a line")).unwrap();
    assert_eq!(line["outcome"], "accepted", "{out}");
    assert!(
        std::fs::read_dir(inbox.join("new"))
            .unwrap()
            .next()
            .is_none(),
        "new/ is empty"
    );
    assert!(
        inbox.join("cur/1.host:2,S").exists(),
        "moved to cur/ after the commit"
    );
    assert_eq!(env.outbox().len(), 1);
    let status = stdout_of(
        &env.command()
            .args(["--now", "2026-11-12T10:00:00+08:00", "status", "--json"])
            .output()
            .unwrap(),
    );
    let status: Value = serde_json::from_str(status.trim()).unwrap();
    assert_eq!(
        status["submitted"][0]["received_at"], "2026-11-11 16:20",
        "the Maildir delivery time: {status}"
    );
    let again = stdout_of(
        &env.command()
            .args(["--now", "2026-11-12T10:05:00+08:00", "run", "--once"])
            .output()
            .unwrap(),
    );
    assert!(again.trim().is_empty(), "nothing left to do: {again}");
}

#[test]
fn the_demo_processes_its_samples_and_leaves_the_replies_in_the_outbox() {
    let env = TestEnv::new();
    let out = stdout_of(
        &env.command()
            .args(["--now", "2026-11-12T10:00:00+08:00", "demo"])
            .output()
            .unwrap(),
    );
    for expected in [
        "accepted",
        "rejected",
        "ignored",
        "第2版",
        "未登记发件人",
        "已报 2 / 未报 16",
    ] {
        assert!(
            out.contains(expected),
            "demo output lacks {expected:?}:\n{out}"
        );
    }
    assert_eq!(env.outbox().len(), 5, "{out}");
    let again = env.command().arg("demo").output().unwrap();
    assert!(
        !again.status.success(),
        "the demo refuses a data dir in use"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_zip_bomb_is_refused_with_memory_bounded() {
    let env = TestEnv::new();
    let bomb = crate::support::acceptance().join("out/048-zip-bomb-xlsx.eml");
    let mut ingest = env.command();
    ingest
        .args(["--now", "2026-11-25T09:30:00+08:00", "ingest"])
        .arg(&bomb);
    let (status, stdout, peak_kib) = run_with_peak_rss(&ingest);
    assert_eq!(status, 0, "exit status");
    let line: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(line["outcome"], "rejected");
    assert!(
        peak_kib < 200 * 1024,
        "peak RSS of the ingest: {peak_kib} KiB"
    );
}

/// Runs `command` from a small Python process and returns its exit code, its stdout and its
/// peak resident set (KiB, with the reader process it waits for). Not from this test process:
/// Linux keeps the high-water mark of the memory a child had before `exec`, which for a child
/// spawned here is this whole test binary's (over 200 MiB while the other tests run).
#[cfg(target_os = "linux")]
fn run_with_peak_rss(command: &std::process::Command) -> (i32, String, i64) {
    let program = command.get_program().to_string_lossy().into_owned();
    let args: Vec<String> = command
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let script = "import os, sys, subprocess\n\
                  child = subprocess.Popen(sys.argv[1:], stdout=sys.stdout, stderr=subprocess.DEVNULL)\n\
                  _, status, usage = os.wait4(child.pid, 0)\n\
                  child.returncode = os.waitstatus_to_exitcode(status)\n\
                  sys.stderr.write(f'{child.returncode} {usage.ru_maxrss}')\n";
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&program)
        .args(&args)
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let mut fields = stderr.split_whitespace();
    let status = fields
        .next()
        .and_then(|s| s.parse().ok())
        .expect("exit code");
    let peak = fields
        .next()
        .and_then(|s| s.parse().ok())
        .expect("peak RSS");
    (
        status,
        String::from_utf8_lossy(&output.stdout).into_owned(),
        peak,
    )
}
