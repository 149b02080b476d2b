//! Model-based test: random command sequences drive the real engine (in-memory store,
//! manual clock) and, after every step, the engine is compared with an independent
//! brute-force reference model (`reference.rs`, `policy.rs`) and with the invariants of
//! SPEC.md:
//!
//! - the result of each command (success, or its error code) is the one the spec demands,
//!   in the order the engine checks (actor, target, version, state, resource, span, units,
//!   policies, then capacity); a successful booking has the id, status, span, units,
//!   buffers, check-in terms and version the model predicts;
//! - policies (P1 weekly opening hours incl. overnight ranges, P2 granularity in local
//!   time and durations, P3 lead time and horizon, P4 buffers, P5 day/week/month/hours and
//!   concurrent quotas, P6 cutoffs, P7 global/tag/resource scopes, role exemptions and
//!   admin overrides, P9 no-show sanctions, per-policy hold TTL and check-in): the model
//!   decides whether a booking command breaks a rule, and the engine must refuse with
//!   `policy_violation` listing exactly that set of violation codes, before it looks for
//!   conflicts; an admin's override must be recorded with exactly those codes;
//! - P8/A7: `explain` lists the same violation codes, the same conflicts and the same
//!   "why not" reasons, and is bookable exactly when the model says so;
//! - A5: a `conflict` lists exactly the occupants in the way (buffers included), in start
//!   order, and every alternative offered would go through instead;
//! - blocks (M1): a block takes the whole capacity; `reject`, `cancel` and `move` handle
//!   the bookings in the way (buffers included) as the model predicts, moves going to the
//!   first equivalent free resource; M2 force-cancel and force-move; R1 resource updates
//!   (capacity, tags, kind, zone) and archiving;
//! - series (C1–C3, `series_waitlist.rs`): a DAILY or WEEKLY/BYDAY rule with INTERVAL and
//!   COUNT, all-or-nothing or best-effort, is expanded by the model in the resource's wall
//!   time and each occurrence placed like a single booking (policies per occurrence, quotas
//!   counting the earlier ones, capacity against everything); the outcome (error code,
//!   every failed or booked occurrence with reason, conflicts and violations, the ids) and
//!   the stored series (rule text, exdates, status, version) are the model's; cancelling
//!   one occurrence, it and the following ones, or all not started cancels the bookings a
//!   member's or admin's cancel would (cutoffs, transitions, all or nothing), cuts the
//!   rule or cancels the series, and every occurrence ended by any command becomes an
//!   exdate; C3 holds in the model, and the engine's integrity check covers the engine;
//! - waitlist (W1–W3): joining (`not_full`, `already_exists`, the member's rules), leaving
//!   and claiming follow a FIFO model; whenever units free up (cancel, release, expiry,
//!   no-show, completion, a move away, a check-out, force-cancel or -move, a block placed
//!   over a booking or removed) the waiting entries are offered holds as of the instant it
//!   happened, in joining order, with the claim TTL from then; an offer that lapses frees
//!   its units at its expiry and passes on; while anyone waits every command first applies
//!   what is due (the engine's catch-up) and so does the model, so the two agree whether or
//!   not a tick ran; every entry (as stored, and as of now with its place in its queue) is
//!   the model's, and every offer standing has its hold;
//! - I1: no resource holds more units than its capacity at any instant, buffers and
//!   blocks included (checked by brute force over what the engine reports, as of now, and
//!   over the model);
//! - I3: a retry with the same idempotency key returns the first result and changes
//!   nothing; the same key with another request is `idempotency_key_reused`;
//! - I4: a failed command (or a retry, or time passing) changes no stored state;
//! - I6/E2: every change appends exactly the audit records and events predicted, with
//!   their actions and entities (a block command one per booking it cancels or moves plus
//!   one per block; a series one per occurrence booked plus one for the series; an offer a
//!   hold and the entry's), and a tick one per transition; E3: the integrity check finds
//!   nothing (C3 and offers included);
//!   E4: at the end, the store survives an export/import round trip; M3: the engine's
//!   rejection counters match.
//!
//! The generated steps live in `input.rs`, the calls into the engine in `driver.rs`.
//! The store it drives and the default number of sequences come from the test crate's
//! root (`ModelStore`, `model_store`, `MODEL_CASES`): the core runs it on the in-memory
//! store (2,000 sequences), `slotwise-sqlite` mounts the same files on SQLite.
//! `PROPTEST_CASES` overrides the number of sequences. Two engine bugs this test
//! found (a block kept its resource from being archived; an ended booking over a lowered
//! capacity failed the integrity check and import), since fixed, are pinned by the
//! `regression_*` tests at the end, as is a `concurrent_active` quota that once missed an
//! active hold when the new booking lay more than a month ahead.

mod driver;
mod input;
mod policy;
mod reference;
mod series_waitlist;

use std::collections::HashMap;

use driver::{local, new_booking, rid, send, ts, Out};
use input::{edge, op, resolve, setup, tags, Cmd, Op, Setup, MEMBERS};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reference::{
    Action, BlockRec, Change, Effect, Model, Occupant, PlaceKind, Prediction, Rec, Refusal, Req,
    Rules, Spec, Target, TickCounts, Who, BASE_MS, GRID, KINDS, MINUTE, RESOURCES, TIMEZONES,
};
use series_waitlist::{EntryRec, LogRec, Logged, OccReport, SeriesRec};
use slotwise::audit::Entity;
use slotwise::recurrence::{OccurrenceOutcome, OccurrenceReport, Series, SeriesStatus};
use slotwise::waitlist::{WaitlistEntry, WaitlistQuery, WaitlistStatus};
use slotwise::{
    Action as Recorded, AlternativeKind, AuditQuery, Block, BlockQuery, BlockStrategy, Booking,
    BookingQuery, BookingStatus, CheckInConfig, ConflictItem, Disambiguation, Engine, EngineConfig,
    ErrorCode, ErrorDetails, EventQuery, ManualClock, NewBooking, OccupantKind, Policy, ReasonCode,
    Rejections, Resource, Role, Timestamp, ViolationCode,
};

/// `return Err(message)` unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

// ---------------------------------------------------------------------------------------
// The harness: one engine, one model, the same steps.

/// The first result stored under an idempotency key.
struct KeyRecord {
    req: Req,
    at: i64,
    result: Out,
}

/// Everything a command could write: compared before and after steps that must write nothing.
#[derive(Debug, PartialEq)]
struct Stored {
    resources: Vec<Resource>,
    bookings: Vec<Booking>,
    policies: Vec<Policy>,
    blocks: Vec<Block>,
    series: Vec<Series>,
    waitlist: Vec<WaitlistEntry>,
    sequence: u64,
    audit_records: u64,
    events: u64,
}

/// What one audit record (and its event) of a change must show.
#[derive(Debug)]
enum Expect {
    Resource(usize, Spec),
    Booking(Rec),
    /// A policy put (`true`) or deleted (`false`: the audit record has no "after", the
    /// event carries the policy as it was).
    Policy(Box<Policy>, bool),
    /// A block placed (`true`) or removed.
    Block(BlockRec, bool),
    Series(SeriesRec),
    Entry(EntryRec),
}

/// One audit record (and its event) expected: the action, the entity written, the rules an
/// admin overrode with it (P7), in code order.
#[derive(Debug)]
struct ExpRec {
    action: Recorded,
    expect: Expect,
    overridden: Vec<ViolationCode>,
}

impl ExpRec {
    fn new(action: Recorded, expect: Expect) -> Self {
        ExpRec {
            action,
            expect,
            overridden: vec![],
        }
    }
}

impl From<LogRec> for ExpRec {
    fn from(r: LogRec) -> Self {
        let expect = match r.what {
            Logged::Booking(rec) => Expect::Booking(rec),
            Logged::Series(s) => Expect::Series(s),
            Logged::Entry(e) => Expect::Entry(e),
        };
        ExpRec {
            action: r.action,
            expect,
            overridden: r.overridden,
        }
    }
}

struct Harness {
    engine: Engine<crate::ModelStore>,
    clock: ManualClock,
    model: Model,
    retention: i64,
    now: i64,
    keys: HashMap<String, KeyRecord>,
    /// Every keyed request sent, for retries and key reuse.
    sent: Vec<(String, Req)>,
    /// Audit records (and events) the model expects so far.
    changes: u64,
    /// Refusals by cause the engine must have counted (M3).
    rejections: Rejections,
    stored: Stored,
}

impl Harness {
    fn new(setup: &Setup) -> Self {
        let check_in = CheckInConfig {
            required: setup.check_in_required,
            opens_before_secs: 15 * 60,
            grace_secs: 10 * 60,
        };
        let config = EngineConfig {
            check_in,
            idempotency_retention_secs: setup.retention_secs,
            ..EngineConfig::default()
        };
        let now = setup.start;
        let clock = ManualClock::at(ts(now));
        let engine = Engine::new(crate::model_store())
            .with_clock(clock.clone())
            .with_config(config);
        let stored = Stored {
            resources: vec![],
            bookings: vec![],
            policies: vec![],
            blocks: vec![],
            series: vec![],
            waitlist: vec![],
            sequence: 0,
            audit_records: 0,
            events: 0,
        };
        Harness {
            engine,
            clock,
            model: Model::new(rules(setup.check_in_required)),
            retention: setup.retention_secs * 1_000,
            now,
            keys: HashMap::new(),
            sent: vec![],
            changes: 0,
            rejections: Rejections::default(),
            stored,
        }
    }

