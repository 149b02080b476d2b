//! Python objects to and from JSON values, the form every request and result takes at
//! the boundary.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PyMapping, PySet, PyString, PyTuple,
};
use serde_json::{Map, Number, Value};
use slotwise::{Error, ErrorCode, ErrorDetails, TimeInput, Timestamp};

/// A Python value in its JSON form: None, bool, int, float and str as they are; lists,
/// tuples, sets (sorted) and mappings with str keys item by item; a timezone-aware
/// datetime as its RFC 3339 UTC instant (a naive one is an `invalid_input` error naming
/// `field`); a date or time by `isoformat()` (times to the minute when they have no
/// seconds); anything with a `to_dict()` (records, `Actor`) by what that returns.
/// Anything else is a `TypeError`; an integer or float with no JSON form, or nesting
/// deeper than [`MAX_DEPTH`] (a list that holds itself, say), is an `invalid_input` error.
pub(crate) fn py_to_json(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Value> {
    to_json_at(value, field, 0)
}

/// How deeply lists and mappings may nest in a request: well above anything the engine
/// accepts (metadata stops at 32 levels), far below what would exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 128;

fn to_json_at(value: &Bound<'_, PyAny>, field: &str, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(field_error(
            value.py(),
            field,
            format!("{field}: nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = value.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(field_error(
            value.py(),
            field,
            format!("{field}: {value} is out of range (-2**63 .. 2**64)"),
        ));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| {
                field_error(
                    value.py(),
                    field,
                    format!("{field}: {value} is not a finite number"),
                )
            });
    }
    let depth = depth + 1;
    if let Ok(dict) = value.cast::<PyDict>() {
        return mapping_to_json(dict.iter(), dict.len(), field, depth);
    }
    if let Ok(list) = value.cast::<PyList>() {
        return list.iter().map(|v| to_json_at(&v, field, depth)).collect();
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return tuple.iter().map(|v| to_json_at(&v, field, depth)).collect();
    }
    other_to_json(value, field, depth)
}

fn mapping_to_json<'py>(
    items: impl Iterator<Item = (Bound<'py, PyAny>, Bound<'py, PyAny>)>,
    len: usize,
    field: &str,
    depth: usize,
) -> PyResult<Value> {
    let mut map = Map::with_capacity(len);
    for (k, v) in items {
        let key = k.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!(
                "{field}: mapping keys must be str, not {}",
                type_name(&k)
            ))
        })?;
        let key = key.to_str()?;
        let value = to_json_at(&v, key, depth)?;
        map.insert(key.to_owned(), value);
    }
    Ok(Value::Object(map))
}

/// The rarer kinds of value: datetimes, dates, times, records, other mappings, sets.
fn other_to_json(value: &Bound<'_, PyAny>, field: &str, depth: usize) -> PyResult<Value> {
    let py = value.py();
    if value.hasattr(pyo3::intern!(py, "tzinfo"))? && value.hasattr(pyo3::intern!(py, "year"))? {
        return time_arg(value, field).map(TimeArg::into_json);
    }
    if value.hasattr(pyo3::intern!(py, "isoformat"))? {
        let text = if value.hasattr(pyo3::intern!(py, "hour"))? {
            let second: u32 = value.getattr(pyo3::intern!(py, "second"))?.extract()?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("timespec", if second == 0 { "minutes" } else { "seconds" })?;
            value.call_method("isoformat", (), Some(&kwargs))?
        } else {
            value.call_method0("isoformat")?
        };
        return Ok(Value::String(text.extract()?));
    }
    if value.hasattr(pyo3::intern!(py, "to_dict"))? {
        return to_json_at(&value.call_method0("to_dict")?, field, depth);
    }
    if let Ok(mapping) = value.cast::<PyMapping>() {
        let items = mapping.items()?;
        let pairs: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)> = items
            .iter()
            .map(|item| item.extract())
            .collect::<PyResult<_>>()?;
        return mapping_to_json(pairs.into_iter(), mapping.len()?, field, depth);
    }
    if value.is_instance_of::<PySet>() || value.is_instance_of::<PyFrozenSet>() {
        let sorted = py.import("builtins")?.getattr("sorted")?.call1((value,))?;
        return to_json_at(&sorted, field, depth);
    }
    Err(PyTypeError::new_err(format!(
        "{field}: cannot pass a {} to slotwise",
        type_name(value)
    )))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "value".to_owned())
}

/// An instant argument: a timezone-aware datetime, or an RFC 3339 string with an offset.
pub(crate) fn instant_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Timestamp> {
    match time_arg(value, field)? {
        TimeArg::Instant(t) => Ok(t),
        TimeArg::Text(text) => text.parse::<Timestamp>().map_err(py_err),
        TimeArg::Other(_) => Err(PyTypeError::new_err(format!(
            "{field} must be a datetime or an RFC 3339 string, not {}",
            type_name(value)
        ))),
    }
}

/// A core error as the Python exception.
pub(crate) fn py_err(error: Error) -> PyErr {
    Python::attach(|py| crate::error::to_py(py, &error))
}

