//! calamine 0.38 takes the CONTINUE records after a BIFF record from the front of a list one at a
//! time (`Vec::remove(0)`): quadratic in a run's length. The guard before calamine bounds the
//! runs; a crafted `.xls` of an empty shared-string table and a long run of empty CONTINUE
//! records is refused at once instead of keeping the reader busy.

use std::io::Cursor;
use std::time::{Duration, Instant};

use calamine::{Reader, Xls};
use reportdesk::forms::{WorkbookError, open_workbook};

use super::craft;

const LIMIT: u64 = 100 * 1024 * 1024;

/// calamine's own time on a run of `n` (past the guard), printed for the record.
fn calamine_time(n: usize) -> Duration {
    let bytes = craft::xls_with_continue_run(n);
    let start = Instant::now();
    let book = Xls::new(Cursor::new(bytes)).expect("calamine reads the crafted file");
    let took = start.elapsed();
    assert!(book.sheet_names().is_empty());
    eprintln!("calamine, a run of {n} CONTINUE records: {took:?}");
    took
}

#[test]
fn the_crafted_file_is_a_workbook_calamine_reads() {
    // Valid for calamine: what makes it costly is only the run (quadratic: each doubling about
    // four times the time; see README).
    for n in [8_000, 16_000, 32_000] {
        calamine_time(n);
    }
}

#[test]
fn a_long_run_of_continue_records_is_refused_before_calamine() {
    // 800 KB: calamine would make 2 × 10¹⁰ moves of it.
    let bytes = craft::xls_with_continue_run(200_000);
    let start = Instant::now();
    let opened = open_workbook(&bytes, LIMIT);
    let took = start.elapsed();
    assert!(
        matches!(&opened, Err(WorkbookError::Damaged(why)) if why.contains("CONTINUE")),
        "{opened:?}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    // A run as long as a real 8 MB string table passes the guard.
    let at_bound = open_workbook(&craft::xls_with_continue_run(1024), LIMIT);
    assert!(
        !matches!(&at_bound, Err(WorkbookError::Damaged(why)) if why.contains("CONTINUE")),
        "{at_bound:?}"
    );
}