    /// Runs the prologue (a 1-unit and a 3-unit desk with the setup's tags, then the
    /// setup's policies) and then `ops`.
    fn run(&mut self, setup: &Setup, ops: &[Op]) -> Result<(), String> {
        let resources = [(0, 1), (1, 3)].map(|(resource, capacity)| Cmd::CreateResource {
            resource,
            capacity,
            tags: setup.tags[resource],
            kind: 0,
            tz: 0,
        });
        let policies = setup.policies.iter().map(|p| Cmd::PutPolicy {
            policy: Box::new(p.clone()),
            actor: input::ActorPick::Default,
        });
        let prologue: Vec<Op> = resources
            .into_iter()
            .chain(policies)
            .map(|cmd| Op::Run { cmd, keyed: false })
            .collect();
        for op in &prologue {
            self.step(op)
                .map_err(|e| format!("prologue: {op:?}\n{e}"))?;
        }
        for (i, op) in ops.iter().enumerate() {
            let at = ts(self.now);
            self.step(op)
                .map_err(|e| format!("ops[{i}] at {at}: {op:?}\n{e}"))?;
        }
        self.round_trip()
    }

    /// E4: the store exported and imported into an empty engine (same clock reading and
    /// config) exports the same resources, policies, bookings, blocks and id sequence, and
    /// passes the integrity check.
    fn round_trip(&self) -> Result<(), String> {
        let snapshot = self
            .engine
            .export_snapshot()
            .map_err(|e| format!("{e:?}"))?;
        let json = snapshot.to_json();
        let mut copy = Engine::in_memory()
            .with_clock(ManualClock::at(ts(self.now)))
            .with_config(self.engine.config().clone());
        let parsed = slotwise::Snapshot::from_json(&json).map_err(|e| format!("E4: {e:?}"))?;
        copy.import_snapshot(parsed)
            .map_err(|e| format!("E4: import refused the export: {e:?}"))?;
        let again = copy.export_snapshot().map_err(|e| format!("{e:?}"))?;
        ensure!(
            again == snapshot,
            "E4: the round trip changed the store:\n{snapshot:#?}\n{again:#?}"
        );
        let report = copy.integrity_check().map_err(|e| format!("{e:?}"))?;
        ensure!(report.is_ok(), "E3 after E4: {:#?}", report.violations);
        Ok(())
    }

    fn step(&mut self, op: &Op) -> Result<(), String> {
        let writes_nothing = match op {
            Op::Run { cmd, keyed } => {
                let key = keyed.then(|| format!("k{}", self.sent.len()));
                self.command(resolve(cmd, &self.model, self.now), key)?
            }
            Op::Retry { which } if !self.sent.is_empty() => {
                let (key, req) = self.sent[which.index(self.sent.len())].clone();
                self.command(req, Some(key))?
            }
            Op::ReuseKey { which, cmd } if !self.sent.is_empty() => {
                let key = self.sent[which.index(self.sent.len())].0.clone();
                self.command(resolve(cmd, &self.model, self.now), Some(key))?
            }
            Op::Retry { .. } | Op::ReuseKey { .. } => true,
            Op::Tick => {
                self.tick()?;
                false
            }
            Op::Advance { secs } => self.advance_to(self.now + secs * 1_000),
            Op::AdvanceToEdge { which, early } => {
                match edge(&self.model, self.now, *which, *early) {
                    Some(t) => self.advance_to(t),
                    None => true,
                }
            }
        };
        let stored = self.observe()?;
        if writes_nothing {
            ensure!(
                stored == self.stored,
                "I4: a step that must write nothing changed the store:\nbefore {:#?}\nafter {stored:#?}",
                self.stored
            );
        }
        self.stored = stored;
        self.check_state()
    }

    /// Moves the clock; time passing writes nothing (B12), hence `true`.
    fn advance_to(&mut self, t: i64) -> bool {
        self.now = t;
        self.clock.set(ts(t));
        true
    }

    /// Sends one mutating request and checks the outcome against the model and I3.
    /// Returns whether the store must be left exactly as it was.
    fn command(&mut self, req: Req, key: Option<String>) -> Result<bool, String> {
        let now = self.now;
        // `explain` reads the store as it stands, before the command catches up.
        self.check_explain(&req)?;
        // B12/W3: while anyone waits, the engine first applies what is due (with the offers
        // it leads to) in a transaction of its own, whatever becomes of the command.
        let caught: Vec<ExpRec> = (self.model.catch_up(now).into_iter())
            .map(ExpRec::from)
            .collect();
        let unchanged = caught.is_empty();
        let first = key.as_ref().and_then(|k| self.keys.get(k));
        // B8: a key counts for the retention, then it is as if never used.
        let first = first.filter(|r| now < r.at + self.retention);
        let expected = match first {
            Some(first) if first.req == req => Ok(None), // replay
            Some(_) => Err(Refusal::from(ErrorCode::IdempotencyKeyReused)),
            None => self.model.predict(&req, now).map(Some),
        };
        let replay = first.map(|f| f.result.clone());
        let got = send(&mut self.engine, &self.model, &req, key.as_deref());
        if let Some(k) = &key {
            self.sent.push((k.clone(), req.clone()));
        }
        match (expected, got) {
            (Err(refusal), Err(e)) => {
                ensure!(
                    e.code() == refusal.code,
                    "expected {:?}, engine: {e:?}",
                    refusal.code
                );
                let mut codes: Vec<ViolationCode> = e.violations().iter().map(|v| v.code).collect();
                codes.sort();
                ensure!(
                    codes == refusal.violations,
                    "P8: violations {codes:?}, model expects {:?}\nengine: {e:?}",
                    refusal.violations
                );
                let conflicts = occupants(e.conflicts());
                ensure!(
                    conflicts == refusal.conflicts,
                    "A5: conflicts {conflicts:#?}, model expects {:#?}",
                    refusal.conflicts
                );
                if let ErrorDetails::Series { occurrences } = e.details() {
                    // C2: every failed occurrence, with why.
                    same_reports(&refusal.occurrences, occurrences, false)?;
                }
                self.check_alternatives(&req, &e)?;
                match refusal.code {
                    ErrorCode::Conflict => self.rejections.conflicts += 1,
                    ErrorCode::PolicyViolation => self.rejections.policy_violations += 1,
                    _ => {}
                }
                self.check_log(&caught)?;
                Ok(unchanged)
            }
            (Ok(None), Ok(out)) => {
                let first = replay.expect("a replay has a first result");
                ensure!(
                    out == first,
                    "I3: retry returned {out:#?}\nfirst result {first:#?}"
                );
                self.check_log(&caught)?;
                Ok(unchanged)
            }
            (Ok(Some(prediction)), Ok(out)) => {
                self.check_result(&prediction.effect, &out)?;
                let mut records = caught;
                let mut own = expected_records(&self.model, &req, &prediction.effect, now);
                if let Some(first) = own.first_mut() {
                    if !prediction.overridden.is_empty() {
                        first.overridden.clone_from(&prediction.overridden);
                    }
                }
                records.extend(own);
                let finished = self.model.apply_command(prediction.effect, now);
                records.extend(finished.into_iter().map(ExpRec::from));
                self.check_log(&records)?;
                self.check_outcome(&out)?;
                if let Some(k) = key {
                    let result = out;
                    self.keys.insert(
                        k,
                        KeyRecord {
                            req,
                            at: now,
                            result,
                        },
                    );
                }
                Ok(false)
            }
            (Err(refusal), Ok(out)) => Err(format!(
                "expected {:?} {:?}, engine succeeded: {out:#?}",
                refusal.code, refusal.violations
            )),
            (Ok(_), Err(e)) => Err(format!("expected success, engine: {e:?}")),
        }
    }

