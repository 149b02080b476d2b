//! The generated input: abstract steps and their proptest strategies.
//!
//! Bookings are named by position and times by grid slots relative to the clock, and both
//! are resolved against the model only when the step runs. That keeps a sequence
//! meaningful while proptest shrinks it, and keeps spans near "now", where holds expire,
//! check-in windows open and bookings collide.

use proptest::prelude::*;
use proptest::sample::Index;

use super::reference::{Action, Model, PlaceKind, Req, Target, GRID, RESOURCES};

pub const MEMBERS: [&str; 2] = ["ann", "bob"];

#[derive(Clone, Copy, Debug)]
pub struct Setup {
    pub check_in_required: bool,
    pub retention_secs: i64,
}

/// Which booking a command names: one of the last three (where the action is) or any;
/// an index one past the end names an id that does not exist.
#[derive(Clone, Copy, Debug)]
pub struct Pick {
    recent: bool,
    index: Index,
}

/// Which `expected_version` to pass (B7).
#[derive(Clone, Copy, Debug)]
pub enum VersionPick {
    None,
    Current,
    Stale,
}

/// A mutating command. `start` is in grid slots from the slot holding "now"; `len` (and a
/// modify's `end`) in slots from the start.
#[derive(Clone, Debug)]
pub enum Cmd {
    CreateResource {
        resource: usize,
        capacity: u32,
    },
    Place {
        kind: PlaceKind,
        resource: usize,
        member: usize,
        start: i64,
        len: i64,
        quantity: u32,
    },
    Act {
        action: Action,
        target: Pick,
        version: VersionPick,
    },
    Modify {
        target: Pick,
        resource: Option<usize>,
        start: Option<i64>,
        len: Option<i64>,
        quantity: Option<u32>,
        version: VersionPick,
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

pub fn setup() -> impl Strategy<Value = Setup> {
    (any::<bool>(), prop_oneof![Just(3_600i64), Just(86_400i64)]).prop_map(
        |(check_in_required, retention_secs)| Setup {
            check_in_required,
            retention_secs,
        },
    )
}

pub fn op() -> impl Strategy<Value = Op> {
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
}

pub fn cmd() -> impl Strategy<Value = Cmd> {
    // Mostly the two resources that exist from the start; r2/r3 only once created.
    let resource = prop_oneof![4 => 0..2usize, 1 => 2..RESOURCES];
    // Some quantities exceed capacity 1; zero and empty spans are invalid input.
    let quantity = prop_oneof![1 => Just(0u32), 14 => Just(1), 3 => Just(2), 3 => Just(3)];
    let start = -2..=8i64;
    let len = prop_oneof![1 => Just(0i64), 20 => 1..=6i64];
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
    ];
    let pick = (prop::bool::weighted(0.7), any::<Index>())
        .prop_map(|(recent, index)| Pick { recent, index });
    let version = prop_oneof![
        6 => Just(VersionPick::None),
        2 => Just(VersionPick::Current),
        1 => Just(VersionPick::Stale),
    ];
    prop_oneof![
        1 => (0..RESOURCES, prop_oneof![Just(1u32), Just(3u32)])
            .prop_map(|(resource, capacity)| Cmd::CreateResource { resource, capacity }),
        12 => (kind, resource.clone(), 0..2usize, start.clone(), len.clone(), quantity.clone())
            .prop_map(|(kind, resource, member, start, len, quantity)| Cmd::Place {
                kind, resource, member, start, len, quantity,
            }),
        12 => (action, pick.clone(), version.clone())
            .prop_map(|(action, target, version)| Cmd::Act { action, target, version }),
        6 => (
            pick,
            prop::option::weighted(0.3, resource),
            prop::option::of(start),
            prop::option::of(len),
            prop::option::weighted(0.4, quantity),
            version,
        )
            .prop_map(|(target, resource, start, len, quantity, version)| Cmd::Modify {
                target, resource, start, len, quantity, version,
            }),
    ]
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
        .map(|t| t - before)
        .filter(|&t| t > now)
        .collect();
    edges.sort_unstable();
    edges.dedup();
    (!edges.is_empty()).then(|| edges[which.index(edges.len())])
}

/// The concrete request `cmd` stands for, given the model's bookings and the clock.
pub fn resolve(cmd: &Cmd, model: &Model, now: i64) -> Req {
    let n = model.bookings.len();
    let target = |p: Pick| {
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
    match *cmd {
        Cmd::CreateResource { resource, capacity } => Req::CreateResource { resource, capacity },
        Cmd::Place {
            kind,
            resource,
            member,
            start,
            len,
            quantity,
        } => Req::Place {
            kind,
            resource,
            member: MEMBERS[member],
            start: slot(start),
            end: slot(start + len),
            quantity,
        },
        Cmd::Act {
            action,
            target: pick,
            version: v,
        } => {
            let target = target(pick);
            let version = version(target, v);
            Req::Act {
                action,
                target,
                version,
            }
        }
        Cmd::Modify {
            target: pick,
            resource,
            start,
            len,
            quantity,
            version: v,
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
            }
        }
    }
}
