//! Papers leaving the office: `submit` mails the city's copy once per month (again only when
//! asked) and `status` shows it; the export and a template rendered to PDF by LibreOffice, where
//! it is installed, read back with poppler's pdftotext/pdfinfo.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::Reader;
use mail_parser::MimeHeaders;

use crate::papers::{NOW, export, month_with_cases, papers_env};

fn run(env: &crate::support::TestEnv, args: &[&str]) -> std::process::Output {
    env.command()
        .args(["--now", NOW])
        .args(args)
        .output()
        .unwrap()
}

/// The delivered mails addressed to the city office.
fn to_city(env: &crate::support::TestEnv) -> Vec<Vec<u8>> {
    env.outbox()
        .into_iter()
        .filter(|raw| {
            let parsed = mail_parser::MessageParser::default().parse(raw).unwrap();
            parsed
                .to()
                .and_then(|t| t.first())
                .and_then(|a| a.address())
                == Some("city@example.gov.cn")
        })
        .collect()
}

#[tokio::test]
async fn submit_mails_the_citys_copy_once_and_again_only_when_asked_and_status_shows_it() {
    let env = papers_env();
    month_with_cases(&env).await;
    let first = run(&env, &["submit", "--month", "2026-11"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(line["attempt"], 1);
    assert_eq!(line["recipient"], "city@example.gov.cn");
    let outbox = to_city(&env);
    assert_eq!(outbox.len(), 1, "delivered at once");
    let sent = mail_parser::MessageParser::default()
        .parse(&outbox[0])
        .unwrap();
    let subject = sent.subject().unwrap_or_default().to_string();
    assert!(
        subject.starts_with("【汇总上报】大渡口区安全生产委员会办公室2026年11月"),
        "{subject}"
    );
    let body = sent.body_text(0).unwrap().to_string();
    assert!(
        body.contains("已报 2 个") && body.contains("填报人：王晓梅"),
        "{body}"
    );
    let attachment = sent.attachment(0).expect("the workbook");
    assert!(
        attachment
            .attachment_name()
            .unwrap_or_default()
            .ends_with("月情况报表.xlsx")
    );
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(attachment.contents().to_vec()))
            .unwrap();
    assert_eq!(
        book.sheet_names(),
        vec![
            "区汇总（附件3）",
            "各单位报送情况",
            "未报送单位",
            "典型案例"
        ],
        "the city's copy has no internal sheet"
    );
    let cases = book.worksheet_range("典型案例").unwrap();
    assert!(
        !cases
            .cells()
            .any(|(_, _, v)| v.to_string().contains("渝快办")),
        "no tip source"
    );

    let twice = run(&env, &["submit", "--month", "2026-11"]);
    assert_eq!(twice.status.code(), Some(1));
    let said = String::from_utf8_lossy(&twice.stderr);
    assert!(
        said.contains("already sent") && said.contains("--again"),
        "{said}"
    );
    assert_eq!(to_city(&env).len(), 1, "nothing sent twice");

    let again = run(&env, &["submit", "--month", "2026-11", "--again"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(line["attempt"], 2);
    assert_eq!(to_city(&env).len(), 2);
    assert!(line["subject"].as_str().unwrap().ends_with("（第2次报送）"));

    let status = run(&env, &["status", "--month", "2026-11"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("汇总上报：第1次 2026-11-25 10:00 报送至 city@example.gov.cn，已发出"),
        "{text}"
    );
    assert!(text.contains("汇总上报：第2次"), "{text}");
    let json = run(&env, &["status", "--month", "2026-11", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["upstream"][1]["attempt"], 2);
    assert_eq!(json["upstream"][0]["state"], "sent");
}

#[test]
fn submit_without_an_upstream_address_names_the_key_to_set() {
    let env = crate::support::TestEnv::new();
    let out = run(&env, &["submit", "--month", "2026-11"]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("upstream_address") && said.contains("reportdesk.toml"),
        "{said}"
    );
}

/// `soffice --headless --convert-to pdf`, in a profile of its own; `None` when not installed.
fn to_pdf(file: &Path, out_dir: &Path) -> Option<PathBuf> {
    let profile = out_dir.join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(out_dir)
        .arg(file)
        .output()
        .ok()?;
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pdf = out_dir.join(file.with_extension("pdf").file_name()?);
    // Without the component for the file (e.g. Writer for .docx) soffice writes nothing.
    pdf.exists().then_some(pdf)
}

fn tool(name: &str, args: &[&str], pdf: &Path) -> Option<String> {
    let out = Command::new(name).args(args).arg(pdf).arg("-").output();
    let out = match out {
        Ok(out) => out,
        Err(_) => Command::new(name).args(args).arg(pdf).output().ok()?,
    };
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn pages(pdf: &Path) -> Option<usize> {
    let out = Command::new("pdfinfo").arg(pdf).output().ok()?;
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

#[tokio::test]
async fn the_export_and_the_templates_render_to_pdf_with_their_marks_and_no_stray_wraps() {
    if Command::new("soffice").arg("--version").output().is_err() {
        println!("skipped: LibreOffice (soffice) is not installed");
        return;
    }
    let env = papers_env();
    month_with_cases(&env).await;
    let dir = env.dir.path().join("pdf");
    std::fs::create_dir(&dir).unwrap();
    let workbook = dir.join("export.xlsx");
    let cases_dir = dir.join("cases");
    export(
        &env,
        &workbook,
        &["--cases-dir", cases_dir.to_str().unwrap()],
    );
    let mut documents: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    documents.sort();
    let monthly = dir.join("monthly.xlsx");
    let case = dir.join("case.xlsx");
    for (kind, path) in [("monthly", &monthly), ("case", &case)] {
        let out = env
            .command()
            .args(["template", kind, "-o"])
            .arg(path)
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let Some(export_pdf) = to_pdf(&workbook, &dir) else {
        println!("skipped: soffice could not be run");
        return;
    };
    let monthly_pdf = to_pdf(&monthly, &dir).expect("monthly template PDF");
    let case_pdf = to_pdf(&case, &dir).expect("case template PDF");
    let docx_pdf = to_pdf(&documents[0], &dir);
    if std::env::var_os("REPORTDESK_KEEP_PDF").is_some() {
        let keep = PathBuf::from(std::env::var_os("REPORTDESK_KEEP_PDF").unwrap());
        for pdf in [
            Some(&export_pdf),
            Some(&monthly_pdf),
            Some(&case_pdf),
            docx_pdf.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            std::fs::copy(pdf, keep.join(pdf.file_name().unwrap())).unwrap();
        }
    }
    let Some(text) = tool("pdftotext", &["-layout"], &monthly_pdf) else {
        println!("skipped the PDF text checks: pdftotext (poppler-utils) is not installed");
        return;
    };
    assert_eq!(
        pages(&monthly_pdf),
        Some(1),
        "the monthly template is one page"
    );
    assert_eq!(pages(&case_pdf), Some(1), "the case template is one page");
    assert!(text.replace(' ', "").contains("附件3"), "{text}");
    for line in text.lines() {
        assert_ne!(line.trim(), "）", "a lone bracket: {text}");
    }
    let case_text = tool("pdftotext", &["-layout"], &case_pdf).unwrap();
    assert!(
        case_text.replace(' ', "").contains("附件2") && case_text.contains("典型案例概述"),
        "{case_text}"
    );
    let footer = case_text
        .lines()
        .find(|l| l.contains("填报单位"))
        .expect("footer line");
    assert!(
        footer.contains("填报人") && footer.contains("联系电话") && footer.contains("填报时间"),
        "{footer}"
    );
    let export_text = tool("pdftotext", &["-layout"], &export_pdf).unwrap();
    assert!(
        export_text.replace(' ', "").contains("截至2026年11月25日"),
        "{export_text}"
    );
    assert!(!export_text.contains("截止"), "{export_text}");
    match &docx_pdf {
        Some(pdf) => {
            let docx_text = tool("pdftotext", &["-layout"], pdf).unwrap();
            // pdftotext puts spaces between Chinese and digits: compare without them.
            let squeezed: String = docx_text.chars().filter(|c| *c != ' ').collect();
            assert!(
                squeezed.contains("附件2") && squeezed.contains("工作图片（2张）"),
                "{docx_text}"
            );
            let footer = squeezed
                .lines()
                .find(|l| l.contains("填报单位：跳磴镇"))
                .expect("footer");
            assert!(
                footer.contains("填报时间：2026-11-19"),
                "the footer on one line: {docx_text}"
            );
        }
        None => println!("skipped the case document PDF: LibreOffice Writer is not installed"),
    }
    let export_pages = pages(&export_pdf).unwrap();
    assert!(
        (5..=8).contains(&export_pages),
        "five sheets on a few pages: {export_pages}"
    );
}
