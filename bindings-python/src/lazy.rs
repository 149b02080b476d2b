//! A result handed to Python before it is converted: the JSON form is built, field by
//! field, only when Python reads it. `Engine.book` returns its booking this way, so a
//! caller that reads two fields does not pay for twenty.

use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use slotwise::Response;

use crate::to_python::to_python;

/// The JSON form of one engine result, read lazily. Behaves as a read-only mapping:
/// `get`, `[key]`, `in`, `len`, `keys()`, and `to_dict()` for a plain dict.
#[pyclass(frozen, module = "slotwise._native")]
pub struct LazyResult {
    response: Response,
    /// The JSON form as a Python dict, made on the first read and kept.
    dict: PyOnceLock<Py<PyDict>>,
}

impl LazyResult {
    pub(crate) fn new(response: Response) -> Self {
        LazyResult {
            response,
            dict: PyOnceLock::new(),
        }
    }

    fn dict<'py>(&self, py: Python<'py>) -> PyResult<&Bound<'py, PyDict>> {
        let dict = self.dict.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
            Ok(to_python(py, &self.response)?
                .cast_into::<PyDict>()?
                .unbind())
        })?;
        Ok(dict.bind(py))
    }
}

#[pymethods]
impl LazyResult {
    /// The value at `key`, or `default`.
    #[pyo3(signature = (key, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match self.dict(py)?.get_item(key)? {
            Some(v) => Ok(v),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        self.dict(py)?
            .get_item(key)?
            .ok_or_else(|| PyKeyError::new_err(key.to_owned()))
    }

    fn __contains__(&self, py: Python<'_>, key: &str) -> PyResult<bool> {
        self.dict(py)?.contains(key)
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.dict(py)?.len())
    }

    /// The keys, in order.
    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.dict(py)?
            .keys()
            .cast_into::<PyList>()
            .map_err(Into::into)
    }

    /// The whole JSON form as plain Python objects, made afresh.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.response)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(other) = other.cast::<LazyResult>() {
            return Ok(self.response == other.get().response);
        }
        if other.is_instance_of::<PyDict>() {
            return self.dict(py)?.eq(other);
        }
        Ok(false)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("LazyResult({})", self.dict(py)?.repr()?))
    }
}
