//! Reads (B9, E1, E2). Bookings are returned as of now (B12).

use super::Engine;
use crate::audit::{AuditQuery, AuditRecord};
use crate::booking::Booking;
use crate::commands::{BookingQuery, ResourceFilter};
use crate::error::{Error, Result};
use crate::events::{AckEvents, Event, EventQuery};
use crate::ids::{BookingId, ResourceId};
use crate::limits::MAX_SHORT_TEXT;
use crate::resource::Resource;
use crate::store::Store;
use crate::time::{Span, Timestamp};

/// Most events one read returns.
const MAX_EVENTS: usize = 10_000;

impl<S: Store> Engine<S> {
    /// A resource by id.
    pub fn resource(&self, id: &ResourceId) -> Result<Resource> {
        self.store().refresh()?;
        self.store
            .resource(id)?
            .map(|r| (*r).clone())
            .ok_or_else(|| Error::not_found("resource", id.as_str()))
    }

    /// Resources matching `filter`, in id order (R3).
    pub fn resources(&self, filter: &ResourceFilter) -> Result<Vec<Resource>> {
        self.store().refresh()?;
        let mut out = Vec::new();
        self.store.resources(&mut |r| {
            if filter.admits(r) {
                out.push(r.clone());
            }
        })?;
        Ok(out)
    }

    /// The resources a query names, in id order: `ids` when given (each must exist),
    /// else every resource `filter` admits.
    pub(crate) fn named_or_filtered(
        &self,
        ids: &[ResourceId],
        filter: &ResourceFilter,
    ) -> Result<Vec<Resource>> {
        if ids.is_empty() {
            return self.resources(filter);
        }
        let mut out = ids
            .iter()
            .map(|id| self.resource(id))
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// A booking by id, as of now.
    pub fn booking(&self, id: &BookingId) -> Result<Booking> {
        self.store().refresh()?;
        let now = self.clock.now();
        self.store
            .booking(id)?
            .map(|b| b.as_of(now))
            .ok_or_else(|| Error::not_found("booking", id.as_str()))
    }

    /// A member's or a resource's bookings overlapping `[from, to)`, optionally only some
    /// states, in start order (B9).
    pub fn bookings(&self, query: &BookingQuery) -> Result<Vec<Booking>> {
        self.store().refresh()?;
        let now = self.clock.now();
        let window = Span::new(
            query.from.unwrap_or(Timestamp::MIN),
            query.to.unwrap_or(Timestamp::MAX),
        )
        .ok_or_else(|| Error::invalid_input("to", "`to` must be after `from`"))?;
        let mut out = Vec::new();
        let mut keep = |b: &Booking| {
            let b = b.as_of(now);
            if query
                .statuses
                .as_ref()
                .is_none_or(|s| s.contains(&b.status))
            {
                out.push(b);
            }
        };
        match (&query.member, &query.resource) {
            (Some(member), None) => self.store.member_bookings(member, window, &mut keep)?,
            (None, Some(resource)) => self.store.resource_bookings(resource, window, &mut keep)?,
            (Some(member), Some(resource)) => {
                self.store.member_bookings(member, window, &mut |b| {
                    if &b.resource == resource {
                        keep(b)
                    }
                })?
            }
            (None, None) => {
                return Err(Error::invalid_input(
                    "member",
                    "a booking query needs a `member` or a `resource`",
                ))
            }
        }
        Ok(out)
    }

    /// Audit records matching `query`, oldest first (E1).
    pub fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>> {
        self.store().refresh()?;
        self.store.audit(query)
    }

    /// Events after a cursor (E2): `after`, else the consumer's acknowledged position.
    pub fn events(&self, query: &EventQuery) -> Result<Vec<Event>> {
        self.store().refresh()?;
        let after = match (query.after, &query.consumer) {
            (Some(after), _) => after,
            (None, Some(consumer)) => self.store.consumer_cursor(consumer)?,
            (None, None) => 0,
        };
        let limit = query.limit.unwrap_or(100).min(MAX_EVENTS);
        self.store.events(after, limit)
    }

    /// Acknowledges every event up to `seq` for a consumer (E2). Cursors only move forward:
    /// an older acknowledgement (a redelivery) is accepted and changes nothing.
    pub fn ack_events(&mut self, cmd: AckEvents) -> Result<u64> {
        if cmd.consumer.is_empty() || cmd.consumer.len() > MAX_SHORT_TEXT {
            return Err(Error::invalid_input(
                "consumer",
                format!("a consumer name must be 1 to {MAX_SHORT_TEXT} bytes"),
            ));
        }
        self.mutate("ack_events", &cmd, None, None, |ctx, _, _| {
            let last = ctx.tx.last_event_seq()?;
            if cmd.seq > last {
                return Err(Error::invalid_input(
                    "seq",
                    format!("event {} does not exist yet (last is {last})", cmd.seq),
                ));
            }
            let current = ctx.tx.consumer_cursor(&cmd.consumer)?;
            if cmd.seq > current {
                ctx.tx.set_consumer_cursor(&cmd.consumer, cmd.seq)?;
            }
            Ok(cmd.seq.max(current))
        })
    }
}
