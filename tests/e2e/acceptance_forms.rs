//! The spreadsheets attached to the acceptance emails (extracted into tests/fixtures/acceptance-forms by
//! `tests/fixtures/acceptance-forms/extract.py`) read as expected.jsonl says.

use std::path::PathBuf;

use chrono::DateTime;
use reportdesk::domain::{Field, Period};
use reportdesk::forms::monthly::{MonthlyReading, ReadContext, read_monthly};
use reportdesk::forms::{FormKind, WorkbookError, detect_kind, open_workbook};
use serde_json::Value;

const LIMIT: u64 = 20 * 1024 * 1024;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/acceptance-forms")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn expectation(prefix: &str) -> Value {
    let text = String::from_utf8(fixture("expected.jsonl")).unwrap();
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .find(|v| v["file"].as_str().unwrap().starts_with(prefix))
        .unwrap()
}

/// The name and aliases of the unit `code` in the roster.
fn unit_names(code: &str) -> Vec<String> {
    let roster: toml::Value =
        toml::from_str(&String::from_utf8(fixture("units.toml")).unwrap()).unwrap();
    let unit = roster["unit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"].as_str() == Some(code))
        .unwrap();
    let mut names = vec![unit["name"].as_str().unwrap().to_string()];
    for alias in unit["aliases"].as_array().unwrap() {
        names.push(alias.as_str().unwrap().to_string());
    }
    names
}

fn read_fixture(prefix: &str, file: &str) -> (MonthlyReading, Value) {
    let expected = expectation(prefix);
    let now = DateTime::parse_from_rfc3339(expected["now"].as_str().unwrap()).unwrap();
    let wb = open_workbook(&fixture(file), LIMIT).unwrap();
    assert_eq!(detect_kind(&wb), Some(FormKind::Monthly), "{file}");
    let names = unit_names(expected["unit"].as_str().unwrap());
    let ctx = ReadContext {
        open_period: Period::open_at(now.date_naive()),
        subject: "",
        unit_names: Some(&names),
        plausibility_bound: ReadContext::DEFAULT_PLAUSIBILITY_BOUND,
    };
    (read_monthly(&wb, &ctx), expected)
}

fn check_accepted(prefix: &str, file: &str) {
    let (reading, expected) = read_fixture(prefix, file);
    let form = match reading.form {
        Ok(form) => form,
        Err(problems) => panic!("{file}: {problems:#?}"),
    };
    assert_eq!(
        form.period.to_string(),
        expected["period"].as_str().unwrap(),
        "{file}"
    );
    for field in Field::ALL {
        assert_eq!(
            form.values.get(field),
            expected["values"][field.key()].as_u64().unwrap(),
            "{file} {}",
            field.key()
        );
    }
}

#[test]
fn official_xlsx_001() {
    check_accepted("001", "001.xlsx");
}

#[test]
fn vertical_xlsx_with_numeric_phone_002() {
    check_accepted("002", "002.xlsx");
    let (reading, _) = read_fixture("002", "002.xlsx");
    let phone = reading.form.unwrap().phone.unwrap();
    assert_eq!(phone.as_str(), "13983215678");
}

#[test]
fn libreoffice_xls_003() {
    check_accepted("003", "003.xls");
}

#[test]
fn ods_004() {
    check_accepted("004", "004.ods");
    let (reading, _) = read_fixture("004", "004.ods");
    assert_eq!(
        reading.form.unwrap().filled_on.as_deref(),
        Some("2026-10-15")
    );
}

#[test]
fn more_official_forms() {
    for (prefix, file) in [
        ("006", "006.xlsx"),
        ("014", "014.xlsx"),
        ("019", "019.xlsx"),
        ("021", "021.xlsx"),
        ("023", "023.xlsx"),
        ("031", "031.xls"),
    ] {
        check_accepted(prefix, file);
    }
}

#[test]
fn text_values_008() {
    check_accepted("008", "008.xlsx");
}

#[test]
fn zero_markers_and_floats_009() {
    check_accepted("009", "009.xlsx");
    let (reading, _) = read_fixture("009", "009.xlsx");
    // The four zero markers of 009.xlsx, read from its sheet XML: 无 in C6, / in F6, — in H6,
    // - in J6 (the value row under the labels of row 5).
    let noted: Vec<(&str, Option<&str>)> = reading
        .warnings
        .iter()
        .map(|w| (w.field.key(), w.cell.as_deref()))
        .collect();
    assert_eq!(
        noted,
        [
            ("plaza_screens", Some("Sheet1!C6")),
            ("slogans_posters", Some("Sheet1!F6")),
            ("board_icons", Some("Sheet1!H6")),
            ("informants", Some("Sheet1!J6")),
        ],
        "{:#?}",
        reading.warnings
    );
    for (warning, marker) in reading.warnings.iter().zip(["无", "/", "—", "-"]) {
        assert!(
            warning.message.contains(marker),
            "the warning quotes {marker:?}: {warning:?}"
        );
    }
}

