//! Admin overrides (M2) and utilization (M3).

use serde_json::json;
use slotwise::utilization::UtilizationQuery;
use slotwise::{
    Action, Actor, AuditQuery, BookingAction, BookingStatus, Engine, ErrorCode, ManualClock,
    MemoryStore, ModifyBooking, NewBooking, NewResource, ViolationCode,
};

use super::{engine_at, fingerprint, put_policy};

fn space() -> (Engine<MemoryStore>, ManualClock) {
    let (mut engine, clock) = engine_at("2026-03-02T07:00:00Z");
    for (id, location) in [("desk-1", "hq"), ("desk-2", "hq"), ("desk-3", "annex")] {
        engine
            .create_resource(
                NewResource::new(id)
                    .kind("desk")
                    .timezone("Europe/London")
                    .location(location),
            )
            .unwrap();
    }
    put_policy(
        &mut engine,
        json!({
            "id": "cutoffs",
            "scope": "global",
            "rules": {"cancel_cutoff_mins": 120, "modify_cutoff_mins": 120}
        }),
    );
    (engine, clock)
}

fn ops() -> Actor {
    Actor::admin("ops")
}

#[test]
fn force_cancel_needs_an_admin_and_a_reason_and_records_the_overridden_cutoff() {
    let (mut engine, _) = space();
    let b = engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-02T08:00",
            "2026-03-02T09:00",
        ))
        .unwrap();
    let before = fingerprint(&engine);
    let by_member = engine
        .force_cancel(
            BookingAction::new(b.id.clone())
                .reason("x")
                .actor(Actor::member("ann")),
        )
        .unwrap_err();
    assert_eq!(by_member.code(), ErrorCode::Forbidden);
    let no_reason = engine
        .force_cancel(BookingAction::new(b.id.clone()).actor(ops()))
        .unwrap_err();
    assert_eq!(no_reason.code(), ErrorCode::InvalidInput);
    assert_eq!(fingerprint(&engine), before);

    let ended = engine
        .force_cancel(BookingAction::new(b.id.clone()).reason("leak").actor(ops()))
        .unwrap();
    assert_eq!(ended.status, BookingStatus::Cancelled);
    assert_eq!(ended.cancel_reason.as_deref(), Some("leak"));
    let audit = engine
        .audit(&AuditQuery {
            booking: Some(b.id.clone()),
            ..Default::default()
        })
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, Action::BookingCancelled);
    assert_eq!(last.actor, ops());
    assert_eq!(last.reason.as_deref(), Some("leak"));
    assert_eq!(last.overridden[0].code, ViolationCode::CancelCutoff);
    // Once ended, it cannot be ended again.
    let again = engine
        .force_cancel(BookingAction::new(b.id).reason("again").actor(ops()))
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::InvalidTransition);
}

#[test]
fn force_cancel_ends_holds_and_check_ins_the_way_the_state_machine_allows() {
    let (mut engine, clock) = space();
    let hold = engine
        .hold(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-02T10:00",
            "2026-03-02T11:00",
        ))
        .unwrap();
    let here = engine
        .book(NewBooking::new(
            "desk-2",
            "bob",
            "2026-03-02T10:00",
            "2026-03-02T12:00",
        ))
        .unwrap();
    let released = engine
        .force_cancel(
            BookingAction::new(hold.id)
                .reason("double entry")
                .actor(ops()),
        )
        .unwrap();
    assert_eq!(released.status, BookingStatus::Released);
    clock.set("2026-03-02T10:05:00Z".parse().unwrap());
    engine
        .check_in(BookingAction::new(here.id.clone()))
        .unwrap();
    let out = engine
        .force_cancel(
            BookingAction::new(here.id)
                .reason("fire drill")
                .actor(ops()),
        )
        .unwrap();
    assert_eq!(out.status, BookingStatus::Completed);
    assert!(engine.integrity_check().unwrap().is_ok());
}

