//! The generated input: abstract steps and their proptest strategies.
//!
//! Bookings and blocks are named by position and times by grid slots relative to the
//! clock, and both are resolved against the model only when the step runs. That keeps a
//! sequence meaningful while proptest shrinks it, and keeps spans near "now", where holds
//! expire, check-in windows open and bookings collide.

use proptest::prelude::*;
use proptest::sample::Index;
use slotwise::recurrence::EditScope;
use slotwise::waitlist::WaitlistStatus;
use slotwise::BookingStatus::Held;
use slotwise::{BlockStrategy, Role};

use super::policy::{local_day, weekday, PPolicy, PQuotas, PRules, PScope, Sanction, Week};
use super::reference::{
    Action, BlockOn, Model, PlaceKind, Req, Spec, Target, Who, GRID, KINDS, MINUTE, RESOURCES, TAGS,
};
use super::series_waitlist::{Freq, RuleSpec};

pub const MEMBERS: [&str; 2] = ["ann", "bob"];

#[derive(Clone, Debug)]
pub struct Setup {
    /// The clock's first reading (model time): Monday 07:00 UTC, or any quarter hour of
    /// that week, so days, weeks and opening hours of every weekday come into play.
    pub start: i64,
    pub check_in_required: bool,
    pub retention_secs: i64,
    /// Tags of the prologue's `r0` and `r1`, as bit sets over `TAGS`.
    pub tags: [u8; 2],
    /// Policies the prologue puts (as the system).
    pub policies: Vec<PPolicy>,
}

/// Which booking a command names: one in the way of a waiting entry (if `blocking` and
/// any is), else one of the last three (where the action is) or any; an index one past
/// the end names an id that does not exist.
#[derive(Clone, Copy, Debug)]
pub struct Pick {
    blocking: bool,
    recent: bool,
    index: Index,
}

/// Which waitlist entry a command names: one offered as of now (if `offered` and any
/// is), else one open as of now (if `open` and any is), else any entry; an index one past
/// the end names an entry that does not exist.
#[derive(Clone, Copy, Debug)]
pub struct EntryPick {
    offered: bool,
    open: bool,
    index: Index,
}

/// Which `expected_version` to pass (B7).
#[derive(Clone, Copy, Debug)]
pub enum VersionPick {
    None,
    Current,
    Stale,
}

/// Who a command says is acting: nobody (the default), an admin, or member `MEMBERS[i]`.
#[derive(Clone, Copy, Debug)]
pub enum ActorPick {
    Default,
    Admin,
    Member(usize),
}

