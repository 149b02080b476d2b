//! How the harness talks to the engine: model times and ids to engine inputs, and the
//! command a request stands for.

use slotwise::{
    Action as Recorded, Booking, BookingAction, BookingId, Engine, ModifyBooking, NewBooking,
    NewResource, Resource, Timestamp,
};

use super::reference::{Action, PlaceKind, Req, Target};

/// 2026-03-02T08:00:00Z; model times are milliseconds from here.
pub const BASE_MS: i64 = 1_772_438_400_000;

pub fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millis(BASE_MS + ms)
}

/// The engine id of resource slot `resource`.
pub fn rid(resource: usize) -> String {
    format!("r{resource}")
}

/// What a successful command returns.
#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    Resource(Resource),
    Booking(Booking),
}

/// Sends `req` to the engine; `ids[i]` is the engine id of the model's booking `i`.
pub fn send(
    engine: &mut Engine,
    ids: &[BookingId],
    req: &Req,
    key: Option<&str>,
) -> slotwise::Result<Out> {
    let idempotency_key = key.map(str::to_owned);
    let booking = |t: &Target| match *t {
        Target::Booking(i) => ids[i].clone(),
        Target::Missing => BookingId::from("bk_missing"),
    };
    match req {
        Req::CreateResource { resource, capacity } => {
            let cmd = NewResource::new(rid(*resource)).capacity(*capacity);
            let cmd = NewResource {
                idempotency_key,
                ..cmd
            };
            engine.create_resource(cmd).map(Out::Resource)
        }
        Req::Place {
            kind,
            resource,
            member,
            start,
            end,
            quantity,
        } => {
            let mut cmd =
                NewBooking::new(rid(*resource), *member, ts(*start), ts(*end)).quantity(*quantity);
            cmd.idempotency_key = idempotency_key;
            match *kind {
                PlaceKind::Book => engine.book(cmd),
                PlaceKind::Hold { ttl_secs } => {
                    cmd.ttl_secs = ttl_secs;
                    engine.hold(cmd)
                }
            }
            .map(Out::Booking)
        }
        Req::Act {
            action,
            target,
            version,
        } => {
            let cmd = BookingAction {
                booking: booking(target),
                expected_version: *version,
                idempotency_key,
                ..BookingAction::default()
            };
            let e = engine;
            match action {
                Action::Confirm => e.confirm(cmd),
                Action::Release => e.release(cmd),
                Action::Cancel => e.cancel(cmd),
                Action::CheckIn => e.check_in(cmd),
                Action::CheckOut => e.check_out(cmd),
            }
            .map(Out::Booking)
        }
        Req::Modify {
            target,
            resource,
            start,
            end,
            quantity,
            version,
        } => {
            let cmd = ModifyBooking {
                booking: booking(target),
                resource: resource.map(|r| rid(r).into()),
                start: start.map(|s| ts(s).into()),
                end: end.map(|e| ts(e).into()),
                quantity: *quantity,
                expected_version: *version,
                idempotency_key,
                ..ModifyBooking::default()
            };
            engine.modify(cmd).map(Out::Booking)
        }
    }
}

/// The audit action (and event kind) a successful `req` records.
pub fn recorded_action(req: &Req) -> Recorded {
    match req {
        Req::CreateResource { .. } => Recorded::ResourceCreated,
        Req::Place {
            kind: PlaceKind::Book,
            ..
        } => Recorded::BookingCreated,
        Req::Place { .. } => Recorded::BookingHeld,
        Req::Modify { .. } => Recorded::BookingModified,
        Req::Act { action, .. } => match action {
            Action::Confirm => Recorded::BookingConfirmed,
            Action::Release => Recorded::BookingReleased,
            Action::Cancel => Recorded::BookingCancelled,
            Action::CheckIn => Recorded::BookingCheckedIn,
            Action::CheckOut => Recorded::BookingCheckedOut,
        },
    }
}
