use serde::{Deserialize, Serialize};

use super::BookingStatus;
use crate::ids::{BookingId, MemberId, ResourceId};
use crate::recurrence::SeriesLink;
use crate::time::{Span, Timestamp};

/// When a booking may check in, and (if check-in is required) by when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInTerms {
    /// Check-in opens at this instant (start minus the configured lead).
    pub opens_at: Timestamp,
    /// Without check-in by this instant the booking becomes `no_show` and frees its units.
    /// `None` when check-in is optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Timestamp>,
}

/// A booking as stored. Reads return it as of "now": a hold whose TTL passed reads as
/// `expired` even before [`Engine::tick`](crate::Engine::tick) persists that (B12).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Booking {
    /// Engine-made id.
    pub id: BookingId,
    /// The booked resource.
    pub resource: ResourceId,
    /// The member it belongs to.
    pub member: MemberId,
    /// Start of the booked span (UTC).
    pub start: Timestamp,
    /// End of the booked span, exclusive.
    pub end: Timestamp,
    /// Units taken (B10); 1 for a desk.
    pub quantity: u32,
    /// Lifecycle state.
    pub status: BookingStatus,
    /// Bumped by every command that changes the booking (B7). Time-driven transitions
    /// (expiry, no-show, completion) do not bump it, so reads agree whether or not
    /// `tick` ran.
    pub version: u64,
    /// Free-text title (B11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Free-text description (B11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Number of attendees (B11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendees: Option<u32>,
    /// Caller-defined JSON (B11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    /// For holds: when the hold lapses (B2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_expires_at: Option<Timestamp>,
    /// Check-in window (B6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_in: Option<CheckInTerms>,
    /// When the member checked in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_in_at: Option<Timestamp>,
    /// When the booking stopped occupying capacity (cancel, release, expiry, no-show,
    /// completion or early check-out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// Why it was cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// Buffer kept free before the start, in milliseconds (P4).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub buffer_before_ms: i64,
    /// Buffer kept free after the end, in milliseconds (P4).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub buffer_after_ms: i64,
    /// The series it is an occurrence of, and which occurrence (C1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesLink>,
    /// For a hold offered from a waitlist (W3): the entry it was offered to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waitlist_entry: Option<String>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

impl Booking {
    /// The booked span `[start, end)`.
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.end,
        }
    }

    /// The span it keeps from others: the booked span widened by its buffers.
    pub fn occupied_span(&self) -> Span {
        self.span()
            .padded(self.buffer_before_ms, self.buffer_after_ms)
    }

    /// The instant from which it stops occupying capacity unless a command moves it on
    /// first: a hold's expiry; a confirmed booking's check-in deadline (when check-in is
    /// required) or its end; a checked-in booking's end. This is exactly when
    /// [`Booking::due_transition`] turns it terminal, so whether a booking holds units never
    /// depends on `tick` having run (B12). `None` for terminal states.
    pub fn lapses_at(&self) -> Option<Timestamp> {
        match self.status {
            BookingStatus::Held | BookingStatus::Confirmed | BookingStatus::CheckedIn => {
                self.due_at()
            }
            _ => None,
        }
    }

    /// Whether it occupies capacity as of `now` (held-unexpired, confirmed, checked in).
    /// Agrees with the interval index.
    pub fn occupies_at(&self, now: Timestamp) -> bool {
        self.status.occupies() && self.lapses_at().is_none_or(|l| now < l)
    }

    /// When time alone will next move it along (expiry, no-show, completion).
    pub fn due_at(&self) -> Option<Timestamp> {
        match self.status {
            BookingStatus::Held => self.hold_expires_at,
            BookingStatus::Confirmed => Some(match self.check_in.and_then(|c| c.deadline) {
                Some(deadline) => deadline.min(self.end),
                None => self.end,
            }),
            BookingStatus::CheckedIn => Some(self.end),
            _ => None,
        }
    }

    /// The transition time alone has made by `now`, with the instant it happened.
    pub fn due_transition(&self, now: Timestamp) -> Option<(BookingStatus, Timestamp)> {
        match self.status {
            BookingStatus::Held => {
                let expiry = self.hold_expires_at?;
                (now >= expiry).then_some((BookingStatus::Expired, expiry))
            }
            BookingStatus::Confirmed => {
                if let Some(deadline) = self.check_in.and_then(|c| c.deadline) {
                    if now >= deadline {
                        return Some((BookingStatus::NoShow, deadline));
                    }
                }
                (now >= self.end).then_some((BookingStatus::Completed, self.end))
            }
            BookingStatus::CheckedIn => {
                (now >= self.end).then_some((BookingStatus::Completed, self.end))
            }
            _ => None,
        }
    }

    /// Applies the transition time has made by `now`, if any, and returns the state it
    /// left. The version is not bumped (see [`Booking::version`]).
    pub fn apply_due(&mut self, now: Timestamp) -> Option<BookingStatus> {
        let (to, at) = self.due_transition(now)?;
        let from = self.status;
        self.status = to;
        self.updated_at = at;
        self.ended_at = Some(at);
        Some(from)
    }

    /// A copy as of `now`, with due transitions applied.
    pub fn as_of(&self, now: Timestamp) -> Booking {
        let mut b = self.clone();
        b.apply_due(now);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn booking(status: BookingStatus) -> Booking {
        Booking {
            id: "bk_1".into(),
            resource: "desk-1".into(),
            member: "ann".into(),
            start: t("2026-01-01T09:00:00Z"),
            end: t("2026-01-01T10:00:00Z"),
            quantity: 1,
            status,
            version: 1,
            title: None,
            description: None,
            attendees: None,
            metadata: None,
            hold_expires_at: Some(t("2026-01-01T08:02:00Z")),
            check_in: None,
            checked_in_at: None,
            ended_at: None,
            cancel_reason: None,
            buffer_before_ms: 0,
            buffer_after_ms: 0,
            series: None,
            waitlist_entry: None,
            created_at: t("2026-01-01T08:00:00Z"),
            updated_at: t("2026-01-01T08:00:00Z"),
        }
    }

    #[test]
    fn hold_expires_at_its_ttl_exactly() {
        let b = booking(BookingStatus::Held);
        assert!(b.occupies_at(t("2026-01-01T08:01:59.999Z")));
        assert!(!b.occupies_at(t("2026-01-01T08:02:00Z")));
        assert_eq!(
            b.as_of(t("2026-01-01T08:02:00Z")).status,
            BookingStatus::Expired
        );
    }

    #[test]
    fn required_check_in_turns_into_no_show_at_the_deadline() {
        let mut b = booking(BookingStatus::Confirmed);
        b.check_in = Some(CheckInTerms {
            opens_at: t("2026-01-01T08:45:00Z"),
            deadline: Some(t("2026-01-01T09:10:00Z")),
        });
        assert_eq!(b.due_at(), Some(t("2026-01-01T09:10:00Z")));
        let later = b.as_of(t("2026-01-01T11:00:00Z"));
        assert_eq!(later.status, BookingStatus::NoShow);
        assert_eq!(later.ended_at, Some(t("2026-01-01T09:10:00Z")));
        assert_eq!(later.version, 1);
    }

    #[test]
    fn confirmed_completes_at_its_end() {
        let b = booking(BookingStatus::Confirmed);
        assert_eq!(
            b.as_of(t("2026-01-01T09:59:00Z")).status,
            BookingStatus::Confirmed
        );
        assert_eq!(
            b.as_of(t("2026-01-01T10:00:00Z")).status,
            BookingStatus::Completed
        );
    }
}
