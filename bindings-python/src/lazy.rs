//! A result handed to Python before it is converted: the JSON form is built, field by
//! field, only when Python reads it. `Engine.book` returns its booking this way, so a
//! caller that reads two fields does not pay for twenty.

use std::sync::OnceLock;

use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;
use slotwise::Response;

use crate::convert::json_to_py;

/// The JSON form of one engine result, read lazily. Behaves as a read-only mapping:
/// `get`, `[key]`, `in`, `len`, `keys()`, and `to_dict()` for a plain dict.
#[pyclass(frozen, module = "slotwise._native")]
pub struct LazyResult {
    response: Response,
    json: OnceLock<Value>,
}

impl LazyResult {
    pub(crate) fn new(response: Response) -> Self {
        LazyResult {
            response,
            json: OnceLock::new(),
        }
    }

    fn json(&self) -> &Value {
        self.json.get_or_init(|| {
            // Every result type serializes to JSON; null would only hide a bug here.
            serde_json::to_value(&self.response).unwrap_or(Value::Null)
        })
    }

    fn field(&self, key: &str) -> Option<&Value> {
        self.json().as_object().and_then(|o| o.get(key))
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
        match self.field(key) {
            Some(v) => json_to_py(py, v),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.field(key) {
            Some(v) => json_to_py(py, v),
            None => Err(PyKeyError::new_err(key.to_owned())),
        }
    }

    fn __contains__(&self, key: &str) -> bool {
        self.field(key).is_some()
    }

    fn __len__(&self) -> usize {
        self.json().as_object().map_or(0, |o| o.len())
    }

    /// The keys, in order.
    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let keys: Vec<&str> = self
            .json()
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        PyList::new(py, keys)
    }

    /// The whole JSON form as plain Python objects, made afresh.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, self.json())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(other) = other.cast::<LazyResult>() {
            return Ok(self.json() == other.get().json());
        }
        if other.is_instance_of::<PyDict>() {
            return self.to_dict(py)?.eq(other);
        }
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("LazyResult({})", self.json())
    }
}