#[test]
fn no_period_anywhere_uses_the_open_period_014() {
    let (reading, _) = read_fixture("014", "014.xlsx");
    let form = reading.form.unwrap();
    assert_eq!(
        form.period_source,
        reportdesk::forms::monthly::PeriodSource::OpenAtReceipt
    );
}

fn check_rejected(prefix: &str, file: &str, field: &str, quoted: &str) {
    let (reading, expected) = read_fixture(prefix, file);
    let problems = reading.form.unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = &problems[0];
    assert_eq!(problem.field, field);
    let cell = expected["error_cells"][0].as_str().unwrap();
    assert_eq!(problem.cell.as_deref(), Some(cell));
    assert!(problem.message.contains(quoted), "{}", problem.message);
}

#[test]
fn blank_cell_020() {
    check_rejected(
        "020",
        "020.xlsx",
        "enterprise_trainings",
        "请填写，没有请填0",
    );
}

#[test]
fn chinese_numeral_in_xls_025() {
    check_rejected("025", "025.xls", "media_reports", "三次");
}

#[test]
fn zip_bomb_048_is_refused_before_inflating() {
    assert_eq!(
        open_workbook(&fixture("048.xlsx"), LIMIT),
        Err(WorkbookError::TooLarge { limit: LIMIT })
    );
}

#[test]
fn truncated_049_is_damaged() {
    let error = open_workbook(&fixture("049.xlsx"), LIMIT).unwrap_err();
    assert!(matches!(error, WorkbookError::Damaged(_)), "{error:?}");
    assert!(error.user_message().contains("损坏"));
}

/// A file cut short anywhere either is refused as damaged (or, too short to tell, as not a
/// spreadsheet) with a message for the sender, or, when only slack was cut (an .xls's unused
/// trailing sectors), still reads as exactly the expected form: never wrong numbers.
#[test]
fn every_prefix_of_a_real_file_fails_cleanly() {
    for (prefix, file) in [("001", "001.xlsx"), ("003", "003.xls"), ("004", "004.ods")] {
        let bytes = fixture(file);
        let expected = expectation(prefix);
        for len in (0..bytes.len()).step_by(97) {
            match open_workbook(&bytes[..len], LIMIT) {
                Err(error @ (WorkbookError::Damaged(_) | WorkbookError::NotASpreadsheet)) => {
                    assert!(!error.user_message().is_empty(), "{file}[..{len}]");
                }
                Err(other) => panic!("{file}[..{len}]: refused for the wrong reason: {other:?}"),
                Ok(wb) => {
                    let names = unit_names(expected["unit"].as_str().unwrap());
                    let now =
                        DateTime::parse_from_rfc3339(expected["now"].as_str().unwrap()).unwrap();
                    let ctx = ReadContext {
                        open_period: Period::open_at(now.date_naive()),
                        subject: "",
                        unit_names: Some(&names),
                        plausibility_bound: ReadContext::DEFAULT_PLAUSIBILITY_BOUND,
                    };
                    let form = read_monthly(&wb, &ctx).form.unwrap_or_else(|problems| {
                        panic!("{file}[..{len}] opened but reads as {problems:#?}")
                    });
                    for field in Field::ALL {
                        assert_eq!(
                            form.values.get(field),
                            expected["values"][field.key()].as_u64().unwrap(),
                            "{file}[..{len}] opened with a wrong {}",
                            field.key()
                        );
                    }
                }
            }
        }
        assert!(open_workbook(&bytes, LIMIT).is_ok(), "{file} whole");
    }
}

/// Corrupted copies of real files never panic or abort the reader (calamine's own panics are
/// caught and reported as damage). `CORRUPT_ROUNDS=40000` runs a longer campaign.
#[test]
fn corrupted_files_never_panic() {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let rounds: usize = std::env::var("CORRUPT_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    for file in ["001.xlsx", "002.xlsx", "003.xls", "004.ods", "025.xls"] {
        let original = fixture(file);
        for _ in 0..rounds {
            let mut bytes = original.clone();
            for _ in 0..1 + next() % 8 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            if let Ok(wb) = open_workbook(&bytes, LIMIT) {
                let _ = detect_kind(&wb);
                let ctx = ReadContext {
                    open_period: Period::new(2026, 11).unwrap(),
                    subject: "",
                    unit_names: None,
                    plausibility_bound: 100_000,
                };
                let _ = read_monthly(&wb, &ctx);
            }
        }
    }
}