#[test]
fn force_move_overrides_rules_but_never_capacity() {
    let (mut engine, clock) = space();
    let ann = engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-02T08:00",
            "2026-03-02T10:00",
        ))
        .unwrap();
    engine
        .book(NewBooking::new(
            "desk-2",
            "bob",
            "2026-03-02T08:00",
            "2026-03-02T10:00",
        ))
        .unwrap();
    // Inside the modify cutoff: the member is refused, the admin's move goes through.
    let member = engine
        .modify(
            ModifyBooking::new(ann.id.clone())
                .resource("desk-3")
                .actor(Actor::member("ann")),
        )
        .unwrap_err();
    assert_eq!(member.code(), ErrorCode::PolicyViolation);
    // Onto an occupied desk: a conflict even for an admin, with alternatives.
    let onto_bob = engine
        .force_move(
            ModifyBooking::new(ann.id.clone())
                .resource("desk-2")
                .reason("broken chair")
                .actor(ops()),
        )
        .unwrap_err();
    assert_eq!(onto_bob.code(), ErrorCode::Conflict);
    assert!(onto_bob
        .alternatives()
        .iter()
        .any(|a| a.resource.as_str() == "desk-3"));
    // Checked in, then moved to the annex.
    clock.set("2026-03-02T08:05:00Z".parse().unwrap());
    engine.check_in(BookingAction::new(ann.id.clone())).unwrap();
    let moved = engine
        .force_move(
            ModifyBooking::new(ann.id.clone())
                .resource("desk-3")
                .reason("broken chair")
                .actor(ops()),
        )
        .unwrap();
    assert_eq!(moved.resource.as_str(), "desk-3");
    assert_eq!(moved.status, BookingStatus::CheckedIn);
    let audit = engine
        .audit(&AuditQuery {
            booking: Some(ann.id.clone()),
            ..Default::default()
        })
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, Action::BookingModified);
    assert_eq!(last.reason.as_deref(), Some("broken chair"));
    assert_eq!(last.overridden[0].code, ViolationCode::ModifyCutoff);
    // A plain modify of a checked-in booking stays refused.
    let plain = engine
        .modify(
            ModifyBooking::new(ann.id)
                .resource("desk-1")
                .actor(ops())
                .override_policies(),
        )
        .unwrap_err();
    assert_eq!(plain.code(), ErrorCode::InvalidTransition);
}