/// A mutating command. `start` is in grid slots from the slot holding "now"; `len` (and a
/// modify's `end`) in slots from the start.
#[derive(Clone, Debug)]
pub enum Cmd {
    CreateResource {
        resource: usize,
        capacity: u32,
        tags: u8,
        kind: usize,
        tz: usize,
    },
    Place {
        kind: PlaceKind,
        resource: usize,
        member: usize,
        start: i64,
        len: i64,
        /// Moves start and end by this many 5-minute steps, off the default grid (P2).
        nudge: (i64, i64),
        quantity: u32,
        actor: ActorPick,
        override_policies: bool,
    },
    Act {
        action: Action,
        target: Pick,
        version: VersionPick,
        actor: ActorPick,
    },
    Modify {
        target: Pick,
        resource: Option<usize>,
        start: Option<i64>,
        len: Option<i64>,
        quantity: Option<u32>,
        version: VersionPick,
        actor: ActorPick,
        override_policies: bool,
        force: bool,
    },
    PutPolicy {
        policy: Box<PPolicy>,
        actor: ActorPick,
    },
    DeletePolicy {
        id: usize,
        actor: ActorPick,
    },
    CreateBlock {
        on: BlockOn,
        start: i64,
        len: i64,
        strategy: BlockStrategy,
        actor: ActorPick,
    },
    /// Names a block ever created, or (one past the end) one that never was.
    RemoveBlock {
        which: Index,
        actor: ActorPick,
    },
    UpdateResource {
        resource: usize,
        capacity: Option<u32>,
        tags: Option<u8>,
        kind: Option<usize>,
        tz: Option<usize>,
    },
    Archive {
        resource: usize,
        force: bool,
    },
    /// C1/C2: a series whose first occurrence is `start`/`len` as for `Place`.
    BookSeries {
        resource: usize,
        member: usize,
        start: i64,
        len: i64,
        daily: bool,
        interval: u32,
        /// WEEKLY's BYDAY (Monday = bit 0), or none; the first occurrence's weekday is
        /// added, or with `off_rule` taken out (then `start` is no occurrence: refused).
        days: Option<u8>,
        off_rule: bool,
        count: u32,
        /// The RRULE written in lower case.
        lower: bool,
        best_effort: bool,
        quantity: u32,
        actor: ActorPick,
        override_policies: bool,
    },
    /// C3: a series ever made (one past the end: a missing one); the occurrence named is a
    /// live one (`live`), or any start of the rule or a time that is no occurrence.
    CancelSeries {
        which: Index,
        scope: EditScope,
        occurrence: Index,
        live: bool,
        version: VersionPick,
        actor: ActorPick,
    },
    /// W1: mostly the span of a booking still to come (`like`: one of the last three, or
    /// any), whose resource is likely full then; else `start`/`len` as for `Place`. No
    /// `quantity`: one unit more than the span has free, at most two.
    JoinWaitlist {
        resource: usize,
        member: usize,
        start: i64,
        len: i64,
        like: Option<(bool, Index)>,
        quantity: Option<u32>,
        ttl: Option<i64>,
        actor: ActorPick,
    },
    LeaveWaitlist {
        which: EntryPick,
        actor: ActorPick,
    },
    /// W3: end a booking in the way of a waiting entry (any booking if none is), so that
    /// its units go to the queue: release a hold, cancel a confirmed booking, or (`force`)
    /// end it on an admin's word.
    Free {
        which: Index,
        force: bool,
    },
    ClaimOffer {
        which: EntryPick,
        actor: ActorPick,
    },
}

#[derive(Clone, Debug)]
pub enum Op {
    /// A fresh command, with a fresh idempotency key or none.
    Run {
        cmd: Cmd,
        keyed: bool,
    },
    Tick,
    Advance {
        secs: i64,
    },
    /// Moves the clock to an edge of some booking (start, end, check-in opening or
    /// deadline, hold expiry), or to 1 ms before it, to probe half-open boundaries.
    AdvanceToEdge {
        which: Index,
        early: bool,
    },
    /// An earlier keyed request again, key and request unchanged.
    Retry {
        which: Index,
    },
    /// An earlier key with a new (usually different) request.
    ReuseKey {
        which: Index,
        cmd: Cmd,
    },
}

pub fn setup() -> BoxedStrategy<Setup> {
    let start = prop_oneof![
        1 => Just(-60 * MINUTE),
        2 => (0..7 * 24 * 4i64).prop_map(|q| q * GRID - 60 * MINUTE),
    ];
    (
        start,
        any::<bool>(),
        prop_oneof![Just(3_600i64), Just(86_400i64)],
        [0..4u8, 0..4u8],
        prop::collection::vec(policy(), 0..=2),
    )
        .prop_map(
            |(start, check_in_required, retention_secs, tags, policies)| Setup {
                start,
                check_in_required,
                retention_secs,
                tags,
                policies,
            },
        )
        .boxed()
}

pub fn op() -> BoxedStrategy<Op> {
    prop_oneof![
        20 => (cmd(), any::<bool>()).prop_map(|(cmd, keyed)| Op::Run { cmd, keyed }),
        3 => Just(Op::Tick),
        5 => (1..=1_200i64).prop_map(|secs| Op::Advance { secs }),
        1 => (3_600..=18_000i64).prop_map(|secs| Op::Advance { secs }),
        3 => (any::<Index>(), any::<bool>())
            .prop_map(|(which, early)| Op::AdvanceToEdge { which, early }),
        3 => any::<Index>().prop_map(|which| Op::Retry { which }),
        2 => (any::<Index>(), cmd()).prop_map(|(which, cmd)| Op::ReuseKey { which, cmd }),
    ]
    .boxed()
}

