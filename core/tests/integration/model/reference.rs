//! The reference model: a deliberately naive restatement of SPEC.md (I1, R1, A5, B2, B3,
//! B5, B6, B10, B12, P1–P9, M1, M2; series and the waitlist in `series_waitlist.rs`) that
//! the engine is compared with after every step. It
//! shares no code with the engine: bookings and blocks live in `Vec`s, "now" is evaluated
//! by hand, policies are laid over each other by hand (`policy.rs`), and capacity is
//! checked by summing units at every instant where occupancy can change. Only vocabulary
//! types (`BookingStatus`, `ErrorCode`, `Role`, `ViolationCode`, `Action`,
//! `BlockStrategy`) come from the crate.
//!
//! Times are milliseconds relative to the harness's base instant, 2026-03-02T08:00Z (a
//! Monday).

use slotwise::recurrence::EditScope;
use slotwise::{Action as Recorded, BlockStrategy, BookingStatus, ErrorCode, Role, ViolationCode};
use BookingStatus::*;

use super::policy::{self, cutoff, effective, Eff, PPolicy, PScope};
use super::series_waitlist::{EntryRec, OccReport, RuleSpec, SeriesRec};

/// The base instant, 2026-03-02T08:00:00Z, in Unix milliseconds.
pub const BASE_MS: i64 = 1_772_438_400_000;
pub const MINUTE: i64 = 60_000;
pub const DAY: i64 = 24 * 60 * MINUTE;
/// Generated spans mostly fall on this grid (the default granularity, P2).
pub const GRID: i64 = 15 * MINUTE;
/// Resource slots `r0..r3`; the harness creates `r0` (1 unit) and `r1` (3 units) first.
pub const RESOURCES: usize = 4;
/// Tags resources may carry.
pub const TAGS: [&str; 2] = ["a", "b"];
/// Kinds resources may have (M1: a booking only moves to a resource of its kind).
pub const KINDS: [&str; 2] = ["desk", "room"];
/// Zones resources may be in, with their (fixed) UTC offsets in minutes. Kathmandu's
/// +05:45 makes the local grid differ from the UTC one (P2).
pub const TIMEZONES: [(&str, i64); 2] = [("UTC", 0), ("Asia/Kathmandu", 345)];

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

/// A resource as created.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub capacity: u32,
    /// Sorted, without duplicates.
    pub tags: Vec<&'static str>,
    pub kind: &'static str,
    /// Index into `TIMEZONES`.
    pub tz: usize,
    /// When it was archived (R1): it then takes no new bookings.
    pub archived_at: Option<i64>,
}

impl Spec {
    pub fn offset(&self) -> i64 {
        TIMEZONES[self.tz].1
    }
}

/// One booking as last written by a command or a tick.
#[derive(Clone, Debug, PartialEq)]
pub struct Rec {
    /// The id sequence number: the engine's id is `bk_{seq}`.
    pub seq: u64,
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
    /// Buffers (P4) in force when the booking was last placed, in milliseconds.
    pub buffer_before: i64,
    pub buffer_after: i64,
    /// C1: the series (its sequence number) and the occurrence's key (local start, in
    /// model milliseconds of the series' wall clock).
    pub series: Option<(u64, i64)>,
    /// W3: the waitlist entry (its sequence number) an offered hold was made for.
    pub waitlist: Option<u64>,
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

    /// The span it keeps from others: the booked span padded by its buffers (P4, I1).
    pub fn occupied(&self) -> (i64, i64) {
        (
            self.start - self.buffer_before,
            self.end + self.buffer_after,
        )
    }

    pub fn id(&self) -> String {
        format!("bk_{}", self.seq)
    }

    /// As a conflict answer lists it.
    pub fn occupant(&self) -> Occupant {
        let (start, end) = self.occupied();
        Occupant {
            start,
            block: false,
            id: self.id(),
            end,
            quantity: self.quantity,
        }
    }
}

/// A maintenance block (M1): it takes every unit of its resource.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockRec {
    /// The id sequence number: the engine's id is `blk_{seq}`.
    pub seq: u64,
    pub resource: usize,
    pub start: i64,
    pub end: i64,
    pub created_at: i64,
}

