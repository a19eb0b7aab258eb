//! Fuzz target `workbook`: see `reportdesk::fuzz_targets::workbook`; panics as `contained.rs` says.
#![no_main]

mod contained;

libfuzzer_sys::fuzz_target!(init: contained::install(), |data: &[u8]| {
    reportdesk::fuzz_targets::workbook(data)
});
