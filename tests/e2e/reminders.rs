//! Reminders with the injected clock: a whole month walked hour by hour, the scheduler started
//! afresh (a new `App` on the same data dir) at every step, and exactly what was queued asserted.
//! Plus a bounce marking an address, a holiday shift, and `remind --dry-run --json`.

use std::collections::BTreeMap;

use reportdesk::app::App;
use reportdesk::clock::Clock;
use reportdesk::reminders::run::{Scheduler, step};

use crate::support::{TestEnv, at, deliver, fixtures, ingest, message};

const UNITS: usize = 18;

async fn app_at(env: &TestEnv, when: &str) -> App {
    App::open(env.config(), Clock::Fixed(at(when)))
        .await
        .expect("app opens")
}

/// (unit, slot) → how many times it was queued, over the walk.
type Queued = BTreeMap<(String, String), usize>;

async fn walk(
    env: &TestEnv,
    days: impl Iterator<Item = u32>,
    queued: &mut Queued,
    by_day: &mut BTreeMap<u32, Vec<(String, String)>>,
) {
    for day in days {
        for hour in [0, 8, 9, 10, 23] {
            let when = format!("2026-11-{day:02}T{hour:02}:00:00+08:00");
            let app = app_at(env, &when).await;
            let report = step(Scheduler::of(&app), false).await.expect("step");
            for item in report.queued {
                *queued
                    .entry((item.unit.clone(), item.slot.clone()))
                    .or_default() += 1;
                by_day.entry(day).or_default().push((item.unit, item.slot));
            }
            app.store.close().await;
        }
    }
}

/// November 2026: the 15th is a Sunday (its reminder moves to Friday the 13th), the 18th a
/// Wednesday, the 20th a Friday, the 21st a Saturday (the overdue notice moves to Monday the 23rd).
#[tokio::test]
async fn a_month_walked_hour_by_hour_queues_each_reminder_once_to_the_missing_only() {
    let env = TestEnv::new();
    let form = std::fs::read(fixtures().join("forms/f01-official-tiaodeng.xlsx")).unwrap();
    let mut queued = Queued::new();
    let mut by_day = BTreeMap::new();
    walk(&env, 1..=15, &mut queued, &mut by_day).await;
    {
        let app = app_at(&env, "2026-11-16T10:00:00+08:00").await;
        let raw = message(
            "tiaodeng@example.gov.cn",
            "报表",
            "walk@qq.example",
            &[("报表.xlsx", &form)],
        );
        let line = ingest(&app, &raw, "walk.eml", "2026-11-16T10:00:00+08:00").await;
        assert_eq!(line["outcome"], "accepted");
    }
    walk(&env, 16..=30, &mut queued, &mut by_day).await;

    assert!(queued.values().all(|&n| n == 1), "queued twice: {queued:?}");
    let days: Vec<u32> = by_day.keys().copied().collect();
    assert_eq!(days, vec![13, 18, 20, 23], "{by_day:?}");
    let slots_on = |day: u32| {
        let mut slots: Vec<&str> = by_day[&day].iter().map(|(_, s)| s.as_str()).collect();
        slots.dedup();
        slots
    };
    assert_eq!(slots_on(13), vec!["due_soon:15"]);
    assert_eq!(slots_on(18), vec!["due_soon:18"]);
    assert_eq!(slots_on(20), vec!["final_day:20"]);
    assert_eq!(slots_on(23), vec!["overdue:21"]);
    assert_eq!(by_day[&13].len(), UNITS);
    for day in [18, 20, 23] {
        assert_eq!(by_day[&day].len(), UNITS - 1, "day {day}");
        assert!(
            !by_day[&day].iter().any(|(u, _)| u == "tiaodeng"),
            "tiaodeng reported on the 16th"
        );
    }

    let app = app_at(&env, "2026-11-30T23:00:00+08:00").await;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, recipient FROM outbox WHERE kind = 'reminder'")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        rows.len(),
        UNITS + 3 * (UNITS - 1),
        "one mail per registered address"
    );
    assert_eq!(deliver(&app).await, rows.len() + 1);
    let mail = env.outbox();
    let parsed: Vec<_> = mail
        .iter()
        .filter_map(|m| mail_parser::MessageParser::default().parse(m))
        .collect();
    let reminder = parsed
        .iter()
        .find(|m| {
            m.subject().is_some_and(|s| s.contains("提醒"))
                && m.to().and_then(|t| t.first()).and_then(|a| a.address())
                    == Some("bachiao@example.gov.cn")
        })
        .expect("a reminder to 八桥镇");
    assert_eq!(
        reminder.attachment_count(),
        1,
        "the blank template is attached"
    );
    assert!(
        String::from_utf8_lossy(reminder.raw_message()).contains("Auto-Submitted: auto-generated")
    );
}

