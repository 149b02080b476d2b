use serde::{Deserialize, Serialize};

use super::Timestamp;

/// A half-open time range `[start, end)`: 14:00–15:00 and 15:00–16:00 do not overlap.
///
/// ```
/// use slotwise::{Span, Timestamp};
/// let t = |s: &str| s.parse::<Timestamp>().unwrap();
/// let a = Span::new(t("2026-01-01T14:00:00Z"), t("2026-01-01T15:00:00Z")).unwrap();
/// let b = Span::new(t("2026-01-01T15:00:00Z"), t("2026-01-01T16:00:00Z")).unwrap();
/// assert!(!a.overlaps(&b));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First instant inside the span.
    pub start: Timestamp,
    /// First instant after the span.
    pub end: Timestamp,
}

impl Span {
    /// The span `[start, end)`, or `None` when `end <= start`.
    pub fn new(start: Timestamp, end: Timestamp) -> Option<Self> {
        (end > start).then_some(Span { start, end })
    }

    /// Length in milliseconds.
    pub fn len_millis(&self) -> i64 {
        self.end.as_millis() - self.start.as_millis()
    }

    /// Whether the two spans share at least one instant.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `t` lies inside the span.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && t < self.end
    }

    /// Whether `other` lies wholly inside this span.
    pub fn covers(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The span widened by `before_ms` at the start and `after_ms` at the end (used for buffers).
    pub fn padded(&self, before_ms: i64, after_ms: i64) -> Span {
        Span {
            start: self.start.add_millis(-before_ms),
            end: self.end.add_millis(after_ms),
        }
    }
}