/// Mostly nobody (the command's default actor), sometimes an admin or a named member.
fn actor(default: u32) -> impl Strategy<Value = ActorPick> + Clone {
    prop_oneof![
        default => Just(ActorPick::Default),
        2 => Just(ActorPick::Admin),
        1 => (0..MEMBERS.len()).prop_map(ActorPick::Member),
    ]
}

pub fn cmd() -> BoxedStrategy<Cmd> {
    prop_oneof![40 => booking_cmd(), 22 => series_or_waitlist_cmd()].boxed()
}

/// The commands on series (C1–C3) and the waitlist (W1–W3).
fn series_or_waitlist_cmd() -> BoxedStrategy<Cmd> {
    let resource = prop_oneof![6 => 0..2usize, 1 => 2..RESOURCES];
    let quantity = prop_oneof![1 => Just(0u32), 16 => Just(1), 2 => Just(2), 2 => Just(3)];
    let start = -2..=8i64;
    let len = prop_oneof![1 => Just(0i64), 20 => 1..=6i64, 1 => 28..=36i64];
    let version = prop_oneof![
        6 => Just(VersionPick::None),
        2 => Just(VersionPick::Current),
        1 => Just(VersionPick::Stale),
    ];
    let entry = |offered: f64| {
        (
            prop::bool::weighted(offered),
            prop::bool::weighted(0.8),
            any::<Index>(),
        )
            .prop_map(|(offered, open, index)| EntryPick {
                offered,
                open,
                index,
            })
    };
    let series = (
        (
            resource.clone(),
            0..MEMBERS.len(),
            start.clone(),
            len.clone(),
        ),
        (
            any::<bool>(),
            1..=2u32,
            prop::option::weighted(0.7, 1..128u8),
            prop::bool::weighted(0.1),
            2..=8u32,
            prop::bool::weighted(0.2),
        ),
        (
            any::<bool>(),
            quantity,
            actor(10),
            prop::bool::weighted(0.08),
        ),
    )
        .prop_map(
            |(
                (resource, member, start, len),
                (daily, interval, days, off_rule, count, lower),
                (best_effort, quantity, actor, override_policies),
            )| Cmd::BookSeries {
                resource,
                member,
                start,
                len,
                daily,
                interval,
                days,
                off_rule,
                count,
                lower,
                best_effort,
                quantity,
                actor,
                override_policies,
            },
        );
    let scope = prop_oneof![
        3 => Just(EditScope::One),
        2 => Just(EditScope::Following),
        2 => Just(EditScope::All),
    ];
    let cancel = (
        any::<Index>(),
        scope,
        any::<Index>(),
        prop::bool::weighted(0.85),
        version,
        actor(8),
    )
        .prop_map(
            |(which, scope, occurrence, live, version, actor)| Cmd::CancelSeries {
                which,
                scope,
                occurrence,
                live,
                version,
                actor,
            },
        );
    let ttl = prop_oneof![
        12 => Just(None),
        6 => prop::sample::select(vec![60i64, 300, 600]).prop_map(Some),
        1 => Just(Some(0)),
    ];
    let join = (
        resource,
        0..MEMBERS.len(),
        0..=8i64,
        len,
        prop::option::weighted(0.9, (prop::bool::weighted(0.5), any::<Index>())),
        prop_oneof![2 => Just(None), 4 => Just(Some(1u32)), 1 => Just(Some(2))],
        ttl,
        actor(10),
    )
        .prop_map(
            |(resource, member, start, len, like, quantity, ttl, actor)| Cmd::JoinWaitlist {
                resource,
                member,
                start,
                len,
                like,
                quantity,
                ttl,
                actor,
            },
        );
    prop_oneof![
        4 => series,
        3 => cancel,
        10 => join,
        2 => (entry(0.3), actor(8)).prop_map(|(which, actor)| Cmd::LeaveWaitlist { which, actor }),
        4 => (any::<Index>(), prop::bool::weighted(0.2))
            .prop_map(|(which, force)| Cmd::Free { which, force }),
        3 => (entry(0.8), actor(8)).prop_map(|(which, actor)| Cmd::ClaimOffer { which, actor }),
    ]
    .boxed()
}

