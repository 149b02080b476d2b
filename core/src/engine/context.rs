//! What a command sees while it runs: the open transaction, the clock reading and the
//! actor, plus the one place audit records and events are written (I6).

use std::sync::Arc;

use crate::audit::{Action, Actor, AuditRecord, Entity, Role};
use crate::booking::{Booking, BookingStatus};
use crate::error::{Error, ErrorCode, ErrorDetails, Result};
use crate::events::Event;
use crate::ids::{BookingId, ResourceId};
use crate::policy::{Policy, Violation};
use crate::recurrence::{Series, SeriesLink};
use crate::resource::Resource;
use crate::store::Transaction;
use crate::time::{Span, Timestamp};
use crate::waitlist::{WaitlistEntry, WaitlistStatus};

pub(crate) struct Ctx<'t> {
    pub tx: Box<dyn Transaction + 't>,
    pub now: Timestamp,
    /// Who is acting: as the command said, else decided by the command (the booking's
    /// member for booking actions, the system for the rest).
    pub actor: Actor,
    /// Whether the command named its actor.
    pub actor_given: bool,
    /// Rules an admin overrode in this command; recorded with the next change.
    pub overridden: Vec<Violation>,
    /// Units this command's changes freed, in order, for the waitlist to offer (W3).
    pub freed: std::collections::VecDeque<Freed>,
    /// Series occurrences this command cancelled or released; they become exdates
    /// when the command finishes (C3).
    pub ended_occurrences: Vec<SeriesLink>,
}

/// Units freed on a resource over a window, as of an instant (the command's clock, or
/// the moment a hold lapsed or a check-in deadline passed).
#[derive(Clone, Debug)]
pub(crate) struct Freed {
    pub resource: ResourceId,
    pub window: Span,
    pub at: Timestamp,
}

impl<'t> Ctx<'t> {
    /// A command's context over `tx` at `now`; without a named actor, the system acts
    /// until the command decides otherwise.
    pub fn new(tx: Box<dyn Transaction + 't>, now: Timestamp, actor: Option<Actor>) -> Self {
        Ctx {
            tx,
            now,
            actor_given: actor.is_some(),
            overridden: Vec::new(),
            actor: actor.unwrap_or_else(Actor::system),
            freed: Default::default(),
            ended_occurrences: Vec::new(),
        }
    }

    /// Appends the audit record and the event for one change, in the command's
    /// transaction (I6, E2). The event carries the state after (or, for a deletion, the
    /// state before); rules an admin overrode go on the audit record.
    fn append(&mut self, change: Change<'_>) -> Result<()> {
        self.tx.append_audit(AuditRecord {
            seq: 0,
            at: self.now,
            actor: self.actor.clone(),
            action: change.action,
            resource: change.resource.cloned(),
            booking: change.booking.cloned(),
            member: change.member.cloned(),
            reason: change.reason.map(str::to_owned),
            before: change.before.clone(),
            after: change.after.clone(),
            overridden: std::mem::take(&mut self.overridden),
        })?;
        self.tx.append_event(Event {
            seq: 0,
            at: self.now,
            kind: change.action,
            resource: change.resource.cloned(),
            booking: change.booking.cloned(),
            member: change.member.cloned(),
            data: change.after.or(change.before),
        })?;
        Ok(())
    }

    /// Records a booking change, and notes what it means beyond the booking: units
    /// freed for the waitlist, an offer claimed, declined or lapsed, a series occurrence
    /// ended.
    pub fn record_booking(
        &mut self,
        action: Action,
        before: Option<&Booking>,
        after: &Booking,
        reason: Option<&str>,
    ) -> Result<()> {
        self.append(Change {
            action,
            resource: Some(&after.resource),
            booking: Some(&after.id),
            member: Some(&after.member),
            reason,
            before: before.map(|b| Entity::Booking(Arc::new(b.clone()))),
            after: Some(Entity::Booking(Arc::new(after.clone()))),
        })?;
        if let Some(before) = before {
            self.note_freed(before, after);
            if before.status != after.status {
                if let Some(link) = &after.series {
                    if matches!(
                        after.status,
                        BookingStatus::Cancelled | BookingStatus::Released
                    ) {
                        self.ended_occurrences.push(link.clone());
                    }
                }
                if let Some(entry) = &after.waitlist_entry {
                    self.settle_offer(entry, after)?;
                }
            }
        }
        Ok(())
    }

    /// Notes the units `before` held that `after` no longer holds.
    fn note_freed(&mut self, before: &Booking, after: &Booking) {
        if !before.status.occupies() {
            return;
        }
        let still_there = after.status.occupies()
            && after.resource == before.resource
            && after.quantity >= before.quantity
            && after.occupied_span().covers(&before.occupied_span());
        if still_there {
            return;
        }
        let at = match after.ended_at {
            Some(ended) if !after.status.occupies() => ended,
            _ => self.now,
        };
        self.freed.push_back(Freed {
            resource: before.resource.clone(),
            window: before.occupied_span(),
            at,
        });
    }

