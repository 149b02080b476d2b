//! Test helpers shared by every store and binding (feature `testkit`): the JSON scenario
//! runner (X4) and the store conformance suite (S1, S2).

mod json_match;
mod scenario;
mod store_suite;

pub use json_match::json_contains;
pub use scenario::{load_scenarios, run_scenario, run_scenarios, Expect, Scenario, Step};
pub use store_suite::store_conformance_suite;
