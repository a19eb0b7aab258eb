//! Every input a fuzz target once failed on, minimised and saved under
//! `tests/fixtures/fuzz-regressions/<target>/`, replayed through the same entry point the fuzzer
//! ran (`reportdesk::fuzz_targets`), so CI replays the whole saved corpus without a fuzzing
//! engine. Each must return, within a few seconds.

use std::path::PathBuf;
use std::time::{Duration, Instant};

#[test]
fn every_saved_crasher_is_replayed() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let mut replayed = 0;
    for (target, run) in reportdesk::fuzz_targets::TARGETS {
        let folder = root.join(target);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("saved input");
            let start = Instant::now();
            run(&bytes);
            let took = start.elapsed();
            assert!(
                took < Duration::from_secs(30),
                "{}: {took:?}",
                path.display()
            );
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no saved input under {}", root.display());
}

fn saved(relative: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz-regressions")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Found by the `workbook` target: an .xls whose shared-string table (SST) ends inside a string's
/// header, where calamine 0.38 reads the run count with no length check and panics (`utils.rs:48`,
/// index out of range). `open_workbook` runs calamine under `catch_unwind`: the file is refused
/// as damaged, the process goes on.
#[test]
fn an_xls_string_table_cut_inside_a_string_header_is_refused_as_damaged() {
    use reportdesk::forms::{WorkbookError, open_workbook};
    let bytes = saved("workbook/fuzz-xls-sst-string-cut-inside-its-header.xls");
    let read = open_workbook(&bytes, 16 << 20);
    assert!(matches!(read, Err(WorkbookError::Damaged(_))), "{read:?}");
}

/// Found by the `mail` target: a multipart whose forwarded message holds only another forwarded
/// message's header. mail-parser 0.11.9 reaches `debug_assert!(false, "Invalid part ID…")`
/// (`message.rs:485`): a panic where debug assertions are on (this test, the fuzzer), nothing in
/// a release build. Either way the message is read: with the assertion, the parser's panic is
/// contained and the message kept as headers with a damaged attachment noted.
#[test]
fn a_forwarded_message_of_only_a_header_is_read_or_contained() {
    use reportdesk::mail::{Limits, ProblemKind, parse_message};
    let raw = saved("mail/fuzz-nested-rfc822-without-body-trips-mail-parser-debug-assert.eml");
    let message = parse_message(&raw, &Limits::default());
    assert!(message.attachments.is_empty(), "{message:?}");
    if cfg!(debug_assertions) {
        assert!(
            message
                .problems
                .iter()
                .any(|p| matches!(p.kind, ProblemKind::Damaged)),
            "{message:?}"
        );
    }
}
