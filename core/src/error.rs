//! The one error type. Every failure has a stable [`ErrorCode`] (its string form never
//! changes) and structured [`ErrorDetails`], so bindings map codes and read details instead
//! of parsing messages.

use std::fmt;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::booking::BookingStatus;
use crate::ids::BookingId;
use crate::time::Timestamp;

/// The stable machine-readable kind of an [`Error`]. New codes may be added in minor
/// releases, so match with a wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The requested units are taken at some instant of the span; details list what collided.
    Conflict,
    /// A hold was confirmed after its TTL passed.
    HoldExpired,
    /// A policy rule forbids the request; details list every violation.
    PolicyViolation,
    /// A resource or booking id is unknown.
    NotFound,
    /// Something with this id already exists.
    AlreadyExists,
    /// The booking's state does not allow the action; details name both states.
    InvalidTransition,
    /// The caller passed the version it read and the record has changed since.
    VersionConflict,
    /// An idempotency key was reused with a different request.
    IdempotencyKeyReused,
    /// A local wall time falls in a DST gap and the disambiguation is `reject`.
    NonexistentLocalTime,
    /// A local wall time falls in a DST fold and the disambiguation is `reject`.
    AmbiguousLocalTime,
    /// A timezone name is not in the IANA database.
    UnknownTimezone,
    /// A field is malformed or out of range; details name the field.
    InvalidInput,
    /// The resource is archived and takes no new bookings.
    ResourceArchived,
    /// The resource still has future bookings; archive with `force` to cancel them.
    HasFutureBookings,
    /// Check-in is not open yet for this booking.
    CheckInNotOpen,
    /// The actor may not act on this record.
    Forbidden,
    /// A waitlist was asked for a span that can be booked now.
    NotFull,
    /// The waitlist queue is at its maximum length.
    WaitlistFull,
    /// An all-or-nothing series could not be booked or changed as a whole; details list
    /// every occurrence that failed and why.
    SeriesRejected,
    /// The store failed (I/O, corruption, a newer schema).
    Storage,
    /// A bug in slotwise: an internal invariant did not hold. Please report it.
    Internal,
}

impl ErrorCode {
    /// The stable string form, e.g. `"hold_expired"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Conflict => "conflict",
            ErrorCode::HoldExpired => "hold_expired",
            ErrorCode::PolicyViolation => "policy_violation",
            ErrorCode::NotFound => "not_found",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::VersionConflict => "version_conflict",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::NonexistentLocalTime => "nonexistent_local_time",
            ErrorCode::AmbiguousLocalTime => "ambiguous_local_time",
            ErrorCode::UnknownTimezone => "unknown_timezone",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::ResourceArchived => "resource_archived",
            ErrorCode::HasFutureBookings => "has_future_bookings",
            ErrorCode::CheckInNotOpen => "check_in_not_open",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFull => "not_full",
            ErrorCode::WaitlistFull => "waitlist_full",
            ErrorCode::SeriesRejected => "series_rejected",
            ErrorCode::Storage => "storage",
            ErrorCode::Internal => "internal",
        }
    }

    /// Whether the caller's input (rather than the store's state) caused the error. Bindings
    /// use this to make such errors also a `ValueError` / `TypeError`.
    pub fn is_input_error(self) -> bool {
        matches!(
            self,
            ErrorCode::InvalidInput
                | ErrorCode::UnknownTimezone
                | ErrorCode::NonexistentLocalTime
                | ErrorCode::AmbiguousLocalTime
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// What occupies the units a request wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccupantKind {
    /// A booking (held, confirmed or checked in).
    Booking,
    /// A maintenance block.
    Block,
}

impl fmt::Display for OccupantKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            OccupantKind::Booking => "booking",
            OccupantKind::Block => "block",
        })
    }
}

/// One thing a rejected request collided with. Other members' details are never included:
/// only the id, the span it occupies and how many units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictItem {
    /// Booking or block.
    pub kind: OccupantKind,
    /// Its id.
    pub id: String,
    /// Start of the span it occupies, buffers included.
    pub start: Timestamp,
    /// End of the span it occupies, buffers included.
    pub end: Timestamp,
    /// Units it takes.
    pub quantity: u32,
}

