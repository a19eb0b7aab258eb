//! Papers for the city (SPEC §16, issue 14): the district's 附件3 read back as a form, formulas and
//! their stored values, row heights and wrapping read from the xlsx parts, each case as a .docx
//! with its photos, and `submit` once per month.

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use reportdesk::export::docx::image::image_size;
use reportdesk::export::fit;

use crate::support::{TestEnv, fixtures, ingest, message};
use crate::xlsx_parts::{
    docx_text_and_extents, part_bytes, part_names, sheet_parts, wrapping_formats, wraps,
};

pub const NOW: &str = "2026-11-25T10:00:00+08:00";
const TIP: &str = "群众通过“渝快办”";

fn file(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(path)).expect("fixture")
}

pub fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    range
        .get_value((row, col))
        .map(|v| match v {
            Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

/// An env whose config names the reporter, the phone and the city's mailbox.
pub fn papers_env() -> TestEnv {
    let env = TestEnv::new();
    let config = std::fs::read_to_string(&env.config_path).unwrap();
    let config = config
        .replace("# reporter = ", "reporter = ")
        .replace("# phone = ", "phone = ")
        .replace("# upstream_address = ", "upstream_address = ");
    std::fs::write(&env.config_path, config).unwrap();
    env
}

/// A unit's mail: unit code, Message-ID, receipt time, subject, attachments (name, bytes).
type Send = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Vec<(&'static str, Vec<u8>)>,
);

/// Two units' forms (one late, one resubmitted), a case with two photos, a case without.
pub async fn month_with_cases(env: &TestEnv) {
    let app = env.app(NOW).await;
    let sends: [Send; 5] = [
        (
            "tiaodeng",
            "t1",
            "2026-11-10T09:00:00+08:00",
            "报表",
            vec![("报表.xlsx", file("forms/f01-official-tiaodeng.xlsx"))],
        ),
        (
            "tiaodeng",
            "t2",
            "2026-11-12T09:00:00+08:00",
            "报表",
            vec![("报表.xlsx", file("forms/f22-resubmission-tiaodeng.xlsx"))],
        ),
        (
            "bachiao",
            "b1",
            "2026-11-22T09:00:00+08:00",
            "报表",
            vec![("报表.xlsx", file("forms/f02-vertical-bachiao.xlsx"))],
        ),
        (
            "tiaodeng",
            "c1",
            "2026-11-19T09:00:00+08:00",
            "典型案例",
            vec![
                ("案例.xlsx", file("cases/a039.xlsx")),
                ("现场1.jpg", file("cases/a039-photo1.jpg")),
                ("现场2.jpg", file("cases/a039-photo2.jpg")),
            ],
        ),
        (
            "jiansheng",
            "c2",
            "2026-11-20T09:00:00+08:00",
            "案例",
            vec![("案例.docx", file("cases/c01-paragraphs-jiansheng.docx"))],
        ),
    ];
    for (unit, id, at, subject, files) in sends {
        let attachments: Vec<(&str, &[u8])> =
            files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        let raw = message(&format!("{unit}@example.gov.cn"), subject, id, &attachments);
        assert_eq!(
            ingest(&app, &raw, id, at).await["outcome"],
            "accepted",
            "{id}"
        );
    }
}

pub fn export(env: &TestEnv, out: &std::path::Path, extra: &[&str]) {
    let run = env
        .command()
        .args(["--now", NOW, "export", "--month", "2026-11", "-o"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[tokio::test]
async fn the_districts_sheet_is_a_filled_form_with_formulas_over_the_units_and_their_values() {
    let env = papers_env();
    month_with_cases(&env).await;
    let out = env.dir.path().join("汇总.xlsx");
    export(&env, &out, &[]);
    let bytes = std::fs::read(&out).unwrap();
    let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    let district = book.worksheet_range("区汇总（附件3）").unwrap();
    assert_eq!(text(&district, 0, 0), "附件3");
    let title = text(&district, 1, 0);
    assert_eq!(
        title,
        "安全生产举报奖励宣传工作2026年11月情况报表（截至2026年11月25日）"
    );
    assert!(!title.contains("截止"));
    // Read back as a unit's form would be: by labels, with the reader of the project.
    let workbook = reportdesk::forms::open_workbook(&bytes, 100 << 20).unwrap();
    let ctx = reportdesk::forms::monthly::ReadContext {
        open_period: reportdesk::domain::Period::new(2026, 11).unwrap(),
        subject: "",
        unit_names: Some(&["大渡口区安全生产委员会办公室".to_string()]),
        plausibility_bound: 100_000,
    };
    let form = reportdesk::forms::monthly::read_monthly(&workbook, &ctx)
        .form
        .unwrap();
    assert_eq!(form.period.to_string(), "2026-11");
    assert_eq!(form.filled_by.as_deref(), Some("王晓梅"));
    assert_eq!(form.phone.unwrap().as_str(), "023-68830000");
    assert_eq!(form.filled_on.as_deref(), Some("2026年11月25日"));
    // The values are formulas over the units sheet's 合计 row, their results stored.
    let units = book.worksheet_range("各单位报送情况").unwrap();
    let total_row = 2 + 18;
    let formulas = book.worksheet_formula("区汇总（附件3）").unwrap();
    for i in 0..11u32 {
        let cached = text(&district, 6, i);
        assert_eq!(cached, text(&units, total_row, 2 + i), "column {i}");
        assert_eq!(cached, form.values.as_array()[i as usize].to_string());
        let formula = formulas.get_value((6, i)).cloned().unwrap_or_default();
        let col = (b'C' + i as u8) as char;
        assert_eq!(formula, format!("'各单位报送情况'!{col}21"), "column {i}");
    }
    assert_eq!(text(&district, 6, 0), "781");
    let unit_formulas = book.worksheet_formula("各单位报送情况").unwrap();
    assert_eq!(
        unit_formulas
            .get_value((total_row, 2))
            .cloned()
            .unwrap_or_default(),
        "SUM(C3:C20)"
    );
    assert_eq!(text(&units, total_row, 2), "781");
    assert_eq!(text(&units, total_row, 12), "3");
}

#[tokio::test]
async fn every_case_field_is_on_the_sheet_wrapped_in_rows_tall_enough() {
    let env = papers_env();
    month_with_cases(&env).await;
    let out = env.dir.path().join("汇总.xlsx");
    export(&env, &out, &["--with-tip-sources"]);
    let bytes = std::fs::read(&out).unwrap();
    let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    let cases = book.worksheet_range("典型案例").unwrap();
    let header: Vec<String> = (0..9).map(|c| text(&cases, 1, c)).collect();
    assert_eq!(
        header,
        [
            "序号",
            "单位",
            "收到时间",
            "线索来源",
            "简要案情（典型案例概述）",
            "执法处罚",
            "奖励发放",
            "备注",
            "照片\n（张）"
        ]
    );
    assert_eq!(text(&cases, 2, 1), "跳磴镇");
    assert!(text(&cases, 2, 3).contains(TIP), "{}", text(&cases, 2, 3));
    assert!(!text(&cases, 2, 5).is_empty(), "执法处罚");
    assert!(text(&cases, 2, 6).contains("1000"), "奖励发放");
    assert_eq!(text(&cases, 2, 8), "2", "photos counted");
    assert_eq!(text(&cases, 3, 1), "建胜镇");
    assert_eq!(text(&cases, 3, 8), "0");
    // Heights and wrapping, from the sheet's XML (the cases sheet is the fifth).
    let parts = sheet_parts(&bytes, 5);
    let formats = wrapping_formats(&bytes);
    let widths = [5.0, 12.0, 11.0, 22.0, 48.0, 26.0, 18.0, 14.0, 7.0];
    for row in [2u32, 3] {
        let texts: Vec<String> = (0..9u32).map(|c| text(&cases, row, c)).collect();
        let needed = fit::row_height(texts.iter().map(String::as_str).zip(widths));
        // Heights are stored in whole pixels (0.75 pt).
        let height = parts.heights.get(&row).copied().unwrap_or(0.0);
        assert!(height + 0.75 >= needed, "row {row}: {height} < {needed}");
        assert!(
            height > fit::LINE_PT * 2.0,
            "row {row}: the case text takes lines"
        );
        for col in ["D", "E", "F", "G", "H"] {
            assert!(
                wraps(&parts, &formats, &format!("{col}{}", row + 1)),
                "{col}{}",
                row + 1
            );
        }
    }
    let without = env.dir.path().join("without.xlsx");
    export(&env, &without, &[]);
    let mut book =
        open_workbook_auto_from_rs(std::io::Cursor::new(std::fs::read(&without).unwrap())).unwrap();
    let cases = book.worksheet_range("典型案例").unwrap();
    let all: String = cases.cells().map(|(_, _, v)| v.to_string()).collect();
    assert!(
        !all.contains(TIP),
        "no tip source without --with-tip-sources"
    );
    assert!(!all.contains("线索来源"));
}

#[tokio::test]
async fn each_case_becomes_a_docx_in_the_notices_layout_with_its_photos_scaled_to_the_page() {
    let env = papers_env();
    month_with_cases(&env).await;
    let dir = env.dir.path().join("cases");
    export(
        &env,
        &env.dir.path().join("x.xlsx"),
        &["--cases-dir", dir.to_str().unwrap()],
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].starts_with("01-跳磴镇-RD-20261119-"), "{names:?}");
    let docx = std::fs::read(dir.join(&names[0])).unwrap();
    let (paragraphs, extents) = docx_text_and_extents(&docx);
    let all = paragraphs.join("\n");
    assert_eq!(paragraphs[0], "附件2");
    assert_eq!(paragraphs[1], "安全生产举报奖励工作典型案例报送表");
    assert!(paragraphs.iter().any(|p| p == "典型案例概述"));
    assert!(paragraphs.iter().any(|p| p == "备注"));
    assert!(all.contains("简要案情："), "{all}");
    assert!(all.contains("执法处罚："), "{all}");
    assert!(!all.contains(TIP), "no tip source unless asked for");
    let footer = paragraphs
        .iter()
        .find(|p| p.starts_with("填报单位："))
        .expect("footer");
    assert!(
        footer.contains("填报人：张丽") && footer.contains("联系电话：13594021187"),
        "{footer}"
    );
    assert!(all.contains("工作图片（2张）"), "{all}");
    // The photos, byte for byte, each at the page width with its aspect kept.
    let media: Vec<String> = part_names(&docx)
        .into_iter()
        .filter(|n| n.starts_with("word/media/"))
        .collect();
    assert_eq!(media.len(), 2, "{media:?}");
    for (i, photo) in ["cases/a039-photo1.jpg", "cases/a039-photo2.jpg"]
        .iter()
        .enumerate()
    {
        let bytes = file(photo);
        assert_eq!(
            part_bytes(&docx, &format!("word/media/image{}.jpeg", i + 1)),
            bytes
        );
        let size = image_size(&bytes).unwrap();
        let (cx, cy) = extents[i];
        let page = reportdesk::export::docx::TEXT_W * 635;
        assert!(
            cx == page || cy < cx,
            "scaled to the page width: {cx} of {page}"
        );
        let aspect = |w: f64, h: f64| w / h;
        let kept =
            aspect(cx as f64, cy as f64) - aspect(f64::from(size.width), f64::from(size.height));
        assert!(
            kept.abs() < 0.01,
            "aspect kept: {cx}x{cy} vs {}x{}",
            size.width,
            size.height
        );
    }
    // The project's own reader takes the document as a case form.
    let doc = reportdesk::forms::docx::read_docx(&docx, 100 << 20).unwrap();
    let ctx = reportdesk::forms::case::CaseContext {
        unit_names: None,
        max_chars: 600,
    };
    let form = reportdesk::forms::case::read_case_docx(&doc, &ctx)
        .form
        .unwrap();
    assert!(form.overview.unwrap().contains("简要案情："));
    assert_eq!(form.filled_by.as_deref(), Some("张丽"));
    // With tip sources asked for, the document carries it.
    let with = env.dir.path().join("with");
    export(
        &env,
        &env.dir.path().join("y.xlsx"),
        &["--with-tip-sources", "--cases-dir", with.to_str().unwrap()],
    );
    let docx = std::fs::read(with.join(&names[0])).unwrap();
    assert!(docx_text_and_extents(&docx).0.join("\n").contains(TIP));
}