/// The commands on resources, bookings, policies and blocks.
fn booking_cmd() -> BoxedStrategy<Cmd> {
    // Mostly the two resources that exist from the start; r2/r3 only once created.
    let resource = prop_oneof![4 => 0..2usize, 1 => 2..RESOURCES];
    // Some quantities exceed capacity 1; zero and empty spans are invalid input.
    let quantity = prop_oneof![1 => Just(0u32), 14 => Just(1), 3 => Just(2), 3 => Just(3)];
    let start = -2..=8i64;
    // Rarely long: around the default 8-hour maximum, and long entries in the index.
    let len = prop_oneof![1 => Just(0i64), 20 => 1..=6i64, 1 => 28..=36i64];
    let nudge = prop_oneof![8 => Just((0, 0)), 1 => (-1..=2i64, -1..=2i64)];
    let ttl = prop_oneof![3 => Just(None), 12 => (1..=3_600i64).prop_map(Some), 1 => Just(Some(0))];
    let kind = prop_oneof![
        Just(PlaceKind::Book),
        ttl.prop_map(|ttl_secs| PlaceKind::Hold { ttl_secs })
    ];
    let action = prop_oneof![
        3 => Just(Action::Confirm),
        1 => Just(Action::Release),
        2 => Just(Action::Cancel),
        3 => Just(Action::CheckIn),
        1 => Just(Action::CheckOut),
        1 => Just(Action::ForceCancel),
    ];
    let pick = (
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.7),
        any::<Index>(),
    )
        .prop_map(|(blocking, recent, index)| Pick {
            blocking,
            recent,
            index,
        });
    let version = prop_oneof![
        6 => Just(VersionPick::None),
        2 => Just(VersionPick::Current),
        1 => Just(VersionPick::Stale),
    ];
    let override_policies = prop::bool::weighted(0.15);
    let block_on = prop_oneof![
        4 => resource.clone().prop_map(BlockOn::Resource),
        1 => prop::sample::select(vec!["a", "b", "c"]).prop_map(BlockOn::Tag),
    ];
    let strategy = prop::sample::select(vec![
        BlockStrategy::Reject,
        BlockStrategy::Cancel,
        BlockStrategy::Move,
    ]);
    prop_oneof![
        1 => (0..RESOURCES, prop_oneof![Just(1u32), Just(3u32)], 0..4u8, 0..KINDS.len(), 0..2usize)
            .prop_map(|(resource, capacity, tags, kind, tz)| Cmd::CreateResource {
                resource, capacity, tags, kind, tz,
            }),
        12 => (
            kind,
            resource.clone(),
            0..MEMBERS.len(),
            start.clone(),
            len.clone(),
            nudge,
            quantity.clone(),
            actor(10),
            override_policies,
        )
            .prop_map(|(kind, resource, member, start, len, nudge, quantity, actor, override_policies)| {
                Cmd::Place { kind, resource, member, start, len, nudge, quantity, actor, override_policies }
            }),
        12 => (action, pick.clone(), version.clone(), actor(8))
            .prop_map(|(action, target, version, actor)| Cmd::Act { action, target, version, actor }),
        6 => (
            pick,
            prop::option::weighted(0.3, resource),
            prop::option::of(start.clone()),
            prop::option::of(len.clone()),
            prop::option::weighted(0.4, quantity),
            version,
            actor(8),
            override_policies,
            prop::bool::weighted(0.15),
        )
            .prop_map(|(target, resource, start, len, quantity, version, actor, override_policies, force)| {
                Cmd::Modify { target, resource, start, len, quantity, version, actor, override_policies, force }
            }),
        2 => (policy(), actor(6)).prop_map(|(policy, actor)| Cmd::PutPolicy { policy: Box::new(policy), actor }),
        1 => (0..3usize, actor(6)).prop_map(|(id, actor)| Cmd::DeletePolicy { id, actor }),
        3 => (block_on, start, len, strategy, actor(6))
            .prop_map(|(on, start, len, strategy, actor)| Cmd::CreateBlock {
                on, start, len, strategy, actor,
            }),
        1 => (any::<Index>(), actor(6)).prop_map(|(which, actor)| Cmd::RemoveBlock { which, actor }),
        1 => (
            0..RESOURCES,
            prop::option::weighted(0.5, 1..=3u32),
            prop::option::weighted(0.5, 0..4u8),
            prop::option::weighted(0.2, 0..KINDS.len()),
            prop::option::weighted(0.2, 0..2usize),
        )
            .prop_map(|(resource, capacity, tags, kind, tz)| Cmd::UpdateResource {
                resource, capacity, tags, kind, tz,
            }),
        // Mostly the resources created later, so that r0 and r1 stay in use.
        1 => (prop_oneof![1 => 0..2usize, 3 => 2..RESOURCES], any::<bool>())
            .prop_map(|(resource, force)| Cmd::Archive { resource, force }),
    ]
    .boxed()
}