impl BlockRec {
    pub fn id(&self) -> String {
        format!("blk_{}", self.seq)
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
    /// M2: an admin ends the booking at once, whatever the cutoffs (with a reason).
    ForceCancel,
}

/// Who a command says is acting. `Default` names nobody: booking commands then act as
/// the booking's member, policy and block commands as the system.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Who {
    Default,
    Admin,
    Member(&'static str),
}

/// What a block command covers (M1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BlockOn {
    Resource(usize),
    Tag(&'static str),
}

/// A concrete mutating request. Two requests are "the same request" for idempotency (I3)
/// exactly when they are equal.
#[derive(Clone, Debug, PartialEq)]
pub enum Req {
    CreateResource {
        resource: usize,
        spec: Spec,
    },
    Place {
        kind: PlaceKind,
        resource: usize,
        member: &'static str,
        start: i64,
        end: i64,
        quantity: u32,
        actor: Who,
        override_policies: bool,
    },
    Act {
        action: Action,
        target: Target,
        version: Option<u64>,
        actor: Who,
    },
    Modify {
        target: Target,
        resource: Option<usize>,
        start: Option<i64>,
        end: Option<i64>,
        quantity: Option<u32>,
        version: Option<u64>,
        actor: Who,
        override_policies: bool,
        /// M2 `force_move`: an admin's move (with a reason), of checked-in bookings too,
        /// every rule overridden; capacity still holds.
        force: bool,
    },
    PutPolicy {
        policy: Box<PPolicy>,
        actor: Who,
    },
    DeletePolicy {
        id: usize,
        actor: Who,
    },
    CreateBlock {
        on: BlockOn,
        start: i64,
        end: i64,
        strategy: BlockStrategy,
        actor: Who,
    },
    /// `seq` 0 names a block that never existed.
    RemoveBlock {
        seq: u64,
        actor: Who,
    },
    /// R1: change a resource's capacity, tags, kind or zone (`None`: unchanged).
    UpdateResource {
        resource: usize,
        capacity: Option<u32>,
        tags: Option<Vec<&'static str>>,
        kind: Option<&'static str>,
        tz: Option<usize>,
    },
    /// R1: archive a resource, ending its bookings if `force`.
    Archive {
        resource: usize,
        force: bool,
    },
    /// C1/C2: book a series on `resource`, first occurrence `[start, end)` (instants).
    BookSeries {
        resource: usize,
        member: &'static str,
        start: i64,
        end: i64,
        rule: RuleSpec,
        best_effort: bool,
        quantity: u32,
        actor: Who,
        override_policies: bool,
    },
    /// C3: cancel series `target` (its index; `None` names one that does not exist), one
    /// occurrence, it and the following ones, or all not started; `occurrence` is a key.
    CancelSeries {
        target: Option<usize>,
        scope: EditScope,
        occurrence: Option<i64>,
        version: Option<u64>,
        actor: Who,
    },
    /// W1: wait for `quantity` units of `resource` over `[start, end)`.
    JoinWaitlist {
        resource: usize,
        member: &'static str,
        start: i64,
        end: i64,
        quantity: u32,
        ttl_secs: Option<i64>,
        actor: Who,
    },
    /// W1: leave the queue (`target`: an entry's index, `None` one that does not exist).
    LeaveWaitlist {
        target: Option<usize>,
        actor: Who,
    },
    /// W3: claim the entry's offer.
    ClaimOffer {
        target: Option<usize>,
        actor: Who,
    },
}

/// One change a block command makes, in the order it records them.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A booking in the way, cancelled (or released, or checked out) or moved.
    Booking(usize, Rec, Recorded),
    Block(BlockRec),
}

/// What a successful request does to the model.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    NewResource(usize, Spec),
    NewBooking(Rec),
    Update(usize, Rec),
    PutPolicy(PPolicy),
    /// The policy deleted.
    DeletePolicy(PPolicy),
    Blocks(Vec<Change>),
    /// The block removed.
    RemoveBlock(BlockRec),
    /// R1: the bookings ended (in the order recorded), then the resource archived at the
    /// instant given.
    Archive {
        resource: usize,
        ended: Vec<Change>,
        at: i64,
    },
    /// Archiving an archived resource: success, and nothing written.
    AlreadyArchived(usize),
    /// The resource as updated.
    UpdateResource(usize, Spec),
    /// C1/C2: the series as stored, its bookings in order (each with the rules an admin
    /// overrode for it), and the report on every occurrence.
    Series {
        series: SeriesRec,
        bookings: Vec<(Rec, Vec<ViolationCode>)>,
        reports: Vec<OccReport>,
    },
    /// C3: the bookings cancelled (with their record and overridden rules), in order, and
    /// the series as the command itself rewrites it (for `following` and `all`).
    CancelSeries {
        series: usize,
        changes: Vec<(usize, Rec, Recorded, Vec<ViolationCode>)>,
        after: Option<SeriesRec>,
        reports: Vec<OccReport>,
    },
    /// W1: the new entry.
    Join(EntryRec),
    /// W1: the entry as left, and its pending offer's hold, released.
    Leave {
        entry: usize,
        after: EntryRec,
        released: Option<(usize, Rec)>,
    },
    /// W3: the offered hold `hold`, confirmed.
    Claim {
        hold: usize,
        rec: Rec,
    },
}

/// A success: the effect, and the rules an admin overrode (P7), in code order.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    pub effect: Effect,
    pub overridden: Vec<ViolationCode>,
}

impl From<Effect> for Prediction {
    fn from(effect: Effect) -> Self {
        Prediction {
            effect,
            overridden: vec![],
        }
    }
}

/// Something a request collides with (A5), as a conflict answer lists it: the span it
/// occupies (buffers included) and its units (a block: the whole capacity).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occupant {
    pub start: i64,
    /// Bookings sort before blocks at the same start.
    pub block: bool,
    pub id: String,
    pub end: i64,
    pub quantity: u32,
}

/// A refusal: the error code; for `policy_violation` every rule broken (P8), in code
/// order; for `conflict` everything collided with, in start order.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub violations: Vec<ViolationCode>,
    pub conflicts: Vec<Occupant>,
    /// For `series_rejected`: every occurrence that failed (C2).
    pub occurrences: Vec<OccReport>,
}

impl From<ErrorCode> for Refusal {
    fn from(code: ErrorCode) -> Self {
        Refusal {
            code,
            violations: vec![],
            conflicts: vec![],
            occurrences: vec![],
        }
    }
}

