//! Runs every JSON scenario in `conformance/scenarios` on the in-memory store (X4).

use std::path::Path;

use slotwise::testkit::{load_scenarios, run_scenario};
use slotwise::MemoryStore;

#[test]
fn every_conformance_scenario_passes_on_the_memory_store() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/scenarios");
    let scenarios = load_scenarios(&dir);
    assert!(
        scenarios.len() >= 30,
        "expected at least 30 scenarios, found {}",
        scenarios.len()
    );
    let mut failures = Vec::new();
    for (path, scenario) in &scenarios {
        let name = path.strip_prefix(&dir).unwrap_or(path).display();
        match scenario {
            Err(e) => failures.push(format!("{name}: unreadable: {e}")),
            Ok(s) => {
                if let Err(e) = run_scenario(s, MemoryStore::new()) {
                    failures.push(format!("{name}: {e}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