    /// P8: for a proposed booking the engine can read (known resource, non-empty span),
    /// `explain` lists exactly the rules the model says it breaks, for the actor's role,
    /// and calls it bookable exactly when it breaks none and fits (I1).
    fn check_explain(&self, req: &Req) -> Result<(), String> {
        let &Req::Place {
            resource,
            member,
            start,
            end,
            quantity,
            actor,
            ..
        } = req
        else {
            return Ok(());
        };
        let Some(spec) = &self.model.resources[resource] else {
            return Ok(());
        };
        if end <= start {
            return Ok(());
        }
        let cmd: NewBooking = new_booking(req).expect("a place request");
        let explanation = self
            .engine
            .explain(&cmd)
            .map_err(|e| format!("explain failed: {e:?}"))?;
        let role = match actor {
            Who::Admin => Role::Admin,
            Who::Default | Who::Member(_) => Role::Member,
        };
        let (model, now) = (&self.model, self.now);
        let eff = model.effective(resource, role);
        let expected = model.placement_violations(&eff, resource, start, end, now, member, None);
        let mut codes: Vec<ViolationCode> = explanation.violations.iter().map(|v| v.code).collect();
        codes.sort();
        ensure!(
            codes == expected,
            "P8: explain lists {codes:?}, model expects {expected:?}"
        );
        // A5/A7: what it collides with, and why not: `capacity` for impossible units,
        // `closed` or `policy` per rule, `blocked` per block, `booked` per booking whose
        // bare span overlaps, `buffer` per booking only the buffers reach.
        let archived = spec
            .archived_at
            .map(|_| format!("{:?}", ReasonCode::Archived));
        let mut reasons: Vec<String> = archived.into_iter().collect();
        reasons.extend(expected.iter().map(|&v| {
            let code = match v {
                ViolationCode::Closed => ReasonCode::Closed,
                _ => ReasonCode::Policy,
            };
            format!("{code:?} {:?}", Some(v))
        }));
        if (1..=spec.capacity).contains(&quantity) {
            let occupied = (
                start - i64::from(eff.buffer_before) * MINUTE,
                end + i64::from(eff.buffer_after) * MINUTE,
            );
            let conflicts = model.conflicts(resource, occupied, quantity, None, now);
            let got = occupants(&explanation.conflicts);
            ensure!(
                got == conflicts,
                "A5: explain collides with {got:#?}, model expects {conflicts:#?}"
            );
            for c in &conflicts {
                let code = match c.block {
                    true => ReasonCode::Blocked,
                    false => {
                        let other = model.bookings.iter().find(|b| b.id() == c.id);
                        match other.is_some_and(|b| b.start < end && start < b.end) {
                            true => ReasonCode::Booked,
                            false => ReasonCode::Buffer,
                        }
                    }
                };
                let (id, from, to) = (Some(c.id.clone()), Some(ts(c.start)), Some(ts(c.end)));
                reasons.push(format!("{code:?} {id:?} {from:?} {to:?}"));
            }
        } else {
            reasons.push(format!("{:?}", ReasonCode::Capacity));
        }
        let mut got: Vec<String> = (explanation.reasons.iter())
            .map(|r| match (r.violation, &r.occupant) {
                (Some(v), _) => format!("{:?} {:?}", r.code, Some(v)),
                (None, Some(id)) => {
                    format!("{:?} {:?} {:?} {:?}", r.code, Some(id), r.start, r.end)
                }
                (None, None) => format!("{:?}", r.code),
            })
            .collect();
        got.sort();
        reasons.sort();
        ensure!(
            got == reasons,
            "A7: explain's reasons {got:#?}, model expects {reasons:#?}"
        );
        ensure!(
            explanation.bookable == reasons.is_empty(),
            "P8: explain says bookable = {}, model {}: {explanation:#?}",
            explanation.bookable,
            reasons.is_empty()
        );
        Ok(())
    }

    /// A5: every alternative a conflict answer offers would go through instead, as the
    /// model sees it: the same resource at another time, or a similar resource (same kind,
    /// at least the same tags) at the same time; at most the engine's default of three.
    fn check_alternatives(&self, req: &Req, e: &slotwise::Error) -> Result<(), String> {
        let offered = e.alternatives();
        if offered.is_empty() {
            return Ok(());
        }
        ensure!(
            offered.len() <= 3,
            "A5: {} alternatives offered",
            offered.len()
        );
        let model = &self.model;
        let (asked, span) = match *req {
            Req::Place {
                resource,
                start,
                end,
                ..
            } => (resource, (start, end)),
            Req::Modify {
                target: Target::Booking(i),
                resource,
                start,
                end,
                ..
            } => {
                let b = &model.bookings[i];
                let start = start.unwrap_or(b.start);
                (
                    resource.unwrap_or(b.resource),
                    (start, end.unwrap_or(b.end)),
                )
            }
            _ => {
                return Err(format!(
                    "A5: alternatives offered for {req:?}: {offered:#?}"
                ))
            }
        };
        for alt in offered {
            let r = (0..RESOURCES)
                .find(|&r| rid(r) == alt.resource.as_str())
                .ok_or(format!("A5: unknown resource in {alt:?}"))?;
            let (start, end) = (
                alt.start.as_millis() - BASE_MS,
                alt.end.as_millis() - BASE_MS,
            );
            let spec = |r: usize| model.resources[r].as_ref().expect("offered, so it exists");
            let fits_the_kind = match alt.kind {
                AlternativeKind::SameResource => r == asked,
                AlternativeKind::SimilarResource => {
                    let (a, b) = (spec(asked), spec(r));
                    r != asked
                        && (start, end) == span
                        && a.kind == b.kind
                        && a.tags.iter().all(|t| b.tags.contains(t))
                }
            };
            ensure!(
                fits_the_kind,
                "A5: {alt:?} is not a {:?} alternative",
                alt.kind
            );
            let instead = match req.clone() {
                Req::Place { .. } => {
                    let Req::Place {
                        kind,
                        member,
                        quantity,
                        actor,
                        override_policies,
                        ..
                    } = req.clone()
                    else {
                        unreachable!()
                    };
                    Req::Place {
                        kind,
                        resource: r,
                        member,
                        start,
                        end,
                        quantity,
                        actor,
                        override_policies,
                    }
                }
                Req::Modify {
                    target,
                    quantity,
                    version,
                    actor,
                    override_policies,
                    force,
                    ..
                } => Req::Modify {
                    target,
                    resource: Some(r),
                    start: Some(start),
                    end: Some(end),
                    quantity,
                    version,
                    actor,
                    override_policies,
                    force,
                },
                _ => unreachable!(),
            };
            let verdict = model.predict(&instead, self.now);
            ensure!(
                verdict.is_ok(),
                "A5: alternative {alt:?} would not go through: {verdict:?}"
            );
        }
        Ok(())
    }

    /// B12: a tick applies exactly the transitions time has made, one record each (with
    /// the offers they lead to, W3), stores the lapse of entries whose span began, and
    /// purges the idempotency records past retention.
    fn tick(&mut self) -> Result<(), String> {
        let (expected, records) = self.model.tick(self.now);
        // Records are purged once expired, i.e. at `created + retention <= now`.
        let keys_before = self.keys.len();
        let (now, retention) = (self.now, self.retention);
        self.keys.retain(|_, r| now < r.at + retention);
        let purged = keys_before - self.keys.len();
        let report = self
            .engine
            .tick()
            .map_err(|e| format!("tick failed: {e:?}"))?;
        let got = TickCounts {
            expired: report.expired,
            no_shows: report.no_shows,
            completed: report.completed,
            waitlist_lapsed: report.waitlist_lapsed,
        };
        ensure!(
            got == expected,
            "tick applied {got:?}, model expects {expected:?}"
        );
        ensure!(
            report.idempotency_purged == purged,
            "tick purged {} idempotency records, model expects {purged}",
            report.idempotency_purged
        );
        let records: Vec<ExpRec> = records.into_iter().map(ExpRec::from).collect();
        self.check_log(&records)
    }

    /// After a success has been applied to the model: a series outcome shows the series as
    /// it now stands (C3: exdates included), a waitlist answer the entry as of now with its
    /// place in its queue (W2).
    fn check_outcome(&self, out: &Out) -> Result<(), String> {
        let (model, now) = (&self.model, self.now);
        match out {
            Out::Series(o) => {
                let rec = (model.series.iter())
                    .find(|s| s.id() == o.series.id)
                    .ok_or(format!("unknown series {}", o.series.id))?;
                same_series(rec, &o.series)?;
                ensure!(
                    !o.capped && o.split_from.is_none(),
                    "C4: capped or split: {o:#?}"
                );
            }
            Out::Waitlist(p) => {
                let ei = (model.entries.iter())
                    .position(|e| e.id() == p.entry.id)
                    .ok_or(format!("unknown entry {}", p.entry.id))?;
                let rec = &model.entries[ei];
                same_entry(&rec.as_of(now), rec.status_at(now), &p.entry)?;
                let place = model.position(ei, now);
                ensure!(
                    (p.position, p.queue_length) == place,
                    "W2: {} at {:?} of {}, model {place:?}",
                    p.entry.id,
                    p.position,
                    p.queue_length
                );
            }
            _ => {}
        }
        Ok(())
    }

