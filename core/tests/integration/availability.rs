//! Availability (A1–A3, A6) checked two ways: pinned examples, and a property test that
//! compares the slot grid, read off one sweep per resource, with a brute-force answer
//! that asks `explain` about every candidate start one by one.

use proptest::prelude::*;
use serde_json::json;
use slotwise::availability::{FreeResourcesQuery, SlotsQuery, WindowsQuery};
use slotwise::{
    Actor, BlockStrategy, Engine, ManualClock, MemoryStore, NewBlock, NewBooking, NewResource,
    Policy, PutPolicy, ResourceFilter, Timestamp,
};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn put_policy(engine: &mut Engine<MemoryStore>, policy: serde_json::Value) {
    let policy: Policy = serde_json::from_value(policy).unwrap();
    engine
        .put_policy(PutPolicy {
            policy,
            idempotency_key: None,
            actor: None,
        })
        .unwrap();
}

fn office() -> Engine<MemoryStore> {
    let clock = ManualClock::at(t("2026-03-01T00:00:00Z"));
    let mut engine = Engine::in_memory().with_clock(clock);
    for id in ["desk-1", "desk-2"] {
        engine
            .create_resource(
                NewResource::new(id)
                    .timezone("Europe/London")
                    .tags(["quiet"]),
            )
            .unwrap();
    }
    engine
        .create_resource(
            NewResource::new("room-1")
                .kind("room")
                .capacity(3)
                .timezone("Europe/London"),
        )
        .unwrap();
    engine
}

#[test]
fn free_resources_are_those_free_for_the_whole_range() {
    let mut engine = office();
    engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-02T10:00",
            "2026-03-02T11:00",
        ))
        .unwrap();
    let free = engine
        .free_resources(&FreeResourcesQuery {
            from: t("2026-03-02T09:00:00Z"),
            to: t("2026-03-02T12:00:00Z"),
            quantity: 1,
            filter: ResourceFilter {
                tags: vec!["quiet".into()],
                ..Default::default()
            },
        })
        .unwrap();
    assert_eq!(free, vec!["desk-2".into()]);
}

#[test]
fn free_windows_respect_hours_buffers_and_blocks() {
    let mut engine = office();
    put_policy(
        &mut engine,
        json!({"id": "p", "scope": "global", "rules": {
            "buffer_after_mins": 15,
            "opening_hours": {"weekly": {"mon": [["09:00", "17:00"]]}}
        }}),
    );
    engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-02T10:00",
            "2026-03-02T11:00",
        ))
        .unwrap();
    engine
        .create_block(NewBlock {
            resource: Some("desk-1".into()),
            tag: None,
            start: "2026-03-02T15:00".into(),
            end: "2026-03-02T16:00".into(),
            disambiguation: Default::default(),
            reason: None,
            strategy: BlockStrategy::Reject,
            recurrence: None,
            idempotency_key: None,
            actor: Some(Actor::admin("ops")),
        })
        .unwrap();
    let windows = engine
        .free_windows(&WindowsQuery {
            resources: vec!["desk-1".into()],
            from: t("2026-03-02T00:00:00Z"),
            to: t("2026-03-03T00:00:00Z"),
            quantity: 1,
            min_duration_mins: None,
            role: Default::default(),
        })
        .unwrap();
    let got: Vec<(String, String)> = windows
        .iter()
        .map(|w| (w.start.to_string(), w.end.to_string()))
        .collect();
    // Ann's after-buffer ends at 11:15; a new booking's own after-buffer must clear her
    // 10:00 start, and the block at 15:00.
    assert_eq!(
        got,
        [
            (
                "2026-03-02T09:00:00Z".to_string(),
                "2026-03-02T09:45:00Z".to_string()
            ),
            (
                "2026-03-02T11:15:00Z".to_string(),
                "2026-03-02T14:45:00Z".to_string()
            ),
            (
                "2026-03-02T16:00:00Z".to_string(),
                "2026-03-02T17:00:00Z".to_string()
            ),
        ]
    );
}

#[test]
fn remaining_units_track_capacity_above_one() {
    let mut engine = office();
    engine
        .book(NewBooking::new("room-1", "ann", "2026-03-02T10:00", "2026-03-02T11:00").quantity(2))
        .unwrap();
    let units = engine
        .remaining_units(&WindowsQuery {
            resources: vec!["room-1".into()],
            from: t("2026-03-02T09:00:00Z"),
            to: t("2026-03-02T12:00:00Z"),
            quantity: 1,
            min_duration_mins: None,
            role: Default::default(),
        })
        .unwrap();
    let got: Vec<u32> = units.iter().map(|u| u.free).collect();
    assert_eq!(got, [3, 1, 3]);
}

