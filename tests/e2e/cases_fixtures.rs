//! Every case form in tests/fixtures/cases (the acceptance attachments and the generated ones)
//! read and compared with tests/fixtures/cases/expected.json.

use reportdesk::forms::case::{
    CaseContext, CaseForm, CaseReading, read_case_docx, read_case_workbook,
};
use reportdesk::forms::docx::{DocxError, read_docx};
use reportdesk::forms::{FormKind, detect_docx_kind, detect_kind, open_workbook};
use serde_json::Value;

use crate::support::fixtures;

const LIMIT: u64 = 100 << 20;

fn read(name: &str, ctx: &CaseContext) -> Result<CaseReading, String> {
    let bytes = std::fs::read(fixtures().join("cases").join(name)).expect("fixture");
    if name.ends_with(".docx") {
        let doc = read_docx(&bytes, LIMIT).map_err(|e| match e {
            DocxError::OldWordFormat => "old_word".to_string(),
            other => format!("unreadable: {other}"),
        })?;
        if detect_docx_kind(&doc) != Some(FormKind::Case) {
            return Err("not detected as a case form".to_string());
        }
        Ok(read_case_docx(&doc, ctx))
    } else {
        let wb = open_workbook(&bytes, LIMIT).map_err(|e| format!("unreadable: {e}"))?;
        if detect_kind(&wb) != Some(FormKind::Case) {
            return Err(format!("detected as {:?}", detect_kind(&wb)));
        }
        Ok(read_case_workbook(&wb, ctx))
    }
}

fn part<'a>(form: &'a CaseForm, key: &str) -> Option<&'a String> {
    match key {
        "tip_source" => form.tip_source.as_ref(),
        "facts" => form.facts.as_ref(),
        "enforcement" => form.enforcement.as_ref(),
        "reward" => form.reward.as_ref(),
        "overview" => form.overview.as_ref(),
        "remarks" => form.remarks.as_ref(),
        _ => None,
    }
}

fn check_accepted(form: &CaseForm, want: &Value, diffs: &mut Vec<String>) {
    const PARTS: [&str; 6] = [
        "tip_source",
        "facts",
        "enforcement",
        "reward",
        "overview",
        "remarks",
    ];
    let listed: Vec<&str> = want["parts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for key in PARTS {
        if part(form, key).is_some() != listed.contains(&key) {
            diffs.push(format!("part {key}: {:?}", part(form, key)));
        }
    }
    if let Some(yuan) = want["reward_yuan"].as_u64()
        && form.reward_yuan.and_then(|a| a.whole_yuan()) != Some(yuan)
    {
        diffs.push(format!("reward {:?}, expected {yuan}", form.reward_yuan));
    }
    if let Some(count) = want["char_count"].as_u64()
        && form.char_count as u64 != count
    {
        diffs.push(format!("char_count {}, expected {count}", form.char_count));
    }
    let footer = &want["footer"];
    let got = [
        ("unit", form.unit_text.clone()),
        ("filled_by", form.filled_by.clone()),
        ("phone", form.phone.as_ref().map(|p| p.as_str().to_string())),
        ("filled_on", form.filled_on.clone()),
    ];
    for (key, value) in got {
        if value.as_deref() != footer[key].as_str() {
            diffs.push(format!("footer {key}: {value:?}, expected {}", footer[key]));
        }
    }
}

fn check(
    name: &str,
    want: &Value,
    config: &reportdesk::config::Config,
    max_chars: usize,
) -> Vec<String> {
    let unit = config
        .roster
        .by_code(want["unit"].as_str().expect("unit"))
        .expect("unit in roster");
    let names = unit.names();
    let ctx = CaseContext {
        unit_names: Some(&names),
        max_chars,
    };
    let outcome = want["outcome"].as_str().unwrap_or("");
    let reading = match read(name, &ctx) {
        Ok(reading) => reading,
        Err(why) if why == outcome => return Vec::new(),
        Err(why) => return vec![why],
    };
    let mut diffs = Vec::new();
    match (&reading.form, outcome) {
        (Ok(form), "accepted") => check_accepted(form, want, &mut diffs),
        (Err(problems), "rejected") => {
            let errors = want["errors"].as_array().cloned().unwrap_or_default();
            for error in &errors {
                let hit = problems.iter().any(|p| {
                    p.field == error["field"].as_str().unwrap_or("")
                        && p.message.contains(error["contains"].as_str().unwrap_or(""))
                });
                if !hit {
                    diffs.push(format!("missing error {error}; got {problems:?}"));
                }
            }
            if problems.len() != errors.len() {
                diffs.push(format!("problems {problems:?}"));
            }
        }
        (Ok(_), want) => diffs.push(format!("accepted, expected {want}")),
        (Err(problems), want) => diffs.push(format!("rejected ({problems:?}), expected {want}")),
    }
    diffs
}

#[test]
fn every_case_fixture_reads_as_expected() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("cases/expected.json")).expect("expected.json"),
    )
    .expect("expected.json is JSON");
    let config = crate::support::TestEnv::new().config();
    let max_chars = expected["max_chars"].as_u64().expect("max_chars") as usize;
    let files = expected["files"].as_object().expect("files");
    assert!(files.len() >= 9, "the fixture set shrank: {}", files.len());
    let failures: Vec<(String, Vec<String>)> = files
        .iter()
        .map(|(name, want)| (name.clone(), check(name, want, &config, max_chars)))
        .filter(|(_, diffs)| !diffs.is_empty())
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_old_word_document_is_refused_asking_for_docx() {
    let bytes = std::fs::read(fixtures().join("cases/c06-old-word-renamed.docx")).expect("fixture");
    let error = read_docx(&bytes, LIMIT).unwrap_err();
    assert!(
        error.user_message().contains("另存为 .docx"),
        "{}",
        error.user_message()
    );
}
