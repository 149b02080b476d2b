//! The event outbox (E2): an ordered, durable stream written in the same transaction as
//! the change it describes. Consumers read from a cursor and acknowledge (at-least-once).

use serde::{Deserialize, Serialize};

use crate::audit::{Action, Entity};
use crate::ids::{BookingId, MemberId, ResourceId};
use crate::time::Timestamp;

/// One outbox event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the stream, from 1, gapless.
    pub seq: u64,
    /// When it was recorded.
    pub at: Timestamp,
    /// What happened.
    pub kind: Action,
    /// The resource concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceId>,
    /// The booking concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<BookingId>,
    /// The member to notify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberId>,
    /// The record's state after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Entity>,
}

/// Which events to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// Start after this sequence number. When absent and `consumer` is given, start after
    /// the consumer's last acknowledged event; otherwise from the beginning.
    #[serde(default)]
    pub after: Option<u64>,
    /// A named consumer whose cursor to start from.
    #[serde(default)]
    pub consumer: Option<String>,
    /// At most this many (default 100, at most 10,000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Acknowledge every event up to and including `seq` for `consumer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckEvents {
    /// The consumer's name.
    pub consumer: String,
    /// The last event it has handled.
    pub seq: u64,
}
