//! The reference model: a deliberately naive restatement of SPEC.md (I1, B2, B3, B5, B6,
//! B10, B12) that the engine is compared with after every step. It shares no code with the
//! engine: bookings live in a `Vec`, "now" is evaluated by hand and capacity is checked by
//! summing units instant by instant. Only the vocabulary types (`BookingStatus`,
//! `ErrorCode`) come from the crate.
//!
//! Times are milliseconds relative to the harness's base instant.

use slotwise::{BookingStatus, ErrorCode};
use BookingStatus::*;

pub const MINUTE: i64 = 60_000;
/// Every span boundary the harness generates is a multiple of this, so occupancy is
/// constant between grid instants and checking each grid instant checks every instant.
pub const GRID: i64 = 15 * MINUTE;
/// Resource slots `r0..r3`; the harness creates `r0` (1 unit) and `r1` (3 units) first.
pub const RESOURCES: usize = 4;

/// The B5 transition table, transcribed from SPEC.md.
const TABLE: [(BookingStatus, BookingStatus); 8] = [
    (Held, Confirmed),
    (Held, Expired),
    (Held, Released),
    (Confirmed, CheckedIn),
    (Confirmed, Cancelled),
    (Confirmed, NoShow),
    (Confirmed, Completed),
    (CheckedIn, Completed),
];

pub fn allowed(from: BookingStatus, to: BookingStatus) -> bool {
    TABLE.contains(&(from, to))
}

/// Engine-wide rules the model needs (B2 hold TTLs, B6 check-in).
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    pub check_in_required: bool,
    pub opens_before: i64,
    pub grace: i64,
    pub default_ttl_secs: i64,
    pub max_ttl_secs: i64,
}

/// One booking as last written by a command or a tick.
#[derive(Clone, Debug, PartialEq)]
pub struct Rec {
    pub resource: usize,
    pub member: &'static str,
    pub start: i64,
    pub end: i64,
    pub quantity: u32,
    pub status: BookingStatus,
    pub version: u64,
    pub hold_expires_at: Option<i64>,
    pub opens_at: i64,
    /// Check-in deadline `min(start + grace, end)`, only when check-in is required.
    pub deadline: Option<i64>,
}

impl Rec {
    /// The status as of `now`: what time alone has made of the written one (B2, B6, B12).
    pub fn status_at(&self, now: i64) -> BookingStatus {
        match self.status {
            Held if self.hold_expires_at.is_some_and(|t| now >= t) => Expired,
            Confirmed if self.deadline.is_some_and(|d| now >= d) => NoShow,
            Confirmed | CheckedIn if now >= self.end => Completed,
            s => s,
        }
    }

    /// Whether it holds its units as of `now` (I1: held-unexpired, confirmed, checked in).
    /// A booking whose span has ended is completed and holds nothing, whether or not a
    /// tick has written that down yet (B12: results never depend on ticks).
    pub fn active_at(&self, now: i64) -> bool {
        matches!(self.status_at(now), Held | Confirmed | CheckedIn)
    }

    fn covers(&self, t: i64) -> bool {
        self.start <= t && t < self.end
    }
}

/// Which booking a command names: one the model knows (by position), or an unknown id.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    Booking(usize),
    Missing,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PlaceKind {
    Book,
    Hold { ttl_secs: Option<i64> },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    Confirm,
    Release,
    Cancel,
    CheckIn,
    CheckOut,
}

/// A concrete mutating request. Two requests are "the same request" for idempotency (I3)
/// exactly when they are equal.
#[derive(Clone, Debug, PartialEq)]
pub enum Req {
    CreateResource {
        resource: usize,
        capacity: u32,
    },
    Place {
        kind: PlaceKind,
        resource: usize,
        member: &'static str,
        start: i64,
        end: i64,
        quantity: u32,
    },
    Act {
        action: Action,
        target: Target,
        version: Option<u64>,
    },
    Modify {
        target: Target,
        resource: Option<usize>,
        start: Option<i64>,
        end: Option<i64>,
        quantity: Option<u32>,
        version: Option<u64>,
    },
}

/// What a successful request does to the model.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    NewResource(usize, u32),
    NewBooking(Rec),
    Update(usize, Rec),
}

/// Transitions a tick applies, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TickCounts {
    pub expired: usize,
    pub no_shows: usize,
    pub completed: usize,
}

pub struct Model {
    pub rules: Rules,
    pub capacities: [Option<u32>; RESOURCES],
    pub bookings: Vec<Rec>,
}

type Outcome<T> = Result<T, ErrorCode>;

impl Model {
    pub fn new(rules: Rules) -> Self {
        Model {
            rules,
            capacities: [None; RESOURCES],
            bookings: Vec::new(),
        }
    }

