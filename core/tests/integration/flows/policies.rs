//! Policies: scoping, every rule, explain, overrides (P1–P9, R2).

use serde_json::json;
use slotwise::{
    Actor, AuditQuery, BookingAction, CheckInConfig, Engine, EngineConfig, ErrorCode, ManualClock,
    MemoryStore, ModifyBooking, NewBooking, NewResource, ViolationCode,
};

use super::{engine_at, put_policy as put};

fn codes(err: &slotwise::Error) -> Vec<ViolationCode> {
    err.violations().iter().map(|v| v.code).collect()
}

fn space() -> (Engine<MemoryStore>, ManualClock) {
    let (mut engine, clock) = engine_at("2026-03-02T08:00:00Z");
    engine
        .create_resource(
            NewResource::new("desk-1")
                .timezone("Europe/London")
                .tags(["quiet"])
                .location("hq"),
        )
        .unwrap();
    engine
        .create_resource(
            NewResource::new("room-1")
                .kind("room")
                .timezone("Europe/London")
                .location("hq"),
        )
        .unwrap();
    (engine, clock)
}

#[test]
fn defaults_are_a_15_minute_grid_and_an_8_hour_maximum() {
    let (mut engine, _) = space();
    let off_grid = engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-03T09:10",
            "2026-03-03T10:00",
        ))
        .unwrap_err();
    assert_eq!(off_grid.code(), ErrorCode::PolicyViolation);
    assert_eq!(codes(&off_grid), [ViolationCode::Granularity]);
    let too_long = engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-03T08:00",
            "2026-03-03T16:15",
        ))
        .unwrap_err();
    assert_eq!(codes(&too_long), [ViolationCode::MaxDuration]);
    engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-03T08:00",
            "2026-03-03T16:00",
        ))
        .unwrap();
}

#[test]
fn the_most_specific_scope_wins() {
    let (mut engine, _) = space();
    put(
        &mut engine,
        json!({"id": "all", "scope": "global", "rules": {"max_duration_mins": 120}}),
    );
    put(
        &mut engine,
        json!({"id": "quiet", "scope": {"tag": "quiet"}, "rules": {"max_duration_mins": 60}}),
    );
    let err = engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-03T09:00",
            "2026-03-03T10:30",
        ))
        .unwrap_err();
    assert_eq!(codes(&err), [ViolationCode::MaxDuration]);
    engine
        .book(NewBooking::new(
            "room-1",
            "ann",
            "2026-03-03T09:00",
            "2026-03-03T10:30",
        ))
        .unwrap();
}

#[test]
fn explain_lists_every_violation_and_writes_nothing() {
    let (mut engine, _) = space();
    put(
        &mut engine,
        json!({"id": "all", "scope": "global", "rules": {
            "lead_time_mins": 120, "max_duration_mins": 60,
            "opening_hours": {"weekly": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}}
        }}),
    );
    let proposal = NewBooking::new("desk-1", "ann", "2026-03-02T08:50", "2026-03-02T10:00");
    let explanation = engine.explain(&proposal).unwrap();
    let mut found: Vec<ViolationCode> = explanation.violations.iter().map(|v| v.code).collect();
    found.sort();
    assert_eq!(
        found,
        [
            ViolationCode::Closed,
            ViolationCode::Granularity,
            ViolationCode::MaxDuration,
            ViolationCode::LeadTime
        ]
    );
    assert!(!explanation.bookable);
    assert_eq!(
        engine.audit(&AuditQuery::default()).unwrap().len(),
        3,
        "2 resources + 1 policy"
    );
}

