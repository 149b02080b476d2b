//! Maintenance blocks (M1): spans when a resource cannot be booked at all. A block takes
//! every unit of its resource, so in the interval index it counts as a full-capacity
//! occupant and collides with any booking, buffers included.

use serde::{Deserialize, Serialize};

use crate::ids::{BookingId, ResourceId};
use crate::limits::MAX_CAPACITY;
use crate::time::{Span, Timestamp};

/// A maintenance block on one resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    /// Engine-made id (`blk_{n}`).
    pub id: String,
    /// The blocked resource.
    pub resource: ResourceId,
    /// Start (UTC).
    pub start: Timestamp,
    /// End, exclusive.
    pub end: Timestamp,
    /// Why (shown to affected members).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For an occurrence of a recurring block (C5): the id shared by every block the
    /// command made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
}

impl Block {
    /// The blocked span.
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.end,
        }
    }

    /// Units a block holds in the index: more than any resource can have, so it always
    /// collides.
    pub const UNITS: u32 = MAX_CAPACITY;
}

/// What to do with bookings that a new block collides with (M1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockStrategy {
    /// Refuse the block with a `conflict` listing them.
    #[default]
    Reject,
    /// Cancel them (holds are released), each audited and evented with the block's reason.
    Cancel,
    /// Move each to an equivalent free resource (same kind, at least its tags, enough
    /// capacity, same location); if any cannot move, the block is refused.
    Move,
}

/// What creating a block did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockOutcome {
    /// The blocks created, one per resource.
    pub blocks: Vec<Block>,
    /// Bookings cancelled or released because of them.
    #[serde(default)]
    pub cancelled: Vec<BookingId>,
    /// Bookings moved, with their new resource.
    #[serde(default)]
    pub moved: Vec<MovedBooking>,
}

/// A booking moved out of a block's way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedBooking {
    /// The booking.
    pub booking: BookingId,
    /// Where it was.
    pub from: ResourceId,
    /// Where it is now.
    pub to: ResourceId,
}
