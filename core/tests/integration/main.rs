//! The core's integration tests, in one test binary: every flow through the typed API,
//! the conformance scenarios, the store conformance suite and the model-based property
//! test.

mod availability;
mod availability_model;
mod conformance;
mod flows;
mod ics_export;
mod model;
mod recurrence_model;
mod store_memory;

/// The store the model-based test drives (`slotwise-sqlite` mounts the same test on its
/// own store).
type ModelStore = slotwise::MemoryStore;

/// A fresh store for one model-based test case.
fn model_store() -> ModelStore {
    ModelStore::new()
}

/// Command sequences the model-based test runs unless `PROPTEST_CASES` says otherwise.
const MODEL_CASES: u32 = 2_000;