#[test]
fn slots_align_to_local_midnight_of_the_chosen_zone() {
    let engine = office();
    let slots = engine
        .slots(&SlotsQuery {
            resource: "desk-1".into(),
            from: t("2026-03-02T09:00:00Z"),
            to: t("2026-03-02T11:00:00Z"),
            duration_mins: 60,
            step_mins: Some(60),
            timezone: Some("Asia/Kathmandu".into()),
            quantity: 1,
            role: Default::default(),
        })
        .unwrap();
    // Whole hours in Kathmandu (+05:45) fall at :15 UTC.
    let starts: Vec<String> = slots.iter().map(|s| s.start.to_string()).collect();
    assert_eq!(starts, ["2026-03-02T09:15:00Z"]);
}

/// One random office day: bookings, a block, hours and buffers.
#[derive(Debug, Clone)]
struct Day {
    open: (u32, u32),
    buffers: (u32, u32),
    lead_mins: Option<u32>,
    bookings: Vec<(u32, u32, u32)>,
    block: Option<(u32, u32)>,
    duration: u32,
    step: u32,
}

fn day() -> impl Strategy<Value = Day> {
    (
        (0u32..10, 12u32..24),
        (0u32..3, 0u32..3),
        prop::option::of(0u32..600),
        prop::collection::vec((0u32..96, 1u32..12, 1u32..3), 0..12),
        prop::option::of((0u32..96, 1u32..16)),
        1u32..9,
        prop::sample::select(vec![1u32, 2, 4]),
    )
        .prop_map(
            |(open, buffers, lead_mins, bookings, block, duration, step)| Day {
                open,
                buffers,
                lead_mins,
                bookings,
                block,
                duration,
                step,
            },
        )
}

fn quarter(q: u32) -> String {
    let total = q * 15;
    format!(
        "2026-03-02T{:02}:{:02}",
        (total / 60).min(23),
        if total / 60 > 23 { 45 } else { total % 60 }
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// A3 against brute force: a start is in the slot list exactly when `explain` finds
    /// neither a violation nor a conflict for a booking there.
    #[test]
    fn slots_are_exactly_the_starts_explain_accepts(day in day()) {
        let clock = ManualClock::at(t("2026-03-02T06:00:00Z"));
        let mut engine = Engine::in_memory().with_clock(clock);
        engine.create_resource(NewResource::new("room").capacity(2).timezone("Europe/London")).unwrap();
        let mut rules = json!({
            "buffer_before_mins": day.buffers.0 * 15,
            "buffer_after_mins": day.buffers.1 * 15,
            "opening_hours": {"weekly": {"mon": [[format!("{:02}:00", day.open.0), if day.open.1 == 24 { "24:00".to_string() } else { format!("{:02}:00", day.open.1) }]]}}
        });
        if let Some(lead) = day.lead_mins {
            rules["lead_time_mins"] = json!(lead);
        }
        put_policy(&mut engine, json!({"id": "p", "scope": "global", "rules": rules}));
        for (i, &(start, len, q)) in day.bookings.iter().enumerate() {
            let mut cmd = NewBooking::new("room", format!("m{i}").as_str(), quarter(start), quarter(start + len)).quantity(q);
            cmd.actor = Some(Actor::admin("ops"));
            cmd.override_policies = true;
            let _ = engine.book(cmd);
        }
        if let Some((start, len)) = day.block {
            let _ = engine.create_block(NewBlock {
                resource: Some("room".into()),
                tag: None,
                start: quarter(start).into(),
                end: quarter(start + len).into(),
                disambiguation: Default::default(),
                reason: None,
                strategy: BlockStrategy::Reject,
                recurrence: None,
                idempotency_key: None,
                actor: None,
            });
        }
        let duration = day.duration * 15;
        let step = day.step * 15;
        let from = t("2026-03-02T00:00:00Z");
        let to = t("2026-03-03T00:00:00Z");
        let slots = engine.slots(&SlotsQuery {
            resource: "room".into(), from, to, duration_mins: duration, step_mins: Some(step),
            timezone: None, quantity: 1, role: Default::default(),
        }).unwrap();
        let listed: Vec<i64> = slots.iter().map(|s| s.start.as_millis()).collect();
        let mut brute = Vec::new();
        let mut s = from.as_millis();
        while s + i64::from(duration) * 60_000 <= to.as_millis() {
            let start = Timestamp::from_millis(s);
            let end = start.add_millis(i64::from(duration) * 60_000);
            let e = engine.explain(&NewBooking::new("room", "probe", start, end)).unwrap();
            if e.violations.is_empty() && e.conflicts.is_empty() {
                brute.push(s);
            }
            s += i64::from(step) * 60_000;
        }
        prop_assert_eq!(listed, brute);
    }
}
