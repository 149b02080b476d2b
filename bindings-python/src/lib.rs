//! `slotwise._native`: the compiled half of the Python package `slotwise`.
//!
//! It converts and nothing more. A request arrives as a Python dict in the JSON form of
//! [`slotwise::Request`], runs on the core engine with the GIL released, and its result
//! goes back in the JSON form of [`slotwise::Response`]. `book` and `hold`, the hot
//! path, take their arguments directly and answer with the `Booking` record. The
//! pure-Python layer (`python/slotwise/`) subclasses this module's `Engine`, turns
//! keyword arguments into request dicts and results into typed records, and registers
//! the exception classes errors are raised as (`_bind`).

mod bind;
mod clock;
mod convert;
mod engine;
mod error;
mod lazy;
mod to_python;

use pyo3::prelude::*;

/// The module `slotwise._native`.
#[pymodule]
mod _native {
    #[pymodule_export]
    use crate::bind::_bind;
    #[pymodule_export]
    use crate::clock::ManualClock;
    #[pymodule_export]
    use crate::engine::Engine;
    #[pymodule_export]
    use crate::error::EngineError;
    #[pymodule_export]
    use crate::lazy::LazyResult;

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
