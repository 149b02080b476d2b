//! The engine object Python holds: a core engine on the memory or SQLite store, shared
//! safely between threads, run with the GIL released.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Map, Value};
use slotwise::{
    EngineConfig, Error, ErrorCode, ErrorDetails, MemoryStore, NewBooking, Request, Response, Store,
};
use slotwise_sqlite::{SqliteOptions, SqliteStore, Synchronous};

use crate::clock::ManualClock;
use crate::convert::{py_to_json, time_arg, unreadable};
use crate::error::to_py;
use crate::lazy::LazyResult;
use crate::to_python::to_python;

type CoreEngine<S> = slotwise::Engine<S>;

/// A booking engine on the in-memory store (no path) or a SQLite file. One object may be
/// shared by any number of threads: every call releases the GIL while the engine works.
#[pyclass(frozen, subclass, module = "slotwise._native")]
pub struct Engine {
    backend: Backend,
    path: Option<PathBuf>,
    /// The injected clock, if any (the system clock otherwise).
    clock: Option<slotwise::ManualClock>,
}

enum Backend {
    /// The memory store serves one command at a time.
    Memory(Box<Mutex<CoreEngine<MemoryStore>>>),
    /// SQLite store clones share a connection and commit together, so each concurrent
    /// caller takes an engine of its own from this pool.
    Sqlite(Box<SqlitePool>),
}

struct SqlitePool {
    store: SqliteStore,
    config: EngineConfig,
    clock: Option<slotwise::ManualClock>,
    /// Engines not in use. The first one made is never taken out: every other shares
    /// its rejection count, so the count is the pool's.
    idle: Mutex<Vec<CoreEngine<SqliteStore>>>,
    first: Mutex<CoreEngine<SqliteStore>>,
}

impl SqlitePool {
    fn new(store: SqliteStore, config: EngineConfig, clock: Option<slotwise::ManualClock>) -> Self {
        let first = configure(CoreEngine::new(store.clone()), &config, &clock);
        SqlitePool {
            store,
            config,
            clock,
            idle: Mutex::new(Vec::new()),
            first: Mutex::new(first),
        }
    }

    fn run(&self, request: Request) -> slotwise::Result<Response> {
        let engine = lock(&self.idle).pop();
        let mut engine = match engine {
            Some(engine) => engine,
            None => configure(
                CoreEngine::new(self.store.clone()),
                &self.config,
                &self.clock,
            )
            .sharing_rejections_with(&lock(&self.first)),
        };
        let outcome = engine.execute(request);
        lock(&self.idle).push(engine);
        outcome
    }
}

fn configure<S: Store>(
    engine: CoreEngine<S>,
    config: &EngineConfig,
    clock: &Option<slotwise::ManualClock>,
) -> CoreEngine<S> {
    let engine = engine.with_config(config.clone());
    match clock {
        Some(clock) => engine.with_clock(clock.clone()),
        None => engine,
    }
}

/// A lock that a panic in an earlier holder does not make unusable: the core drops an
/// unfinished transaction on the way out, so nothing half-done stays behind.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `work` with the GIL released; a panic comes back as an `internal` error instead
/// of unwinding into the interpreter.
pub(crate) fn guarded<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> slotwise::Result<T> + Send,
) -> slotwise::Result<T> {
    py.detach(|| {
        catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            Err(Error::new(
                ErrorCode::Internal,
                format!("slotwise panicked: {what}"),
                ErrorDetails::None {},
            ))
        })
    })
}

fn parse_synchronous(text: &str) -> slotwise::Result<Synchronous> {
    match text {
        "full" => Ok(Synchronous::Full),
        "normal" => Ok(Synchronous::Normal),
        "off" => Ok(Synchronous::Off),
        other => Err(Error::new(
            ErrorCode::InvalidInput,
            format!("synchronous must be \"full\", \"normal\" or \"off\", not {other:?}"),
            ErrorDetails::Field {
                field: "synchronous".to_owned(),
            },
        )),
    }
}