    /// A successful result is the record the model predicts, as of now (B12).
    fn check_result(&self, effect: &Effect, out: &Out) -> Result<(), String> {
        let now = self.now;
        match (effect, out) {
            (Effect::NewResource(r, spec), Out::Resource(res)) => {
                same_resource(*r, spec, res)?;
            }
            (Effect::NewBooking(rec), Out::Booking(b)) => {
                ensure!(
                    self.model.bookings.iter().all(|r| r.id() != b.id.as_str()),
                    "new booking reuses id {}",
                    b.id
                );
                same(rec, rec.status_at(now), b)?;
            }
            (Effect::Update(i, rec), Out::Booking(b)) => {
                let id = self.model.bookings[*i].id();
                ensure!(b.id.as_str() == id, "result is {}, not {id}", b.id);
                same(rec, rec.status_at(now), b)?;
            }
            // C2: the report on every occurrence (the series itself is checked once applied).
            (Effect::Series { reports, .. }, Out::Series(o)) => {
                same_reports(reports, &o.occurrences, false)?;
            }
            (Effect::CancelSeries { reports, .. }, Out::Series(o)) => {
                same_reports(reports, &o.occurrences, true)?;
            }
            (Effect::Join(_) | Effect::Leave { .. } | Effect::Claim { .. }, Out::Waitlist(_)) => {}
            (Effect::PutPolicy(p) | Effect::DeletePolicy(p), Out::Policy(got)) => {
                let expected = driver::policy(p);
                ensure!(
                    *got == expected,
                    "policy {got:#?}, model expects {expected:#?}"
                );
            }
            (Effect::Blocks(changes), Out::Blocks(outcome)) => {
                // M1: the blocks made, the bookings cancelled, the bookings moved (from
                // where to where), each in the order the engine met them.
                let mut blocks = vec![];
                let mut cancelled = vec![];
                let mut moved = vec![];
                for change in changes {
                    match change {
                        Change::Block(b) => blocks.push(b),
                        Change::Booking(i, rec, Recorded::BookingModified) => {
                            let from = self.model.bookings[*i].resource;
                            moved.push((rec.id(), rid(from), rid(rec.resource)));
                        }
                        Change::Booking(_, rec, _) => cancelled.push(rec.id()),
                    }
                }
                ensure!(
                    outcome.blocks.len() == blocks.len(),
                    "{} blocks made, model expects {blocks:?}",
                    outcome.blocks.len()
                );
                for (b, rec) in outcome.blocks.iter().zip(blocks) {
                    same_block(rec, b)?;
                }
                let got: Vec<String> = outcome.cancelled.iter().map(|b| b.to_string()).collect();
                ensure!(
                    got == cancelled,
                    "cancelled {got:?}, model expects {cancelled:?}"
                );
                let got: Vec<_> = (outcome.moved.iter())
                    .map(|m| (m.booking.to_string(), m.from.to_string(), m.to.to_string()))
                    .collect();
                ensure!(got == moved, "moved {got:?}, model expects {moved:?}");
            }
            (Effect::RemoveBlock(rec), Out::Block(b)) => same_block(rec, b)?,
            (
                Effect::Archive {
                    resource,
                    ended,
                    at,
                },
                Out::Archived(outcome),
            ) => {
                let mut spec = self.model.spec(*resource).expect("exists").clone();
                spec.archived_at = Some(*at);
                same_resource(*resource, &spec, &outcome.resource)?;
                let expected: Vec<String> = (ended.iter())
                    .map(|c| match c {
                        Change::Booking(_, rec, _) => rec.id(),
                        Change::Block(b) => b.id(),
                    })
                    .collect();
                let got: Vec<String> = outcome
                    .ended_bookings
                    .iter()
                    .map(|b| b.to_string())
                    .collect();
                ensure!(got == expected, "ended {got:?}, model expects {expected:?}");
            }
            (Effect::UpdateResource(r, spec), Out::Resource(res)) => same_resource(*r, spec, res)?,
            (Effect::AlreadyArchived(r), Out::Archived(outcome)) => {
                let spec = self.model.spec(*r).expect("exists");
                same_resource(*r, spec, &outcome.resource)?;
                ensure!(
                    outcome.ended_bookings.is_empty(),
                    "ended {:?}",
                    outcome.ended_bookings
                );
            }
            _ => {
                return Err(format!(
                    "model expects {effect:?}, engine returned {out:#?}"
                ))
            }
        }
        Ok(())
    }

    /// I6/E2: the audit records and events appended since the last check are exactly
    /// `expected`: their actions, the entities written, in order, and the rules an admin
    /// overrode with each (P7). Counts them as seen.
    fn check_log(&mut self, expected: &[ExpRec]) -> Result<(), String> {
        let after_seq = Some(self.changes);
        let audit = (self.engine.audit(&AuditQuery {
            after_seq,
            ..AuditQuery::default()
        }))
        .map_err(|e| format!("{e:?}"))?;
        let events = (self.engine.events(&EventQuery {
            after: after_seq,
            ..EventQuery::default()
        }))
        .map_err(|e| format!("{e:?}"))?;
        let actions: Vec<Recorded> = expected.iter().map(|r| r.action).collect();
        let audited: Vec<Recorded> = audit.iter().map(|r| r.action).collect();
        let evented: Vec<Recorded> = events.iter().map(|e| e.kind).collect();
        ensure!(
            audited == actions && evented == actions,
            "I6/E2: audited {audited:?} and evented {evented:?}, expected {actions:?}"
        );
        for ((record, event), exp) in audit.iter().zip(&events).zip(expected) {
            let action = exp.action;
            let context = |e: String| format!("{action:?} record: {e}");
            // The audit record's "after" is what was written; an event carries the state
            // after, or for a deletion the state before.
            let deleted = matches!(
                exp.expect,
                Expect::Policy(_, false) | Expect::Block(_, false)
            );
            if deleted {
                ensure!(
                    record.after.is_none(),
                    "{action:?}: audit after {:?}",
                    record.after
                );
            } else {
                same_entity(&exp.expect, record.after.as_ref()).map_err(context)?;
            }
            same_entity(&exp.expect, event.data.as_ref()).map_err(context)?;
            let mut codes: Vec<ViolationCode> = record.overridden.iter().map(|v| v.code).collect();
            codes.sort();
            ensure!(
                codes == exp.overridden,
                "P7: {action:?} overrode {codes:?}, model expects {:?}",
                exp.overridden
            );
        }
        self.changes += expected.len() as u64;
        Ok(())
    }

    /// Reads what the engine stored; E3 must find no violation.
    fn observe(&self) -> Result<Stored, String> {
        let snapshot = self
            .engine
            .export_snapshot()
            .map_err(|e| format!("{e:?}"))?;
        let report = self
            .engine
            .integrity_check()
            .map_err(|e| format!("{e:?}"))?;
        ensure!(
            report.is_ok(),
            "E3: integrity violations {:#?}",
            report.violations
        );
        Ok(Stored {
            resources: snapshot.resources,
            bookings: snapshot.bookings,
            policies: snapshot.policies,
            blocks: snapshot.blocks,
            series: snapshot.series,
            waitlist: snapshot.waitlist,
            sequence: snapshot.sequence,
            audit_records: report.audit_records,
            events: report.events,
        })
    }

    /// The engine's stored and as-of-now state agree with the model; I1 and I6 hold.
    fn check_state(&self) -> Result<(), String> {
        let (stored, now, model) = (&self.stored, self.now, &self.model);
        ensure!(
            stored.audit_records == self.changes && stored.events == self.changes,
            "I6/E2: {} audit records and {} events, model expects {} of each",
            stored.audit_records,
            stored.events,
            self.changes
        );
        let rejections = self.engine.rejections();
        ensure!(
            rejections == self.rejections,
            "M3: the engine counted {rejections:?}, model {:?}",
            self.rejections
        );
        ensure!(
            stored.sequence == model.sequence,
            "id sequence at {}, model at {}",
            stored.sequence,
            model.sequence
        );
        let created: Vec<(usize, &Spec)> = (0..RESOURCES)
            .filter_map(|r| model.resources[r].as_ref().map(|s| (r, s)))
            .collect();
        ensure!(
            stored.resources.len() == created.len(),
            "resources {:?}, model {created:?}",
            stored.resources
        );
        for (res, &(r, spec)) in stored.resources.iter().zip(&created) {
            same_resource(r, spec, res)?;
        }
        let policies: Vec<Policy> = model.policies.iter().map(driver::policy).collect();
        ensure!(
            stored.policies == policies,
            "policies {:#?}, model {policies:#?}",
            stored.policies
        );
        let mut blocks: Vec<&BlockRec> = model.blocks.iter().collect();
        blocks.sort_by_key(|b| (b.resource, b.start, b.id()));
        ensure!(
            stored.blocks.len() == blocks.len(),
            "blocks {:#?}, model {blocks:#?}",
            stored.blocks
        );
        for (b, rec) in stored.blocks.iter().zip(blocks) {
            same_block(rec, b)?;
        }

        // As stored: the model's record as last written by a command or a tick.
        ensure!(
            stored.bookings.len() == model.bookings.len(),
            "{} bookings stored, model has {}",
            stored.bookings.len(),
            model.bookings.len()
        );
        let position: HashMap<String, usize> = (model.bookings.iter().enumerate())
            .map(|(i, b)| (b.id(), i))
            .collect();
        for b in &stored.bookings {
            let i = *position
                .get(b.id.as_str())
                .ok_or(format!("unknown booking {}", b.id))?;
            same(&model.bookings[i], model.bookings[i].status, b)?;
        }

        // As of now (B12), per resource (B9), and I1 over what the engine reports.
        let mut seen = 0;
        for &(r, spec) in &created {
            let query = BookingQuery {
                resource: Some(rid(r).into()),
                ..BookingQuery::default()
            };
            let read = self.engine.bookings(&query).map_err(|e| format!("{e:?}"))?;
            seen += read.len();
            for b in &read {
                let rec = &model.bookings[position[b.id.as_str()]];
                same(rec, rec.status_at(now), b)?;
            }
            let blocks = (self.engine.blocks(&BlockQuery {
                resource: rid(r).into(),
                from: None,
                to: None,
            }))
            .map_err(|e| format!("{e:?}"))?;
            if let Some(t) = overbooked_at(&read, &blocks, spec.capacity, ts(now)) {
                return Err(format!(
                    "I1: {} is over capacity at {t}: {read:#?}\nblocks {blocks:#?}",
                    rid(r)
                ));
            }
            // The model must of course obey I1 itself.
            for rec in model
                .bookings
                .iter()
                .filter(|b| b.resource == r && b.active_at(now))
            {
                let over = model
                    .change_points(r, rec.occupied())
                    .into_iter()
                    .map(|t| t.max(now))
                    .find(|&t| model.units_at(r, t, now, None) > spec.capacity);
                ensure!(over.is_none(), "the model overbooks {} at {over:?}", rid(r));
            }
        }
        ensure!(seen == model.bookings.len(), "reads return {seen} bookings");
        self.check_series_and_waitlist()
    }

