//! Every input a fuzz target once failed on, minimised and saved under
//! `tests/fixtures/fuzz-regressions/<target>/`, replayed through the same entry point the fuzzer
//! ran (`reportdesk::fuzz_targets`), so CI replays the whole saved corpus without a fuzzing
//! engine. Each must return, within a few seconds.

use std::path::PathBuf;
use std::time::{Duration, Instant};

#[test]
fn every_saved_crasher_is_replayed() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let mut replayed = 0;
    for (target, run) in reportdesk::fuzz_targets::TARGETS {
        let folder = root.join(target);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("saved input");
            let start = Instant::now();
            run(&bytes);
            let took = start.elapsed();
            assert!(
                took < Duration::from_secs(30),
                "{}: {took:?}",
                path.display()
            );
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no saved input under {}", root.display());
}
