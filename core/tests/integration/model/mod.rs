//! Model-based test: random command sequences drive the real engine (in-memory store,
//! manual clock) and, after every step, the engine is compared with an independent
//! brute-force reference model (`reference.rs`) and with the invariants of SPEC.md:
//!
//! - the result of each command (success, or its error code) is the one the spec demands,
//!   and a successful booking has the status, span, units and version the model predicts;
//! - I1: no resource holds more units than its capacity at any instant (checked by brute
//!   force over what the engine reports, as of now);
//! - I3: a retry with the same idempotency key returns the first result and changes
//!   nothing; the same key with another request is `idempotency_key_reused`;
//! - I4: a failed command (or a retry, or time passing) changes no stored state;
//! - I6/E2: every successful change appends exactly one audit record and one event, and a
//!   tick one per transition; E3: the integrity check finds nothing.
//!
//! The generated steps live in `input.rs`, the calls into the engine in
//! `driver.rs`. `PROPTEST_CASES` sets the number of sequences (default 2,000).

mod driver;
mod input;
mod reference;

use std::collections::HashMap;

use driver::{recorded_action, rid, send, ts, Out, BASE_MS};
use input::{edge, op, resolve, setup, Cmd, Op, Setup};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reference::{
    grid, Effect, Model, PlaceKind, Rec, Req, Rules, TickCounts, GRID, MINUTE, RESOURCES,
};
use slotwise::audit::Entity;
use slotwise::{
    AuditQuery, Booking, BookingId, BookingQuery, BookingStatus, CheckInConfig, Engine,
    EngineConfig, ErrorCode, EventQuery, ManualClock, NewBooking, Resource, Timestamp,
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
    sequence: u64,
    audit_records: u64,
    events: u64,
}

struct Harness {
    engine: Engine,
    clock: ManualClock,
    model: Model,
    retention: i64,
    now: i64,
    /// Engine id of the model's booking `i`.
    ids: Vec<BookingId>,
    keys: HashMap<String, KeyRecord>,
    /// Every keyed request sent, for retries and key reuse.
    sent: Vec<(String, Req)>,
    /// Audit records (and events) the model expects so far.
    changes: u64,
    stored: Stored,
}

impl Harness {
    fn new(setup: Setup) -> Self {
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
        let now = -60 * MINUTE;
        let clock = ManualClock::at(ts(now));
        let engine = Engine::in_memory()
            .with_clock(clock.clone())
            .with_config(config);
        let stored = Stored {
            resources: vec![],
            bookings: vec![],
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
            ids: vec![],
            keys: HashMap::new(),
            sent: vec![],
            changes: 0,
            stored,
        }
    }

