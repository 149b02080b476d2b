//! "Why not" (A7): the machine-readable reasons a resource cannot be booked for a span,
//! read off an explanation's violations and conflicts.

use serde::{Deserialize, Serialize};

use crate::error::{ConflictItem, OccupantKind, Result};
use crate::ids::BookingId;
use crate::policy::{Violation, ViolationCode};
use crate::store::StoreRead;
use crate::time::{Span, Timestamp};

/// The family of a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The resource is archived.
    Archived,
    /// More units than the resource has.
    Capacity,
    /// Outside opening hours.
    Closed,
    /// A maintenance block is in the way.
    Blocked,
    /// Another booking takes the units over part of the span.
    Booked,
    /// Only buffers collide: another booking's, or this one's against a neighbour.
    Buffer,
    /// Another policy rule (the violation code says which).
    Policy,
}

/// One reason a booking cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The family.
    pub code: ReasonCode,
    /// For `closed` and `policy`: the rule broken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violation: Option<ViolationCode>,
    /// For `blocked`, `booked` and `buffer`: the block or booking in the way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupant: Option<String>,
    /// For `blocked`, `booked` and `buffer`: where it is in the way (the span it occupies,
    /// buffers included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Timestamp>,
    /// End of that span.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
}

impl Reason {
    fn simple(code: ReasonCode) -> Self {
        Reason {
            code,
            violation: None,
            occupant: None,
            start: None,
            end: None,
        }
    }
}

/// The reasons behind `violations` and `conflicts` for a booking of `span` (without its
/// buffers): `closed` for opening hours, `policy` for any other rule, `blocked` for a
/// block, and for another booking `booked` when the bare spans overlap, else `buffer`.
pub(crate) fn reasons(
    store: &dyn StoreRead,
    span: Span,
    violations: &[Violation],
    conflicts: &[ConflictItem],
) -> Result<Vec<Reason>> {
    let mut out = Vec::new();
    for v in violations {
        let code = if v.code == ViolationCode::Closed {
            ReasonCode::Closed
        } else {
            ReasonCode::Policy
        };
        out.push(Reason {
            violation: Some(v.code),
            ..Reason::simple(code)
        });
    }
    for c in conflicts {
        let code = match c.kind {
            OccupantKind::Block => ReasonCode::Blocked,
            OccupantKind::Booking => {
                let other = store.booking(&BookingId::from(c.id.as_str()))?;
                let bare_overlap = other.is_some_and(|b| b.start < span.end && span.start < b.end);
                if bare_overlap {
                    ReasonCode::Booked
                } else {
                    ReasonCode::Buffer
                }
            }
        };
        out.push(Reason {
            occupant: Some(c.id.clone()),
            start: Some(c.start),
            end: Some(c.end),
            ..Reason::simple(code)
        });
    }
    Ok(out)
}

/// A reason without details: `archived` or `capacity`.
pub(crate) fn plain(code: ReasonCode) -> Reason {
    Reason::simple(code)
}