/// A policy `p0`..`p2` with a few rules set: mostly valid, sometimes not (a granularity
/// that does not divide the day, a minimum above the maximum, an empty opening range).
pub fn policy() -> BoxedStrategy<PPolicy> {
    let scope = prop_oneof![
        3 => Just(PScope::Global),
        2 => (0..RESOURCES).prop_map(PScope::Resource),
        2 => prop::sample::select(TAGS.to_vec()).prop_map(PScope::Tag),
    ];
    let exempt = prop_oneof![
        6 => Just(vec![]),
        2 => Just(vec![Role::Admin]),
        1 => Just(vec![Role::Member]),
    ];
    (0..3usize, scope, exempt, rules())
        .prop_map(|(id, scope, exempt, rules)| PPolicy {
            id,
            scope,
            exempt,
            rules,
        })
        .boxed()
}

fn minutes(none: u32, values: &[u32]) -> impl Strategy<Value = Option<u32>> + Clone {
    prop_oneof![
        none => Just(None),
        values.len() as u32 => prop::sample::select(values.to_vec()).prop_map(Some),
    ]
}

fn rules() -> BoxedStrategy<PRules> {
    let granularity = prop_oneof![
        12 => Just(None),
        2 => Just(Some(5)),
        2 => Just(Some(30)),
        1 => Just(Some(45)),
        2 => Just(Some(60)),
        1 => Just(Some(7)),
    ];
    let buffer = minutes(8, &[0, 5, 15, 15, 30]);
    let quotas = (
        minutes(1, &[1, 2, 3]),
        minutes(3, &[1, 2, 4]),
        minutes(3, &[1, 3]),
        minutes(3, &[1, 2]),
        minutes(1, &[1, 2]),
    )
        .prop_map(
            |(per_day, per_week, per_month, hours_per_week, concurrent)| PQuotas {
                per_day,
                per_week,
                per_month,
                hours_per_week,
                concurrent,
            },
        );
    let cutoff = minutes(8, &[30, 60]);
    let hold_ttl = prop_oneof![
        12 => Just(None),
        2 => prop::sample::select(vec![30i64, 600]).prop_map(Some),
        1 => Just(Some(0)),
    ];
    let secs = |values: Vec<i64>| prop::sample::select(values);
    let check_in = prop::option::weighted(
        0.15,
        (
            any::<bool>(),
            secs(vec![0, 300, 1_800]),
            secs(vec![0, 300, 600, 600, -1]),
        ),
    );
    let sanction = prop::option::weighted(
        0.2,
        (1..=2u32, secs(vec![1, 7]), secs(vec![1, 1, 1, 0])).prop_map(|(n, w, s)| Sanction {
            no_shows: n,
            window_days: w as u32,
            suspend_days: s as u32,
        }),
    );
    (
        granularity,
        minutes(6, &[0, 30, 30, 60]),
        minutes(6, &[30, 60, 60, 90]),
        (buffer.clone(), buffer),
        prop::option::weighted(0.3, week()),
        prop::option::weighted(0.4, quotas),
        (cutoff.clone(), cutoff),
        (minutes(8, &[30, 60]), minutes(10, &[0, 1])),
        hold_ttl,
        check_in,
        sanction,
    )
        .prop_map(
            |(
                granularity,
                min_duration,
                max_duration,
                (before, after),
                hours,
                quotas,
                (cancel, modify),
                (lead_time, horizon_days),
                hold_ttl,
                check_in,
                sanction,
            )| PRules {
                granularity,
                min_duration,
                max_duration,
                buffer_before: before,
                buffer_after: after,
                hours,
                quotas,
                cancel_cutoff: cancel,
                modify_cutoff: modify,
                lead_time,
                horizon_days,
                hold_ttl,
                check_in,
                sanction,
            },
        )
        .boxed()
}

