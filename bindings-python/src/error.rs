//! Engine errors cross into Python as their public exception classes
//! (`slotwise._errors`, registered through `_bind`), carrying the stable code, the
//! message and the details in their JSON form.

use pyo3::prelude::*;

use crate::to_python::to_python;

pyo3::create_exception!(
    _native,
    EngineError,
    pyo3::exceptions::PyException,
    "An engine error: args are (code, message, details), in their JSON form."
);

/// The Python exception for an engine error: its public class (`ConflictError`, …)
/// once `slotwise` has loaded, `EngineError` before.
pub(crate) fn to_py(py: Python<'_>, error: &slotwise::Error) -> PyErr {
    let details = match to_python(py, error.details()) {
        Ok(details) => details,
        Err(e) => return e,
    };
    let code = error.code().as_str();
    match crate::bind::public_error(py, code, error.message(), details.clone()) {
        Some(public) => public,
        None => EngineError::new_err((code, error.message().to_owned(), details.unbind())),
    }
}
