//! Each attack of issue 11, as a small crafted input, through the same functions intake calls.
//! Before the fixes each of these aborted the test process on a failed allocation, ran for
//! minutes, or reached gigabytes; now each is refused (or read) quickly.

use std::time::{Duration, Instant};

use reportdesk::domain::period::Period;
use reportdesk::forms::docx::{DocxError, read_docx};
use reportdesk::forms::monthly::{ReadContext, read_monthly};
use reportdesk::forms::{WorkbookError, detect_kind, open_workbook};
use reportdesk::mail::{Limits, ProblemKind, parse_message};

use super::craft;

const LIMIT: u64 = 100 * 1024 * 1024;

#[test]
fn a_huge_shared_strings_count_is_refused_before_calamine_reserves_it() {
    for count in [
        "1000000000000",
        "  1000000000000",
        "999999999999999999999999",
    ] {
        let bytes = craft::xlsx_with_unique_count(count);
        assert!(bytes.len() < 10_000);
        assert!(
            matches!(
                open_workbook(&bytes, LIMIT),
                Err(WorkbookError::TooManyCells { .. })
            ),
            "uniqueCount={count}"
        );
    }
    // An honest count still opens.
    assert!(open_workbook(&craft::xlsx_with_unique_count("40"), LIMIT).is_ok());
}

#[test]
fn an_xls_stream_named_in_any_case_is_guarded() {
    for name in ["WORKBOOK", "workbook", "wORKBOOk"] {
        let bytes = craft::xls_renamed_with_huge_dimensions(name);
        assert!(
            matches!(
                open_workbook(&bytes, LIMIT),
                Err(WorkbookError::TooManyCells { .. })
            ),
            "{name}"
        );
    }
}

