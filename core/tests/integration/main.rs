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
