//! Time: UTC instants, half-open spans, zones and the one function that turns a local wall
//! time into an instant (with an explicit DST disambiguation choice), plus the injected
//! [`Clock`].
//!
//! Inside the engine every instant is a [`Timestamp`]: whole milliseconds since the Unix
//! epoch, UTC. Zones only appear at the edges, when a caller gives a local wall time or asks
//! for a local calendar.

mod clock;
mod input;
pub(crate) mod iso_date;
mod local;
mod span;
mod timestamp;
mod zone;

pub use clock::{Clock, ManualClock, SystemClock};
pub use input::TimeInput;
pub use local::LocalDateTime;
pub use span::Span;
pub use timestamp::Timestamp;
pub use zone::{parse_timezone, resolve_local, Disambiguation};

/// Milliseconds in one second.
pub const MS_PER_SEC: i64 = 1_000;
/// Milliseconds in one minute.
pub const MS_PER_MIN: i64 = 60 * MS_PER_SEC;
