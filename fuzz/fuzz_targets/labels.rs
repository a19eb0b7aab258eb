//! Fuzz target `labels`: see `reportdesk::fuzz_targets::labels`; panics as `contained.rs` says.
#![no_main]

mod contained;

libfuzzer_sys::fuzz_target!(init: contained::install(), |data: &[u8]| {
    reportdesk::fuzz_targets::labels(data)
});