/// Structured data carried by an [`Error`]; serialises as a JSON object (empty for `None`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ErrorDetails {
    /// A capacity conflict: everything the request collided with, in start order.
    Conflict {
        /// The collisions.
        conflicts: Vec<ConflictItem>,
        /// Bookings that would go through instead (A5), best first; empty when none
        /// were asked for or none are free.
        #[serde(default)]
        alternatives: Vec<crate::availability::Alternative>,
    },
    /// A state machine refusal.
    Transition {
        /// The booking.
        booking: BookingId,
        /// Its current state.
        from: BookingStatus,
        /// The state the action would lead to.
        to: BookingStatus,
    },
    /// Every policy rule a request breaks (P8).
    Violations {
        /// The broken rules.
        violations: Vec<crate::policy::Violation>,
    },
    /// A hold confirmed too late.
    HoldExpired {
        /// The booking.
        booking: BookingId,
        /// When the hold lapsed.
        expired_at: Timestamp,
    },
    /// An optimistic-concurrency failure.
    Version {
        /// The version the caller read.
        expected: u64,
        /// The version stored now.
        actual: u64,
    },
    /// A local time in a DST gap or fold, with the instants the other choices would give.
    LocalTime {
        /// The wall time as given.
        local: String,
        /// The zone it was read in.
        timezone: String,
        /// What `earlier` would give.
        earlier: Timestamp,
        /// What `later` would give.
        later: Timestamp,
    },
    /// Future bookings that block archiving a resource.
    FutureBookings {
        /// Their ids.
        bookings: Vec<BookingId>,
    },
    /// An unknown or duplicate record.
    Entity {
        /// `resource`, `booking`, …
        entity: String,
        /// Its id.
        id: String,
    },
    /// A check-in attempted before the window opens.
    CheckInWindow {
        /// When check-in opens.
        opens_at: Timestamp,
    },
    /// A bad field.
    Field {
        /// The field's name in the command.
        field: String,
    },
    /// The occurrences of a series that failed.
    Series {
        /// Each failed occurrence with its reason.
        occurrences: Vec<crate::recurrence::OccurrenceReport>,
    },
    /// What went wrong with the store, for a `storage` error.
    Storage {
        /// The kind of fault.
        fault: StorageFault,
    },
    /// No details.
    None {},
}

/// Why a store failed, carried by `storage` errors so callers can tell a file that is not
/// theirs from a disk that is full. The string forms are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StorageFault {
    /// The file is not a database at all (garbage, or another format).
    NotADatabase,
    /// The file is a database, but not a slotwise store.
    NotSlotwise,
    /// The store was written by a newer slotwise (its schema version is higher than this
    /// build knows); open it with that version.
    NewerSchema,
    /// The file is damaged (truncated, or pages fail their checks).
    Corrupt,
    /// Another writer held the store for longer than the configured wait.
    Busy,
    /// Reading or writing failed (disk full, permissions, I/O error).
    Io,
}

impl StorageFault {
    /// The stable string form, e.g. `"newer_schema"`.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageFault::NotADatabase => "not_a_database",
            StorageFault::NotSlotwise => "not_slotwise",
            StorageFault::NewerSchema => "newer_schema",
            StorageFault::Corrupt => "corrupt",
            StorageFault::Busy => "busy",
            StorageFault::Io => "io",
        }
    }
}

impl fmt::Display for StorageFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A slotwise error: a stable [`code`](Error::code), a human message and
/// [`details`](Error::details).
///
/// ```
/// use slotwise::{Engine, ErrorCode, NewResource};
/// let mut engine = Engine::in_memory();
/// let err = engine.create_resource(NewResource::new("desk-1").timezone("Mars/Olympus")).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::UnknownTimezone);
/// assert_eq!(err.code().as_str(), "unknown_timezone");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    details: Box<ErrorDetails>,
}

