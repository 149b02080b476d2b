//! A clock that moves only when told, for tests and simulations (SPEC T2).

use pyo3::prelude::*;
use slotwise::Timestamp;

use crate::convert::{instant_arg, py_err, unreadable};

/// A clock that reads what it was last set to. Give it to `Engine(clock=...)`; every
/// copy of the engine's view of time follows it.
#[pyclass(frozen, module = "slotwise._native")]
pub struct ManualClock {
    pub(crate) inner: slotwise::ManualClock,
}

#[pymethods]
impl ManualClock {
    /// A clock reading `start`: a timezone-aware datetime or an RFC 3339 instant.
    #[new]
    fn new(start: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(ManualClock {
            inner: slotwise::ManualClock::at(instant_arg(start, "start")?),
        })
    }

    /// The current reading, as an RFC 3339 UTC instant.
    fn now(&self) -> String {
        slotwise::Clock::now(&self.inner).to_string()
    }

    /// Sets the reading to `instant` (as for `start`); it may move backwards.
    fn set(&self, instant: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set(instant_arg(instant, "instant")?);
        Ok(())
    }

    /// Moves the reading forward by `millis` milliseconds.
    fn advance_millis(&self, millis: i64) -> PyResult<()> {
        let now = slotwise::Clock::now(&self.inner).as_millis();
        let next = now
            .checked_add(millis)
            .ok_or_else(|| py_err(unreadable("advance", "moves the clock out of range")))?;
        self.inner.set(Timestamp::from_millis(next));
        Ok(())
    }
}