#[pymethods]
impl Engine {
    /// Opens an engine: in memory when `path` is None, else on the SQLite file at `path`
    /// (made if missing). `config` is the JSON form of the engine config; `clock` a
    /// `ManualClock` (the system clock otherwise); `synchronous` is "full" (default),
    /// "normal" or "off" for SQLite.
    #[new]
    #[pyo3(signature = (path=None, *, config=None, clock=None, synchronous=None))]
    fn new(
        py: Python<'_>,
        path: Option<PathBuf>,
        config: Option<&Bound<'_, PyAny>>,
        clock: Option<PyRef<'_, ManualClock>>,
        synchronous: Option<&str>,
    ) -> PyResult<Self> {
        let config = match config {
            Some(c) => serde_json::from_value::<EngineConfig>(py_to_json(c, "config")?)
                .map_err(|e| to_py(py, &unreadable("config", e)))?,
            None => EngineConfig::default(),
        };
        let clock = clock.map(|c| c.inner.clone());
        let backend = match &path {
            None => {
                if synchronous.is_some() {
                    return Err(to_py(
                        py,
                        &unreadable("synchronous", "applies only to a SQLite file"),
                    ));
                }
                let engine = configure(CoreEngine::new(MemoryStore::new()), &config, &clock);
                Backend::Memory(Box::new(Mutex::new(engine)))
            }
            Some(file) => {
                let options = SqliteOptions {
                    synchronous: parse_synchronous(synchronous.unwrap_or("full"))
                        .map_err(|e| to_py(py, &e))?,
                    ..SqliteOptions::default()
                };
                let store = guarded(py, || SqliteStore::open_with(file, options))
                    .map_err(|e| to_py(py, &e))?;
                Backend::Sqlite(Box::new(SqlitePool::new(store, config, clock.clone())))
            }
        };
        Ok(Engine {
            backend,
            path,
            clock,
        })
    }

    /// Runs one request (a dict in the JSON form of a command or query, tagged by
    /// "type"; values are converted as `to_json` says) and returns its result in JSON
    /// form.
    fn _execute<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = py_to_json(request, "request")?;
        let outcome = guarded(py, || {
            let request: Request =
                serde_json::from_value(request).map_err(|e| unreadable("request", e))?;
            self.run(request)
        });
        match outcome {
            Ok(response) => to_python(py, &response),
            Err(e) => Err(to_py(py, &e)),
        }
    }

    /// Books `resource` for `member` over `[start, end)`: confirmed at once, or a
    /// `ConflictError` (with `conflicts` and `alternatives`) if the span is taken, a
    /// `PolicyViolationError` if a rule forbids it. `start` and `end` are timezone-aware
    /// datetimes or strings (an RFC 3339 instant, or a wall-clock time read in the
    /// resource's timezone with `disambiguation`). Retrying with the same
    /// `idempotency_key` returns the first result instead of booking twice.
    #[pyo3(signature = (
        resource, member, start, end, *, quantity=None, disambiguation=None, title=None,
        description=None, attendees=None, metadata=None, override_policies=None,
        alternatives=None, idempotency_key=None, actor=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn book<'py>(
        &self,
        py: Python<'py>,
        resource: &str,
        member: &str,
        start: &Bound<'py, PyAny>,
        end: &Bound<'py, PyAny>,
        quantity: Option<Bound<'py, PyAny>>,
        disambiguation: Option<Bound<'py, PyAny>>,
        title: Option<Bound<'py, PyAny>>,
        description: Option<Bound<'py, PyAny>>,
        attendees: Option<Bound<'py, PyAny>>,
        metadata: Option<Bound<'py, PyAny>>,
        override_policies: Option<Bound<'py, PyAny>>,
        alternatives: Option<Bound<'py, PyAny>>,
        idempotency_key: Option<Bound<'py, PyAny>>,
        actor: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = [
            ("quantity", quantity),
            ("disambiguation", disambiguation),
            ("title", title),
            ("description", description),
            ("attendees", attendees),
            ("metadata", metadata),
            ("override_policies", override_policies),
            ("alternatives", alternatives),
            ("idempotency_key", idempotency_key),
            ("actor", actor),
        ];
        self.reserve(py, false, resource, member, start, end, options)
    }

    /// Holds the span for `ttl_secs` (the configured default otherwise): it blocks
    /// others like a booking until `confirm` makes it one or it expires. Arguments as
    /// for `book`.
    #[pyo3(signature = (
        resource, member, start, end, *, ttl_secs=None, quantity=None, disambiguation=None,
        title=None, description=None, attendees=None, metadata=None, override_policies=None,
        alternatives=None, idempotency_key=None, actor=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn hold<'py>(
        &self,
        py: Python<'py>,
        resource: &str,
        member: &str,
        start: &Bound<'py, PyAny>,
        end: &Bound<'py, PyAny>,
        ttl_secs: Option<Bound<'py, PyAny>>,
        quantity: Option<Bound<'py, PyAny>>,
        disambiguation: Option<Bound<'py, PyAny>>,
        title: Option<Bound<'py, PyAny>>,
        description: Option<Bound<'py, PyAny>>,
        attendees: Option<Bound<'py, PyAny>>,
        metadata: Option<Bound<'py, PyAny>>,
        override_policies: Option<Bound<'py, PyAny>>,
        alternatives: Option<Bound<'py, PyAny>>,
        idempotency_key: Option<Bound<'py, PyAny>>,
        actor: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = [
            ("ttl_secs", ttl_secs),
            ("quantity", quantity),
            ("disambiguation", disambiguation),
            ("title", title),
            ("description", description),
            ("attendees", attendees),
            ("metadata", metadata),
            ("override_policies", override_policies),
            ("alternatives", alternatives),
            ("idempotency_key", idempotency_key),
            ("actor", actor),
        ];
        self.reserve(py, true, resource, member, start, end, options)
    }

    /// Requests refused since this engine opened: `{"conflicts": n, "policy_violations": n}`.
    fn _rejections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let counts = py.detach(|| match &self.backend {
            Backend::Memory(engine) => lock(engine).rejections(),
            Backend::Sqlite(pool) => lock(&pool.first).rejections(),
        });
        let dict = PyDict::new(py);
        dict.set_item("conflicts", counts.conflicts)?;
        dict.set_item("policy_violations", counts.policy_violations)?;
        Ok(dict)
    }

    /// The engine clock's reading, as an RFC 3339 UTC instant.
    fn _now(&self) -> String {
        match &self.clock {
            Some(clock) => slotwise::Clock::now(clock).to_string(),
            None => slotwise::Clock::now(&slotwise::SystemClock).to_string(),
        }
    }

    /// The SQLite file, or None in memory.
    #[getter]
    fn _path(&self) -> Option<String> {
        self.path.as_ref().map(|p| p.to_string_lossy().into_owned())
    }
}

