//! How the harness talks to the engine: model times, ids, actors and policies to engine
//! inputs.

use slotwise::policy::{NoShowSanction, OpeningHours, Quotas, TimeRange, WeeklyHours};
use slotwise::{
    Actor, ArchiveOutcome, ArchiveResource, Block, BlockOutcome, BookingAction, BookingId,
    CheckInConfig, Engine, ModifyBooking, NewBlock, NewBooking, NewResource, Policy, PutPolicy,
    RemoveBlock, Resource, ResourceUpdate, Rules, Scope, Timestamp,
};

use super::policy::{PPolicy, PScope, Week};
use super::reference::{Action, BlockOn, PlaceKind, Req, Target, Who, BASE_MS, TIMEZONES};

/// The reason an admin's forced command gives (M2 requires one).
const REASON: &str = "works";

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
    Booking(slotwise::Booking),
    Policy(Policy),
    Blocks(BlockOutcome),
    Block(Block),
    Archived(ArchiveOutcome),
}

pub fn actor(who: Who) -> Option<Actor> {
    match who {
        Who::Default => None,
        Who::Admin => Some(Actor::admin("ops")),
        Who::Member(m) => Some(Actor::member(m)),
    }
}

/// The engine's form of a model policy.
pub fn policy(p: &PPolicy) -> Policy {
    let week = |w: &Week| {
        let day = |d: usize| {
            w[d].iter()
                .map(|&(start, end)| TimeRange { start, end })
                .collect()
        };
        OpeningHours {
            weekly: WeeklyHours {
                mon: day(0),
                tue: day(1),
                wed: day(2),
                thu: day(3),
                fri: day(4),
                sat: day(5),
                sun: day(6),
            },
            overrides: vec![],
            holidays: vec![],
        }
    };
    let r = &p.rules;
    Policy {
        id: format!("p{}", p.id),
        scope: match p.scope {
            PScope::Global => Scope::Global,
            PScope::Resource(r) => Scope::Resource(rid(r).into()),
            PScope::Tag(t) => Scope::Tag(t.into()),
        },
        exempt_roles: p.exempt.clone(),
        rules: Rules {
            opening_hours: r.hours.as_ref().map(week),
            granularity_mins: r.granularity,
            min_duration_mins: r.min_duration,
            max_duration_mins: r.max_duration,
            buffer_before_mins: r.buffer_before,
            buffer_after_mins: r.buffer_after,
            quotas: r.quotas.map(|q| Quotas {
                bookings_per_day: q.per_day,
                bookings_per_week: q.per_week,
                bookings_per_month: q.per_month,
                hours_per_week: q.hours_per_week,
                concurrent_active: q.concurrent,
            }),
            cancel_cutoff_mins: r.cancel_cutoff,
            modify_cutoff_mins: r.modify_cutoff,
            lead_time_mins: r.lead_time,
            horizon_days: r.horizon_days,
            hold_ttl_secs: r.hold_ttl,
            check_in: r
                .check_in
                .map(|(required, opens_before_secs, grace_secs)| CheckInConfig {
                    required,
                    opens_before_secs,
                    grace_secs,
                }),
            no_show_sanction: r.sanction.map(|s| NoShowSanction {
                no_shows: s.no_shows,
                window_days: s.window_days,
                suspend_days: s.suspend_days,
            }),
            max_series_occurrences: None,
            max_series_days: None,
        },
    }
}

