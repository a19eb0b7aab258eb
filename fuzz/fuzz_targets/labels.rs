//! Fuzz target `labels`: see `reportdesk::fuzz_targets::labels`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reportdesk::fuzz_targets::labels(data));
