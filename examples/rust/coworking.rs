//! The main job: a small coworking space on the embedded default store, a SQLite file.
//!
//! Sets up desks and a meeting room, books desks, shows a refused double booking with its
//! conflict report and alternatives, finds the next free desk, holds and confirms a room,
//! moves a booking, cancels one, books a weekly series and exports it as iCalendar, serves
//! a waitlist, lets time pass and prints the audit trail, the event outbox and the day's
//! utilization; then closes the file and opens it again, as a restart or a second process
//! would, and finds everything there.
//!
//! Run it with `cargo run -p slotwise-sqlite --example coworking [FILE]` (default: a fresh
//! `slotwise-coworking.db` in the system's temporary directory).

use slotwise::availability::NextAvailableQuery;
use slotwise::ics::IcsQuery;
use slotwise::recurrence::{CancelSeries, EditScope, NewSeries, OccurrenceOutcome, SeriesMode};
use slotwise::utilization::UtilizationQuery;
use slotwise::waitlist::{JoinWaitlist, WaitlistAction};
use slotwise::{
    Actor, AuditQuery, BookingAction, BookingQuery, Engine, EventQuery, ManualClock, ModifyBooking,
    NewBooking, NewResource, Policy, PutPolicy, ResourceFilter, Role,
};
use slotwise_sqlite::SqliteStore;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A deterministic clock so the output is the same on every run (I2).
    let clock = ManualClock::at("2026-03-02T07:30:00Z".parse()?);
    let path = std::env::args_os()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("slotwise-coworking.db"));
    // Start from an empty file so every run prints the same.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut engine = Engine::new(SqliteStore::open(&path)?).with_clock(clock.clone());
    println!(
        "== Store: {} (SQLite, WAL, fsync on every commit)",
        path.display()
    );

    println!("== Setting up Harbour Works (Europe/London)");
    for n in 1..=3 {
        engine.create_resource(
            NewResource::new(format!("desk-{n}"))
                .name(format!("Hot desk {n}"))
                .timezone("Europe/London")
                .location("harbour-works")
                .tags(if n == 1 { vec!["window"] } else { vec![] }),
        )?;
    }
    let room = engine.create_resource(
        NewResource::new("room-atlas")
            .name("Atlas meeting room")
            .kind("room")
            .capacity(1)
            .timezone("Europe/London")
            .location("harbour-works")
            .tags(["screen"]),
    )?;
    println!("   3 desks and {} ({})", room.name, room.id);
    // House rules as data: open weekdays 08:00–19:00 local, on a 15-minute grid.
    let weekday = serde_json::json!([["08:00", "19:00"]]);
    let hours: Policy = serde_json::from_value(serde_json::json!({
        "id": "house-rules",
        "scope": {"location": "harbour-works"},
        "rules": {"opening_hours": {"weekly": {
            "mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday
        }}}
    }))?;
    engine.put_policy(PutPolicy {
        policy: hours,
        idempotency_key: None,
        actor: Some(Actor::admin("manager")),
    })?;
    println!("   house rules: open weekdays 08:00-19:00");

    println!("\n== Booking desks (local wall times, read in Europe/London)");
    let ann = engine.book(
        NewBooking::new("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T13:00")
            .title("Quarterly report"),
    )?;
    println!(
        "   ann  {} on {}: {} .. {} [{}]",
        ann.id, ann.resource, ann.start, ann.end, ann.status
    );
    let bob = engine.book(NewBooking::new(
        "desk-2",
        "bob",
        "2026-03-02T10:00",
        "2026-03-02T17:00",
    ))?;
    println!(
        "   bob  {} on {}: {} .. {} [{}]",
        bob.id, bob.resource, bob.start, bob.end, bob.status
    );

    println!("\n== A double booking is refused, with what it collided with");
    let err = engine
        .book(NewBooking::new(
            "desk-1",
            "cy",
            "2026-03-02T12:00",
            "2026-03-02T14:00",
        ))
        .unwrap_err();
    println!("   error code: {}", err.code());
    for c in err.conflicts() {
        println!(
            "   collides with {} {} over {} .. {}",
            c.kind, c.id, c.start, c.end
        );
    }
    for a in err.alternatives() {
        println!(
            "   offered instead: {} {} .. {} ({})",
            a.resource, a.start, a.end, a.kind
        );
    }
    // cy would rather keep the time: the first desk free for those two hours.
    let free = engine
        .next_available(&NextAvailableQuery {
            from: "2026-03-02T12:00:00Z".parse()?,
            duration_mins: 120,
            resources: vec![],
            filter: ResourceFilter {
                kind: Some("desk".into()),
                ..Default::default()
            },
            quantity: 1,
            within_days: Some(1),
            role: Role::Member,
        })?
        .expect("a desk is free");
    let cy = engine.book(NewBooking::new(
        free.resource.as_str(),
        "cy",
        "2026-03-02T12:00",
        "2026-03-02T14:00",
    ))?;
    println!("   cy takes {} instead: {}", cy.resource, cy.id);

    println!("\n== Hold the room for 2 minutes, then confirm");
    let hold = engine.hold(
        NewBooking::new("room-atlas", "dee", "2026-03-02T14:00", "2026-03-02T15:00")
            .title("Client pitch")
            .ttl_secs(120),
    )?;
    println!(
        "   {} is {} until {}",
        hold.id,
        hold.status,
        hold.hold_expires_at.unwrap()
    );
    clock.advance_secs(45);
    let confirmed = engine.confirm(BookingAction::new(hold.id.as_str()))?;
    println!(
        "   confirmed after 45 s: {} (version {})",
        confirmed.status, confirmed.version
    );

    println!("\n== An unconfirmed hold expires by itself");
    let lapsing = engine.hold(NewBooking::new(
        "room-atlas",
        "eve",
        "2026-03-02T16:00",
        "2026-03-02T17:00",
    ))?;
    clock.advance_secs(121);
    let late = engine
        .confirm(BookingAction::new(lapsing.id.as_str()))
        .unwrap_err();
    println!("   confirming {} after 121 s: {}", lapsing.id, late.code());
    let retaken = engine.book(NewBooking::new(
        "room-atlas",
        "fay",
        "2026-03-02T16:00",
        "2026-03-02T17:00",
    ))?;
    println!(
        "   the slot is free again: {} books it as {}",
        retaken.member, retaken.id
    );

    println!("\n== Move ann's booking to the afternoon (atomic: on failure nothing changes)");
    let moved = engine.modify(
        ModifyBooking::new(ann.id.as_str())
            .times("2026-03-02T13:00", "2026-03-02T17:00")
            .expected_version(ann.version),
    )?;
    println!(
        "   {} now {} .. {} (version {})",
        moved.id, moved.start, moved.end, moved.version
    );
    let stale = engine
        .modify(
            ModifyBooking::new(ann.id.as_str())
                .times("2026-03-02T08:00", "2026-03-02T09:00")
                .expected_version(1),
        )
        .unwrap_err();
    println!("   a second edit based on version 1: {}", stale.code());

    println!("\n== Cancel bob's booking (admin, with a reason)");
    let cancelled = engine.cancel(
        BookingAction::new(bob.id.as_str())
            .actor(Actor::admin("front-desk"))
            .reason("desk-2 monitor broken"),
    )?;
    println!(
        "   {} is {}: {}",
        cancelled.id,
        cancelled.status,
        cancelled.cancel_reason.as_deref().unwrap_or("")
    );

    println!("\n== A weekly stand-up in the room: Mon and Wed 09:30-10:00 for four weeks");
    let standup = engine.book_series(
        NewSeries::rrule(
            "room-atlas",
            "gus",
            "2026-03-04T09:30",
            "2026-03-04T10:00",
            "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=8",
        )
        .title("Stand-up")
        .mode(SeriesMode::BestEffort),
    )?;
    let booked = standup
        .occurrences
        .iter()
        .filter(|o| o.outcome == OccurrenceOutcome::Booked)
        .count();
    println!(
        "   {} booked {booked} of {} occurrences; rule {}",
        standup.series.id,
        standup.occurrences.len(),
        standup.series.rule.rrule
    );
    // London moves to summer time on 29 March: the stand-up stays at 09:30 local.
    let last = standup.occurrences.last().expect("eight occurrences");
    println!(
        "   first at {}, last at {} (09:30 BST)",
        standup.occurrences[0].start.expect("booked"),
        last.start.expect("booked")
    );
    engine.cancel_series(CancelSeries {
        series: standup.series.id.clone(),
        scope: EditScope::One,
        occurrence: Some("2026-03-16T09:30".parse()?),
        reason: Some("team offsite".into()),
        ..Default::default()
    })?;
    let calendar = engine.export_ics(&IcsQuery {
        series: Some(standup.series.id.clone()),
        ..Default::default()
    })?;
    let exdate = calendar
        .lines()
        .find(|l| l.starts_with("EXDATE"))
        .unwrap_or("");
    println!("   16 March cancelled; the calendar export now says {exdate}");

    println!("\n== The room is full at 14:00; hal joins the waitlist");
    let wait = engine.join_waitlist(
        JoinWaitlist::for_resource("room-atlas", "hal", "2026-03-02T14:00", "2026-03-02T15:00")
            .claim_ttl_secs(600),
    )?;
    println!(
        "   {} is {}, position {} of {}",
        wait.entry.id,
        wait.entry.status,
        wait.position.unwrap_or(0),
        wait.queue_length
    );
    engine.cancel(BookingAction::new(confirmed.id.as_str()).reason("pitch moved online"))?;
    let offer = engine.waitlist_entry(&wait.entry.id)?;
    let hold = offer.entry.offer.as_ref().expect("an offer");
    println!(
        "   dee cancels; hal is offered hold {} until {}",
        hold.booking, hold.expires_at
    );
    let claimed = engine.claim_waitlist_offer(WaitlistAction::new(wait.entry.id.as_str()))?;
    println!("   hal claims it: {}", claimed.entry.status);

    println!("\n== The day ends; tick applies what is due");
    clock.set("2026-03-02T18:00:00Z".parse()?);
    let report = engine.tick()?;
    println!(
        "   completed {}, expired {}, no-shows {}",
        report.completed, report.expired, report.no_shows
    );
    let anns = engine.bookings(&BookingQuery {
        member: Some("ann".into()),
        ..Default::default()
    })?;
    for b in &anns {
        println!("   ann's {}: {}", b.id, b.status);
    }

    println!("\n== Audit trail of {}", ann.id);
    for r in engine.audit(&AuditQuery {
        booking: Some(ann.id.clone()),
        ..Default::default()
    })? {
        println!(
            "   #{:<3} {} {:<18} by {:<6} {}",
            r.seq,
            r.at,
            r.action,
            r.actor.id,
            r.reason.unwrap_or_default()
        );
    }

    println!("\n== Event outbox, as a notifier would read it");
    let events = engine.events(&EventQuery {
        consumer: Some("mailer".into()),
        limit: Some(100),
        ..Default::default()
    })?;
    println!(
        "   {} events; last: #{} {}",
        events.len(),
        events.last().map_or(0, |e| e.seq),
        events.last().map(|e| e.kind.as_str()).unwrap_or("-")
    );
    if let Some(last) = events.last() {
        engine.ack_events(slotwise::AckEvents {
            consumer: "mailer".into(),
            seq: last.seq,
        })?;
    }

    println!("\n== Utilization of the day");
    let usage = engine.utilization(&UtilizationQuery {
        from: "2026-03-02T00:00:00Z".parse()?,
        to: "2026-03-03T00:00:00Z".parse()?,
        ..Default::default()
    })?;
    for r in &usage.resources {
        println!(
            "   {:<11} {:>4} of {:>4} min booked ({:>2.0} %)",
            r.resource.as_str(),
            r.report.total.booked_minutes,
            r.report.total.available_minutes,
            r.report.total.occupancy * 100.0
        );
    }
    let peaks: Vec<String> = usage
        .overall
        .peak_hours
        .iter()
        .map(|h| format!("{:02}:00 ({:.0} %)", h.hour, h.usage.occupancy * 100.0))
        .collect();
    println!("   peak hours: {}", peaks.join(", "));
    println!(
        "   bookings {}, cancelled {}, refused for conflicts {}",
        usage.overall.counts.bookings, usage.overall.counts.cancelled, usage.rejected.conflicts
    );

    let integrity = engine.integrity_check()?;
    println!(
        "\n== Integrity check: {} resources, {} bookings, {} audit records, {} violations",
        integrity.resources,
        integrity.bookings,
        integrity.audit_records,
        integrity.violations.len()
    );

    println!("\n== Closing the file and opening it again, as a restart or a second process would");
    let before = engine.export_snapshot()?;
    drop(engine);
    let reopened = Engine::new(SqliteStore::open(&path)?).with_clock(clock);
    let after = reopened.export_snapshot()?;
    println!(
        "   {} resources, {} bookings, {} series, {} waitlist entries, id sequence at {}: {}",
        after.resources.len(),
        after.bookings.len(),
        after.series.len(),
        after.waitlist.len(),
        after.sequence,
        if after == before {
            "all there"
        } else {
            "DIFFERENT"
        }
    );
    if after != before {
        return Err("the reopened store differs from what was written".into());
    }
    Ok(())
}