pub(super) fn conflict<T>(mut conflicts: Vec<Occupant>) -> Outcome<T> {
    conflicts.sort();
    Err(Refusal {
        conflicts,
        ..ErrorCode::Conflict.into()
    })
}

/// Transitions a tick applies, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TickCounts {
    pub expired: usize,
    pub no_shows: usize,
    pub completed: usize,
    /// W2: waiting entries whose span began.
    pub waitlist_lapsed: usize,
}

#[derive(Clone)]
pub struct Model {
    pub rules: Rules,
    pub resources: [Option<Spec>; RESOURCES],
    pub bookings: Vec<Rec>,
    /// In id order.
    pub policies: Vec<PPolicy>,
    /// Blocks in force.
    pub blocks: Vec<BlockRec>,
    /// Every block ever created, by sequence number (for commands naming old blocks).
    pub block_history: Vec<u64>,
    /// The last id sequence number handed out (bookings, blocks, series and waitlist
    /// entries share it).
    pub sequence: u64,
    /// Every series created, in creation order.
    pub series: Vec<SeriesRec>,
    /// Every waitlist entry, in joining order.
    pub entries: Vec<EntryRec>,
}

pub(super) type Outcome<T> = Result<T, Refusal>;

pub(super) fn refuse<T>(code: ErrorCode) -> Outcome<T> {
    Err(code.into())
}

/// The role a booking command acts with, for a booking of `owner` (B4, P7): a member acts
/// only on their own bookings.
pub(super) fn booking_role(actor: Who, owner: &str) -> Outcome<Role> {
    match actor {
        Who::Default => Ok(Role::Member),
        Who::Admin => Ok(Role::Admin),
        Who::Member(m) if m == owner => Ok(Role::Member),
        Who::Member(_) => refuse(ErrorCode::Forbidden),
    }
}

/// Policies and blocks are for admins (and the system, the default actor) only.
fn admin_role(actor: Who) -> Outcome<Role> {
    match actor {
        Who::Default => Ok(Role::System),
        Who::Admin => Ok(Role::Admin),
        Who::Member(_) => refuse(ErrorCode::Forbidden),
    }
}

/// P7: violations refuse the request, unless an admin (or the system) overrides them. A
/// member asking to override is forbidden whether or not there is anything to override
/// (the engine's documented choice: the answer does not depend on the store).
fn enforce(
    violations: Vec<ViolationCode>,
    override_policies: bool,
    role: Role,
) -> Outcome<Vec<ViolationCode>> {
    if override_policies && role == Role::Member {
        refuse(ErrorCode::Forbidden)
    } else if violations.is_empty() || override_policies {
        Ok(violations)
    } else {
        Err(Refusal {
            violations,
            ..ErrorCode::PolicyViolation.into()
        })
    }
}

/// A booking ended on an admin's or the system's word (M1 cancel strategy, M2, R1 forced
/// archive), as of `now`: a hold is released, a confirmed booking cancelled, a checked-in
/// one checked out; with the action recorded.
fn ended_by_force(rec: &Rec, now: i64) -> (Rec, Recorded) {
    let mut after = rec.clone();
    let (to, recorded) = match rec.status_at(now) {
        Held => (Released, Recorded::BookingReleased),
        Confirmed => (Cancelled, Recorded::BookingCancelled),
        _ => (Completed, Recorded::BookingCheckedOut),
    };
    after.status = to;
    after.version += 1;
    (after, recorded)
}

/// Statuses P5's counting quotas count: bookings that are or were real.
fn counted(status: BookingStatus) -> bool {
    matches!(status, Held | Confirmed | CheckedIn | Completed | NoShow)
}

impl Model {
    pub fn new(rules: Rules) -> Self {
        Model {
            rules,
            resources: Default::default(),
            bookings: Vec::new(),
            policies: Vec::new(),
            blocks: Vec::new(),
            block_history: Vec::new(),
            sequence: 0,
            series: Vec::new(),
            entries: Vec::new(),
        }
    }

    pub fn spec(&self, resource: usize) -> Outcome<&Spec> {
        self.resources[resource]
            .as_ref()
            .ok_or(ErrorCode::NotFound.into())
    }

    /// A resource that exists and is not archived (R1).
    pub(super) fn bookable(&self, resource: usize) -> Outcome<&Spec> {
        let spec = self.spec(resource)?;
        match spec.archived_at {
            Some(_) => refuse(ErrorCode::ResourceArchived),
            None => Ok(spec),
        }
    }

    /// Whether a policy scope covers `resource`.
    pub fn covers(&self, scope: PScope, resource: usize) -> bool {
        match scope {
            PScope::Global => true,
            PScope::Resource(r) => r == resource,
            PScope::Tag(t) => self.resources[resource]
                .as_ref()
                .is_some_and(|s| s.tags.contains(&t)),
        }
    }

    /// The rules in force on `resource` for `role` (P7).
    pub fn effective(&self, resource: usize, role: Role) -> Eff {
        effective(&self.policies, |s| self.covers(s, resource), role)
    }

