//! Every JSON scenario in `conformance/scenarios` on SQLite (X4): the same answers as the
//! in-memory store.

use std::path::Path;

use slotwise::testkit::run_scenarios;

use crate::support::fast_store;

#[test]
fn every_conformance_scenario_passes_on_sqlite() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/scenarios");
    match run_scenarios(&dir, fast_store) {
        Ok(ran) => assert!(ran >= 200, "expected at least 200 scenarios, found {ran}"),
        Err(failures) => panic!(
            "{} scenario(s) failed on SQLite:\n{}",
            failures.len(),
            failures.join("\n\n")
        ),
    }
}