    /// The outcome the spec demands for `req` at `now`, without applying it.
    pub fn predict(&self, req: &Req, now: i64) -> Outcome<Effect> {
        match *req {
            Req::CreateResource { resource, capacity } => match self.capacities[resource] {
                Some(_) => Err(ErrorCode::AlreadyExists),
                None => Ok(Effect::NewResource(resource, capacity)),
            },
            Req::Place {
                kind,
                resource,
                member,
                start,
                end,
                quantity,
            } => {
                let hold_expires_at = match kind {
                    PlaceKind::Book => None,
                    PlaceKind::Hold { ttl_secs } => {
                        let ttl = ttl_secs.unwrap_or(self.rules.default_ttl_secs);
                        if ttl <= 0 || ttl > self.rules.max_ttl_secs {
                            return Err(ErrorCode::InvalidInput);
                        }
                        Some(now + ttl * 1_000)
                    }
                };
                self.check_placement(resource, start, end, quantity, None, now)?;
                let status = if hold_expires_at.is_some() {
                    Held
                } else {
                    Confirmed
                };
                let rec = Rec {
                    resource,
                    member,
                    start,
                    end,
                    quantity,
                    status,
                    version: 1,
                    hold_expires_at,
                    opens_at: 0,
                    deadline: None,
                };
                Ok(Effect::NewBooking(self.with_check_in(rec)))
            }
            Req::Act {
                action,
                target,
                version,
            } => {
                let (i, rec) = self.target(target, version)?;
                let current = rec.status_at(now);
                let to = match action {
                    Action::Confirm => Confirmed,
                    Action::Release => Released,
                    Action::Cancel => Cancelled,
                    Action::CheckIn => CheckedIn,
                    Action::CheckOut => Completed,
                };
                if action == Action::Confirm && current == Expired {
                    return Err(ErrorCode::HoldExpired); // B2
                }
                // Checking out needs a check-in: confirmed -> completed is only the end of
                // an unattended span (the engine's documented choice; SPEC.md is silent).
                if action == Action::CheckOut && current == Confirmed {
                    return Err(ErrorCode::InvalidTransition);
                }
                if !allowed(current, to) {
                    return Err(ErrorCode::InvalidTransition); // B5
                }
                if action == Action::CheckIn && now < rec.opens_at {
                    return Err(ErrorCode::CheckInNotOpen); // B6
                }
                let mut after = rec.clone();
                after.status = to;
                after.version += 1;
                Ok(Effect::Update(i, after))
            }
            Req::Modify {
                target,
                resource,
                start,
                end,
                quantity,
                version,
            } => {
                let (i, rec) = self.target(target, version)?;
                if !matches!(rec.status_at(now), Held | Confirmed) {
                    return Err(ErrorCode::InvalidTransition);
                }
                let mut after = rec.clone();
                after.resource = resource.unwrap_or(rec.resource);
                after.start = start.unwrap_or(rec.start);
                after.end = end.unwrap_or(rec.end);
                after.quantity = quantity.unwrap_or(rec.quantity);
                after.version += 1;
                // B3: conflicts are checked ignoring the booking itself.
                self.check_placement(
                    after.resource,
                    after.start,
                    after.end,
                    after.quantity,
                    Some(i),
                    now,
                )?;
                Ok(Effect::Update(i, self.with_check_in(after)))
            }
        }
    }

    pub fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::NewResource(r, capacity) => self.capacities[r] = Some(capacity),
            Effect::NewBooking(rec) => self.bookings.push(rec),
            Effect::Update(i, rec) => self.bookings[i] = rec,
        }
    }

    /// Writes down every transition time has made by `now` (B12), as a tick must.
    pub fn tick(&mut self, now: i64) -> TickCounts {
        let mut counts = TickCounts::default();
        for rec in &mut self.bookings {
            let status = rec.status_at(now);
            if status != rec.status {
                match status {
                    Expired => counts.expired += 1,
                    NoShow => counts.no_shows += 1,
                    _ => counts.completed += 1,
                }
                rec.status = status;
            }
        }
        counts
    }

    /// Units of `resource` held at instant `t` as of `now`, by brute force.
    pub fn units_at(&self, resource: usize, t: i64, now: i64, exclude: Option<usize>) -> u32 {
        self.bookings
            .iter()
            .enumerate()
            .filter(|&(i, b)| Some(i) != exclude && b.resource == resource)
            .filter(|(_, b)| b.active_at(now) && b.covers(t))
            .map(|(_, b)| b.quantity)
            .sum()
    }

    /// B1/B10/I1: the resource exists, the span is non-empty, 1 <= quantity <= capacity,
    /// and at every instant of the span the units active now plus these fit.
    fn check_placement(
        &self,
        resource: usize,
        start: i64,
        end: i64,
        quantity: u32,
        exclude: Option<usize>,
        now: i64,
    ) -> Outcome<()> {
        let capacity = self.capacities[resource].ok_or(ErrorCode::NotFound)?;
        if end <= start || quantity == 0 || quantity > capacity {
            return Err(ErrorCode::InvalidInput);
        }
        let over = grid(start, end)
            .any(|t| self.units_at(resource, t, now, exclude) + quantity > capacity);
        if over {
            return Err(ErrorCode::Conflict);
        }
        Ok(())
    }

    /// The named booking (or `not_found`), at the version the caller read (B7).
    fn target(&self, target: Target, version: Option<u64>) -> Outcome<(usize, &Rec)> {
        let Target::Booking(i) = target else {
            return Err(ErrorCode::NotFound);
        };
        let rec = &self.bookings[i];
        if version.is_some_and(|v| v != rec.version) {
            return Err(ErrorCode::VersionConflict);
        }
        Ok((i, rec))
    }

    /// B6: check-in opens `opens_before` ahead of the start; when required it must happen
    /// by `start + grace`, but never later than the end.
    fn with_check_in(&self, mut rec: Rec) -> Rec {
        rec.opens_at = rec.start - self.rules.opens_before;
        rec.deadline = self
            .rules
            .check_in_required
            .then(|| (rec.start + self.rules.grace).min(rec.end));
        rec
    }
}

/// The grid instants of `[start, end)` (`start` is always on the grid).
pub fn grid(start: i64, end: i64) -> impl Iterator<Item = i64> {
    (start..end).step_by(GRID as usize)
}