    /// The outcome the spec demands for `req` at `now`, without applying it.
    pub fn predict(&self, req: &Req, now: i64) -> Outcome<Prediction> {
        match req {
            Req::CreateResource { resource, spec } => match self.resources[*resource] {
                Some(_) => refuse(ErrorCode::AlreadyExists),
                None => Ok(Effect::NewResource(*resource, spec.clone()).into()),
            },
            &Req::Place {
                kind,
                resource,
                member,
                start,
                end,
                quantity,
                actor,
                override_policies,
            } => {
                // The order of checks is the engine's: TTL given, actor, resource, span,
                // units, policies (B1, P7), then capacity (I1).
                if let PlaceKind::Hold {
                    ttl_secs: Some(ttl),
                } = kind
                {
                    self.check_ttl(ttl)?;
                }
                let role = booking_role(actor, member)?;
                let spec = self.bookable(resource)?;
                if end <= start || quantity == 0 || quantity > spec.capacity {
                    return refuse(ErrorCode::InvalidInput);
                }
                let eff = self.effective(resource, role);
                let hold_expires_at = match kind {
                    PlaceKind::Book => None,
                    PlaceKind::Hold { ttl_secs } => {
                        // B2: the TTL asked for, else the policy's, else the engine's.
                        let default = eff.hold_ttl.unwrap_or(self.rules.default_ttl_secs);
                        let ttl = ttl_secs.unwrap_or(default);
                        self.check_ttl(ttl)?;
                        Some(now + ttl * 1_000)
                    }
                };
                let violations =
                    self.placement_violations(&eff, resource, start, end, now, member, None);
                let overridden = enforce(violations, override_policies, role)?;
                let rec = Rec {
                    seq: self.sequence + 1,
                    resource,
                    member,
                    start,
                    end,
                    quantity,
                    status: if hold_expires_at.is_some() {
                        Held
                    } else {
                        Confirmed
                    },
                    version: 1,
                    hold_expires_at,
                    opens_at: 0,
                    deadline: None,
                    buffer_before: i64::from(eff.buffer_before) * MINUTE,
                    buffer_after: i64::from(eff.buffer_after) * MINUTE,
                    series: None,
                    waitlist: None,
                };
                if !self.fits(resource, rec.occupied(), quantity, None, now) {
                    return conflict(self.conflicts(resource, rec.occupied(), quantity, None, now));
                }
                Ok(Prediction {
                    effect: Effect::NewBooking(self.with_check_in(rec, &eff)),
                    overridden,
                })
            }
            &Req::Act {
                action: Action::ForceCancel,
                target,
                version,
                actor,
            } => {
                // M2: admins only (the system by default), then the booking and version;
                // a late cancel's cutoff is overridden and recorded.
                let role = admin_role(actor)?;
                let (i, rec, _) = self.target(target, version, Who::Admin)?;
                let mut after = rec.clone();
                let mut overridden = vec![];
                after.status = match rec.status_at(now) {
                    Held => Released,
                    Confirmed => {
                        let eff = self.effective(rec.resource, role);
                        overridden.extend(cutoff(
                            eff.cancel_cutoff,
                            rec.start,
                            now,
                            ViolationCode::CancelCutoff,
                        ));
                        Cancelled
                    }
                    CheckedIn => Completed,
                    _ => return refuse(ErrorCode::InvalidTransition),
                };
                after.version += 1;
                Ok(Prediction {
                    effect: Effect::Update(i, after),
                    overridden,
                })
            }
            &Req::Act {
                action,
                target,
                version,
                actor,
            } => {
                let (i, rec, role) = self.target(target, version, actor)?;
                let current = rec.status_at(now);
                let to = match action {
                    Action::Confirm => Confirmed,
                    Action::Release => Released,
                    Action::Cancel => Cancelled,
                    Action::CheckIn => CheckedIn,
                    Action::CheckOut | Action::ForceCancel => Completed,
                };
                if action == Action::Confirm && current == Expired {
                    return refuse(ErrorCode::HoldExpired); // B2
                }
                // Checking out needs a check-in: confirmed -> completed is only the end of
                // an unattended span (the engine's documented choice; SPEC.md is silent).
                if action == Action::CheckOut && current == Confirmed {
                    return refuse(ErrorCode::InvalidTransition);
                }
                if !allowed(current, to) {
                    return refuse(ErrorCode::InvalidTransition); // B5
                }
                if action == Action::CheckIn && now < rec.opens_at {
                    return refuse(ErrorCode::CheckInNotOpen); // B6
                }
                let mut overridden = vec![];
                if action == Action::Cancel {
                    // P6: a member may not cancel late; an admin may, and it is recorded.
                    let eff = self.effective(rec.resource, role);
                    let late = cutoff(
                        eff.cancel_cutoff,
                        rec.start,
                        now,
                        ViolationCode::CancelCutoff,
                    );
                    overridden = enforce(late.into_iter().collect(), role != Role::Member, role)?;
                }
                let mut after = rec.clone();
                after.status = to;
                after.version += 1;
                Ok(Prediction {
                    effect: Effect::Update(i, after),
                    overridden,
                })
            }
            &Req::Modify {
                target,
                resource,
                start,
                end,
                quantity,
                version,
                actor,
                override_policies,
                force,
            } => {
                // M2: a forced move is for admins (the system by default), may move a
                // checked-in booking, and overrides every rule.
                let (i, rec, role) = if force {
                    let role = admin_role(actor)?;
                    let (i, rec, _) = self.target(target, version, Who::Admin)?;
                    (i, rec, role)
                } else {
                    self.target(target, version, actor)?
                };
                let movable = match rec.status_at(now) {
                    Held | Confirmed => true,
                    CheckedIn => force,
                    _ => false,
                };
                if !movable {
                    return refuse(ErrorCode::InvalidTransition);
                }
                let mut after = rec.clone();
                after.resource = resource.unwrap_or(rec.resource);
                after.start = start.unwrap_or(rec.start);
                after.end = end.unwrap_or(rec.end);
                after.quantity = quantity.unwrap_or(rec.quantity);
                after.version += 1;
                let spec = self.bookable(after.resource)?;
                if after.end <= after.start || after.quantity == 0 || after.quantity > spec.capacity
                {
                    return refuse(ErrorCode::InvalidInput);
                }
                // B3 + P6: the rules of the resource it moves to, with the modification
                // cutoff counted from the current start; quotas ignore the booking itself.
                let eff = self.effective(after.resource, role);
                let mut violations: Vec<ViolationCode> = cutoff(
                    eff.modify_cutoff,
                    rec.start,
                    now,
                    ViolationCode::ModifyCutoff,
                )
                .into_iter()
                .collect();
                violations.extend(self.placement_violations(
                    &eff,
                    after.resource,
                    after.start,
                    after.end,
                    now,
                    rec.member,
                    Some(i),
                ));
                violations.sort();
                let overridden = enforce(violations, override_policies || force, role)?;
                after.buffer_before = i64::from(eff.buffer_before) * MINUTE;
                after.buffer_after = i64::from(eff.buffer_after) * MINUTE;
                // B3: conflicts are checked ignoring the booking itself.
                let (r, occupied, q) = (after.resource, after.occupied(), after.quantity);
                if !self.fits(r, occupied, q, Some(i), now) {
                    return conflict(self.conflicts(r, occupied, q, Some(i), now));
                }
                Ok(Prediction {
                    effect: Effect::Update(i, self.with_check_in(after, &eff)),
                    overridden,
                })
            }
            Req::PutPolicy { policy, actor } => {
                admin_role(*actor)?;
                if !policy.is_valid() {
                    return refuse(ErrorCode::InvalidInput);
                }
                Ok(Effect::PutPolicy((**policy).clone()).into())
            }
            &Req::DeletePolicy { id, actor } => {
                admin_role(actor)?;
                match self.policies.iter().find(|p| p.id == id) {
                    Some(p) => Ok(Effect::DeletePolicy(p.clone()).into()),
                    None => refuse(ErrorCode::NotFound),
                }
            }
            &Req::CreateBlock {
                on,
                start,
                end,
                strategy,
                actor,
            } => {
                admin_role(actor)?;
                self.place_block(on, start, end, strategy, now)
                    .map(|changes| Effect::Blocks(changes).into())
            }
            Req::UpdateResource {
                resource,
                capacity,
                tags,
                kind,
                tz,
            } => {
                // R1: lowering the capacity below what bookings that have not ended hold
                // is a conflict listing them; blocks take whatever the capacity is.
                let before = self.spec(*resource)?;
                let mut after = before.clone();
                after.capacity = capacity.unwrap_or(before.capacity);
                after.tags = tags.clone().unwrap_or_else(|| before.tags.clone());
                after.kind = kind.unwrap_or(before.kind);
                after.tz = tz.unwrap_or(before.tz);
                if after.capacity < before.capacity {
                    let over = self.over_capacity(*resource, after.capacity, now);
                    if !over.is_empty() {
                        return conflict(over);
                    }
                }
                Ok(Effect::UpdateResource(*resource, after).into())
            }
            &Req::Archive { resource, force } => {
                // R1: refused while bookings that have not ended hold units on it (from now
                // on, buffers included: a hold over a span already past does not count),
                // unless forced; then they end (holds released, confirmed bookings
                // cancelled, check-ins checked out). Blocks are not bookings.
                if self.spec(resource)?.archived_at.is_some() {
                    return Ok(Effect::AlreadyArchived(resource).into());
                }
                let mut ended: Vec<&Rec> = (self.bookings.iter())
                    .filter(|b| b.resource == resource && b.active_at(now) && b.occupied().1 > now)
                    .collect();
                ended.sort_by_key(|b| b.occupant());
                if !ended.is_empty() && !force {
                    return refuse(ErrorCode::HasFutureBookings);
                }
                let ended = ended
                    .into_iter()
                    .map(|b| {
                        let i = self
                            .bookings
                            .iter()
                            .position(|x| x.seq == b.seq)
                            .expect("known");
                        let (after, recorded) = ended_by_force(b, now);
                        Change::Booking(i, after, recorded)
                    })
                    .collect();
                Ok(Effect::Archive {
                    resource,
                    ended,
                    at: now,
                }
                .into())
            }
            &Req::RemoveBlock { seq, actor } => {
                admin_role(actor)?;
                match self.blocks.iter().find(|b| b.seq == seq) {
                    Some(b) => Ok(Effect::RemoveBlock(b.clone()).into()),
                    None => refuse(ErrorCode::NotFound),
                }
            }
            Req::BookSeries { .. } => self.predict_book_series(req, now),
            &Req::CancelSeries {
                target,
                scope,
                occurrence,
                version,
                actor,
            } => self.predict_cancel_series(target, scope, occurrence, version, actor, now),
            Req::JoinWaitlist { .. } => self.predict_join(req, now),
            &Req::LeaveWaitlist { target, actor } => self.predict_leave(target, actor, now),
            &Req::ClaimOffer { target, actor } => self.predict_claim(target, actor, now),
        }
    }