#[tokio::test]
async fn a_down_time_over_the_18th_catches_up_once_and_nothing_due_soon_after_the_20th() {
    let env = TestEnv::new();
    let mut queued = Queued::new();
    let mut by_day = BTreeMap::new();
    walk(&env, 1..=16, &mut queued, &mut by_day).await;
    // Down from the 17th to the 19th at 10:00.
    let app = app_at(&env, "2026-11-19T10:00:00+08:00").await;
    let catch_up = step(Scheduler::of(&app), false).await.unwrap();
    assert_eq!(catch_up.queued.len(), UNITS);
    assert!(catch_up.queued.iter().all(|q| q.slot == "due_soon:18"));
    assert!(
        step(Scheduler::of(&app), false)
            .await
            .unwrap()
            .queued
            .is_empty(),
        "nothing twice"
    );
    app.store.close().await;
    // Down again from the 20th 08:00 to the 22nd: the final-day reminder is not sent late.
    let app = app_at(&env, "2026-11-22T10:00:00+08:00").await;
    let late = step(Scheduler::of(&app), false).await.unwrap();
    assert!(late.queued.is_empty(), "{:?}", late.queued);
    assert_eq!(late.superseded.len(), UNITS, "recorded as superseded");
    let overdue = step(
        Scheduler::of(&app_at(&env, "2026-11-23T09:00:00+08:00").await),
        false,
    )
    .await
    .unwrap();
    assert_eq!(overdue.queued.len(), UNITS);
    assert!(overdue.queued.iter().all(|q| q.slot == "overdue:21"));
}

#[tokio::test]
async fn a_holiday_moves_the_reminder_to_the_working_day_before() {
    let env = TestEnv::new();
    let text = std::fs::read_to_string(&env.config_path).unwrap().replace(
        "holidays = []",
        "holidays = [\"2026-11-18\", \"2026-11-17\"]",
    );
    std::fs::write(&env.config_path, text).unwrap();
    let app = app_at(&env, "2026-11-16T09:30:00+08:00").await;
    let report = step(Scheduler::of(&app), true).await.unwrap();
    assert!(
        report.queued.iter().all(|q| q.slot == "due_soon:18"),
        "{:?}",
        report.queued
    );
    assert_eq!(report.queued.len(), UNITS);
}

#[tokio::test]
async fn a_bounced_reminder_marks_the_address_until_mail_from_it_arrives() {
    let env = TestEnv::new();
    let app = app_at(&env, "2026-11-18T09:00:00+08:00").await;
    step(Scheduler::of(&app), false).await.unwrap();
    let (reminder_id,): (String,) = sqlx::query_as(
        "SELECT outgoing_id FROM outbox WHERE kind = 'reminder' AND recipient = 'jingxinwei@example.gov.cn'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let dsn = format!(
        "From: MAILER-DAEMON@mx.example.gov.cn\r\nReturn-Path: <>\r\nTo: office@example.gov.cn\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-1@mx.example.gov.cn>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.gov.cn\r\n\r\nFinal-Recipient: rfc822; jingxinwei@example.gov.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: office@example.gov.cn\r\nTo: jingxinwei@example.gov.cn\r\nMessage-ID: {reminder_id}\r\n\r\n--B--\r\n"
    );
    let line = ingest(&app, dsn.as_bytes(), "dsn.eml", "2026-11-18T09:05:00+08:00").await;
    assert_eq!(line["outcome"], "ignored");
    assert!(line["reply"].is_null());
    let status = reportdesk::status::load(
        &app.config,
        &app.store,
        reportdesk::domain::period::Period::new(2026, 11).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(status.failing_addresses.len(), 1);
    assert_eq!(
        status.failing_addresses[0].address,
        "jingxinwei@example.gov.cn"
    );
    app.store.close().await;

    let app = app_at(&env, "2026-11-20T09:00:00+08:00").await;
    let report = step(Scheduler::of(&app), false).await.unwrap();
    let jingxinwei = report
        .no_address
        .iter()
        .find(|q| q.unit == "jingxinwei")
        .expect("not mailed");
    assert_eq!(jingxinwei.failing, vec!["jingxinwei@example.gov.cn"]);
    assert_eq!(report.queued.len(), UNITS - 1);

    let hello = message("jingxinwei@example.gov.cn", "你好", "back@qq.example", &[]);
    ingest(&app, &hello, "back.eml", "2026-11-20T10:00:00+08:00").await;
    let status = reportdesk::status::load(
        &app.config,
        &app.store,
        reportdesk::domain::period::Period::new(2026, 11).unwrap(),
    )
    .await
    .unwrap();
    assert!(
        status.failing_addresses.is_empty(),
        "mail from it re-confirms the address"
    );
}

#[test]
fn remind_dry_run_json_lists_what_is_due_and_sends_nothing() {
    let env = TestEnv::new();
    let out = env
        .command()
        .args([
            "--now",
            "2026-11-18T09:30:00+08:00",
            "remind",
            "--dry-run",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let queued = report["queued"].as_array().unwrap();
    assert_eq!(queued.len(), UNITS);
    assert_eq!(queued[0]["slot"], "due_soon:18");
    assert_eq!(queued[0]["kind"], "due_soon");
    assert_eq!(queued[0]["recipients"][0], "bachiao@example.gov.cn");
    assert!(env.outbox().is_empty(), "a dry run sends nothing");
    let out = env
        .command()
        .args(["--now", "2026-11-18T09:30:00+08:00", "remind"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(env.outbox().len(), UNITS);
    let again = env
        .command()
        .args(["--now", "2026-11-18T11:30:00+08:00", "remind", "--json"])
        .output()
        .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(
        again["queued"].as_array().unwrap().is_empty(),
        "never twice"
    );
}
