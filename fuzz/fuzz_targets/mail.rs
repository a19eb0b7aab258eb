//! Fuzz target `mail`: see `reportdesk::fuzz_targets::mail`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reportdesk::fuzz_targets::mail(data));