#[test]
fn utilization_by_resource_location_day_and_hour() {
    let (mut engine, clock) = space();
    let hours = json!([["08:00", "18:00"]]);
    put_policy(
        &mut engine,
        json!({
            "id": "hours",
            "scope": "global",
            "rules": {
                "opening_hours": {"weekly": {"mon": hours, "tue": hours}},
                "check_in": {"required": true, "grace_secs": 600}
            }
        }),
    );
    // Monday 2 and Tuesday 3 March 2026; London is on UTC.
    let a = engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-02T09:00",
            "2026-03-02T12:00",
        ))
        .unwrap();
    let b = engine
        .book(NewBooking::new(
            "desk-1",
            "bob",
            "2026-03-03T09:00",
            "2026-03-03T10:00",
        ))
        .unwrap();
    let cy = engine
        .book(NewBooking::new(
            "desk-3",
            "cy",
            "2026-03-02T09:00",
            "2026-03-02T10:00",
        ))
        .unwrap();
    let c = engine
        .book(NewBooking::new(
            "desk-2",
            "di",
            "2026-03-03T14:00",
            "2026-03-03T15:00",
        ))
        .unwrap();
    engine.cancel(BookingAction::new(c.id)).unwrap();
    clock.set("2026-03-02T09:05:00Z".parse().unwrap());
    engine.check_in(BookingAction::new(a.id.clone())).unwrap();
    engine.check_in(BookingAction::new(cy.id)).unwrap();
    let conflict = engine
        .book(NewBooking::new(
            "desk-1",
            "zed",
            "2026-03-02T09:15",
            "2026-03-02T10:00",
        ))
        .unwrap_err();
    assert_eq!(conflict.code(), ErrorCode::Conflict);
    clock.set("2026-03-02T11:00:00Z".parse().unwrap());
    engine.check_out(BookingAction::new(a.id)).unwrap();
    // Bob never checks in: a no-show at 09:10 on the 3rd.
    clock.set("2026-03-04T00:00:00Z".parse().unwrap());
    assert_eq!(engine.booking(&b.id).unwrap().status, BookingStatus::NoShow);

    let report = engine
        .utilization(&UtilizationQuery {
            from: "2026-03-02T00:00:00Z".parse().unwrap(),
            to: "2026-03-04T00:00:00Z".parse().unwrap(),
            ..Default::default()
        })
        .unwrap();
    // Open 10 h a day × 2 days × 3 desks = 3,600 unit-minutes; booked: ann 2 h (checked
    // out at 11:00), cy 1 h; bob's no-show and di's cancellation count nothing. Ann and
    // cy checked in, bob did not: a no-show rate of 1/3.
    assert_eq!(report.overall.total.available_minutes, 3_600);
    assert_eq!(report.overall.total.booked_minutes, 180);
    assert_eq!(report.overall.counts.bookings, 4);
    assert_eq!(report.overall.counts.cancelled, 1);
    assert_eq!(report.overall.counts.no_shows, 1);
    assert_eq!(report.overall.counts.checked_in, 2);
    assert_eq!(report.overall.counts.no_show_rate, Some(1.0 / 3.0));
    // 09:00 is the peak: three booked hours out of six available.
    assert_eq!(report.overall.peak_hours[0].hour, 9);
    assert_eq!(report.overall.by_hour[9].usage.booked_minutes, 120);
    assert_eq!(report.overall.by_hour[9].usage.available_minutes, 360);
    assert_eq!(report.overall.by_day.len(), 2);
    assert_eq!(report.overall.by_day[0].usage.booked_minutes, 180);
    let desk1 = &report.resources[0];
    assert_eq!(desk1.resource.as_str(), "desk-1");
    assert_eq!(desk1.report.total.booked_minutes, 120);
    let locations: Vec<(Option<&str>, u64)> = report
        .locations
        .iter()
        .map(|l| (l.location.as_deref(), l.report.total.booked_minutes))
        .collect();
    assert_eq!(locations, [(Some("annex"), 60), (Some("hq"), 120)]);
    assert_eq!(report.rejected.conflicts, 1);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["by_day"][0]["date"], "2026-03-02");
    assert_eq!(json["locations"][0]["location"], "annex");
}

#[test]
fn engines_sharing_their_rejection_count_each_report_the_total() {
    let (mut first, clock) = space();
    let mut second = Engine::in_memory()
        .with_clock(clock.clone())
        .sharing_rejections_with(&first);
    second
        .create_resource(NewResource::new("desk-1").timezone("Europe/London"))
        .unwrap();
    let book = |who: &str| NewBooking::new("desk-1", who, "2026-03-02T09:00", "2026-03-02T10:00");
    first.book(book("ann")).unwrap();
    second.book(book("ann")).unwrap();
    assert_eq!(
        first.book(book("bob")).unwrap_err().code(),
        ErrorCode::Conflict
    );
    assert_eq!(
        second.book(book("bob")).unwrap_err().code(),
        ErrorCode::Conflict
    );
    assert_eq!(
        second.book(book("cy")).unwrap_err().code(),
        ErrorCode::Conflict
    );
    assert_eq!(first.rejections().conflicts, 3);
    assert_eq!(second.rejections(), first.rejections());
    let query: UtilizationQuery = serde_json::from_value(json!({
        "from": "2026-03-02T00:00:00Z",
        "to": "2026-03-03T00:00:00Z"
    }))
    .unwrap();
    assert_eq!(first.utilization(&query).unwrap().rejected.conflicts, 3);
    // An engine of its own keeps its own count.
    let (alone, _) = space();
    assert_eq!(alone.rejections().conflicts, 0);
}