    /// Runs the fixed prologue (a 1-unit and a 3-unit resource) and then `ops`.
    fn run(&mut self, ops: &[Op]) -> Result<(), String> {
        let prologue = [(0, 1), (1, 3)].map(|(resource, capacity)| Op::Run {
            cmd: Cmd::CreateResource { resource, capacity },
            keyed: false,
        });
        for op in &prologue {
            self.step(op).map_err(|e| format!("prologue: {e}"))?;
        }
        for (i, op) in ops.iter().enumerate() {
            let at = ts(self.now);
            self.step(op)
                .map_err(|e| format!("ops[{i}] at {at}: {op:?}\n{e}"))?;
        }
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
        let first = key.as_ref().and_then(|k| self.keys.get(k));
        // B8: a key counts for the retention, then it is as if never used.
        let first = first.filter(|r| now < r.at + self.retention);
        let expected = match first {
            Some(first) if first.req == req => Ok(None), // replay
            Some(_) => Err(ErrorCode::IdempotencyKeyReused),
            None => self.model.predict(&req, now).map(Some),
        };
        let replay = first.map(|f| f.result.clone());
        let got = send(&mut self.engine, &self.ids, &req, key.as_deref());
        if let Some(k) = &key {
            self.sent.push((k.clone(), req.clone()));
        }
        match (expected, got) {
            (Err(code), Err(e)) => {
                ensure!(e.code() == code, "expected {code:?}, engine: {e:?}");
                Ok(true)
            }
            (Ok(None), Ok(out)) => {
                let first = replay.expect("a replay has a first result");
                ensure!(
                    out == first,
                    "I3: retry returned {out:#?}\nfirst result {first:#?}"
                );
                Ok(true)
            }
            (Ok(Some(effect)), Ok(out)) => {
                self.check_result(&effect, &out)?;
                self.check_records(&req, &out)?;
                if let (Effect::NewBooking(_), Out::Booking(b)) = (&effect, &out) {
                    self.ids.push(b.id.clone());
                }
                self.model.apply(effect);
                self.changes += 1;
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
            (Err(code), Ok(out)) => Err(format!("expected {code:?}, engine succeeded: {out:#?}")),
            (Ok(_), Err(e)) => Err(format!("expected success, engine: {e:?}")),
        }
    }

    /// B12: a tick applies exactly the transitions time has made, one record each, and
    /// purges the idempotency records past retention.
    fn tick(&mut self) -> Result<(), String> {
        let expected = self.model.tick(self.now);
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
        self.changes += (expected.expired + expected.no_shows + expected.completed) as u64;
        Ok(())
    }

    /// A successful result is the record the model predicts, as of now (B12).
    fn check_result(&self, effect: &Effect, out: &Out) -> Result<(), String> {
        let now = self.now;
        match (effect, out) {
            (Effect::NewResource(r, capacity), Out::Resource(res)) => {
                ensure!(
                    res.id.as_str() == rid(*r) && res.capacity == *capacity,
                    "created {res:#?}, model expects {} with {capacity} units",
                    rid(*r)
                );
            }
            (Effect::NewBooking(rec), Out::Booking(b)) => {
                ensure!(!self.ids.contains(&b.id), "new booking reuses id {}", b.id);
                same(rec, rec.status_at(now), b)?;
            }
            (Effect::Update(i, rec), Out::Booking(b)) => {
                ensure!(
                    b.id == self.ids[*i],
                    "result is {}, not {}",
                    b.id,
                    self.ids[*i]
                );
                same(rec, rec.status_at(now), b)?;
            }
            _ => {
                return Err(format!(
                    "model expects {effect:?}, engine returned {out:#?}"
                ))
            }
        }
        Ok(())
    }

    /// I6/E2: the audit record and the event a change appended name its action and carry
    /// its result. (That it appended exactly one of each is checked after every step.)
    fn check_records(&self, req: &Req, out: &Out) -> Result<(), String> {
        let action = recorded_action(req);
        let after = match out.clone() {
            Out::Resource(r) => Entity::Resource(std::sync::Arc::new(r)),
            Out::Booking(b) => Entity::Booking(std::sync::Arc::new(b)),
        };
        let expected = vec![(action, Some(after))];
        let after_seq = Some(self.changes);
        let audit = (self.engine.audit(&AuditQuery {
            after_seq,
            ..AuditQuery::default()
        }))
        .map_err(|e| format!("{e:?}"))?;
        // Records hold what the command wrote; the result is that write read as of now.
        let now = ts(self.now);
        let as_of_now = |entity: Option<Entity>| match entity {
            Some(Entity::Booking(b)) => Some(Entity::Booking(std::sync::Arc::new(b.as_of(now)))),
            other => other,
        };
        let audit: Vec<_> = audit
            .into_iter()
            .map(|r| (r.action, as_of_now(r.after)))
            .collect();
        ensure!(
            audit == expected,
            "I6: appended {audit:#?}, expected {expected:#?}"
        );
        let events = (self.engine.events(&EventQuery {
            after: after_seq,
            ..EventQuery::default()
        }))
        .map_err(|e| format!("{e:?}"))?;
        let events: Vec<_> = events
            .into_iter()
            .map(|e| (e.kind, as_of_now(e.data)))
            .collect();
        ensure!(
            events == expected,
            "E2: appended {events:#?}, expected {expected:#?}"
        );
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
        let created: Vec<(usize, u32)> = (0..RESOURCES)
            .filter_map(|r| model.capacities[r].map(|c| (r, c)))
            .collect();
        let resources: Vec<(String, u32)> = stored
            .resources
            .iter()
            .map(|r| (r.id.to_string(), r.capacity))
            .collect();
        let expected: Vec<(String, u32)> = created.iter().map(|&(r, c)| (rid(r), c)).collect();
        ensure!(
            resources == expected,
            "resources {resources:?}, model {expected:?}"
        );

        // As stored: the model's record as last written by a command or a tick.
        ensure!(
            stored.bookings.len() == model.bookings.len(),
            "{} bookings stored, model has {}",
            stored.bookings.len(),
            model.bookings.len()
        );
        let position: HashMap<&BookingId, usize> =
            self.ids.iter().enumerate().map(|(i, id)| (id, i)).collect();
        for b in &stored.bookings {
            let i = *position
                .get(&b.id)
                .ok_or(format!("unknown booking {}", b.id))?;
            same(&model.bookings[i], model.bookings[i].status, b)?;
        }

        // As of now (B12), per resource (B9), and I1 over what the engine reports.
        let mut seen = 0;
        for &(r, capacity) in &created {
            let query = BookingQuery {
                resource: Some(rid(r).into()),
                ..BookingQuery::default()
            };
            let read = self.engine.bookings(&query).map_err(|e| format!("{e:?}"))?;
            seen += read.len();
            for b in &read {
                let rec = &model.bookings[position[&b.id]];
                same(rec, rec.status_at(now), b)?;
            }
            if let Some(t) = overbooked_at(&read, capacity, ts(now)) {
                return Err(format!("I1: {} is over capacity at {t}: {read:#?}", rid(r)));
            }
            // The model must of course obey I1 itself.
            for rec in model.bookings.iter().filter(|b| b.resource == r) {
                let over = grid(rec.start, rec.end)
                    .find(|&t| rec.active_at(now) && model.units_at(r, t, now, None) > capacity);
                ensure!(over.is_none(), "the model overbooks {} at {over:?}", rid(r));
            }
        }
        ensure!(seen == model.bookings.len(), "reads return {seen} bookings");
        Ok(())
    }
}

/// The first grid instant at which the bookings occupying capacity as of `now` hold more
/// than `capacity` units, by brute force. All boundaries lie on the grid.
fn overbooked_at(bookings: &[Booking], capacity: u32, now: Timestamp) -> Option<Timestamp> {
    let active: Vec<&Booking> = bookings.iter().filter(|b| b.occupies_at(now)).collect();
    let ms = |t: Timestamp| t.as_millis() - BASE_MS;
    active.iter().find_map(|b| {
        grid(ms(b.start), ms(b.end)).map(ts).find(|&t| {
            let units: u32 = active
                .iter()
                .filter(|o| o.start <= t && t < o.end)
                .map(|o| o.quantity)
                .sum();
            units > capacity
        })
    })
}

/// The engine's booking matches the model's record, with the model in status `status`.
fn same(rec: &Rec, status: BookingStatus, b: &Booking) -> Result<(), String> {
    let model = (
        rid(rec.resource),
        rec.member,
        (ts(rec.start), ts(rec.end)),
        rec.quantity,
        status,
        rec.version,
        rec.hold_expires_at.map(ts),
        Some((ts(rec.opens_at), rec.deadline.map(ts))),
    );
    let engine = (
        b.resource.to_string(),
        b.member.as_str(),
        (b.start, b.end),
        b.quantity,
        b.status,
        b.version,
        b.hold_expires_at,
        b.check_in.map(|c| (c.opens_at, c.deadline)),
    );
    ensure!(
        model == engine,
        "booking {} differs from the model\n(resource, member, span, units, status, version, \
         hold expiry, check-in)\nmodel  {model:?}\nengine {engine:?}",
        b.id
    );
    Ok(())
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
        .unwrap_or(2_000);
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
        Harness::new(setup).run(&ops).map_err(TestCaseError::fail)?;
    }
}

