//! The form readers run inside the worker (SPEC §12): a workbook that opens in a moment but
//! takes long to read is cut at `worker_seconds` like any other, with the real binary, and the
//! valid form behind it is recorded in the same pass.

use std::time::{Duration, Instant};

use reportdesk::forms::open_workbook;

use super::craft;
use super::daemon::{Env, mail, outcome_of, valid_form};

#[test]
fn a_workbook_quick_to_open_and_slow_to_read_is_cut_at_the_deadline() {
    // 20,000 cells of a header label and a run of `a:` the label splitter looks through in
    // each: a 40 KB file that opens in a fraction of a second and took 23 s to read in a debug
    // build (about 2 s in release), every part of it linear.
    let xlsx = craft::xlsx_read_heavy(20_000, &format!("填报单位：{}", "a:".repeat(150)));
    assert!(
        open_workbook(&xlsx, 100 << 20).is_ok(),
        "the opener takes it"
    );

    let env = Env::new(3);
    env.deliver("1.slow", &mail("11月报表", "slow", &xlsx));
    env.deliver("2.valid", &valid_form());
    let start = Instant::now();
    let (reports, log) = env.once_logged();
    let took = start.elapsed();
    assert_eq!(outcome_of(&reports, "slow"), "rejected", "{reports:?}");
    let errors = reports
        .iter()
        .find(|r| r["outcome"] == "rejected")
        .map(|r| r["errors"].to_string())
        .unwrap_or_default();
    assert!(
        errors.contains("report.xlsx") && errors.contains("无法读取"),
        "{errors}"
    );
    // Cut while reading its forms, not while opening it: the readers are under the deadline.
    assert!(
        log.contains("while reading its forms: still at it after 3 s"),
        "{log}"
    );
    assert_eq!(outcome_of(&reports, "valid"), "accepted", "{reports:?}");
    // Three seconds of reading, then the valid form: generous for a loaded machine.
    assert!(took < Duration::from_secs(40), "{took:?}");
}
