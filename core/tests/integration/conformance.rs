//! Runs every JSON scenario in `conformance/scenarios` on the in-memory store (X4).

use std::path::Path;

use slotwise::testkit::run_scenarios;
use slotwise::MemoryStore;

#[test]
fn every_conformance_scenario_passes_on_the_memory_store() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/scenarios");
    match run_scenarios(&dir, MemoryStore::new) {
        Ok(ran) => assert!(ran >= 200, "expected at least 200 scenarios, found {ran}"),
        Err(failures) => panic!(
            "{} scenario(s) failed:\n{}",
            failures.len(),
            failures.join("\n\n")
        ),
    }
}
