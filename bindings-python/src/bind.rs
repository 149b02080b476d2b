//! What the pure-Python layer hands the native module when it loads: the function that
//! turns an error into its public exception class, and the one that wraps a booking's
//! JSON form in the `Booking` record. With them, `book` and `hold` answer in public
//! types without a Python frame in between.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::lazy::LazyResult;

static ERROR_CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static WRAP_BOOKING: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Registers `error_class(code, message, details) -> exception` and
/// `wrap_booking(json) -> Booking`. Called once by `slotwise` as it loads; later calls
/// change nothing.
#[pyfunction]
pub(crate) fn _bind(py: Python<'_>, error_class: Py<PyAny>, wrap_booking: Py<PyAny>) {
    let _ = ERROR_CLASS.set(py, error_class);
    let _ = WRAP_BOOKING.set(py, wrap_booking);
}

/// The public exception for an error, or None before `_bind`.
pub(crate) fn public_error(
    py: Python<'_>,
    code: &str,
    message: &str,
    details: Bound<'_, PyAny>,
) -> Option<PyErr> {
    let make = ERROR_CLASS.get(py)?;
    Some(match make.call1(py, (code, message, details)) {
        Ok(exception) => PyErr::from_value(exception.into_bound(py)),
        Err(e) => e,
    })
}

/// A booking result as the `Booking` record (the bare `LazyResult` before `_bind`).
pub(crate) fn booking<'py>(py: Python<'py>, json: LazyResult) -> PyResult<Bound<'py, PyAny>> {
    let json = Bound::new(py, json)?.into_any();
    match WRAP_BOOKING.get(py) {
        Some(wrap) => wrap.bind(py).call1((json,)),
        None => Ok(json),
    }
}
