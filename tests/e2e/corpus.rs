//! The mail corpora, message by message in receipt order on one data dir, each compared with its
//! expected outcome: the project's own (tests/fixtures/mail, made by LibreOffice, openpyxl and
//! Python's email package) and the acceptance samples beside the checkout.

use std::path::Path;

use serde_json::Value;

use crate::support::{TestEnv, ingest};

/// Compares one ingest line with its expectation; returns what differs.
fn compare(expected: &Value, got: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    let forms = got["forms"].as_array().cloned().unwrap_or_default();
    let first = forms.first().cloned().unwrap_or(Value::Null);
    let top = |key: &str| {
        let value = &got[key];
        if value.is_null() {
            first[key].clone()
        } else {
            value.clone()
        }
    };
    let outcome = got["outcome"].as_str().unwrap_or("");
    let mut allowed = vec![expected["outcome"].as_str().unwrap_or("").to_string()];
    for alt in expected["outcome_alt"].as_array().into_iter().flatten() {
        allowed.push(alt.as_str().unwrap_or("").to_string());
    }
    if !allowed.iter().any(|a| a == outcome) {
        diffs.push(format!("outcome {outcome:?}, expected {allowed:?}"));
    }
    if expected["outcome"] == "accepted" || expected["outcome"] == outcome {
        for key in ["kind", "unit", "period", "version", "late"] {
            let want = &expected[key];
            if !want.is_null() && top(key) != *want {
                diffs.push(format!("{key} {}, expected {want}", top(key)));
            }
        }
    }
    if let Some(values) = expected["values"].as_object() {
        for (key, want) in values {
            if top("values")[key] != *want {
                diffs.push(format!("{key} = {}, expected {want}", top("values")[key]));
            }
        }
    }
    let errors = crate::support::all_errors(got);
    let matches = |token: &str| {
        let token = token.to_lowercase();
        errors.iter().any(|e| {
            e["field"]
                .as_str()
                .is_some_and(|f| f.to_lowercase() == token)
                || e["message"]
                    .as_str()
                    .is_some_and(|m| m.to_lowercase().contains(&token))
                || e["cell"]
                    .as_str()
                    .is_some_and(|c| c.replace('$', "") == token)
        })
    };
    for token in expected["error_fields"].as_array().into_iter().flatten() {
        let alternatives: Vec<&str> = match token {
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            other => other.as_str().into_iter().collect(),
        };
        if !alternatives.iter().any(|a| matches(a)) {
            diffs.push(format!("no error about {alternatives:?}"));
        }
    }
    for cell in expected["error_cells"].as_array().into_iter().flatten() {
        let cell = cell.as_str().unwrap_or("");
        if !errors
            .iter()
            .any(|e| e["cell"].as_str().map(|c| c.replace('$', "")) == Some(cell.to_string()))
        {
            diffs.push(format!("no error at {cell}"));
        }
    }
    if let Some(any) = expected["warning_any"].as_array() {
        let warnings = crate::support::all_warnings(got);
        if !any
            .iter()
            .filter_map(Value::as_str)
            .any(|s| warnings.iter().any(|w| w.contains(s)))
        {
            diffs.push(format!("no warning mentioning {any:?}"));
        }
    }
    let has_reply = got["reply"].is_object();
    match (expected["reply"].as_bool().unwrap_or(false), has_reply) {
        (true, false) => diffs.push("no reply, expected one".into()),
        (false, true) => diffs.push(format!("reply {}, expected none", got["reply"])),
        (true, true) => {
            let from = expected["from"].as_str().unwrap_or("").to_lowercase();
            if got["reply"]["to"].as_str().unwrap_or("").to_lowercase() != from {
                diffs.push(format!("reply to {}, expected {from}", got["reply"]["to"]));
            }
        }
        (false, false) => {}
    }
    diffs
}

/// Runs a corpus; returns the files that differ from their expectation, with the differences.
async fn run_corpus(folder: &Path, roster: &Path, office: &str) -> Vec<(String, Vec<String>)> {
    let env = TestEnv::with_roster(roster, office);
    let expected = std::fs::read_to_string(folder.join("expected.jsonl")).expect("expected.jsonl");
    let mut failures = Vec::new();
    let mut app = None;
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let expectation: Value = serde_json::from_str(line).expect("expectation");
        let file = expectation["file"].as_str().expect("file");
        let now = expectation["now"].as_str().expect("now");
        if app.is_none() {
            app = Some(env.app(now).await);
        }
        let raw = std::fs::read(folder.join(file)).expect("corpus message");
        let got = ingest(app.as_ref().expect("app"), &raw, file, now).await;
        let diffs = compare(&expectation, &got);
        if !diffs.is_empty() {
            failures.push((file.to_string(), diffs));
        }
    }
    failures
}

#[tokio::test]
async fn the_projects_own_corpus_gets_every_expected_outcome() {
    let folder = crate::support::fixtures().join("mail");
    let roster = crate::support::project().join("config/units.toml");
    let failures = run_corpus(&folder, &roster, crate::support::DEFAULT_OFFICE).await;
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn the_acceptance_samples_get_their_expected_outcome() {
    let folder = crate::support::acceptance().join("out");
    assert!(
        folder.join("expected.jsonl").exists(),
        "the acceptance corpus is expected at {}",
        folder.display()
    );
    let failures = run_corpus(&folder, &folder.join("units.toml"), "17455352@qq.example").await;
    assert!(failures.is_empty(), "{failures:#?}");
}