    pub fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::NewResource(r, spec) => self.resources[r] = Some(spec),
            Effect::NewBooking(rec) => {
                self.sequence = rec.seq;
                self.bookings.push(rec);
            }
            Effect::Update(i, rec) => self.bookings[i] = rec,
            Effect::PutPolicy(p) => {
                self.policies.retain(|q| q.id != p.id);
                self.policies.push(p);
                self.policies.sort_by_key(|p| p.id);
            }
            Effect::DeletePolicy(p) => self.policies.retain(|q| q.id != p.id),
            Effect::Blocks(changes) => {
                for change in changes {
                    match change {
                        Change::Booking(i, rec, _) => self.bookings[i] = rec,
                        Change::Block(b) => {
                            self.sequence = b.seq;
                            self.block_history.push(b.seq);
                            self.blocks.push(b);
                        }
                    }
                }
            }
            Effect::RemoveBlock(b) => self.blocks.retain(|x| x.seq != b.seq),
            Effect::Archive {
                resource,
                ended,
                at,
            } => {
                self.apply(Effect::Blocks(ended));
                if let Some(spec) = &mut self.resources[resource] {
                    spec.archived_at = Some(at);
                }
            }
            Effect::AlreadyArchived(_) => {}
            Effect::UpdateResource(r, spec) => self.resources[r] = Some(spec),
            Effect::Series {
                series, bookings, ..
            } => {
                self.sequence = series.seq;
                self.series.push(series);
                for (rec, _) in bookings {
                    self.sequence = rec.seq;
                    self.bookings.push(rec);
                }
            }
            Effect::CancelSeries {
                series,
                changes,
                after,
                ..
            } => {
                for (i, rec, _, _) in changes {
                    self.bookings[i] = rec;
                }
                if let Some(after) = after {
                    self.series[series] = after;
                }
            }
            Effect::Join(entry) => {
                self.sequence = entry.seq;
                self.entries.push(entry);
            }
            Effect::Leave {
                entry,
                after,
                released,
            } => {
                self.entries[entry] = after;
                if let Some((i, rec)) = released {
                    self.bookings[i] = rec;
                }
            }
            Effect::Claim { hold, rec } => self.bookings[hold] = rec,
        }
    }

    /// Units of `resource` held at instant `t` as of `now`, by brute force: every active
    /// booking whose occupied span (buffers included) covers `t`, and the whole capacity
    /// if a block covers it (I1).
    pub fn units_at(&self, resource: usize, t: i64, now: i64, exclude: Option<usize>) -> u32 {
        let covers = |(s, e): (i64, i64)| s <= t && t < e;
        let booked: u32 = self
            .bookings
            .iter()
            .enumerate()
            .filter(|&(i, b)| Some(i) != exclude && b.resource == resource)
            .filter(|(_, b)| b.active_at(now) && covers(b.occupied()))
            .map(|(_, b)| b.quantity)
            .sum();
        let blocked = self
            .blocks
            .iter()
            .any(|b| b.resource == resource && covers((b.start, b.end)));
        let capacity = self.resources[resource].as_ref().map_or(0, |s| s.capacity);
        booked + if blocked { capacity } else { 0 }
    }

    /// Every instant of `[from, to)` where the occupancy of `resource` can change: `from`
    /// and every start of an occupied span inside. Occupancy is a step function of
    /// half-open spans, so its maximum over `[from, to)` is reached at one of these.
    pub fn change_points(&self, resource: usize, (from, to): (i64, i64)) -> Vec<i64> {
        let starts = self
            .bookings
            .iter()
            .filter(|b| b.resource == resource)
            .map(|b| b.occupied().0)
            .chain(
                self.blocks
                    .iter()
                    .filter(|b| b.resource == resource)
                    .map(|b| b.start),
            );
        std::iter::once(from)
            .chain(starts.filter(|&s| from < s && s < to))
            .collect()
    }

    /// Whether `quantity` more units fit on `resource` at every instant of `occupied`, as of
    /// `now`, leaving out booking `exclude` (I1, B10).
    pub fn fits(
        &self,
        resource: usize,
        occupied: (i64, i64),
        quantity: u32,
        exclude: Option<usize>,
        now: i64,
    ) -> bool {
        let Some(spec) = &self.resources[resource] else {
            return false;
        };
        self.change_points(resource, occupied)
            .into_iter()
            .all(|t| self.units_at(resource, t, now, exclude) + quantity <= spec.capacity)
    }

    /// What a request for `quantity` units over `occupied` collides with (A5), by brute
    /// force: every active booking (but `exclude`) and block of `resource` covering an
    /// instant of `occupied` where the units held plus these exceed the capacity.
    pub fn conflicts(
        &self,
        resource: usize,
        (from, to): (i64, i64),
        quantity: u32,
        exclude: Option<usize>,
        now: i64,
    ) -> Vec<Occupant> {
        let capacity = self.resources[resource].as_ref().map_or(0, |s| s.capacity);
        let over = |(s, e): (i64, i64)| {
            let (lo, hi) = (s.max(from), e.min(to));
            lo < hi
                && self
                    .change_points(resource, (lo, hi))
                    .into_iter()
                    .any(|t| self.units_at(resource, t, now, exclude) + quantity > capacity)
        };
        let bookings = self.bookings.iter().enumerate().filter(|&(i, b)| {
            Some(i) != exclude && b.resource == resource && b.active_at(now) && over(b.occupied())
        });
        let blocks = self
            .blocks
            .iter()
            .filter(|b| b.resource == resource && over((b.start, b.end)));
        let mut out: Vec<Occupant> = bookings
            .map(|(_, b)| b.occupant())
            .chain(blocks.map(|b| Occupant {
                start: b.start,
                block: true,
                id: b.id(),
                end: b.end,
                quantity: capacity,
            }))
            .collect();
        out.sort();
        out
    }

    /// The active bookings of `resource` that would hold more than `capacity` units at
    /// some instant from `now` on, bookings alone (I1 after a capacity change), by brute
    /// force.
    pub fn over_capacity(&self, resource: usize, capacity: u32, now: i64) -> Vec<Occupant> {
        let active: Vec<&Rec> = (self.bookings.iter())
            .filter(|b| b.resource == resource && b.active_at(now))
            .collect();
        let units = |t: i64| -> u32 {
            (active.iter())
                .filter(|b| b.occupied().0 <= t && t < b.occupied().1)
                .map(|b| b.quantity)
                .sum()
        };
        let mut out: Vec<Occupant> = (active.iter())
            .filter(|b| {
                let (s, e) = b.occupied();
                let from = s.max(now);
                let inside = active
                    .iter()
                    .map(|o| o.occupied().0)
                    .filter(|&t| from < t && t < e);
                from < e
                    && std::iter::once(from)
                        .chain(inside)
                        .any(|t| units(t) > capacity)
            })
            .map(|b| b.occupant())
            .collect();
        out.sort();
        out
    }

    /// Every rule (P1, P2, P3, P5, P9) a booking of `[start, end)` on `resource` by `member` breaks
    /// under `eff`, `exclude` being the booking modified; in code order.
    #[allow(clippy::too_many_arguments)]
    pub fn placement_violations(
        &self,
        eff: &Eff,
        resource: usize,
        start: i64,
        end: i64,
        now: i64,
        member: &str,
        exclude: Option<usize>,
    ) -> Vec<ViolationCode> {
        let offset = self.resources[resource].as_ref().map_or(0, Spec::offset);
        let mut out = Vec::new();
        if let Some(week) = &eff.hours {
            if !policy::open_throughout(week, start, end, offset) {
                out.push(ViolationCode::Closed);
            }
        }
        let g = eff.granularity;
        if !policy::on_grid(start, g, offset) || !policy::on_grid(end, g, offset) {
            out.push(ViolationCode::Granularity);
        }
        if (end - start) / MINUTE < i64::from(eff.min_duration) {
            out.push(ViolationCode::MinDuration);
        }
        if end - start > i64::from(eff.max_duration) * MINUTE {
            out.push(ViolationCode::MaxDuration);
        }
        if let Some(lead) = eff.lead_time {
            if start < now + i64::from(lead) * MINUTE {
                out.push(ViolationCode::LeadTime);
            }
        }
        if let Some(days) = eff.horizon_days {
            if start > now + i64::from(days) * DAY {
                out.push(ViolationCode::Horizon);
            }
        }
        // The member's other bookings (as of now), each with whether it is on a resource
        // in `scope`.
        let others = |scope: PScope| {
            self.bookings.iter().enumerate().filter_map(move |(j, b)| {
                let theirs = Some(j) != exclude && b.member == member;
                (theirs && self.covers(scope, b.resource)).then_some(b)
            })
        };
        if let Some((q, scope)) = eff.quotas {
            // P5: counted with this booking, days, weeks (from Monday) and months in the
            // booked resource's local calendar; hours by whole minutes booked.
            let day = policy::local_day(start, offset);
            let (mut per_day, mut per_week, mut per_month, mut active) = (1, 1, 1, 1);
            let mut week_minutes = (end - start) / MINUTE;
            for b in others(scope) {
                active += u32::from(b.active_at(now));
                if !counted(b.status_at(now)) {
                    continue;
                }
                let d = policy::local_day(b.start, offset);
                per_day += u32::from(d == day);
                if policy::week_of(d) == policy::week_of(day) {
                    per_week += 1;
                    week_minutes += (b.end - b.start) / MINUTE;
                }
                per_month += u32::from(policy::month_of(d) == policy::month_of(day));
            }
            let limits = [
                (q.per_day, per_day, ViolationCode::BookingsPerDay),
                (q.per_week, per_week, ViolationCode::BookingsPerWeek),
                (q.per_month, per_month, ViolationCode::BookingsPerMonth),
                (q.concurrent, active, ViolationCode::ConcurrentActive),
            ];
            for (limit, count, code) in limits {
                if limit.is_some_and(|l| count > l) {
                    out.push(code);
                }
            }
            if q.hours_per_week
                .is_some_and(|h| week_minutes > i64::from(h) * 60)
            {
                out.push(ViolationCode::HoursPerWeek);
            }
        }
        if let Some((s, scope)) = eff.sanction {
            // P9: no-shows (which end at their check-in deadline) within the window up to
            // now; suspended until `suspend_days` after the last of them.
            let from = now - i64::from(s.window_days) * DAY;
            let missed: Vec<i64> = others(scope)
                .filter(|b| b.status_at(now) == NoShow)
                .filter_map(|b| b.deadline)
                .filter(|&at| from <= at && at <= now)
                .collect();
            let last = missed.iter().max();
            if missed.len() >= s.no_shows as usize
                && last.is_some_and(|&l| now < l + i64::from(s.suspend_days) * DAY)
            {
                out.push(ViolationCode::Suspended);
            }
        }
        out.sort();
        out
    }

    /// M1: places a block on each target resource in id order, handling the bookings in
    /// its way by `strategy`, on a scratch copy of the model. Returns every change in the
    /// order the engine records them.
    fn place_block(
        &self,
        on: BlockOn,
        start: i64,
        end: i64,
        strategy: BlockStrategy,
        now: i64,
    ) -> Outcome<Vec<Change>> {
        let targets: Vec<usize> = match on {
            BlockOn::Resource(r) => {
                self.spec(r)?;
                vec![r]
            }
            BlockOn::Tag(t) => (0..RESOURCES)
                .filter(|&r| self.covers(PScope::Tag(t), r))
                .filter(|&r| {
                    self.resources[r]
                        .as_ref()
                        .is_some_and(|s| s.archived_at.is_none())
                })
                .collect(),
        };
        if targets.is_empty() {
            return refuse(ErrorCode::InvalidInput); // no resource carries the tag
        }
        if end <= start {
            return refuse(ErrorCode::InvalidInput);
        }
        let mut scratch = self.clone();
        let mut changes = Vec::new();
        for &r in &targets {
            // Bookings holding units somewhere in the block's span, buffers included, in
            // the order the engine meets them: by occupied start, then id.
            let mut in_the_way: Vec<usize> = (0..scratch.bookings.len())
                .filter(|&i| {
                    let b = &scratch.bookings[i];
                    let (s, e) = b.occupied();
                    b.resource == r && b.active_at(now) && s < end && start < e
                })
                .collect();
            in_the_way.sort_by_key(|&i| scratch.bookings[i].occupant());
            if strategy == BlockStrategy::Reject && !in_the_way.is_empty() {
                return conflict(
                    in_the_way
                        .iter()
                        .map(|&i| scratch.bookings[i].occupant())
                        .collect(),
                );
            }
            for i in in_the_way {
                let mut after = scratch.bookings[i].clone();
                after.version += 1;
                let recorded = match strategy {
                    BlockStrategy::Reject => unreachable!("refused above"),
                    BlockStrategy::Cancel => {
                        let (ended, recorded) = ended_by_force(&scratch.bookings[i], now);
                        after = ended;
                        recorded
                    }
                    BlockStrategy::Move => {
                        // An equivalent resource: not blocked by this command, same kind,
                        // at least the same tags, enough units, free for the whole
                        // occupied span; the first by id.
                        let from = scratch.spec(r)?.clone();
                        let to = (0..RESOURCES).find(|&c| {
                            scratch.resources[c].as_ref().is_some_and(|s| {
                                !targets.contains(&c)
                                    && s.archived_at.is_none()
                                    && s.kind == from.kind
                                    && from.tags.iter().all(|t| s.tags.contains(t))
                                    && s.capacity >= after.quantity
                            }) && scratch.fits(c, after.occupied(), after.quantity, None, now)
                        });
                        let Some(to) = to else {
                            return conflict(vec![after.occupant()]);
                        };
                        after.resource = to;
                        Recorded::BookingModified
                    }
                };
                scratch.bookings[i] = after.clone();
                changes.push(Change::Booking(i, after, recorded));
            }
            let block = BlockRec {
                seq: scratch.sequence + 1,
                resource: r,
                start,
                end,
                created_at: now,
            };
            scratch.apply(Effect::Blocks(vec![Change::Block(block.clone())]));
            changes.push(Change::Block(block));
        }
        Ok(changes)
    }

    /// The named booking (or `not_found`), whether the actor may act on it (`forbidden`),
    /// at the version the caller read (B7); with the role the command acts with.
    fn target(
        &self,
        target: Target,
        version: Option<u64>,
        actor: Who,
    ) -> Outcome<(usize, &Rec, Role)> {
        let Target::Booking(i) = target else {
            return refuse(ErrorCode::NotFound);
        };
        let rec = &self.bookings[i];
        let role = booking_role(actor, rec.member)?;
        if version.is_some_and(|v| v != rec.version) {
            return refuse(ErrorCode::VersionConflict);
        }
        Ok((i, rec, role))
    }

    pub(super) fn check_ttl(&self, ttl: i64) -> Outcome<()> {
        if ttl <= 0 || ttl > self.rules.max_ttl_secs {
            return refuse(ErrorCode::InvalidInput);
        }
        Ok(())
    }

    /// B6: check-in opens `opens_before` ahead of the start; when required it must happen
    /// by `start + grace`, but never later than the end. A policy's check-in rules replace
    /// the engine's.
    pub(super) fn with_check_in(&self, mut rec: Rec, eff: &Eff) -> Rec {
        let r = &self.rules;
        let (required, opens_before, grace) = match eff.check_in {
            Some((required, opens, grace)) => (required, opens * 1_000, grace * 1_000),
            None => (r.check_in_required, r.opens_before, r.grace),
        };
        rec.opens_at = rec.start - opens_before;
        rec.deadline = required.then(|| (rec.start + grace).min(rec.end));
        rec
    }
}
