//! Every workbook in tests/fixtures/forms (written by openpyxl, saved again by LibreOffice as
//! .xls and .ods) read as a monthly form and compared with tests/fixtures/forms/expected.json.

use reportdesk::domain::period::Period;
use reportdesk::forms::monthly::{ReadContext, read_monthly};
use reportdesk::forms::{FormKind, detect_kind, open_workbook};
use serde_json::Value;

use crate::support::{at, fixtures};

fn check(
    name: &str,
    expected: &Value,
    config: &reportdesk::config::Config,
    received: &str,
) -> Vec<String> {
    let mut diffs = Vec::new();
    let bytes = std::fs::read(fixtures().join("forms").join(name)).expect("fixture");
    let open_period = Period::open_at(config.office.zone.date_of(at(received)));
    let unit = config
        .roster
        .by_code(expected["unit"].as_str().expect("unit"))
        .expect("unit in roster");
    let names = unit.names();
    let mut outcomes = vec![expected["outcome"].as_str().unwrap_or("").to_string()];
    outcomes.extend(
        expected["outcome_alt"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from)),
    );
    let workbook = match open_workbook(&bytes, 100 << 20) {
        Ok(workbook) => workbook,
        Err(error) => {
            if !outcomes.iter().any(|o| o == "damaged") {
                diffs.push(format!("unreadable: {error}"));
            }
            return diffs;
        }
    };
    match detect_kind(&workbook) {
        Some(FormKind::Monthly) => {}
        other => {
            if !outcomes.iter().any(|o| o == "not_a_form") {
                diffs.push(format!("detected as {other:?}"));
            }
            return diffs;
        }
    }
    let ctx = ReadContext {
        open_period,
        subject: "",
        unit_names: Some(&names),
        plausibility_bound: 100_000,
    };
    let reading = read_monthly(&workbook, &ctx);
    match (&reading.form, outcomes[0].as_str()) {
        (Ok(form), "accepted") => {
            let got = serde_json::to_value(form.values).expect("values as JSON");
            if got != expected["values"] {
                diffs.push(format!("values {got}, expected {}", expected["values"]));
            }
            if form.period.to_string() != expected["period"].as_str().unwrap_or("") {
                diffs.push(format!(
                    "period {}, expected {}",
                    form.period, expected["period"]
                ));
            }
        }
        (Err(problems), "rejected") => {
            for want in expected["errors"].as_array().into_iter().flatten() {
                let hit = problems.iter().any(|p| {
                    p.field == want["field"].as_str().unwrap_or("")
                        && p.cell.as_deref() == want["cell"].as_str()
                        && want["found"].as_str().is_none_or(|f| p.message.contains(f))
                });
                if !hit {
                    diffs.push(format!("missing error {want}; got {problems:?}"));
                }
            }
            let allowed_extra = expected["extra_errors_allowed"].as_bool().unwrap_or(false);
            let listed = expected["errors"].as_array().map_or(0, Vec::len);
            if !allowed_extra && problems.len() > listed {
                diffs.push(format!("extra errors: {problems:?}"));
            }
        }
        (Ok(_), want) => diffs.push(format!("accepted, expected {want}")),
        (Err(problems), want) => diffs.push(format!("rejected ({problems:?}), expected {want}")),
    }
    diffs
}

#[test]
fn every_fixture_workbook_reads_as_expected() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("forms/expected.json")).expect("expected.json"),
    )
    .expect("expected.json is JSON");
    let config = crate::support::TestEnv::new().config();
    let default_received = expected["received"].as_str().expect("received").to_string();
    let files = expected["files"].as_object().expect("files");
    assert!(files.len() >= 30, "the fixture set shrank: {}", files.len());
    let mut failures = Vec::new();
    for (name, want) in files {
        let received = want["received"].as_str().unwrap_or(&default_received);
        let diffs = check(name, want, &config, received);
        if !diffs.is_empty() {
            failures.push((name.clone(), diffs));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
