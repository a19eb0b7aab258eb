//! `demo`: a fresh data dir, a local inbox seeded with the mail units really send (a valid form,
//! an invalid one and its correction, a resubmission, an unknown sender, an auto-reply, a mail
//! with nothing attached), one pass of the same pipeline as `run`, and what came of it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use base64::Engine;
use chrono::Duration;
use rust_xlsxwriter::Workbook;

use crate::app::App;
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::fields::Field;
use crate::domain::period::Period;
use crate::intake::report::{IngestReport, Outcome};

/// Refuses a data dir that already holds a database: the demo needs a fresh one.
fn ensure_fresh(data_dir: &Path) -> Result<()> {
    if data_dir.join("reportdesk.db").exists() {
        bail!(
            "{} already holds a database; give a new folder with --data-dir",
            data_dir.display()
        );
    }
    Ok(())
}

/// A sample message: who sends it, when (minutes before now) and its bytes.
struct Sample {
    label: &'static str,
    minutes_ago: i64,
    raw: Vec<u8>,
}

pub async fn run(config_path: &Path, data_dir: Option<&Path>, clock: Clock) -> Result<()> {
    let data_dir = match data_dir {
        Some(dir) => dir.to_path_buf(),
        None => fresh_temp_dir()?,
    };
    ensure_fresh(&data_dir)?;
    let config = Config::load(config_path, Some(&data_dir))
        .with_context(|| format!("cannot load {}", config_path.display()))?;
    let app = App::open(config, clock).await?;
    let now = app.now();
    let period = Period::open_at(app.config.office.zone.today(now));
    let inbox = crate::daemon::inbox(&app.config)?;
    let samples = samples(&app.config, period)?;
    for (i, sample) in samples.iter().enumerate() {
        let path = inbox.deliver(&format!("demo-{i:02}"), &sample.raw)?;
        let at = now - Duration::minutes(sample.minutes_ago);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(at.into()))
            .with_context(|| format!("cannot date {}", path.display()))?;
    }
    println!("数据目录 data dir: {}", data_dir.display());
    println!(
        "已放入本地收件箱 {} 封样例邮件，处理结果：\n",
        samples.len()
    );
    let summary = crate::daemon::pass(&app).await?;
    for (report, sample) in summary.reports.iter().zip(&samples) {
        println!("{}", describe(report, sample.label));
    }
    let status = crate::status::load(&app.config, &app.store, period).await?;
    println!("\n{}", crate::status::render_text(&status));
    let outbox = app.config.data_dir.join("mail/outbox/new");
    println!(
        "回复 {} 封已投递到 {}（每封是一个完整的 .eml 邮件，可用邮件客户端打开）。",
        summary.replies_delivered,
        outbox.display()
    );
    println!(
        "再看一遍： reportdesk --data-dir {} status",
        data_dir.display()
    );
    Ok(())
}

fn fresh_temp_dir() -> Result<PathBuf> {
    let base = std::env::temp_dir();
    for n in 0..1000u32 {
        let dir = base.join(format!("reportdesk-demo-{}-{n}", std::process::id()));
        if std::fs::create_dir(&dir).is_ok() {
            return Ok(dir);
        }
    }
    anyhow::bail!("cannot create a demo folder in {}", base.display())
}

fn describe(report: &IngestReport, label: &str) -> String {
    let form = report.forms.first();
    let detail = match (report.outcome, form, &report.unit) {
        (Outcome::Rejected, _, None) => "发件地址未登记：邮件已保存，待工作人员核实".to_string(),
        (Outcome::Accepted, Some(f), _) => format!(
            "已登记 {} 第{}版{}",
            f.period.as_deref().unwrap_or("?"),
            f.version.unwrap_or(0),
            if f.late == Some(true) {
                "（逾期）"
            } else {
                ""
            }
        ),
        (Outcome::Rejected, _, _) => {
            let count =
                report.errors.len() + report.forms.iter().map(|f| f.errors.len()).sum::<usize>();
            format!("退回，{count} 处问题")
        }
        (_, _, _) if report.reply.is_some() => "邮件中没有报表".to_string(),
        _ => format!(
            "自动邮件，不处理（{}）",
            report.note.as_deref().unwrap_or("")
        ),
    };
    let reply = report
        .reply
        .as_ref()
        .map_or("不回复".to_string(), |r| format!("回复 {}", r.kind));
    format!(
        "  {:<26} {:<9} {}；{}",
        label,
        report.outcome.as_str(),
        detail,
        reply
    )
}

