//! The waitlist (W1–W3): members queue for a span that is full, on one resource or on
//! any resource matching filters; when capacity frees, the first waiter that fits is
//! offered a hold that they claim by confirming it.
//!
//! **Order.** Entries are served first come, first served: when units free up on a
//! resource, the waiting entries whose span overlaps what was freed and whose target
//! admits that resource are tried in the order they joined, and each that now fits (its
//! whole span, its units, and the member's rules) gets a hold. An entry that does not fit
//! keeps its place. Position and queue length count the entries with the same target
//! and the same span.
//!
//! **Offers and time.** An offer is a hold with the entry's claim TTL. Confirming it
//! claims the offer; releasing it declines; letting it lapse expires the entry. Either
//! way the freed units pass to the next waiter. Offers follow the clock, not the calls:
//! an offer made because a hold lapsed at 10:00 runs from 10:00, whenever `tick` (or any
//! command, which applies what is due first while anyone waits) notices. So the state
//! after a sequence of commands never depends on when `tick` ran (B12, I2). An entry
//! whose span has begun without an offer lapses.

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::commands::ResourceFilter;
use crate::ids::{BookingId, MemberId, ResourceId};
use crate::time::{Disambiguation, Span, TimeInput, Timestamp};

/// Where an entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitlistStatus {
    /// In the queue.
    Waiting,
    /// Offered a hold, not yet claimed.
    Offered,
    /// The member confirmed the offered hold.
    Claimed,
    /// The member let the offer lapse.
    Expired,
    /// The member released the offered hold.
    Declined,
    /// The member left the queue.
    Left,
    /// The span began before anything freed up.
    Lapsed,
}

impl WaitlistStatus {
    /// The stable snake_case name, e.g. `"offered"`.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitlistStatus::Waiting => "waiting",
            WaitlistStatus::Offered => "offered",
            WaitlistStatus::Claimed => "claimed",
            WaitlistStatus::Expired => "expired",
            WaitlistStatus::Declined => "declined",
            WaitlistStatus::Left => "left",
            WaitlistStatus::Lapsed => "lapsed",
        }
    }

    /// Whether the entry is still in the queue (waiting or holding an offer).
    pub fn is_open(self) -> bool {
        matches!(self, WaitlistStatus::Waiting | WaitlistStatus::Offered)
    }
}

impl std::fmt::Display for WaitlistStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A hold offered to a waiter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// The hold.
    pub booking: BookingId,
    /// The resource it is on.
    pub resource: ResourceId,
    /// When it was made.
    pub offered_at: Timestamp,
    /// When it lapses unless confirmed.
    pub expires_at: Timestamp,
}

/// One member waiting for one span.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitlistEntry {
    /// Engine-made id (`wl_{n}`).
    pub id: String,
    /// Order of joining (the `n` of the id).
    pub seq: u64,
    /// The member waiting.
    pub member: MemberId,
    /// The resource wanted (or give `filter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceId>,
    /// Any resource matching these filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<ResourceFilter>,
    /// Start of the span wanted.
    pub start: Timestamp,
    /// End of the span wanted, exclusive.
    pub end: Timestamp,
    /// Units wanted.
    pub quantity: u32,
    /// How long an offer stays open.
    pub claim_ttl_secs: i64,
    /// Where it stands (as stored; read through [`WaitlistEntry::as_of`]).
    pub status: WaitlistStatus,
    /// The current or last offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<Offer>,
    /// Bumped by every change.
    pub version: u64,
    /// When it joined.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl WaitlistEntry {
    /// The span wanted.
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.end,
        }
    }

    /// The entry as of `now`: a waiting entry whose span has begun reads as lapsed, an
    /// offer past its expiry as expired, whether or not `tick` has stored that. These
    /// time-driven changes do not bump the version, so reads agree either way (B12).
    pub fn as_of(&self, now: Timestamp) -> WaitlistEntry {
        let mut e = self.clone();
        match (e.status, e.offer.as_ref().map(|o| o.expires_at)) {
            (WaitlistStatus::Waiting, _) if now >= e.start => {
                e.status = WaitlistStatus::Lapsed;
                e.updated_at = e.start;
            }
            (WaitlistStatus::Offered, Some(expiry)) if now >= expiry => {
                e.status = WaitlistStatus::Expired;
                e.updated_at = expiry;
            }
            _ => {}
        }
        e
    }

    /// Whether it queues for the same thing as `other`: same target, same span.
    pub fn same_queue(&self, other: &WaitlistEntry) -> bool {
        self.resource == other.resource
            && self.filter == other.filter
            && self.start == other.start
            && self.end == other.end
    }
}