    /// Moves the waitlist entry an offered hold belongs to along with the hold.
    fn settle_offer(&mut self, entry_id: &str, hold: &Booking) -> Result<()> {
        let Some(entry) = self.tx.waitlist_entry(entry_id)? else {
            return Ok(());
        };
        let offered_this = entry.status == WaitlistStatus::Offered
            && entry.offer.as_ref().is_some_and(|o| o.booking == hold.id);
        if !offered_this {
            return Ok(());
        }
        let (status, action) = match hold.status {
            BookingStatus::Confirmed => (WaitlistStatus::Claimed, Action::WaitlistClaimed),
            BookingStatus::Released => (WaitlistStatus::Declined, Action::WaitlistDeclined),
            BookingStatus::Expired => (WaitlistStatus::Expired, Action::WaitlistExpired),
            _ => return Ok(()),
        };
        let mut after = entry.clone();
        after.status = status;
        after.updated_at = hold.updated_at;
        // A lapse is time-driven (no version bump, as for bookings); the rest are commands.
        if status != WaitlistStatus::Expired {
            after.version += 1;
        }
        self.tx.put_waitlist_entry(after.clone())?;
        self.record_waitlist(action, &after)
    }

    /// Records a series change.
    pub fn record_series(
        &mut self,
        action: Action,
        before: Option<&Series>,
        after: &Series,
        reason: Option<&str>,
    ) -> Result<()> {
        self.append(Change {
            action,
            resource: Some(&after.resource),
            booking: None,
            member: Some(&after.member),
            reason,
            before: before.map(|s| Entity::Series(Arc::new(s.clone()))),
            after: Some(Entity::Series(Arc::new(after.clone()))),
        })
    }

    /// Records a waitlist entry's change (the state after).
    pub fn record_waitlist(&mut self, action: Action, after: &WaitlistEntry) -> Result<()> {
        let resource = after
            .offer
            .as_ref()
            .map(|o| &o.resource)
            .or(after.resource.as_ref());
        let booking = after.offer.as_ref().map(|o| &o.booking);
        self.append(Change {
            action,
            resource,
            booking,
            member: Some(&after.member),
            reason: None,
            before: None,
            after: Some(Entity::WaitlistEntry(Arc::new(after.clone()))),
        })
    }

    /// Records a resource change.
    pub fn record_resource(
        &mut self,
        action: Action,
        before: Option<&Resource>,
        after: &Resource,
        reason: Option<&str>,
    ) -> Result<()> {
        self.append(Change {
            action,
            resource: Some(&after.id),
            booking: None,
            member: None,
            reason,
            before: before.map(|r| Entity::Resource(Arc::new(r.clone()))),
            after: Some(Entity::Resource(Arc::new(after.clone()))),
        })
    }

    /// Records a policy put (`after` set) or deletion (`after` empty).
    pub fn record_policy(
        &mut self,
        action: Action,
        before: Option<&Policy>,
        after: Option<&Policy>,
    ) -> Result<()> {
        self.append(Change {
            action,
            resource: None,
            booking: None,
            member: None,
            reason: None,
            before: before.map(|p| Entity::Policy(Arc::new(p.clone()))),
            after: after.map(|p| Entity::Policy(Arc::new(p.clone()))),
        })
    }

    /// Records a block placed or removed.
    pub fn record_block(&mut self, action: Action, block: &crate::block::Block) -> Result<()> {
        let entity = Some(Entity::Block(Arc::new(block.clone())));
        let (before, after) = match action {
            Action::BlockRemoved => (entity, None),
            _ => (None, entity),
        };
        if action == Action::BlockRemoved {
            self.freed.push_back(Freed {
                resource: block.resource.clone(),
                window: block.span(),
                at: self.now,
            });
        }
        self.append(Change {
            action,
            resource: Some(&block.resource),
            booking: None,
            member: None,
            reason: block.reason.as_deref(),
            before,
            after,
        })
    }

    /// A resource that exists, or `not_found`.
    pub fn resource(&self, id: &ResourceId) -> Result<std::sync::Arc<Resource>> {
        self.tx
            .resource(id)?
            .ok_or_else(|| Error::not_found("resource", id.as_str()))
    }

    /// A booking as of now (due transitions applied), or `not_found`; also checks that
    /// the actor may act on it and that the caller's expected version still holds.
    pub fn booking_for_action(
        &mut self,
        id: &BookingId,
        expected_version: Option<u64>,
    ) -> Result<Booking> {
        let booking = self
            .tx
            .booking(id)?
            .ok_or_else(|| Error::not_found("booking", id.as_str()))?;
        if !self.actor_given {
            self.actor = Actor::member(booking.member.as_str());
        }
        check_actor_may_act(&self.actor, &booking)?;
        if let Some(expected) = expected_version {
            check_version("booking", id.as_str(), expected, booking.version)?;
        }
        Ok(booking.as_of(self.now))
    }
}

/// Members act only on their own bookings; admins and the system on any.
pub(crate) fn check_actor_may_act(actor: &Actor, booking: &Booking) -> Result<()> {
    if actor.role == Role::Member && actor.id != booking.member.as_str() {
        return Err(Error::new(
            ErrorCode::Forbidden,
            format!(
                "member `{}` may not act on booking `{}` of another member",
                actor.id, booking.id
            ),
            ErrorDetails::Entity {
                entity: "booking".into(),
                id: booking.id.to_string(),
            },
        ));
    }
    Ok(())
}

/// `version_conflict` unless the caller's expected version is the stored one (B7).
pub(crate) fn check_version(entity: &str, id: &str, expected: u64, actual: u64) -> Result<()> {
    if expected == actual {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::VersionConflict,
        format!("{entity} `{id}` is at version {actual} but version {expected} was expected"),
        ErrorDetails::Version { expected, actual },
    ))
}

/// One change to record: what, about which records, and the states around it.
struct Change<'a> {
    action: Action,
    resource: Option<&'a ResourceId>,
    booking: Option<&'a BookingId>,
    member: Option<&'a crate::ids::MemberId>,
    reason: Option<&'a str>,
    before: Option<Entity>,
    after: Option<Entity>,
}
