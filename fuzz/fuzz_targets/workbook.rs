//! Fuzz target `workbook`: see `reportdesk::fuzz_targets::workbook`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reportdesk::fuzz_targets::workbook(data));