    /// C1/C3: the series as stored (rule, exdates, status, version) are the model's, and
    /// the model keeps C3 itself (the engine's integrity check covers the engine). W1–W3:
    /// the entries as stored and as of now, with their places; every offer standing as of
    /// now is a hold made for its entry, held until the offer lapses.
    fn check_series_and_waitlist(&self) -> Result<(), String> {
        let (stored, now, model) = (&self.stored, self.now, &self.model);
        let mut series: Vec<&SeriesRec> = model.series.iter().collect();
        series.sort_by_key(|s| s.id());
        ensure!(
            stored.series.len() == series.len(),
            "series {:#?}, model {series:#?}",
            stored.series
        );
        for (s, rec) in stored.series.iter().zip(series) {
            same_series(rec, s)?;
        }
        for s in &model.series {
            let live = model.live_keys(s.seq, now);
            ensure!(
                live == s.keys(),
                "C3: the model's {} has live occurrences {live:?}, its rule makes {:?}",
                s.id(),
                s.keys()
            );
        }
        ensure!(
            stored.waitlist.len() == model.entries.len(),
            "waitlist {:#?}, model {:#?}",
            stored.waitlist,
            model.entries
        );
        for (e, rec) in stored.waitlist.iter().zip(&model.entries) {
            same_entry(rec, rec.status, e)?;
        }
        let read =
            (self.engine.waitlist(&WaitlistQuery::default())).map_err(|e| format!("{e:?}"))?;
        ensure!(
            read.len() == model.entries.len(),
            "the waitlist reads {} entries",
            read.len()
        );
        for (ei, (p, rec)) in read.iter().zip(&model.entries).enumerate() {
            same_entry(&rec.as_of(now), rec.status_at(now), &p.entry)?;
            let place = model.position(ei, now);
            ensure!(
                (p.position, p.queue_length) == place,
                "W2: {} at {:?} of {}, model {place:?}",
                p.entry.id,
                p.position,
                p.queue_length
            );
            if p.entry.status != WaitlistStatus::Offered {
                continue;
            }
            let offer = p
                .entry
                .offer
                .as_ref()
                .ok_or(format!("W3: {} offered nothing", p.entry.id))?;
            let hold = (self.engine.booking(&offer.booking)).map_err(|e| format!("W3: {e:?}"))?;
            // (Not its resource: a modify may move the hold, and the offer keeps naming the
            // resource it was made on.)
            ensure!(
                hold.status == BookingStatus::Held
                    && hold.waitlist_entry.as_deref() == Some(p.entry.id.as_str())
                    && hold.hold_expires_at == Some(offer.expires_at),
                "W3: {} is offered {hold:#?}",
                p.entry.id
            );
            let held = rec.offer.as_ref().map(|o| {
                let h = &model.bookings[model.booking_index(o.booking)];
                h.status_at(now)
            });
            ensure!(
                held == Some(BookingStatus::Held),
                "W3: the model's {} is offered a hold that is {held:?}",
                rec.id()
            );
        }
        Ok(())
    }
}

/// The records a successful `req` with `effect` appends itself, in order (`model` as
/// before, `now` the clock): with each booking change that moves an offered hold, the
/// entry's change right after it (W3). What the command does when it finishes (exdates,
/// offers) comes from `Model::apply_command`.
fn expected_records(model: &Model, req: &Req, effect: &Effect, now: i64) -> Vec<ExpRec> {
    let mut out = vec![];
    let booking = |out: &mut Vec<ExpRec>, i, rec: &Rec, action, overridden: &[ViolationCode]| {
        push_booking(out, model, now, i, rec, action, overridden);
    };
    match effect {
        Effect::NewResource(r, spec) => {
            return vec![ExpRec::new(
                Recorded::ResourceCreated,
                Expect::Resource(*r, spec.clone()),
            )]
        }
        Effect::NewBooking(rec) | Effect::Update(_, rec) => {
            let action = match req {
                Req::Place {
                    kind: PlaceKind::Book,
                    ..
                } => Recorded::BookingCreated,
                Req::Place { .. } => Recorded::BookingHeld,
                Req::Act { action, .. } => match (action, rec.status) {
                    (Action::Confirm, _) => Recorded::BookingConfirmed,
                    (Action::Release, _) => Recorded::BookingReleased,
                    (Action::Cancel, _) => Recorded::BookingCancelled,
                    (Action::CheckIn, _) => Recorded::BookingCheckedIn,
                    (Action::CheckOut, _) => Recorded::BookingCheckedOut,
                    // M2: a hold is released, a confirmed booking cancelled, a checked-in
                    // one checked out.
                    (Action::ForceCancel, BookingStatus::Released) => Recorded::BookingReleased,
                    (Action::ForceCancel, BookingStatus::Cancelled) => Recorded::BookingCancelled,
                    (Action::ForceCancel, _) => Recorded::BookingCheckedOut,
                },
                _ => Recorded::BookingModified,
            };
            let i = match effect {
                Effect::Update(i, _) => Some(*i),
                _ => None,
            };
            booking(&mut out, i, rec, action, &[]);
        }
        Effect::PutPolicy(p) => {
            return vec![ExpRec::new(
                Recorded::PolicyPut,
                Expect::Policy(Box::new(driver::policy(p)), true),
            )]
        }
        Effect::DeletePolicy(p) => {
            return vec![ExpRec::new(
                Recorded::PolicyDeleted,
                Expect::Policy(Box::new(driver::policy(p)), false),
            )]
        }
        Effect::Blocks(changes) | Effect::Archive { ended: changes, .. } => {
            for c in changes {
                match c {
                    Change::Booking(i, rec, action) => {
                        booking(&mut out, Some(*i), rec, *action, &[]);
                    }
                    Change::Block(b) => out.push(ExpRec::new(
                        Recorded::BlockCreated,
                        Expect::Block(b.clone(), true),
                    )),
                }
            }
        }
        Effect::RemoveBlock(b) => {
            return vec![ExpRec::new(
                Recorded::BlockRemoved,
                Expect::Block(b.clone(), false),
            )]
        }
        Effect::AlreadyArchived(_) => {}
        Effect::UpdateResource(r, spec) => {
            return vec![ExpRec::new(
                Recorded::ResourceUpdated,
                Expect::Resource(*r, spec.clone()),
            )]
        }
        Effect::Series {
            series, bookings, ..
        } => {
            for (rec, overridden) in bookings {
                booking(&mut out, None, rec, Recorded::BookingCreated, overridden);
            }
            out.push(ExpRec::new(
                Recorded::SeriesCreated,
                Expect::Series(series.clone()),
            ));
        }
        Effect::CancelSeries { changes, after, .. } => {
            for (i, rec, action, overridden) in changes {
                booking(&mut out, Some(*i), rec, *action, overridden);
            }
            if let Some(after) = after {
                out.push(ExpRec::new(
                    Recorded::SeriesUpdated,
                    Expect::Series(after.clone()),
                ));
            }
        }
        Effect::Join(entry) => {
            out.push(ExpRec::new(
                Recorded::WaitlistJoined,
                Expect::Entry(entry.clone()),
            ));
        }
        Effect::Leave {
            after, released, ..
        } => {
            // The entry is `left` before its hold is released, so the release settles
            // nothing.
            out.push(ExpRec::new(
                Recorded::WaitlistLeft,
                Expect::Entry(after.clone()),
            ));
            if let Some((_, rec)) = released {
                booking(&mut out, None, rec, Recorded::BookingReleased, &[]);
            }
        }
        Effect::Claim { hold, rec } => {
            booking(&mut out, Some(*hold), rec, Recorded::BookingConfirmed, &[]);
        }
    }
    if let Effect::Archive { resource, at, .. } = effect {
        let mut spec = model.spec(*resource).expect("exists").clone();
        spec.archived_at = Some(*at);
        out.push(ExpRec::new(
            Recorded::ResourceArchived,
            Expect::Resource(*resource, spec),
        ));
    }
    out
}

/// A booking's record, then the change of the entry it settles if it moves an offered
/// hold (`i`: the booking's position, for one that existed before).
fn push_booking(
    out: &mut Vec<ExpRec>,
    model: &Model,
    now: i64,
    i: Option<usize>,
    rec: &Rec,
    action: Recorded,
    overridden: &[ViolationCode],
) {
    out.push(ExpRec {
        action,
        expect: Expect::Booking(rec.clone()),
        overridden: overridden.to_vec(),
    });
    let before = i.map(|i| model.bookings[i].status_at(now));
    if let Some((_, entry)) = before.and_then(|b| model.settle(b, rec, now)) {
        let action = match entry.status {
            WaitlistStatus::Claimed => Recorded::WaitlistClaimed,
            WaitlistStatus::Declined => Recorded::WaitlistDeclined,
            _ => Recorded::WaitlistExpired,
        };
        out.push(ExpRec::new(action, Expect::Entry(entry)));
    }
}

/// A recorded entity is the one expected (a booking as written, not as of now).
fn same_entity(expect: &Expect, entity: Option<&Entity>) -> Result<(), String> {
    match (expect, entity) {
        (Expect::Resource(r, spec), Some(Entity::Resource(res))) => same_resource(*r, spec, res),
        (Expect::Booking(rec), Some(Entity::Booking(b))) => {
            ensure!(
                b.id.as_str() == rec.id(),
                "booking {}, model {}",
                b.id,
                rec.id()
            );
            same(rec, rec.status, b)
        }
        (Expect::Policy(p, _), Some(Entity::Policy(got))) => {
            ensure!(**got == **p, "policy {got:#?}, model {p:#?}");
            Ok(())
        }
        (Expect::Block(rec, _), Some(Entity::Block(b))) => same_block(rec, b),
        (Expect::Series(rec), Some(Entity::Series(got))) => same_series(rec, got),
        (Expect::Entry(rec), Some(Entity::WaitlistEntry(got))) => same_entry(rec, rec.status, got),
        (expect, entity) => Err(format!("recorded {entity:#?}, model expects {expect:#?}")),
    }
}

