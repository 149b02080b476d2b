//! `slotwise._native`: the compiled half of the Python package `slotwise`.
//!
//! It converts and nothing more. A request arrives as a Python dict in the JSON form of
//! [`slotwise::Request`], runs on the core engine with the GIL released, and its result
//! goes back in the JSON form of [`slotwise::Response`]. The pure-Python layer
//! (`python/slotwise/`) turns keyword arguments into those dicts, the dicts into typed
//! records and error codes into exception classes.

mod clock;
mod convert;
mod engine;
mod error;

use pyo3::prelude::*;

/// The module `slotwise._native`.
#[pymodule]
mod _native {
    #[pymodule_export]
    use crate::clock::ManualClock;
    #[pymodule_export]
    use crate::engine::Engine;
    #[pymodule_export]
    use crate::error::EngineError;

    use pyo3::prelude::*;

    /// Panics inside the same guard every engine call runs in: the interpreter must get
    /// an `EngineError` with code `internal`, not a crash. For the binding's own tests.
    #[pyfunction]
    fn _panic_in_guard(py: Python<'_>, message: String) -> PyResult<()> {
        crate::engine::guarded(py, move || -> slotwise::Result<()> { panic!("{message}") })
            .map_err(|e| crate::error::to_py(py, &e))
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