impl Error {
    /// An error with a code, message and details.
    pub fn new(code: ErrorCode, message: impl Into<String>, details: ErrorDetails) -> Self {
        Error {
            code,
            message: message.into(),
            details: Box::new(details),
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message (wording may change; match on the code).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Structured details.
    pub fn details(&self) -> &ErrorDetails {
        &self.details
    }

    /// The conflicts of a `conflict` error (empty for other codes).
    pub fn conflicts(&self) -> &[ConflictItem] {
        match &*self.details {
            ErrorDetails::Conflict { conflicts, .. } => conflicts,
            _ => &[],
        }
    }

    /// The alternatives offered with a `conflict` error (A5; empty for other codes).
    pub fn alternatives(&self) -> &[crate::availability::Alternative] {
        match &*self.details {
            ErrorDetails::Conflict { alternatives, .. } => alternatives,
            _ => &[],
        }
    }

    /// `{ "code": …, "message": …, "details": {…} }`, the shape every binding exposes.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code,
            "message": self.message,
            "details": self.details,
        })
    }

    pub(crate) fn invalid_input(field: &str, message: impl Into<String>) -> Self {
        Error::new(
            ErrorCode::InvalidInput,
            message,
            ErrorDetails::Field {
                field: field.to_owned(),
            },
        )
    }

    pub(crate) fn not_found(entity: &str, id: &str) -> Self {
        Error::new(
            ErrorCode::NotFound,
            format!("no {entity} with id `{id}`"),
            ErrorDetails::Entity {
                entity: entity.to_owned(),
                id: id.to_owned(),
            },
        )
    }

    pub(crate) fn already_exists(entity: &str, id: &str) -> Self {
        Error::new(
            ErrorCode::AlreadyExists,
            format!("a {entity} with id `{id}` already exists"),
            ErrorDetails::Entity {
                entity: entity.to_owned(),
                id: id.to_owned(),
            },
        )
    }

    pub(crate) fn unknown_timezone(name: &str) -> Self {
        Error::new(
            ErrorCode::UnknownTimezone,
            format!("`{name}` is not an IANA timezone name"),
            ErrorDetails::Field {
                field: "timezone".to_owned(),
            },
        )
    }

    pub(crate) fn nonexistent_local_time(
        tz: Tz,
        local: NaiveDateTime,
        earlier: Timestamp,
        later: Timestamp,
    ) -> Self {
        Error::new(
            ErrorCode::NonexistentLocalTime,
            format!("{local} does not exist in {tz} (a DST gap); choose a disambiguation"),
            ErrorDetails::LocalTime {
                local: local.to_string(),
                timezone: tz.name().to_owned(),
                earlier,
                later,
            },
        )
    }

    pub(crate) fn ambiguous_local_time(
        tz: Tz,
        local: NaiveDateTime,
        earlier: Timestamp,
        later: Timestamp,
    ) -> Self {
        Error::new(
            ErrorCode::AmbiguousLocalTime,
            format!("{local} happens twice in {tz} (a DST fold); choose a disambiguation"),
            ErrorDetails::LocalTime {
                local: local.to_string(),
                timezone: tz.name().to_owned(),
                earlier,
                later,
            },
        )
    }

    pub(crate) fn conflict(conflicts: Vec<ConflictItem>) -> Self {
        Error::conflict_with_alternatives(conflicts, Vec::new())
    }

    pub(crate) fn conflict_with_alternatives(
        conflicts: Vec<ConflictItem>,
        alternatives: Vec<crate::availability::Alternative>,
    ) -> Self {
        Error::new(
            ErrorCode::Conflict,
            format!(
                "the requested units are taken: {} conflicting occupant(s), {} alternative(s) offered",
                conflicts.len(),
                alternatives.len()
            ),
            ErrorDetails::Conflict {
                conflicts,
                alternatives,
            },
        )
    }

    pub(crate) fn policy_violation(violations: Vec<crate::policy::Violation>) -> Self {
        let codes: Vec<String> = violations
            .iter()
            .map(|v| {
                serde_json::to_value(v.code)
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            })
            .collect();
        Error::new(
            ErrorCode::PolicyViolation,
            format!(
                "the request breaks {} rule(s): {}",
                violations.len(),
                codes.join(", ")
            ),
            ErrorDetails::Violations { violations },
        )
    }

    /// The violations of a `policy_violation` error (empty for other codes).
    pub fn violations(&self) -> &[crate::policy::Violation] {
        match &*self.details {
            ErrorDetails::Violations { violations } => violations,
            _ => &[],
        }
    }

    pub(crate) fn storage(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Storage, message, ErrorDetails::None {})
    }

    /// A `storage` error of a given fault, for store implementations.
    ///
    /// ```
    /// use slotwise::{Error, ErrorCode, StorageFault};
    /// let err = Error::store_fault(StorageFault::NewerSchema, "written by schema 9; this build knows 1");
    /// assert_eq!(err.code(), ErrorCode::Storage);
    /// assert_eq!(err.storage_fault(), Some(StorageFault::NewerSchema));
    /// ```
    pub fn store_fault(fault: StorageFault, message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Storage, message, ErrorDetails::Storage { fault })
    }

    /// The fault of a `storage` error that names one.
    pub fn storage_fault(&self) -> Option<StorageFault> {
        match &*self.details {
            ErrorDetails::Storage { fault } => Some(*fault),
            _ => None,
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, message, ErrorDetails::None {})
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// The result type of every slotwise operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_stable_strings() {
        for code in [
            ErrorCode::Conflict,
            ErrorCode::HoldExpired,
            ErrorCode::IdempotencyKeyReused,
            ErrorCode::NonexistentLocalTime,
            ErrorCode::CheckInNotOpen,
        ] {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str());
        }
    }

    #[test]
    fn error_json_has_code_message_details() {
        let e = Error::invalid_input("quantity", "must be at least 1");
        let json = e.to_json();
        assert_eq!(json["code"], "invalid_input");
        assert_eq!(json["details"]["field"], "quantity");
        assert!(e.code().is_input_error());
    }
}