/// An entry with its place in its queue (W2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaitlistPosition {
    /// The entry, as of now.
    pub entry: WaitlistEntry,
    /// 1 for the first in its queue; `None` once it has left the queue.
    #[serde(default)]
    pub position: Option<usize>,
    /// Open entries in its queue (same target and span).
    pub queue_length: usize,
}

/// Join a waitlist (W1).
///
/// ```
/// use slotwise::waitlist::JoinWaitlist;
/// let join = JoinWaitlist::for_resource("room-a", "bob", "2026-03-02T09:00", "2026-03-02T10:00");
/// assert_eq!(join.quantity, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinWaitlist {
    /// The member.
    pub member: MemberId,
    /// The resource wanted (give `resource` or `filter`).
    #[serde(default)]
    pub resource: Option<ResourceId>,
    /// Any resource matching these filters.
    #[serde(default)]
    pub filter: Option<ResourceFilter>,
    /// Start: an instant, or a local time read in the resource's zone (with `filter`,
    /// instants only: matching resources may sit in different zones).
    pub start: TimeInput,
    /// End, exclusive.
    pub end: TimeInput,
    /// How to read local times.
    #[serde(default)]
    pub disambiguation: Disambiguation,
    /// Units (default 1).
    #[serde(default = "one")]
    pub quantity: u32,
    /// How long an offer stays open (default: the engine config's).
    #[serde(default)]
    pub claim_ttl_secs: Option<i64>,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the member).
    #[serde(default)]
    pub actor: Option<Actor>,
}

fn one() -> u32 {
    1
}

impl JoinWaitlist {
    /// Waiting for one unit of `resource` over `[start, end)`.
    pub fn for_resource(
        resource: impl Into<ResourceId>,
        member: impl Into<MemberId>,
        start: impl Into<TimeInput>,
        end: impl Into<TimeInput>,
    ) -> Self {
        JoinWaitlist {
            member: member.into(),
            resource: Some(resource.into()),
            filter: None,
            start: start.into(),
            end: end.into(),
            disambiguation: Disambiguation::Reject,
            quantity: 1,
            claim_ttl_secs: None,
            idempotency_key: None,
            actor: None,
        }
    }

    /// Waiting for any resource matching `filter` over `[start, end)` (instants).
    pub fn for_any(
        filter: ResourceFilter,
        member: impl Into<MemberId>,
        start: impl Into<TimeInput>,
        end: impl Into<TimeInput>,
    ) -> Self {
        JoinWaitlist {
            resource: None,
            filter: Some(filter),
            ..JoinWaitlist::for_resource("", member, start, end)
        }
    }

    /// Sets the claim TTL.
    pub fn claim_ttl_secs(mut self, secs: i64) -> Self {
        self.claim_ttl_secs = Some(secs);
        self
    }
}

/// Leave a waitlist, or claim its offer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitlistAction {
    /// The entry.
    pub entry: String,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the entry's member).
    #[serde(default)]
    pub actor: Option<Actor>,
}

impl WaitlistAction {
    /// An action on `entry`.
    pub fn new(entry: impl Into<String>) -> Self {
        WaitlistAction {
            entry: entry.into(),
            ..Default::default()
        }
    }
}

/// Which entries to list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitlistQuery {
    /// Only this member's.
    #[serde(default)]
    pub member: Option<MemberId>,
    /// Only entries for this resource (named, or offered on it).
    #[serde(default)]
    pub resource: Option<ResourceId>,
    /// Only entries still in the queue.
    #[serde(default)]
    pub open_only: bool,
}