/// C1/C3: the engine's series is the model's: rule (first occurrence, the RRULE in the
/// engine's normal form, UNTIL once cut), exdates, units, status and version.
fn same_series(rec: &SeriesRec, s: &Series) -> Result<(), String> {
    let status = match rec.cancelled {
        true => SeriesStatus::Cancelled,
        false => SeriesStatus::Active,
    };
    let exdates: Vec<_> = rec.exdates.iter().map(|&k| local(k)).collect();
    let model = (
        rec.id(),
        rid(rec.resource),
        rec.member,
        TIMEZONES[rec.tz].0,
        (
            local(rec.first_start),
            local(rec.first_start + rec.duration),
        ),
        driver::stored_rrule(rec),
        exdates,
        (Disambiguation::Compatible, rec.quantity, status),
        (rec.version, ts(rec.created_at), ts(rec.updated_at)),
    );
    let engine = (
        s.id.clone(),
        s.resource.to_string(),
        s.member.as_str(),
        s.timezone.as_str(),
        (s.rule.first_start, s.rule.first_end),
        s.rule.rrule.clone(),
        s.rule.exdates.clone(),
        (s.disambiguation, s.quantity, s.status),
        (s.version, s.created_at, s.updated_at),
    );
    ensure!(
        model == engine && s.rule.rdates.is_empty() && s.split_from.is_none(),
        "series differs from the model\n(id, resource, member, zone, first occurrence, rrule, \
         exdates, (disambiguation, units, status), (version, created, updated))\n\
         model  {model:?}\nengine {engine:?}"
    );
    Ok(())
}

/// W1–W3: the engine's entry is the model's, in status `status`.
fn same_entry(rec: &EntryRec, status: WaitlistStatus, e: &WaitlistEntry) -> Result<(), String> {
    let offer = rec.offer.as_ref().map(|o| {
        (
            format!("bk_{}", o.booking),
            rid(o.resource),
            ts(o.offered_at),
            ts(o.expires_at),
        )
    });
    let model = (
        rec.id(),
        rec.seq,
        rec.member,
        Some(rid(rec.resource)),
        (ts(rec.start), ts(rec.end), rec.quantity, rec.ttl_secs),
        status,
        offer,
        (rec.version, ts(rec.created_at), ts(rec.updated_at)),
    );
    let engine = (
        e.id.clone(),
        e.seq,
        e.member.as_str(),
        e.resource.as_ref().map(|r| r.to_string()),
        (e.start, e.end, e.quantity, e.claim_ttl_secs),
        e.status,
        e.offer.as_ref().map(|o| {
            (
                o.booking.to_string(),
                o.resource.to_string(),
                o.offered_at,
                o.expires_at,
            )
        }),
        (e.version, e.created_at, e.updated_at),
    );
    ensure!(
        model == engine && e.filter.is_none(),
        "waitlist entry differs from the model\n(id, seq, member, resource, (start, end, units, \
         ttl), status, offer, (version, created, updated))\nmodel  {model:?}\nengine {engine:?}"
    );
    Ok(())
}

/// C2/C3: the engine's occurrence reports are the model's, in order: booked (with the
/// booking) or skipped (with the reason, the conflicts and the violations); `cancelled`:
/// a cancel's reports, each naming the booking it cancelled.
fn same_reports(
    model: &[OccReport],
    engine: &[OccurrenceReport],
    cancelled: bool,
) -> Result<(), String> {
    type Line = (
        slotwise::time::LocalDateTime,
        Option<Timestamp>,
        Option<Timestamp>,
        OccurrenceOutcome,
        Option<String>,
        Option<ErrorCode>,
        Vec<Occupant>,
        Vec<ViolationCode>,
    );
    let expected: Vec<Line> = (model.iter())
        .map(|r| {
            let outcome = match (cancelled, r.booking) {
                (false, Some(_)) => OccurrenceOutcome::Booked,
                _ => OccurrenceOutcome::Skipped,
            };
            (
                local(r.key),
                Some(ts(r.start)),
                Some(ts(r.end)),
                outcome,
                r.booking.map(|b| format!("bk_{b}")),
                r.reason,
                r.conflicts.clone(),
                r.violations.clone(),
            )
        })
        .collect();
    let got: Vec<Line> = (engine.iter())
        .map(|r| {
            let mut codes: Vec<ViolationCode> = r.violations.iter().map(|v| v.code).collect();
            codes.sort();
            (
                r.occurrence,
                r.start,
                r.end,
                r.outcome,
                r.booking.as_ref().map(|b| b.to_string()),
                r.reason,
                occupants(&r.conflicts),
                codes,
            )
        })
        .collect();
    ensure!(
        got == expected,
        "C2: occurrences {got:#?}\nmodel expects {expected:#?}"
    );
    Ok(())
}

/// The first instant at which the bookings occupying capacity as of `now` (over their
/// spans padded by their buffers) and the blocks (the whole capacity each) hold more than
/// `capacity` units, by brute force over every instant where occupancy can rise.
fn overbooked_at(
    bookings: &[Booking],
    blocks: &[Block],
    capacity: u32,
    now: Timestamp,
) -> Option<Timestamp> {
    let active: Vec<(Timestamp, Timestamp, u32)> = bookings
        .iter()
        .filter(|b| b.occupies_at(now))
        .map(|b| {
            let start = b.start.add_millis(-b.buffer_before_ms);
            (start, b.end.add_millis(b.buffer_after_ms), b.quantity)
        })
        .collect();
    let starts = active
        .iter()
        .map(|&(s, _, _)| s)
        .chain(blocks.iter().map(|b| b.start));
    // Capacity is checked from now on: a capacity lowered now says nothing about
    // instants already past.
    let mut starts: Vec<Timestamp> = starts.map(|t| t.max(now)).collect();
    starts.sort();
    starts.into_iter().find(|&t| {
        let booked: u32 = active
            .iter()
            .filter(|&&(s, e, _)| s <= t && t < e)
            .map(|&(_, _, q)| q)
            .sum();
        let blocked = blocks.iter().any(|b| b.start <= t && t < b.end);
        booked + if blocked { capacity } else { 0 } > capacity
    })
}

/// The engine's booking matches the model's record, with the model in status `status`.
fn same(rec: &Rec, status: BookingStatus, b: &Booking) -> Result<(), String> {
    let model = (
        rec.id(),
        rid(rec.resource),
        rec.member,
        (ts(rec.start), ts(rec.end)),
        rec.quantity,
        status,
        rec.version,
        rec.hold_expires_at.map(ts),
        Some((ts(rec.opens_at), rec.deadline.map(ts))),
        (rec.buffer_before, rec.buffer_after),
        rec.series.map(|(s, key)| (format!("ser_{s}"), local(key))),
        rec.waitlist.map(|w| format!("wl_{w}")),
    );
    let engine = (
        b.id.to_string(),
        b.resource.to_string(),
        b.member.as_str(),
        (b.start, b.end),
        b.quantity,
        b.status,
        b.version,
        b.hold_expires_at,
        b.check_in.map(|c| (c.opens_at, c.deadline)),
        (b.buffer_before_ms, b.buffer_after_ms),
        b.series.as_ref().map(|l| (l.id.clone(), l.occurrence)),
        b.waitlist_entry.clone(),
    );
    ensure!(
        model == engine,
        "booking {} differs from the model\n(id, resource, member, span, units, status, \
         version, hold expiry, check-in, buffers, series, waitlist entry)\n\
         model  {model:?}\nengine {engine:?}",
        b.id
    );
    Ok(())
}

fn same_resource(r: usize, spec: &Spec, res: &Resource) -> Result<(), String> {
    let model = (
        rid(r),
        spec.capacity,
        spec.tags.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
        spec.kind.to_owned(),
        TIMEZONES[spec.tz].0.to_owned(),
        spec.archived_at.map(ts),
    );
    let engine = (
        res.id.to_string(),
        res.capacity,
        res.tags.clone(),
        res.kind.clone(),
        res.timezone.clone(),
        res.archived_at,
    );
    ensure!(
        model == engine,
        "resource differs from the model\nmodel  {model:?}\nengine {engine:?}"
    );
    Ok(())
}

fn same_block(rec: &BlockRec, b: &Block) -> Result<(), String> {
    let model = (
        rec.id(),
        rid(rec.resource),
        ts(rec.start),
        ts(rec.end),
        None,
        ts(rec.created_at),
    );
    let engine = (
        b.id.clone(),
        b.resource.to_string(),
        b.start,
        b.end,
        b.reason.clone(),
        b.created_at,
    );
    ensure!(
        model == engine,
        "block differs from the model\nmodel  {model:?}\nengine {engine:?}"
    );
    Ok(())
}

/// Conflict items in the model's terms, in the order given.
fn occupants(items: &[ConflictItem]) -> Vec<Occupant> {
    items
        .iter()
        .map(|c| Occupant {
            start: c.start.as_millis() - BASE_MS,
            block: c.kind == OccupantKind::Block,
            id: c.id.clone(),
            end: c.end.as_millis() - BASE_MS,
            quantity: c.quantity,
        })
        .collect()
}

/// The rules of the engine config above, as the spec states them (B2 default TTL 120 s).
fn rules(check_in_required: bool) -> Rules {
    Rules {
        check_in_required,
        opens_before: 15 * MINUTE,
        grace: 10 * MINUTE,
        default_ttl_secs: 120,
        max_ttl_secs: 86_400,
    }
}