/// The engine's form of a place request (book or hold), also what `explain` is asked.
pub fn new_booking(req: &Req) -> Option<NewBooking> {
    let Req::Place {
        kind,
        resource,
        member,
        start,
        end,
        quantity,
        actor: who,
        override_policies,
    } = req
    else {
        return None;
    };
    let mut cmd =
        NewBooking::new(rid(*resource), *member, ts(*start), ts(*end)).quantity(*quantity);
    cmd.actor = actor(*who);
    cmd.override_policies = *override_policies;
    if let PlaceKind::Hold { ttl_secs } = kind {
        cmd.ttl_secs = *ttl_secs;
    }
    Some(cmd)
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
        Req::CreateResource { resource, spec } => {
            let cmd = NewResource::new(rid(*resource))
                .capacity(spec.capacity)
                .tags(spec.tags.iter().copied())
                .kind(spec.kind)
                .timezone(TIMEZONES[spec.tz].0);
            let cmd = NewResource {
                idempotency_key,
                ..cmd
            };
            engine.create_resource(cmd).map(Out::Resource)
        }
        Req::Place { kind, .. } => {
            let mut cmd = new_booking(req).expect("a place request");
            cmd.idempotency_key = idempotency_key;
            match kind {
                PlaceKind::Book => engine.book(cmd),
                PlaceKind::Hold { .. } => engine.hold(cmd),
            }
            .map(Out::Booking)
        }
        Req::Act {
            action,
            target,
            version,
            actor: who,
        } => {
            let mut cmd = BookingAction::new(booking(target));
            cmd.expected_version = *version;
            cmd.idempotency_key = idempotency_key;
            cmd.actor = actor(*who);
            cmd.reason = (*action == Action::ForceCancel).then(|| REASON.to_owned());
            let e = engine;
            match action {
                Action::Confirm => e.confirm(cmd),
                Action::Release => e.release(cmd),
                Action::Cancel => e.cancel(cmd),
                Action::CheckIn => e.check_in(cmd),
                Action::CheckOut => e.check_out(cmd),
                Action::ForceCancel => e.force_cancel(cmd),
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
            actor: who,
            override_policies,
            force,
        } => {
            let cmd = ModifyBooking {
                booking: booking(target),
                resource: resource.map(|r| rid(r).into()),
                start: start.map(|s| ts(s).into()),
                end: end.map(|e| ts(e).into()),
                quantity: *quantity,
                expected_version: *version,
                idempotency_key,
                actor: actor(*who),
                override_policies: *override_policies,
                reason: force.then(|| REASON.to_owned()),
                ..ModifyBooking::default()
            };
            if *force {
                engine.force_move(cmd)
            } else {
                engine.modify(cmd)
            }
            .map(Out::Booking)
        }
        Req::PutPolicy {
            policy: p,
            actor: who,
        } => engine
            .put_policy(PutPolicy {
                policy: policy(p),
                idempotency_key,
                actor: actor(*who),
            })
            .map(Out::Policy),
        Req::DeletePolicy { id, actor: who } => engine
            .delete_policy(slotwise::DeletePolicy {
                id: format!("p{id}"),
                idempotency_key,
                actor: actor(*who),
            })
            .map(Out::Policy),
        Req::CreateBlock {
            on,
            start,
            end,
            strategy,
            actor: who,
        } => {
            let (resource, tag) = match *on {
                BlockOn::Resource(r) => (Some(rid(r).into()), None),
                BlockOn::Tag(t) => (None, Some(t.to_owned())),
            };
            engine
                .create_block(NewBlock {
                    resource,
                    tag,
                    start: ts(*start).into(),
                    end: ts(*end).into(),
                    disambiguation: Default::default(),
                    reason: None,
                    strategy: *strategy,
                    recurrence: None,
                    idempotency_key,
                    actor: actor(*who),
                })
                .map(Out::Blocks)
        }
        Req::UpdateResource {
            resource,
            capacity,
            tags,
            kind,
            tz,
        } => engine
            .update_resource(ResourceUpdate {
                id: rid(*resource).into(),
                capacity: *capacity,
                tags: tags
                    .as_ref()
                    .map(|t| t.iter().map(|t| t.to_string()).collect()),
                kind: kind.map(str::to_owned),
                timezone: tz.map(|tz| TIMEZONES[tz].0.to_owned()),
                idempotency_key,
                ..ResourceUpdate::default()
            })
            .map(Out::Resource),
        Req::Archive { resource, force } => engine
            .archive_resource(ArchiveResource {
                id: rid(*resource).into(),
                force: *force,
                reason: None,
                idempotency_key,
                actor: None,
            })
            .map(Out::Archived),
        Req::RemoveBlock { seq, actor: who } => engine
            .remove_block(RemoveBlock {
                id: format!("blk_{seq}"),
                series: false,
                idempotency_key,
                actor: actor(*who),
            })
            .map(Out::Block),
    }
}
