//! `export`: the month's workbook read back with calamine, cell by cell, for a month with reported,
//! missing, late and resubmitted units and a case.

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use crate::support::{TestEnv, fixtures, ingest, message};

fn file(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(path)).expect("fixture")
}

fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    range
        .get_value((row, col))
        .map(|v| match v {
            Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_export_holds_every_unit_the_totals_the_checks_the_missing_and_the_cases() {
    let env = TestEnv::new();
    let app = env.app("2026-11-25T10:00:00+08:00").await;
    let sends = [
        (
            "tiaodeng@example.gov.cn",
            "f01-official-tiaodeng.xlsx",
            "t1",
            "2026-11-10T09:00:00+08:00",
        ),
        (
            "tiaodeng@example.gov.cn",
            "f22-resubmission-tiaodeng.xlsx",
            "t2",
            "2026-11-12T09:00:00+08:00",
        ),
        (
            "bachiao@example.gov.cn",
            "f02-vertical-bachiao.xlsx",
            "b1",
            "2026-11-22T09:00:00+08:00",
        ),
    ];
    for (from, form, id, at) in sends {
        let raw = message(
            from,
            "报表",
            id,
            &[("报表.xlsx", &file(&format!("forms/{form}")))],
        );
        assert_eq!(ingest(&app, &raw, id, at).await["outcome"], "accepted");
    }
    let case = message(
        "jiansheng@example.gov.cn",
        "案例",
        "c1",
        &[("案例.docx", &file("cases/c01-paragraphs-jiansheng.docx"))],
    );
    assert_eq!(
        ingest(&app, &case, "c1", "2026-11-19T09:00:00+08:00").await["outcome"],
        "accepted"
    );

    let out = env.dir.path().join("汇总.xlsx");
    let run = env
        .command()
        .args([
            "--now",
            "2026-11-25T10:00:00+08:00",
            "export",
            "--month",
            "2026-11",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut book =
        open_workbook_auto_from_rs(std::io::Cursor::new(std::fs::read(&out).unwrap())).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec![
            "区汇总（附件3）",
            "各单位报送情况",
            "未报送单位",
            "核查情况（内部）",
            "典型案例"
        ]
    );

    let sheet = book.worksheet_range("各单位报送情况").unwrap();
    assert!(text(&sheet, 0, 0).contains("2026年11月"));
    assert!(text(&sheet, 0, 0).contains("截至2026年11月25日"));
    assert_eq!(text(&sheet, 1, 2), "公开信\n（封）");
    assert_eq!(
        text(&sheet, 1, 12).replace('\n', ""),
        "获取立案查处以上线索（条）"
    );
    assert_eq!(text(&sheet, 1, 13), "报送时间");
    let roster = app.config.roster.current();
    let roster = roster.units();
    assert_eq!(roster.len(), 18);
    for (i, unit) in roster.iter().enumerate() {
        assert_eq!(text(&sheet, 2 + i as u32, 1), unit.name, "roster order");
    }
    // 八桥镇 (first in the roster): late.
    assert_eq!(text(&sheet, 2, 2), "350");
    assert_eq!(text(&sheet, 2, 13), "2026-11-22 09:00");
    assert_eq!(text(&sheet, 2, 14), "1");
    assert_eq!(text(&sheet, 2, 15), "是");
    // 建胜镇 sent a case only: missing.
    assert_eq!(text(&sheet, 3, 2), "");
    assert_eq!(text(&sheet, 3, 13), "未报送");
    // 跳磴镇: version 2 counts.
    let tiaodeng = [431, 4, 2, 560, 25, 118, 66, 12, 9, 5, 3];
    for (i, value) in tiaodeng.iter().enumerate() {
        assert_eq!(
            text(&sheet, 4, 2 + i as u32),
            value.to_string(),
            "column {i}"
        );
    }
    assert_eq!(text(&sheet, 4, 14), "2");
    assert_eq!(text(&sheet, 4, 15), "");
    let total_row = 2 + 18;
    assert_eq!(text(&sheet, total_row, 1), "合计");
    assert_eq!(text(&sheet, total_row, 2), (431 + 350).to_string());
    assert_eq!(text(&sheet, total_row, 12), "3", "case leads: 3 + 0");
    let checks = book.worksheet_range("核查情况（内部）").unwrap();
    assert!(text(&checks, 0, 0).contains("通知要求完成情况"));
    assert_eq!(text(&checks, 2, 1), "各单位每月20日前报送");
    assert_eq!(text(&checks, 2, 2), "未达到");

    let missing = book.worksheet_range("未报送单位").unwrap();
    assert_eq!(text(&missing, 2, 1), "建胜镇");
    assert_eq!(text(&missing, 2 + 15, 1), roster[17].name);
    assert_eq!(text(&missing, 2 + 16, 1), "", "16 missing units");

    let cases = book.worksheet_range("典型案例").unwrap();
    assert_eq!(text(&cases, 2, 1), "建胜镇");
    assert_eq!(
        text(&cases, 1, 3),
        "简要案情（典型案例概述）",
        "no tip sources unless asked for"
    );

    let with = env.dir.path().join("with.xlsx");
    let run = env
        .command()
        .args([
            "--now",
            "2026-11-25T10:00:00+08:00",
            "export",
            "--month",
            "2026-11",
            "--with-tip-sources",
            "-o",
        ])
        .arg(&with)
        .output()
        .unwrap();
    assert!(run.status.success());
    let mut book =
        open_workbook_auto_from_rs(std::io::Cursor::new(std::fs::read(&with).unwrap())).unwrap();
    let cases = book.worksheet_range("典型案例").unwrap();
    assert_eq!(text(&cases, 1, 3), "线索来源");
    assert!(!text(&cases, 2, 3).is_empty());
}

#[test]
fn status_shows_the_checks_and_the_quarter_view() {
    let env = TestEnv::new();
    let now = "2026-11-25T10:00:00+08:00";
    let month = env
        .command()
        .args(["--now", now, "status", "--json"])
        .output()
        .unwrap();
    assert!(month.status.success());
    let month: serde_json::Value = serde_json::from_slice(&month.stdout).unwrap();
    assert_eq!(month["checks"][0]["kind"], "reported_on_time");
    assert_eq!(month["checks"][0]["state"], "missed");
    let text = env
        .command()
        .args(["--now", now, "status"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("各单位每月20日前报送：未达到"));
    let quarter = env
        .command()
        .args(["--now", now, "status", "--quarter", "2026-Q4", "--json"])
        .output()
        .unwrap();
    assert!(
        quarter.status.success(),
        "{}",
        String::from_utf8_lossy(&quarter.stderr)
    );
    let quarter: serde_json::Value = serde_json::from_slice(&quarter.stdout).unwrap();
    assert_eq!(quarter["quarter"], "2026-Q4");
    assert_eq!(
        quarter["months"].as_array().unwrap().len(),
        2,
        "October and November so far"
    );
    let bad = env
        .command()
        .args(["status", "--quarter", "2026-Q5"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2026-Q4"));
}