impl Engine {
    /// `book` (or, with `hold`, `hold`): the command is built directly when only times
    /// are given; otherwise serde reads it, options and all, with its usual checks and
    /// messages. The booking comes back as its record, over a `LazyResult`.
    #[allow(clippy::too_many_arguments)]
    fn reserve<'py, const N: usize>(
        &self,
        py: Python<'py>,
        hold: bool,
        resource: &str,
        member: &str,
        start: &Bound<'py, PyAny>,
        end: &Bound<'py, PyAny>,
        options: [(&str, Option<Bound<'py, PyAny>>); N],
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut given = Vec::new();
        for (name, value) in options {
            if let Some(value) = value.filter(|v| !v.is_none()) {
                given.push((name, py_to_json(&value, name)?));
            }
        }
        let start = time_arg(start, "start")?;
        let end = time_arg(end, "end")?;
        let request = if given.is_empty() && start.is_time() && end.is_time() {
            Ok(NewBooking::new(
                resource,
                member,
                start.into_input(),
                end.into_input(),
            ))
        } else {
            let mut fields = Map::new();
            fields.insert("resource".to_owned(), Value::String(resource.to_owned()));
            fields.insert("member".to_owned(), Value::String(member.to_owned()));
            fields.insert("start".to_owned(), start.into_json());
            fields.insert("end".to_owned(), end.into_json());
            for (name, value) in given {
                fields.insert(name.to_owned(), value);
            }
            Err(Value::Object(fields))
        };
        let outcome = guarded(py, || {
            let booking = match request {
                Ok(booking) => booking,
                Err(fields) => {
                    serde_json::from_value(fields).map_err(|e| unreadable("request", e))?
                }
            };
            self.run(if hold {
                Request::Hold(booking)
            } else {
                Request::Book(booking)
            })
        });
        match outcome {
            Ok(response) => crate::bind::booking(py, LazyResult::new(response)),
            Err(e) => Err(to_py(py, &e)),
        }
    }

    fn run(&self, request: Request) -> slotwise::Result<Response> {
        match &self.backend {
            Backend::Memory(engine) => lock(engine).execute(request),
            Backend::Sqlite(pool) => pool.run(request),
        }
    }
}
