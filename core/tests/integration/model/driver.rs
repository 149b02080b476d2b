//! How the harness talks to the engine: model times, ids, actors and policies to engine
//! inputs.

use slotwise::policy::{NoShowSanction, OpeningHours, Quotas, TimeRange, WeeklyHours};
use slotwise::recurrence::{CancelSeries, NewSeries, SeriesMode, SeriesOutcome};
use slotwise::time::LocalDateTime;
use slotwise::waitlist::{JoinWaitlist, WaitlistAction, WaitlistPosition};
use slotwise::{
    Actor, ArchiveOutcome, ArchiveResource, Block, BlockOutcome, BookingAction, BookingId,
    CheckInConfig, Disambiguation, Engine, ModifyBooking, NewBlock, NewBooking, NewResource,
    Policy, PutPolicy, RemoveBlock, Resource, ResourceUpdate, Rules, Scope, Timestamp,
};

use super::policy::{PPolicy, PScope, Week};
use super::reference::{Action, BlockOn, Model, PlaceKind, Req, Target, Who, BASE_MS, TIMEZONES};
use super::series_waitlist::{Freq, RuleSpec, SeriesRec};

/// The reason an admin's forced command gives (M2 requires one).
const REASON: &str = "works";

pub fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millis(BASE_MS + ms)
}

/// The engine id of resource slot `resource`.
pub fn rid(resource: usize) -> String {
    format!("r{resource}")
}

/// A local wall time given as model milliseconds of the wall clock (instant + offset).
pub fn local(ms: i64) -> LocalDateTime {
    LocalDateTime::at(ts(ms), chrono_tz::UTC)
}

const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

fn byday(bits: u8) -> String {
    let days: Vec<&str> = (0..7)
        .filter(|d| bits & (1 << d) != 0)
        .map(|d| DAYS[d])
        .collect();
    days.join(",")
}

fn freq(f: Freq) -> &'static str {
    match f {
        Freq::Daily => "FREQ=DAILY",
        Freq::Weekly => "FREQ=WEEKLY",
    }
}

/// The parts of a request's RRULE (upper case): every one spelled out, in an order of
/// its own; without COUNT once the rule is cut.
fn rule_parts(rule: &RuleSpec, counted: bool) -> Vec<String> {
    let mut parts = vec![
        format!("INTERVAL={}", rule.interval),
        freq(rule.freq).to_owned(),
    ];
    if let Some(bits) = rule.byday {
        parts.push(format!("BYDAY={}", byday(bits)));
    }
    if counted {
        parts.push(format!("COUNT={}", rule.count));
    }
    parts
}

/// The RRULE a request gives.
pub fn request_rrule(rule: &RuleSpec) -> String {
    let text = rule_parts(rule, true).join(";");
    match rule.lower {
        true => text.to_ascii_lowercase(),
        false => text,
    }
}

/// The RRULE as the engine stores it: the parts as written, upper-cased (COUNT dropped
/// once cut), then UNTIL as a local wall time.
pub fn stored_rrule(s: &SeriesRec) -> String {
    let mut parts = rule_parts(&s.rule, s.count.is_some());
    if let Some(until) = s.until {
        parts.push(format!("UNTIL={}", local(until).to_basic()));
    }
    parts.join(";")
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
    Series(SeriesOutcome),
    Waitlist(WaitlistPosition),
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

/// Sends `req` to the engine; bookings, series and entries are named by their position
/// in `model`.
pub fn send<S: slotwise::Store>(
    engine: &mut Engine<S>,
    model: &Model,
    req: &Req,
    key: Option<&str>,
) -> slotwise::Result<Out> {
    let idempotency_key = key.map(str::to_owned);
    let booking = |t: &Target| match *t {
        Target::Booking(i) => BookingId::from(model.bookings[i].id().as_str()),
        Target::Missing => BookingId::from("bk_missing"),
    };
    let entry = |t: Option<usize>| match t {
        Some(i) => model.entries[i].id(),
        None => "wl_missing".to_owned(),
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
        Req::BookSeries {
            resource,
            member,
            start,
            end,
            rule,
            best_effort,
            quantity,
            actor: who,
            override_policies,
        } => {
            let mode = match best_effort {
                true => SeriesMode::BestEffort,
                false => SeriesMode::AllOrNothing,
            };
            let mut cmd = NewSeries::rrule(
                rid(*resource),
                *member,
                ts(*start),
                ts(*end),
                request_rrule(rule),
            )
            .mode(mode)
            .disambiguation(Disambiguation::Compatible);
            cmd.quantity = *quantity;
            cmd.actor = actor(*who);
            cmd.override_policies = *override_policies;
            cmd.idempotency_key = idempotency_key;
            engine.book_series(cmd).map(Out::Series)
        }
        Req::CancelSeries {
            target,
            scope,
            occurrence,
            version,
            actor: who,
        } => engine
            .cancel_series(CancelSeries {
                series: match target {
                    Some(i) => model.series[*i].id(),
                    None => "ser_missing".to_owned(),
                },
                scope: *scope,
                occurrence: occurrence.map(local),
                reason: None,
                expected_version: *version,
                idempotency_key,
                actor: actor(*who),
            })
            .map(Out::Series),
        Req::JoinWaitlist {
            resource,
            member,
            start,
            end,
            quantity,
            ttl_secs,
            actor: who,
        } => {
            let mut cmd = JoinWaitlist::for_resource(rid(*resource), *member, ts(*start), ts(*end));
            cmd.quantity = *quantity;
            cmd.claim_ttl_secs = *ttl_secs;
            cmd.actor = actor(*who);
            cmd.idempotency_key = idempotency_key;
            engine.join_waitlist(cmd).map(Out::Waitlist)
        }
        Req::LeaveWaitlist { target, actor: who } => engine
            .leave_waitlist(WaitlistAction {
                entry: entry(*target),
                idempotency_key,
                actor: actor(*who),
            })
            .map(Out::Waitlist),
        Req::ClaimOffer { target, actor: who } => engine
            .claim_waitlist_offer(WaitlistAction {
                entry: entry(*target),
                idempotency_key,
                actor: actor(*who),
            })
            .map(Out::Waitlist),
    }
}
