//! `slotwise-sqlite`'s tests, in one test binary: the core's store conformance suite, every
//! conformance scenario and the core's model-based test, all on SQLite files; then what
//! only a durable store can be asked (reopening, bad files, several processes, crashes,
//! retry storms, group commit).

mod child;
mod support;

mod concurrency;
mod conformance;
mod crash;
mod durable;
#[path = "../../../core/tests/integration/model/mod.rs"]
mod model;
mod processes;
mod store_suite;

/// The store the core's model-based test drives here: a fresh SQLite file, without
/// fsync (durability is tested elsewhere; the model checks semantics).
type ModelStore = slotwise_sqlite::SqliteStore;

/// A fresh SQLite store for one model-based test case.
fn model_store() -> ModelStore {
    support::fast_store()
}

/// Command sequences the model-based test runs on SQLite unless `PROPTEST_CASES` says
/// otherwise (each case opens a file and runs 10–40 commands).
const MODEL_CASES: u32 = 150;