/// Each weekday one of a few schedules: all day, office hours, a lunch break, two ranges
/// that touch, an overnight range, an evening until "24:00", closed; rarely an empty
/// (invalid) range.
fn week() -> BoxedStrategy<Week> {
    let day = prop_oneof![
        3 => Just(vec![(0, 1_440)]),
        3 => Just(vec![(8 * 60, 18 * 60)]),
        2 => Just(vec![(9 * 60, 17 * 60)]),
        2 => Just(vec![(7 * 60, 12 * 60), (12 * 60 + 30, 20 * 60)]),
        2 => Just(vec![(8 * 60, 9 * 60), (9 * 60, 18 * 60)]),
        2 => Just(vec![(22 * 60, 9 * 60 + 30)]),
        1 => Just(vec![(18 * 60, 1_440), (0, 6 * 60)]),
        2 => Just(vec![]),
        1 => Just(vec![(10 * 60, 10 * 60)]),
    ];
    let day = day.boxed();
    [
        day.clone(),
        day.clone(),
        day.clone(),
        day.clone(),
        day.clone(),
        day.clone(),
        day,
    ]
    .boxed()
}

/// The instant `AdvanceToEdge` moves the clock to, if any edge lies ahead.
pub fn edge(model: &Model, now: i64, which: Index, early: bool) -> Option<i64> {
    let before = i64::from(early);
    let mut edges: Vec<i64> = model
        .bookings
        .iter()
        .flat_map(|b| {
            [
                Some(b.start),
                Some(b.end),
                Some(b.opens_at),
                b.deadline,
                b.hold_expires_at,
            ]
        })
        .flatten()
        // W2: a waiting entry lapses when its span begins.
        .chain(model.entries.iter().map(|e| e.start))
        .map(|t| t - before)
        .filter(|&t| t > now)
        .collect();
    edges.sort_unstable();
    edges.dedup();
    (!edges.is_empty()).then(|| edges[which.index(edges.len())])
}

/// The tags of bit set `bits` over `TAGS`, sorted.
pub fn tags(bits: u8) -> Vec<&'static str> {
    TAGS.iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, t)| *t)
        .collect()
}

fn who(actor: ActorPick) -> Who {
    match actor {
        ActorPick::Default => Who::Default,
        ActorPick::Admin => Who::Admin,
        ActorPick::Member(i) => Who::Member(MEMBERS[i]),
    }
}

