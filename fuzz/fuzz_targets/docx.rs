//! Fuzz target `docx`: see `reportdesk::fuzz_targets::docx`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reportdesk::fuzz_targets::docx(data));
