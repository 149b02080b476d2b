//! Every JSON scenario in `conformance/scenarios` on SQLite (X4): the same answers as the
//! in-memory store.

use std::path::Path;

use slotwise::testkit::{load_scenarios, run_scenario};

use crate::support::fast_store;

#[test]
fn every_conformance_scenario_passes_on_sqlite() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/scenarios");
    let scenarios = load_scenarios(&dir);
    assert!(
        scenarios.len() >= 200,
        "found {} scenarios",
        scenarios.len()
    );
    let mut failures = Vec::new();
    for (path, scenario) in &scenarios {
        let name = path.strip_prefix(&dir).unwrap_or(path).display();
        match scenario {
            Err(e) => failures.push(format!("{name}: unreadable: {e}")),
            Ok(s) => {
                if let Err(e) = run_scenario(s, fast_store()) {
                    failures.push(format!("{name}: {e}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed on SQLite:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
