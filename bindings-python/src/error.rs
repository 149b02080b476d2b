//! Engine errors cross into Python as one exception type carrying the stable code, the
//! message and the details in their JSON form; `slotwise._errors` maps the code to the
//! public exception class.

use pyo3::prelude::*;

use crate::convert::json_to_py;

pyo3::create_exception!(
    _native,
    EngineError,
    pyo3::exceptions::PyException,
    "An engine error: args are (code, message, details), in their JSON form."
);

/// The Python exception for an engine error.
pub(crate) fn to_py(py: Python<'_>, error: &slotwise::Error) -> PyErr {
    let json = error.to_json();
    match json_to_py(py, &json["details"]) {
        Ok(details) => EngineError::new_err((
            error.code().as_str(),
            error.message().to_owned(),
            details.unbind(),
        )),
        Err(e) => e,
    }
}