fn proptest_config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(crate::MODEL_CASES);
    ProptestConfig {
        // Shrunk failures are reported in the test output; nothing is written to the tree.
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn engine_agrees_with_the_reference_model_and_keeps_every_invariant_after_every_step(
        setup in setup(),
        ops in proptest::collection::vec(op(), 10..=40),
    ) {
        Harness::new(&setup).run(&setup, &ops).map_err(TestCaseError::fail)?;
    }
}

// ---------------------------------------------------------------------------------------
// Self-checks: the model and the checks are not vacuous.

fn desk(capacity: u32, tag_bits: u8) -> Spec {
    Spec {
        capacity,
        tags: tags(tag_bits),
        kind: KINDS[0],
        tz: 0,
        archived_at: None,
    }
}

fn place(resource: usize, start: i64, end: i64, quantity: u32) -> Req {
    Req::Place {
        kind: PlaceKind::Book,
        resource,
        member: MEMBERS[0],
        start,
        end,
        quantity,
        actor: Who::Default,
        override_policies: false,
    }
}

fn book(resource: usize, start: i64, end: i64, quantity: u32) -> Req {
    place(resource, start * GRID, end * GRID, quantity)
}

fn quiet_setup() -> Setup {
    Setup {
        start: -60 * MINUTE,
        check_in_required: false,
        retention_secs: 86_400,
        tags: [1, 1],
        policies: vec![],
    }
}

fn refused(code: ErrorCode) -> Result<Prediction, ErrorCode> {
    Err(code)
}

/// The prediction, with a refusal reduced to its code.
fn predict(model: &Model, req: &Req, now: i64) -> Result<Prediction, ErrorCode> {
    model.predict(req, now).map_err(|r| r.code)
}

#[test]
fn reference_model_refuses_overlaps_beyond_capacity_and_allows_touching_spans() {
    let mut model = Model::new(rules(false));
    model.apply(Effect::NewResource(0, desk(1, 0)));
    model.apply(Effect::NewResource(1, desk(3, 0)));
    for req in [book(0, 0, 4, 1), book(1, 0, 4, 2)] {
        let prediction = model.predict(&req, 0).expect("free");
        model.apply(prediction.effect);
    }
    assert_eq!(
        predict(&model, &book(0, 3, 6, 1), 0),
        refused(ErrorCode::Conflict)
    );
    assert!(
        model.predict(&book(0, 4, 6, 1), 0).is_ok(),
        "half-open spans"
    );
    assert_eq!(
        predict(&model, &book(1, 3, 6, 2), 0),
        refused(ErrorCode::Conflict)
    );
    assert!(
        model.predict(&book(1, 3, 6, 1), 0).is_ok(),
        "2 + 1 units fit in 3"
    );
    assert_eq!(
        predict(&model, &book(0, 8, 9, 2), 0),
        refused(ErrorCode::InvalidInput)
    );
    // Once the span has passed, the first booking is completed and holds nothing.
    assert!(model.predict(&book(0, 3, 6, 1), 4 * GRID).is_ok());
}

#[test]
fn reference_model_pads_bookings_with_buffers_checks_policies_before_conflicts_and_blocks_whole_capacity(
) {
    use policy::{PPolicy, PRules, PScope};
    let mut model = Model::new(rules(false));
    model.apply(Effect::NewResource(0, desk(1, 1)));
    model.apply(Effect::NewResource(1, desk(3, 1)));
    model.apply(Effect::PutPolicy(PPolicy {
        id: 0,
        scope: PScope::Global,
        exempt: vec![Role::Admin],
        rules: PRules {
            buffer_before: Some(15),
            buffer_after: Some(15),
            max_duration: Some(60),
            ..PRules::default()
        },
    }));
    let first = model.predict(&book(0, 4, 8, 1), 0).expect("free");
    model.apply(first.effect);
    // 10:15 leaves the first booking's 15-minute after-buffer but not this one's before-buffer.
    let near = place(0, 9 * GRID, 10 * GRID, 1);
    let refusal = model.predict(&near, 0).expect_err("in the way");
    let first = Occupant {
        start: 4 * GRID - 15 * MINUTE,
        block: false,
        id: "bk_1".into(),
        end: 8 * GRID + 15 * MINUTE,
        quantity: 1,
    };
    assert_eq!(
        (refusal.code, refusal.conflicts),
        (ErrorCode::Conflict, vec![first])
    );
    assert!(
        model.predict(&book(0, 10, 11, 1), 0).is_ok(),
        "the buffers stack and touch"
    );
    // Too long *and* in the way: the policy is checked first and names only the rule.
    let long = book(0, 5, 10, 1);
    let refusal = model.predict(&long, 0).expect_err("too long");
    assert_eq!(
        (refusal.code, refusal.violations),
        (ErrorCode::PolicyViolation, vec![ViolationCode::MaxDuration])
    );
    // The admin is exempt: no maximum and no buffers, but still in the way.
    let by_admin = Req::Place {
        kind: PlaceKind::Book,
        resource: 0,
        member: MEMBERS[0],
        start: 5 * GRID,
        end: 10 * GRID,
        quantity: 1,
        actor: Who::Admin,
        override_policies: false,
    };
    assert_eq!(predict(&model, &by_admin, 0), refused(ErrorCode::Conflict));
    // A block takes all three units of r1, so a booking of one collides with it.
    let block = Req::CreateBlock {
        on: reference::BlockOn::Resource(1),
        start: 0,
        end: GRID,
        strategy: BlockStrategy::Reject,
        actor: Who::Default,
    };
    model.apply(model.predict(&block, 0).expect("nothing in the way").effect);
    assert_eq!(
        predict(&model, &book(1, 0, 1, 1), 0),
        refused(ErrorCode::Conflict)
    );
    // r0's booking (buffers included) moves to r1, the only other "a" desk, once free.
    let over_r0 = Req::CreateBlock {
        on: reference::BlockOn::Resource(0),
        start: 8 * GRID,
        end: 9 * GRID,
        strategy: BlockStrategy::Move,
        actor: Who::Admin,
    };
    let Effect::Blocks(changes) = model.predict(&over_r0, 0).expect("movable").effect else {
        panic!("a block effect");
    };
    assert!(
        matches!(&changes[0], Change::Booking(0, rec, Recorded::BookingModified) if rec.resource == 1)
    );
}

#[test]
fn reference_model_expands_rules_in_wall_time_from_their_first_occurrence() {
    use series_waitlist::{rule_starts, Freq};
    // BASE is Monday 2026-03-02 08:00; days as model milliseconds.
    let days = |list: Vec<i64>| -> Vec<i64> { list.iter().map(|t| t / reference::DAY).collect() };
    // Weeks start on Monday and INTERVAL counts them from the first occurrence's week: the
    // Sunday after a Monday start is in the same week.
    let su_mo = 0b100_0001;
    let weekly = rule_starts(0, Freq::Weekly, 2, Some(su_mo), Some(3), None);
    assert_eq!(days(weekly), [0, 6, 14]);
    // Days before the first occurrence in its week are not made.
    let mo_we = 0b101;
    let from_wednesday = rule_starts(
        2 * reference::DAY,
        Freq::Weekly,
        1,
        Some(mo_we),
        Some(3),
        None,
    );
    assert_eq!(days(from_wednesday), [2, 7, 9]);
    let daily = rule_starts(GRID, Freq::Daily, 2, None, Some(3), None);
    assert_eq!(
        daily,
        [GRID, GRID + 2 * reference::DAY, GRID + 4 * reference::DAY]
    );
    // A rule cut with UNTIL makes its starts up to and including it.
    let until = rule_starts(0, Freq::Daily, 1, None, None, Some(2 * reference::DAY));
    assert_eq!(days(until), [0, 1, 2]);
}

#[test]
fn reference_model_offers_freed_units_in_joining_order_and_passes_a_lapsed_offer_on() {
    let mut model = Model::new(rules(false));
    model.apply(Effect::NewResource(0, desk(1, 0)));
    let blocking = model.predict(&book(0, 0, 4, 1), 0).expect("free");
    model.apply(blocking.effect);
    let join = |member, start: i64, end: i64| Req::JoinWaitlist {
        resource: 0,
        member,
        start: start * GRID,
        end: end * GRID,
        quantity: 1,
        ttl_secs: None,
        actor: Who::Default,
    };
    // Both wait: bob first, then ann (for another span; her own booking is in the way).
    for req in [join(MEMBERS[1], 1, 3), join(MEMBERS[0], 2, 4)] {
        let prediction = model.predict(&req, 0).expect("full, so they may wait");
        assert!(model.apply_command(prediction.effect, 0).is_empty());
    }
    assert_eq!(
        predict(&model, &join(MEMBERS[1], 1, 3), 0),
        refused(ErrorCode::AlreadyExists)
    );
    // Cancelling frees r0: bob, first in the queue, gets a hold; ann's span overlaps it.
    let cancel = Req::Act {
        action: Action::Cancel,
        target: Target::Booking(0),
        version: None,
        actor: Who::Default,
    };
    let effect = model.predict(&cancel, 0).expect("cancellable").effect;
    let offers = model.apply_command(effect, 0);
    let actions: Vec<Recorded> = offers.iter().map(|r| r.action).collect();
    assert_eq!(actions, [Recorded::BookingHeld, Recorded::WaitlistOffered]);
    let (bob, ann) = (&model.entries[0], &model.entries[1]);
    assert_eq!(
        (bob.status, ann.status),
        (WaitlistStatus::Offered, WaitlistStatus::Waiting)
    );
    // Bob lets it lapse (900 s); at that instant ann is offered r0, her TTL from then, and
    // a command at 1,000 s catches up whether or not a tick ran.
    let caught = model.catch_up(1_000_000);
    let actions: Vec<Recorded> = caught.iter().map(|r| r.action).collect();
    assert_eq!(
        actions,
        [
            Recorded::BookingExpired,
            Recorded::WaitlistExpired,
            Recorded::BookingHeld,
            Recorded::WaitlistOffered
        ]
    );
    let ann = &model.entries[1];
    let offer = ann.offer.as_ref().expect("offered");
    assert_eq!(
        (ann.status, offer.offered_at, offer.expires_at),
        (WaitlistStatus::Offered, 900_000, 1_800_000)
    );
    assert_eq!(model.entries[0].status, WaitlistStatus::Expired);
}

