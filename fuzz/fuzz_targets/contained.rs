//! The panic policy of every target. reportdesk contains panics of the parsers it runs on outside
//! bytes: `forms::open_workbook` runs calamine under `catch_unwind` and reports the file as
//! damaged, `mail::parse` does the same around mail-parser (a panic there leaves the headers
//! only). A panic raised inside such a dependency is therefore logged here, once per place, and
//! the run goes on; any other panic, one in reportdesk's own code, still aborts and is a finding,
//! and so does a dependency's panic that escapes reportdesk's `catch_unwind` (it cannot unwind
//! out of the fuzzer's `extern "C"` entry point: the process aborts). With
//! `REPORTDESK_FUZZ_ALL_PANICS=1` every panic aborts, as without this hook (to minimise an input
//! that panics in a dependency with `cargo fuzz tmin`).

use std::collections::HashSet;
use std::sync::Mutex;

static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// Installs the policy over libFuzzer's abort-on-any-panic hook; run once from `init:`.
pub fn install() {
    if std::env::var("REPORTDESK_FUZZ_ALL_PANICS").is_ok_and(|v| v == "1") {
        return;
    }
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let Some(place) = info.location() else {
            return abort(info);
        };
        if !place.file().contains("/.cargo/registry/") {
            return abort(info);
        }
        let place = format!("{}:{}", place.file(), place.line());
        let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
        if seen.get_or_insert_with(HashSet::new).insert(place.clone()) {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("panic in a dependency at {place}: {message} (contained unless the process aborts next)");
        }
    }));
}