/// The concrete request `cmd` stands for, given the model's bookings and the clock.
pub fn resolve(cmd: &Cmd, model: &Model, now: i64) -> Req {
    let n = model.bookings.len();
    // W3: bookings holding units a waiting entry waits for, whose end frees them.
    let in_the_way: Vec<usize> = (0..n)
        .filter(|&i| {
            let b = &model.bookings[i];
            let (s, e) = b.occupied();
            b.active_at(now)
                && model.entries.iter().any(|w| {
                    w.status_at(now) == WaitlistStatus::Waiting
                        && w.resource == b.resource
                        && s < w.end
                        && w.start < e
                })
        })
        .collect();
    let target = |p: Pick| {
        if p.blocking && !in_the_way.is_empty() {
            return Target::Booking(in_the_way[p.index.index(in_the_way.len())]);
        }
        let i = match (p.recent, n) {
            (true, 0) => 0,
            (true, _) => n - 1 - p.index.index(n.min(3)),
            (false, _) => p.index.index(n + 1),
        };
        if i < n {
            Target::Booking(i)
        } else {
            Target::Missing
        }
    };
    let version = |t: Target, v: VersionPick| {
        let current = match t {
            Target::Booking(i) => model.bookings[i].version,
            Target::Missing => 1,
        };
        match v {
            VersionPick::None => None,
            VersionPick::Current => Some(current),
            VersionPick::Stale => Some(current - 1),
        }
    };
    let slot = |s: i64| (now.div_euclid(GRID) + s) * GRID;
    match cmd {
        &Cmd::CreateResource {
            resource,
            capacity,
            tags: bits,
            kind,
            tz,
        } => Req::CreateResource {
            resource,
            spec: Spec {
                capacity,
                tags: tags(bits),
                kind: KINDS[kind],
                tz,
                archived_at: None,
            },
        },
        &Cmd::Place {
            kind,
            resource,
            member,
            start,
            len,
            nudge,
            quantity,
            actor,
            override_policies,
        } => Req::Place {
            kind,
            resource,
            member: MEMBERS[member],
            start: slot(start) + nudge.0 * 5 * MINUTE,
            end: slot(start + len) + nudge.1 * 5 * MINUTE,
            quantity,
            actor: who(actor),
            override_policies,
        },
        &Cmd::Act {
            action,
            target: pick,
            version: v,
            actor,
        } => {
            let target = target(pick);
            let version = version(target, v);
            Req::Act {
                action,
                target,
                version,
                actor: who(actor),
            }
        }
        &Cmd::Modify {
            target: pick,
            resource,
            start,
            len,
            quantity,
            version: v,
            actor,
            override_policies,
            force,
        } => {
            let target = target(pick);
            let current_start = match target {
                Target::Booking(i) => model.bookings[i].start,
                Target::Missing => slot(0),
            };
            let start = start.map(slot);
            Req::Modify {
                target,
                resource,
                start,
                end: len.map(|l| start.unwrap_or(current_start) + l * GRID),
                quantity,
                version: version(target, v),
                actor: who(actor),
                override_policies,
                force,
            }
        }
        Cmd::PutPolicy { policy, actor } => Req::PutPolicy {
            policy: policy.clone(),
            actor: who(*actor),
        },
        &Cmd::DeletePolicy { id, actor } => Req::DeletePolicy {
            id,
            actor: who(actor),
        },
        &Cmd::CreateBlock {
            on,
            start,
            len,
            strategy,
            actor,
        } => Req::CreateBlock {
            on,
            start: slot(start),
            end: slot(start + len),
            strategy,
            actor: who(actor),
        },
        &Cmd::UpdateResource {
            resource,
            capacity,
            tags: bits,
            kind,
            tz,
        } => Req::UpdateResource {
            resource,
            capacity,
            tags: bits.map(tags),
            kind: kind.map(|k| KINDS[k]),
            tz,
        },
        &Cmd::Archive { resource, force } => Req::Archive { resource, force },
        &Cmd::RemoveBlock { which, actor } => {
            let ever = &model.block_history;
            let i = which.index(ever.len() + 1);
            Req::RemoveBlock {
                seq: ever.get(i).copied().unwrap_or(0),
                actor: who(actor),
            }
        }
        &Cmd::BookSeries {
            resource,
            member,
            start,
            len,
            daily,
            interval,
            days,
            off_rule,
            count,
            lower,
            best_effort,
            quantity,
            actor,
            override_policies,
        } => {
            let (start, end) = (slot(start), slot(start + len));
            let offset = model.resources[resource].as_ref().map_or(0, Spec::offset);
            let day = weekday(local_day(start, offset));
            let (first, next) = (1u8 << day, 1u8 << ((day + 1) % 7));
            let byday = match (daily, days) {
                (true, _) | (false, None) => None,
                (false, Some(bits)) if off_rule => match bits & !first & 0x7f {
                    0 => Some(next),
                    other => Some(other),
                },
                (false, Some(bits)) => Some((bits | first) & 0x7f),
            };
            Req::BookSeries {
                resource,
                member: MEMBERS[member],
                start,
                end,
                rule: RuleSpec {
                    freq: if daily { Freq::Daily } else { Freq::Weekly },
                    interval,
                    byday,
                    count,
                    lower,
                },
                best_effort,
                quantity,
                actor: who(actor),
                override_policies,
            }
        }
        &Cmd::CancelSeries {
            which,
            scope,
            occurrence,
            live,
            version: v,
            actor,
        } => {
            let n = model.series.len();
            let i = which.index(n + 1);
            let Some(series) = model.series.get(i) else {
                return Req::CancelSeries {
                    target: None,
                    scope,
                    occurrence: (scope != EditScope::All).then_some(slot(0)),
                    version: version(Target::Missing, v),
                    actor: who(actor),
                };
            };
            let keys = if live {
                model.live_keys(series.seq, now)
            } else {
                let mut keys = series.starts();
                keys.push(series.first_start + 7 * MINUTE);
                keys
            };
            let key = match keys.len() {
                0 => series.first_start,
                len => keys[occurrence.index(len)],
            };
            Req::CancelSeries {
                target: Some(i),
                scope,
                occurrence: (scope != EditScope::All).then_some(key),
                version: match v {
                    VersionPick::None => None,
                    VersionPick::Current => Some(series.version),
                    VersionPick::Stale => Some(series.version - 1),
                },
                actor: who(actor),
            }
        }
        &Cmd::JoinWaitlist {
            resource,
            member,
            start,
            len,
            like,
            quantity,
            ttl,
            actor,
        } => {
            // The most units `resource` holds at once over `[start, end)`, and how many it has.
            let held = |resource: usize, start: i64, end: i64| {
                let points = model.change_points(resource, (start, end.max(start + 1)));
                let held = (points.into_iter())
                    .map(|t| model.units_at(resource, t, now, None))
                    .max()
                    .unwrap_or(0);
                let capacity = model.resources[resource].as_ref().map_or(1, |s| s.capacity);
                (held, capacity)
            };
            // A booking still to come that holds its units, over a span with at most one
            // unit free (so full for one or two units), or else any.
            let ahead: Vec<usize> = (0..n)
                .filter(|&i| model.bookings[i].active_at(now) && model.bookings[i].start > now)
                .collect();
            let full: Vec<usize> = (ahead.iter().copied())
                .filter(|&i| {
                    let b = &model.bookings[i];
                    let (held, capacity) = held(b.resource, b.start, b.end);
                    held + 1 >= capacity
                })
                .collect();
            let ahead = if full.is_empty() { ahead } else { full };
            let (resource, start, end) = match like {
                Some((recent, pick)) if !ahead.is_empty() => {
                    let from = match recent {
                        true => ahead.len().saturating_sub(3),
                        false => 0,
                    };
                    let b = &model.bookings[ahead[from + pick.index(ahead.len() - from)]];
                    (b.resource, b.start, b.end)
                }
                _ => (resource, slot(start), slot(start + len)),
            };
            // Without a quantity: one unit more than the span has free, at most two.
            let (held, capacity) = held(resource, start, end);
            let full = (capacity.saturating_sub(held) + 1).min(capacity).min(2);
            Req::JoinWaitlist {
                resource,
                member: MEMBERS[member],
                start,
                end,
                quantity: quantity.unwrap_or(full),
                ttl_secs: ttl,
                actor: who(actor),
            }
        }
        &Cmd::Free { which, force } => {
            let pick = Pick {
                blocking: true,
                recent: true,
                index: which,
            };
            let target = target(pick);
            let action = match (force, target) {
                (true, _) => Action::ForceCancel,
                (false, Target::Booking(i)) if model.bookings[i].status_at(now) == Held => {
                    Action::Release
                }
                _ => Action::Cancel,
            };
            Req::Act {
                action,
                target,
                version: None,
                actor: Who::Default,
            }
        }
        &Cmd::LeaveWaitlist { which, actor } => Req::LeaveWaitlist {
            target: entry(model, which, now),
            actor: who(actor),
        },
        &Cmd::ClaimOffer { which, actor } => Req::ClaimOffer {
            target: entry(model, which, now),
            actor: who(actor),
        },
    }
}

/// The entry a pick names (`None`: one that does not exist).
fn entry(model: &Model, pick: EntryPick, now: i64) -> Option<usize> {
    let n = model.entries.len();
    let offered: Vec<usize> = (0..n)
        .filter(|&i| model.entries[i].status_at(now) == WaitlistStatus::Offered)
        .collect();
    if pick.offered && !offered.is_empty() {
        return Some(offered[pick.index.index(offered.len())]);
    }
    let open: Vec<usize> = (0..n).filter(|&i| model.entries[i].open_at(now)).collect();
    if pick.open && !open.is_empty() {
        return Some(open[pick.index.index(open.len())]);
    }
    let i = pick.index.index(n + 1);
    (i < n).then_some(i)
}