#[test]
fn harness_reports_an_engine_that_disagrees_with_the_model() {
    let setup = Setup {
        check_in_required: true,
        ..quiet_setup()
    };
    let mut h = Harness::new(&setup);
    let first = Op::Run {
        cmd: Cmd::Place {
            kind: PlaceKind::Book,
            resource: 0,
            member: 0,
            start: 0,
            len: 4,
            nudge: (0, 0),
            quantity: 1,
            actor: input::ActorPick::Default,
            override_policies: false,
        },
        keyed: false,
    };
    h.run(&setup, std::slice::from_ref(&first))
        .expect("engine and model agree");
    // Mutate the model: it now believes r0 has two units, so the engine's (correct)
    // refusal of an overlapping booking must be reported as a disagreement.
    h.model.resources[0].as_mut().expect("r0").capacity = 2;
    let err = h.step(&first).expect_err("the mutation must be caught");
    // `explain` is asked first, and already disagrees.
    assert!(err.contains("explain collides with"), "{err}");
}

#[test]
fn harness_reports_a_policy_the_engine_does_not_enforce() {
    let setup = quiet_setup();
    let mut h = Harness::new(&setup);
    h.run(&setup, &[]).expect("prologue");
    // The model alone believes in an 08:00–09:00 opening, so explain disagrees.
    let mut week: policy::Week = Default::default();
    week[0] = vec![(8 * 60, 9 * 60)];
    h.model.apply(Effect::PutPolicy(policy::PPolicy {
        id: 0,
        scope: policy::PScope::Tag("a"),
        exempt: vec![],
        rules: policy::PRules {
            hours: Some(week),
            ..policy::PRules::default()
        },
    }));
    let late = Cmd::Place {
        kind: PlaceKind::Book,
        resource: 1,
        member: 1,
        start: 8,
        len: 2,
        nudge: (0, 0),
        quantity: 1,
        actor: input::ActorPick::Default,
        override_policies: false,
    };
    let err = h
        .step(&Op::Run {
            cmd: late,
            keyed: false,
        })
        .expect_err("the mutation must be caught");
    assert!(err.contains("Closed"), "{err}");
}

#[test]
fn overbooking_check_flags_two_active_bookings_over_one_unit_and_a_booking_in_a_block() {
    let setup = quiet_setup();
    let mut h = Harness::new(&setup);
    h.run(&setup, &[]).expect("prologue");
    let a = h
        .engine
        .book(NewBooking::new("r0", "ann", ts(0), ts(4 * GRID)))
        .expect("free");
    let now = ts(h.now);
    assert_eq!(overbooked_at(std::slice::from_ref(&a), &[], 1, now), None);
    let mut forged = a.clone();
    forged.id = "bk_forged".into();
    forged.start = ts(5 * GRID);
    forged.end = ts(6 * GRID);
    let both = [a.clone(), forged.clone()];
    assert_eq!(overbooked_at(&both, &[], 1, now), None);
    // A buffer reaching back over the first booking's end overbooks.
    forged.buffer_before_ms = GRID + 1;
    assert_eq!(
        overbooked_at(&[a.clone(), forged], &[], 1, now),
        Some(ts(4 * GRID - 1))
    );
    let block = Block {
        id: "blk_forged".into(),
        resource: "r0".into(),
        start: ts(3 * GRID),
        end: ts(9 * GRID),
        reason: None,
        series: None,
        created_at: now,
    };
    assert_eq!(
        overbooked_at(
            std::slice::from_ref(&a),
            std::slice::from_ref(&block),
            1,
            now
        ),
        Some(ts(3 * GRID))
    );
    assert_eq!(
        overbooked_at(&[], &[block.clone(), block], 1, now),
        None,
        "blocks may overlap"
    );
}

// ---------------------------------------------------------------------------------------
// Engine bugs the model found, as minimal reproductions. They are excluded from generation
// (see `Harness::command`) and ignored here until the engine is fixed; run them with
// `cargo test -p slotwise --test integration model::engine_bug -- --ignored`.

fn bare_engine() -> (Engine, ManualClock) {
    let clock = ManualClock::at(ts(0));
    (Engine::in_memory().with_clock(clock.clone()), clock)
}

fn archive(engine: &mut Engine, force: bool) -> slotwise::Result<slotwise::ArchiveOutcome> {
    engine.archive_resource(slotwise::ArchiveResource {
        id: "r0".into(),
        force,
        ..slotwise::ArchiveResource::default()
    })
}

/// R1/M1: a maintenance block is not a booking, so it does not keep its resource from
/// being archived (it once did: `has_future_bookings` naming `blk_1`, and with `force`
/// `not_found` for a booking `blk_1`).
#[test]
fn regression_a_block_that_has_not_ended_does_not_keep_its_resource_from_being_archived() {
    for force in [false, true] {
        let (mut engine, _) = bare_engine();
        engine
            .create_resource(slotwise::NewResource::new("r0"))
            .expect("created");
        engine
            .create_block(slotwise::NewBlock {
                resource: Some("r0".into()),
                tag: None,
                start: ts(GRID).into(),
                end: ts(2 * GRID).into(),
                disambiguation: Default::default(),
                reason: None,
                strategy: BlockStrategy::Reject,
                recurrence: None,
                idempotency_key: None,
                actor: None,
            })
            .expect("blocked");
        let outcome = archive(&mut engine, force);
        assert!(outcome.is_ok(), "force = {force}: {outcome:?}");
    }
}

/// R1/E3/E4: lowering a capacity below what an *ended* booking took is allowed (only
/// bookings that have not ended constrain it); the integrity check must not then report
/// that booking, and the store's own snapshot must still import (both once failed).
#[test]
fn regression_an_ended_booking_over_a_lowered_capacity_keeps_integrity_and_import() {
    let (mut engine, clock) = bare_engine();
    engine
        .create_resource(slotwise::NewResource::new("r0").capacity(3))
        .expect("created");
    engine
        .book(NewBooking::new("r0", "ann", ts(0), ts(GRID)).quantity(2))
        .expect("booked");
    clock.set(ts(2 * GRID)); // the booking has ended
    engine
        .update_resource(slotwise::ResourceUpdate {
            id: "r0".into(),
            capacity: Some(1),
            ..slotwise::ResourceUpdate::default()
        })
        .expect("nothing that has not ended holds more than one unit");
    let report = engine.integrity_check().expect("checked");
    assert!(report.is_ok(), "{:#?}", report.violations);
    let snapshot = engine.export_snapshot().expect("exported");
    let (mut copy, copy_clock) = bare_engine();
    copy_clock.set(ts(2 * GRID));
    copy.import_snapshot(snapshot)
        .expect("the engine's own export imports");
}

/// P5: a member's active bookings count towards `concurrent_active` whatever the date of
/// the booking asked for. A hold over a span that has just ended still holds (B2) until
/// its TTL passes, so it is active; the engine counts it for a booking tomorrow but not for
/// one 40 days ahead (it reads the member's history from `min(start - 32 days, now)` on,
/// which leaves out active holds whose span ended before now).
#[test]
fn regression_concurrent_active_counts_an_active_hold_however_far_ahead_the_booking_is() {
    let (mut engine, _) = bare_engine();
    engine
        .create_resource(slotwise::NewResource::new("r0").capacity(3))
        .expect("created");
    let quota = policy::PPolicy {
        id: 0,
        scope: policy::PScope::Global,
        exempt: vec![],
        rules: policy::PRules {
            quotas: Some(policy::PQuotas {
                concurrent: Some(1),
                ..policy::PQuotas::default()
            }),
            ..policy::PRules::default()
        },
    };
    engine
        .put_policy(slotwise::PutPolicy {
            policy: driver::policy(&quota),
            idempotency_key: None,
            actor: None,
        })
        .expect("put");
    let hold = engine
        .hold(NewBooking::new("r0", "ann", ts(-GRID), ts(0)))
        .expect("held");
    assert_eq!(hold.status, BookingStatus::Held, "held until its TTL");
    for days in [1, 40] {
        let (start, end) = (ts(days * reference::DAY), ts(days * reference::DAY + GRID));
        let refused = engine.book(NewBooking::new("r0", "ann", start, end));
        let codes: Vec<ViolationCode> = match &refused {
            Err(e) => e.violations().iter().map(|v| v.code).collect(),
            Ok(b) => panic!("{days} days ahead: booked {b:?} beside the active hold"),
        };
        assert_eq!(
            codes,
            [ViolationCode::ConcurrentActive],
            "{days} days ahead"
        );
    }
}