fn samples(config: &Config, period: Period) -> Result<Vec<Sample>> {
    let address = |code: &str| {
        config
            .roster
            .by_code(code)
            .and_then(|u| u.addresses.first().cloned())
            .unwrap_or_else(|| format!("{code}@example.gov.cn"))
    };
    let roster = config.roster.current();
    let units = roster.units();
    let pick = |i: usize| units.get(i).map(|u| (u.code.as_str(), u.name.as_str()));
    let (Some(first), Some(second), Some(third), Some(fourth)) =
        (pick(2), pick(0), pick(1), pick(8).or(pick(3)))
    else {
        anyhow::bail!("the demo needs a roster of at least four units");
    };
    let month = period.zh();
    let good: [Cell; 11] = [438, 1, 0, 55, 28, 112, 72, 8, 9, 4, 2].map(Cell::N);
    let mut revised = good.clone();
    revised[0] = Cell::N(501);
    revised[8] = Cell::N(11);
    let mut bad = good.clone();
    bad[8] = Cell::Blank;
    bad[1] = Cell::T("三次");
    let form = |name: &str, cells: &[Cell; 11]| filled_form(name, &month, cells);
    Ok(vec![
        Sample {
            label: "1 有效报表",
            minutes_ago: 90,
            raw: mail(
                &address(first.0),
                &format!("{}{month}月报表", first.1),
                "demo-1",
                Some((
                    &format!("{}{month}报表.xlsx", first.1),
                    form(first.1, &good)?,
                )),
                "",
            )?,
        },
        Sample {
            label: "2 有错误的报表",
            minutes_ago: 80,
            raw: mail(
                &address(second.0),
                &format!("{}{month}报表", second.1),
                "demo-2",
                Some(("月报表.xlsx", form(second.1, &bad)?)),
                "",
            )?,
        },
        Sample {
            label: "3 同一单位重新报送",
            minutes_ago: 70,
            raw: mail(
                &address(first.0),
                &format!("{}{month}报表（更正）", first.1),
                "demo-3",
                Some(("更正后报表.xlsx", form(first.1, &revised)?)),
                "",
            )?,
        },
        Sample {
            label: "4 未登记的发件人",
            minutes_ago: 60,
            raw: mail(
                "someone@qq.example",
                &format!("{}报表", third.1),
                "demo-4",
                Some(("报表.xlsx", form(third.1, &good)?)),
                "",
            )?,
        },
        Sample {
            label: "5 自动回复",
            minutes_ago: 50,
            raw: mail(
                &address(fourth.0),
                "自动回复：我已休假",
                "demo-5",
                None,
                "Auto-Submitted: auto-replied\r\n",
            )?,
        },
        Sample {
            label: "6 忘了附报表",
            minutes_ago: 40,
            raw: mail(
                &address(third.0),
                &format!("{}{month}报表", third.1),
                "demo-6",
                None,
                "",
            )?,
        },
        Sample {
            label: "7 改正后重新发送",
            minutes_ago: 30,
            raw: mail(
                &address(second.0),
                &format!("Re: {}{month}报表", second.1),
                "demo-7",
                Some(("月报表（已改）.xlsx", form(second.1, &good)?)),
                "",
            )?,
        },
    ])
}

/// A value cell as a unit might fill it.
#[derive(Clone)]
enum Cell {
    N(u32),
    T(&'static str),
    Blank,
}

/// The official horizontal layout, filled in, as a unit sends it.
fn filled_form(unit_name: &str, month: &str, cells: &[Cell; 11]) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, format!("安全生产举报奖励宣传工作{month}情况报表"))?;
    sheet.write_string(1, 0, "填报单位")?;
    sheet.write_string(1, 1, unit_name)?;
    sheet.write_string(1, 3, "报表月份")?;
    sheet.write_string(1, 4, month)?;
    sheet.write_string(2, 0, "填报人")?;
    sheet.write_string(2, 1, "张敏")?;
    sheet.write_string(2, 3, "联系电话")?;
    sheet.write_string(2, 4, "023-68173265")?;
    for (col, (field, cell)) in Field::ALL.iter().zip(cells).enumerate() {
        let col = u16::try_from(col).unwrap_or(0);
        sheet.write_string(4, col, field.label())?;
        match cell {
            Cell::N(n) => {
                sheet.write_number(5, col, f64::from(*n))?;
            }
            Cell::T(text) => {
                sheet.write_string(5, col, *text)?;
            }
            Cell::Blank => {}
        }
    }
    Ok(book.save_to_buffer()?)
}

/// A message in the style of a web mailer: UTF-8, base64, RFC 2047 subject, RFC 2231 filename.
fn mail(
    from: &str,
    subject: &str,
    id: &str,
    attachment: Option<(&str, Vec<u8>)>,
    extra_headers: &str,
) -> Result<Vec<u8>> {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = format!(
        "From: <{from}>\r\nTo: <office@example.gov.cn>\r\nSubject: =?UTF-8?B?{}?=\r\nMessage-ID: <{id}@demo.example>\r\nDate: Thu, 12 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n{extra_headers}",
        b64(subject.as_bytes())
    );
    let body = b64("领导好，附件是本月报表，请查收。".as_bytes());
    match attachment {
        None => out.push_str(&format!(
            "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n"
        )),
        Some((name, bytes)) => {
            let encoded_name: String = name
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() || b == b'.' { (b as char).to_string() } else { format!("%{b:02X}") })
                .collect();
            out.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=UTF-8''{encoded_name}\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
                b64(&bytes)
            ));
        }
    }
    Ok(out.into_bytes())
}