// ---------------------------------------------------------------------------------------
// Self-checks: the model and the checks are not vacuous.

fn book(resource: usize, start: i64, end: i64, quantity: u32) -> Req {
    Req::Place {
        kind: PlaceKind::Book,
        resource,
        member: "ann",
        start: start * GRID,
        end: end * GRID,
        quantity,
    }
}

#[test]
fn reference_model_refuses_overlaps_beyond_capacity_and_allows_touching_spans() {
    let mut model = Model::new(rules(false));
    model.apply(Effect::NewResource(0, 1));
    model.apply(Effect::NewResource(1, 3));
    for req in [book(0, 0, 4, 1), book(1, 0, 4, 2)] {
        let effect = model.predict(&req, 0).expect("free");
        model.apply(effect);
    }
    assert_eq!(
        model.predict(&book(0, 3, 6, 1), 0),
        Err(ErrorCode::Conflict)
    );
    assert!(
        model.predict(&book(0, 4, 6, 1), 0).is_ok(),
        "half-open spans"
    );
    assert_eq!(
        model.predict(&book(1, 3, 6, 2), 0),
        Err(ErrorCode::Conflict)
    );
    assert!(
        model.predict(&book(1, 3, 6, 1), 0).is_ok(),
        "2 + 1 units fit in 3"
    );
    assert_eq!(
        model.predict(&book(0, 8, 9, 2), 0),
        Err(ErrorCode::InvalidInput)
    );
    // Once the span has passed, the first booking is completed and holds nothing.
    assert!(model.predict(&book(0, 3, 6, 1), 4 * GRID).is_ok());
}

#[test]
fn harness_reports_an_engine_that_disagrees_with_the_model() {
    let mut h = Harness::new(Setup {
        check_in_required: true,
        retention_secs: 86_400,
    });
    let first = Op::Run {
        cmd: Cmd::Place {
            kind: PlaceKind::Book,
            resource: 0,
            member: 0,
            start: 0,
            len: 4,
            quantity: 1,
        },
        keyed: false,
    };
    h.run(std::slice::from_ref(&first))
        .expect("engine and model agree");
    // Mutate the model: it now believes r0 has two units, so the engine's (correct)
    // refusal of an overlapping booking must be reported as a disagreement.
    h.model.capacities[0] = Some(2);
    let err = h.step(&first).expect_err("the mutation must be caught");
    assert!(err.contains("expected success"), "{err}");
}

#[test]
fn overbooking_check_flags_two_active_bookings_over_one_unit() {
    let mut h = Harness::new(Setup {
        check_in_required: false,
        retention_secs: 86_400,
    });
    h.run(&[]).expect("prologue");
    let a = h
        .engine
        .book(NewBooking::new("r0", "ann", ts(0), ts(4 * GRID)))
        .expect("free");
    let now = ts(h.now);
    assert_eq!(overbooked_at(std::slice::from_ref(&a), 1, now), None);
    let mut forged = a.clone();
    forged.id = "bk_forged".into();
    forged.start = ts(2 * GRID);
    forged.end = ts(6 * GRID);
    assert_eq!(overbooked_at(&[a, forged], 1, now), Some(ts(2 * GRID)));
}