/// An `invalid_input` error for a request or config that does not parse.
pub(crate) fn unreadable(what: &str, error: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        format!("{what}: {error}"),
        ErrorDetails::None {},
    )
}

/// `datetime.timezone` and 1970-01-01T00:00:00Z as a Python datetime, looked up once.
static DATETIME: pyo3::sync::PyOnceLock<(Py<PyAny>, Py<PyAny>)> = pyo3::sync::PyOnceLock::new();

fn datetime_refs(py: Python<'_>) -> PyResult<&(Py<PyAny>, Py<PyAny>)> {
    DATETIME.get_or_try_init(py, || -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let module = py.import("datetime")?;
        let timezone = module.getattr("timezone")?;
        let utc = timezone.getattr("utc")?;
        let epoch = module
            .getattr("datetime")?
            .call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
        Ok((timezone.unbind(), epoch.unbind()))
    })
}

/// A time argument as Python gave it.
pub(crate) enum TimeArg {
    /// A str: an RFC 3339 instant or a wall-clock time, read by the engine.
    Text(String),
    /// A timezone-aware datetime.
    Instant(Timestamp),
    /// Anything else, in JSON form, for the engine to refuse with its own message.
    Other(Value),
}

impl TimeArg {
    /// Whether it is a time at all (text or an instant).
    pub(crate) fn is_time(&self) -> bool {
        !matches!(self, TimeArg::Other(_))
    }

    /// As the engine's time input; anything else becomes its JSON text.
    pub(crate) fn into_input(self) -> TimeInput {
        match self {
            TimeArg::Text(text) => TimeInput::from(text),
            TimeArg::Instant(t) => TimeInput::from(t),
            TimeArg::Other(value) => TimeInput::from(value.to_string()),
        }
    }

    /// The JSON form.
    pub(crate) fn into_json(self) -> Value {
        match self {
            TimeArg::Text(text) => Value::String(text),
            TimeArg::Instant(t) => Value::String(t.to_string()),
            TimeArg::Other(value) => value,
        }
    }
}

/// A time argument: a str as it is (an RFC 3339 instant or a wall-clock time), a
/// timezone-aware datetime as its UTC instant in whole milliseconds (as the engine keeps
/// them; finer parts are cut off). A naive datetime is an `invalid_input` error naming
/// `field`: it would be a guess.
pub(crate) fn time_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<TimeArg> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(TimeArg::Text(s.to_str()?.to_owned()));
    }
    let py = value.py();
    let Ok(tzinfo) = value.getattr(pyo3::intern!(py, "tzinfo")) else {
        return py_to_json(value, field).map(TimeArg::Other);
    };
    let (timezone, epoch) = datetime_refs(py)?;
    // Aware: a tzinfo that gives an offset. A `datetime.timezone` always does.
    let aware = !tzinfo.is_none()
        && (tzinfo.get_type().is(timezone.bind(py))
            || !value
                .call_method0(pyo3::intern!(py, "utcoffset"))?
                .is_none());
    if !aware {
        let text = value.call_method0("isoformat")?;
        return Err(field_error(
            py,
            field,
            format!(
                "{field}: {text} is a naive datetime; pass a timezone-aware one \
                 (tzinfo=...) or a wall-clock string like '2026-03-02T09:00' to read it \
                 in the resource's timezone"
            ),
        ));
    }
    let micros: i64 = value.getattr(pyo3::intern!(py, "microsecond"))?.extract()?;
    let millis = if micros % 1_000 == 0 {
        // Whole milliseconds: `timestamp()` is off by far less than half a millisecond
        // anywhere in 1970..9999, so rounding it is exact.
        let seconds: f64 = value
            .call_method0(pyo3::intern!(py, "timestamp"))?
            .extract()?;
        (seconds * 1_000.0).round() as i64
    } else {
        // Exact, for the rare finer datetime: whole days, seconds and microseconds since
        // the epoch, cut to milliseconds.
        let since = value.sub(epoch.bind(py))?;
        let days: i64 = since.getattr(pyo3::intern!(py, "days"))?.extract()?;
        let seconds: i64 = since.getattr(pyo3::intern!(py, "seconds"))?.extract()?;
        let micros: i64 = since
            .getattr(pyo3::intern!(py, "microseconds"))?
            .extract()?;
        days * 86_400_000 + seconds * 1_000 + micros / 1_000
    };
    let instant = Timestamp::from_millis(millis);
    if !instant.is_in_range() {
        let text = value.call_method0("isoformat")?;
        return Err(field_error(
            py,
            field,
            format!("`{text}` is outside 1970-01-01..9999-12-31"),
        ));
    }
    Ok(TimeArg::Instant(instant))
}

fn field_error(py: Python<'_>, field: &str, message: String) -> PyErr {
    crate::error::to_py(
        py,
        &Error::new(
            ErrorCode::InvalidInput,
            message,
            ErrorDetails::Field {
                field: field.to_owned(),
            },
        ),
    )
}
