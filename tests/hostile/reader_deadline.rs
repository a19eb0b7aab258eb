//! The form readers run inside the worker (SPEC §12): a file that opens in a moment but never
//! finishes being read is cut at `worker_seconds` like any other, with the real binary, and the
//! valid form behind it is recorded in the same pass.

use std::time::{Duration, Instant};

use reportdesk::forms::open_workbook;

use super::craft;
use super::daemon::{Env, mail, outcome_of, poison, valid_form};

#[test]
fn a_file_that_hangs_while_its_forms_are_read_is_cut_at_the_deadline() {
    // The worker's test fault hangs after the workbook is opened, while its forms are read: a
    // stand-in for any reader that is slow on a crafted file, which the form readers were until
    // they got fast (the workbook below).
    let env = Env::new(3);
    env.deliver("1.slow", &poison("slow-read"));
    env.deliver("2.valid", &valid_form());
    let start = Instant::now();
    let (reports, log) = env.once_logged();
    let took = start.elapsed();
    assert_eq!(outcome_of(&reports, "slow-read"), "rejected", "{reports:?}");
    let errors = reports
        .iter()
        .find(|r| r["outcome"] == "rejected")
        .map(|r| r["errors"].to_string())
        .unwrap_or_default();
    assert!(
        errors.contains("f01-official-tiaodeng.xlsx") || errors.contains("report.xlsx"),
        "{errors}"
    );
    assert!(errors.contains("无法读取"), "{errors}");
    // Cut while reading its forms, not while opening it: the readers are under the deadline.
    assert!(
        log.contains("while reading its forms: still at it after 3 s"),
        "{log}"
    );
    assert_eq!(outcome_of(&reports, "valid"), "accepted", "{reports:?}");
    // Three seconds of reading, then the valid form: generous for a loaded machine.
    assert!(took < Duration::from_secs(40), "{took:?}");
}

#[test]
fn a_workbook_built_to_be_slow_to_read_is_answered_and_the_next_form_recorded() {
    // 20,000 cells of a header label and a run of `a:` the label splitter looks through in
    // each: a 40 KB file that took 23 s to read in a debug build before the label lookups were
    // made linear. Whether it is read in time or cut, it is answered and blocks nothing.
    let xlsx = craft::xlsx_read_heavy(20_000, &format!("填报单位：{}", "a:".repeat(150)));
    assert!(
        open_workbook(&xlsx, 100 << 20).is_ok(),
        "the opener takes it"
    );
    let env = Env::new(3);
    env.deliver("1.heavy", &mail("11月报表", "heavy", &xlsx));
    env.deliver("2.valid", &valid_form());
    let (reports, _log) = env.once_logged();
    assert_eq!(outcome_of(&reports, "heavy"), "rejected", "{reports:?}");
    assert_eq!(outcome_of(&reports, "valid"), "accepted", "{reports:?}");
}