#[test]
fn ods_repeats_written_as_entities_are_counted() {
    let filled = r#"<table:table-cell table:number-columns-repeated="16000" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>"#;
    let rows = [
        format!(r#"<table:table-row table:number-rows-repeated="&#54;000">{filled}</table:table-row>"#),
        format!(r#"<table:table-row table:number-rows-repeated="&#x31;&#x30;000">{filled}</table:table-row>"#),
        // The attribute's name inside another attribute's value, ahead of the real one.
        format!(
            r#"<table:table-row table:style-name="x table:number-rows-repeated=1" table:number-rows-repeated="6000">{filled}</table:table-row>"#
        ),
        // The same for the columns.
        r#"<table:table-row table:number-rows-repeated="6000"><table:table-cell table:style-name="table:number-columns-repeated='1'" table:number-columns-repeated="16000" office:value-type="float" office:value="1"/></table:table-row>"#.to_string(),
    ];
    for row in rows {
        let bytes = craft::ods_with_row(&row);
        assert!(bytes.len() < 20_000);
        assert!(
            matches!(
                open_workbook(&bytes, LIMIT),
                Err(WorkbookError::TooManyCells { .. } | WorkbookError::TooLarge { .. })
            ),
            "{row}"
        );
    }
}

#[test]
fn an_ods_space_run_of_billions_is_refused() {
    let row = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/>b</text:p></table:table-cell></table:table-row>"#;
    let bytes = craft::ods_with_row(row);
    assert!(matches!(
        open_workbook(&bytes, LIMIT),
        Err(WorkbookError::TooLarge { .. } | WorkbookError::TooManyCells { .. })
    ));
}

#[test]
fn the_real_ods_forms_still_open() {
    for name in [
        "acceptance-forms/004.ods",
        "forms/f01-official-tiaodeng.ods",
        "forms/f06-merged-jiugongmiao.ods",
    ] {
        let workbook = open_workbook(&craft::fixture(name), LIMIT);
        assert!(workbook.is_ok(), "{name}: {workbook:?}");
    }
}

/// Runs `work` and says how long it took.
fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = work();
    (out, start.elapsed())
}

#[test]
fn the_label_splitter_is_linear_in_colons() {
    let table = reportdesk::forms::labels::monthly_labels();
    for text in [
        format!("填报单位：{}", ":".repeat(1_000_000)),
        format!("填报单位：{}", "：".repeat(300_000)),
        format!("填报单位：{}", "a:".repeat(500_000)),
        format!("填报单位：{}", "填报人：".repeat(100_000)),
        // Found by fuzzing: one letter ahead of the run made each candidate span it all.
        format!("填报单位：x{}", ":".repeat(1_000_000)),
        format!("填报单位：x\0{}公开信（封）", "：".repeat(300_000)),
    ] {
        let (matches, took) = timed(|| table.match_cell(&text));
        assert!(!matches.is_empty());
        // Quadratic took 34 s for 100k colons; linear is milliseconds even in a debug build.
        assert!(took < Duration::from_secs(10), "{took:?}");
    }
}

#[test]
fn a_workbook_cell_of_a_million_colons_is_read_quickly() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let text = format!("填报单位：{}", ":".repeat(1_000_000));
    // rust_xlsxwriter refuses strings over 32,767 characters: write many such cells instead.
    for row in 0..31 {
        sheet.write_string(row, 0, &text[..32_000]).expect("cell");
    }
    let bytes = workbook.save_to_buffer().expect("xlsx");
    let (read, took) = timed(|| {
        let workbook = open_workbook(&bytes, LIMIT).expect("opens");
        let ctx = ReadContext {
            open_period: Period::new(2026, 11).expect("period"),
            subject: "",
            unit_names: None,
            plausibility_bound: 100_000,
        };
        (
            detect_kind(&workbook),
            read_monthly(&workbook, &ctx).form.is_err(),
        )
    });
    assert_eq!(read, (None, true));
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn docx_spans_are_counted_before_cells_are_built() {
    let bytes = craft::docx_of_spans(200_000);
    assert!(bytes.len() < 400_000, "{}", bytes.len());
    let (read, took) = timed(|| read_docx(&bytes, LIMIT));
    assert!(
        matches!(read, Err(DocxError::TooManyCells { .. })),
        "{read:?}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
}

/// A mail with the given files attached (base64).
fn mail_with(files: &[(&str, &[u8])]) -> Vec<u8> {
    use base64::Engine;
    let mut raw = b"From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n".to_vec();
    for (name, bytes) in files {
        raw.extend_from_slice(
            format!(
                "--b\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            )
            .as_bytes(),
        );
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        for line in text.as_bytes().chunks(76) {
            raw.extend_from_slice(line);
            raw.extend_from_slice(b"\r\n");
        }
    }
    raw.extend_from_slice(b"--b--\r\n");
    raw
}

#[test]
fn one_uncompressed_budget_covers_every_archive_of_a_message() {
    let filler = vec![b'0'; 400 * 1024];
    let zip = craft::zip_of(&[("a.txt", &filler)]);
    let raw = mail_with(&[("1.zip", &zip), ("2.zip", &zip), ("3.zip", &zip)]);
    let limits = Limits {
        max_uncompressed_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let message = parse_message(&raw, &limits);
    let too_large: Vec<&str> = message
        .problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::TooLarge { .. }))
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(too_large, ["3.zip"], "{:?}", message.problems);
}

#[test]
fn workbooks_share_the_message_budget_with_archives() {
    let template = reportdesk::forms::template::monthly_template().expect("template");
    let inflated: u64 = {
        let mut archive =
            zip::ZipArchive::new(std::io::Cursor::new(template.as_slice())).expect("zip");
        (0..archive.len())
            .map(|i| archive.by_index_raw(i).expect("entry").size())
            .sum()
    };
    let filler = vec![b'0'; usize::try_from(inflated).expect("size")];
    let zip = craft::zip_of(&[("a.txt", &filler)]);
    // The budget is 2.5 times what the zip, and each workbook, inflates to: the second workbook
    // is one too many.
    let raw = mail_with(&[
        ("a.zip", &zip),
        ("1.xlsx", &template),
        ("2.xlsx", &template),
    ]);
    let limits = Limits {
        max_uncompressed_bytes: inflated * 2 + inflated / 2,
        ..Limits::default()
    };
    let message = parse_message(&raw, &limits);
    let too_large: Vec<&str> = message
        .problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::TooLarge { .. }))
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(too_large, ["2.xlsx"], "{:?}", message.problems);
}