#[test]
fn an_admin_override_goes_through_and_is_audited_but_a_member_may_not_override() {
    let (mut engine, _) = space();
    put(
        &mut engine,
        json!({"id": "all", "scope": "global", "rules": {"max_duration_mins": 60}}),
    );
    let long = || NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T11:00");
    let mut by_member = long();
    by_member.override_policies = true;
    assert_eq!(
        engine.book(by_member).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let mut by_admin = long().actor(Actor::admin("ops"));
    by_admin.override_policies = true;
    let booking = engine.book(by_admin).unwrap();
    let audit = engine
        .audit(&AuditQuery {
            booking: Some(booking.id.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(audit[0].overridden.len(), 1);
    assert_eq!(audit[0].overridden[0].code, ViolationCode::MaxDuration);
}

#[test]
fn exempt_roles_are_not_bound() {
    let (mut engine, _) = space();
    put(
        &mut engine,
        json!({"id": "all", "scope": "global", "exempt_roles": ["admin"], "rules": {"max_duration_mins": 60}}),
    );
    engine
        .book(
            NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T11:00")
                .actor(Actor::admin("ops")),
        )
        .unwrap();
}

#[test]
fn quotas_count_in_the_resources_local_calendar() {
    // Europe/London in summer is +01:00: 23:00 local on the 3rd is 22:00Z on the 3rd, and
    // 00:00 local on the 4th is 23:00Z on the 3rd: one UTC day, two local days.
    let (mut engine, _) = space();
    put(
        &mut engine,
        json!({"id": "fair", "scope": "global", "rules": {"quotas": {"bookings_per_day": 1}}}),
    );
    engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-06-03T23:00",
            "2026-06-03T23:30",
        ))
        .unwrap();
    engine
        .book(NewBooking::new(
            "room-1",
            "ann",
            "2026-06-04T00:00",
            "2026-06-04T00:30",
        ))
        .unwrap();
    let err = engine
        .book(NewBooking::new(
            "room-1",
            "ann",
            "2026-06-04T10:00",
            "2026-06-04T10:30",
        ))
        .unwrap_err();
    assert_eq!(codes(&err), [ViolationCode::BookingsPerDay]);
    engine
        .book(NewBooking::new(
            "room-1",
            "bob",
            "2026-06-04T10:00",
            "2026-06-04T10:30",
        ))
        .unwrap();
}

#[test]
fn late_cancels_are_refused_for_members_and_recorded_for_admins() {
    let (mut engine, clock) = space();
    put(
        &mut engine,
        json!({"id": "all", "scope": "global", "rules": {"cancel_cutoff_mins": 60, "modify_cutoff_mins": 60}}),
    );
    let b = engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-02T10:00",
            "2026-03-02T11:00",
        ))
        .unwrap();
    clock.set("2026-03-02T09:30:00Z".parse().unwrap());
    let err = engine
        .cancel(BookingAction::new(b.id.as_str()))
        .unwrap_err();
    assert_eq!(codes(&err), [ViolationCode::CancelCutoff]);
    let err = engine
        .modify(ModifyBooking::new(b.id.as_str()).times("2026-03-02T12:00", "2026-03-02T13:00"))
        .unwrap_err();
    assert_eq!(codes(&err), [ViolationCode::ModifyCutoff]);
    engine
        .cancel(
            BookingAction::new(b.id.as_str())
                .actor(Actor::admin("ops"))
                .reason("burst pipe"),
        )
        .unwrap();
    let audit = engine
        .audit(&AuditQuery {
            booking: Some(b.id.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        audit.last().unwrap().overridden[0].code,
        ViolationCode::CancelCutoff
    );
}

#[test]
fn repeated_no_shows_suspend_booking() {
    let clock = ManualClock::at("2026-03-02T08:00:00Z".parse().unwrap());
    let config = EngineConfig {
        check_in: CheckInConfig {
            required: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut engine = Engine::in_memory()
        .with_clock(clock.clone())
        .with_config(config);
    engine.create_resource(NewResource::new("desk-1")).unwrap();
    put(
        &mut engine,
        json!({"id": "strict", "scope": "global", "rules": {"no_show_sanction": {"no_shows": 2, "window_days": 30, "suspend_days": 7}}}),
    );
    for day in ["2026-03-02", "2026-03-03"] {
        engine
            .book(NewBooking::new(
                "desk-1",
                "ann",
                format!("{day}T09:00"),
                format!("{day}T10:00"),
            ))
            .unwrap();
    }
    clock.set("2026-03-04T08:00:00Z".parse().unwrap());
    let err = engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-05T09:00",
            "2026-03-05T10:00",
        ))
        .unwrap_err();
    assert_eq!(codes(&err), [ViolationCode::Suspended]);
    // The suspension runs 7 days from the last no-show (2026-03-03T09:15Z).
    clock.set("2026-03-10T09:15:00Z".parse().unwrap());
    engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-11T09:00",
            "2026-03-11T10:00",
        ))
        .unwrap();
}

#[test]
fn buffers_stack_between_neighbours() {
    let (mut engine, _) = space();
    put(
        &mut engine,
        json!({"id": "clean", "scope": "global", "rules": {"buffer_before_mins": 15, "buffer_after_mins": 15}}),
    );
    engine
        .book(NewBooking::new(
            "room-1",
            "ann",
            "2026-03-03T09:00",
            "2026-03-03T10:00",
        ))
        .unwrap();
    // 10:15 would leave only ann's 15-minute after-buffer, not bob's 15-minute before-buffer too.
    let err = engine
        .book(NewBooking::new(
            "room-1",
            "bob",
            "2026-03-03T10:15",
            "2026-03-03T11:00",
        ))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    engine
        .book(NewBooking::new(
            "room-1",
            "bob",
            "2026-03-03T10:30",
            "2026-03-03T11:00",
        ))
        .unwrap();
}
