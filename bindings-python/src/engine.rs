//! The engine object Python holds: a core engine on the memory or SQLite store, shared
//! safely between threads, run with the GIL released.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::Value;
use slotwise::{
    EngineConfig, Error, ErrorCode, ErrorDetails, MemoryStore, Rejections, Request, Response, Store,
};
use slotwise_sqlite::{SqliteOptions, SqliteStore, Synchronous};

use crate::clock::ManualClock;
use crate::convert::{json_to_py, py_to_json, unreadable};
use crate::error::to_py;

type CoreEngine<S> = slotwise::Engine<S>;

/// A booking engine on the in-memory store (no path) or a SQLite file. One object may be
/// shared by any number of threads: every call releases the GIL while the engine works.
#[pyclass(frozen, module = "slotwise._native")]
pub struct Engine {
    backend: Backend,
    path: Option<PathBuf>,
    conflicts: AtomicU64,
    policy_violations: AtomicU64,
}

enum Backend {
    /// The memory store serves one command at a time.
    Memory(Box<Mutex<CoreEngine<MemoryStore>>>),
    /// SQLite store clones share a connection and commit together, so each concurrent
    /// caller takes an engine of its own from this pool.
    Sqlite(SqlitePool),
}

struct SqlitePool {
    store: SqliteStore,
    config: EngineConfig,
    clock: Option<slotwise::ManualClock>,
    idle: Mutex<Vec<CoreEngine<SqliteStore>>>,
}

impl SqlitePool {
    fn run(&self, request: Request) -> (slotwise::Result<Response>, Rejections, Rejections) {
        let engine = lock(&self.idle).pop();
        let mut engine = engine.unwrap_or_else(|| {
            configure(
                CoreEngine::new(self.store.clone()),
                &self.config,
                &self.clock,
            )
        });
        let (outcome, before, after) = run_counted(&mut engine, request);
        lock(&self.idle).push(engine);
        (outcome, before, after)
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

fn run_counted<S: Store>(
    engine: &mut CoreEngine<S>,
    request: Request,
) -> (slotwise::Result<Response>, Rejections, Rejections) {
    let before = engine.rejections();
    let outcome = engine.execute(request);
    (outcome, before, engine.rejections())
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
            Some(c) => serde_json::from_value::<EngineConfig>(py_to_json(c)?)
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
                Backend::Sqlite(SqlitePool {
                    store,
                    config,
                    clock,
                    idle: Mutex::new(Vec::new()),
                })
            }
        };
        Ok(Engine {
            backend,
            path,
            conflicts: AtomicU64::new(0),
            policy_violations: AtomicU64::new(0),
        })
    }

    /// Runs one request (a dict in the JSON form of a command or query, tagged by
    /// "type") and returns its result in JSON form. Errors raise `EngineError`.
    fn execute<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = py_to_json(request)?;
        match guarded(py, || self.run(request)) {
            Ok(value) => json_to_py(py, &value),
            Err(e) => Err(to_py(py, &e)),
        }
    }

    /// Requests refused since this engine opened: `{"conflicts": n, "policy_violations": n}`.
    fn rejections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("conflicts", self.conflicts.load(Ordering::Relaxed))?;
        dict.set_item(
            "policy_violations",
            self.policy_violations.load(Ordering::Relaxed),
        )?;
        Ok(dict)
    }

    /// The engine clock's reading, as an RFC 3339 UTC instant.
    fn now(&self) -> String {
        match &self.backend {
            Backend::Memory(engine) => lock(engine).now().to_string(),
            Backend::Sqlite(pool) => match &pool.clock {
                Some(clock) => slotwise::Clock::now(clock).to_string(),
                None => slotwise::Clock::now(&slotwise::SystemClock).to_string(),
            },
        }
    }

    /// The SQLite file, or None in memory.
    #[getter]
    fn path(&self) -> Option<String> {
        self.path.as_ref().map(|p| p.to_string_lossy().into_owned())
    }
}

impl Engine {
    fn run(&self, request: Value) -> slotwise::Result<Value> {
        let request: Request =
            serde_json::from_value(request).map_err(|e| unreadable("request", e))?;
        let (outcome, before, after) = match &self.backend {
            Backend::Memory(engine) => run_counted(&mut lock(engine), request),
            Backend::Sqlite(pool) => pool.run(request),
        };
        self.conflicts
            .fetch_add(after.conflicts - before.conflicts, Ordering::Relaxed);
        self.policy_violations.fetch_add(
            after.policy_violations - before.policy_violations,
            Ordering::Relaxed,
        );
        let response = outcome?;
        serde_json::to_value(response)
            .map_err(|e| Error::new(ErrorCode::Internal, e.to_string(), ErrorDetails::None {}))
    }
}
