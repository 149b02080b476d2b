use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use super::Timestamp;

/// Where the engine reads "now" from (T2). Inject a [`ManualClock`] for deterministic tests.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Timestamp::from_millis(ms)
    }
}

/// A clock that only moves when told to. Clones share the same reading, so a test can keep
/// one handle and give another to the engine.
///
/// ```
/// use slotwise::{Clock, ManualClock};
/// let clock = ManualClock::at("2026-01-01T09:00:00Z".parse().unwrap());
/// let handle = clock.clone();
/// handle.advance_secs(120);
/// assert_eq!(clock.now().to_string(), "2026-01-01T09:02:00Z");
/// ```
#[derive(Clone, Debug, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock reading `t`.
    pub fn at(t: Timestamp) -> Self {
        ManualClock(Arc::new(AtomicI64::new(t.as_millis())))
    }

    /// Sets the reading to `t` (it may move backwards; the engine tolerates that).
    pub fn set(&self, t: Timestamp) {
        self.0.store(t.as_millis(), Ordering::SeqCst);
    }

    /// Moves the reading forward by `secs` seconds.
    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1_000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.0.load(Ordering::SeqCst))
    }
}
