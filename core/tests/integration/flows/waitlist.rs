//! The waitlist through the Rust API (W1–W3): FIFO offers, claims, expiry passing the
//! offer on, and the same outcome whether or not `tick` runs.

use slotwise::waitlist::{JoinWaitlist, WaitlistAction, WaitlistStatus};
use slotwise::{BookingAction, BookingStatus, ErrorCode, NewResource};

use super::{book, engine_at};

#[test]
fn a_cancel_offers_the_first_waiter_and_a_lapsed_offer_passes_on() {
    let (mut engine, clock) = engine_at("2026-03-02T08:00:00Z");
    engine.create_resource(NewResource::new("room-a")).unwrap();
    let ann = book(
        &mut engine,
        "room-a",
        "ann",
        "2026-03-02T12:00:00Z",
        "2026-03-02T13:00:00Z",
    )
    .unwrap();
    let join = |who: &str| {
        JoinWaitlist::for_resource(
            "room-a",
            who,
            "2026-03-02T12:00:00Z",
            "2026-03-02T13:00:00Z",
        )
        .claim_ttl_secs(600)
    };
    let bob = engine.join_waitlist(join("bob")).unwrap();
    let cat = engine.join_waitlist(join("cat")).unwrap();
    assert_eq!((cat.position, cat.queue_length), (Some(2), 2));
    assert_eq!(
        engine.join_waitlist(join("bob")).unwrap_err().code(),
        ErrorCode::AlreadyExists
    );
    engine.cancel(BookingAction::new(ann.id.clone())).unwrap();
    let bob_now = engine.waitlist_entry(&bob.entry.id).unwrap();
    assert_eq!(bob_now.entry.status, WaitlistStatus::Offered);
    let offer = bob_now.entry.offer.clone().unwrap();
    assert_eq!(offer.expires_at.to_string(), "2026-03-02T08:10:00Z");
    assert_eq!(
        engine.booking(&offer.booking).unwrap().status,
        BookingStatus::Held
    );

    // Bob lets it lapse; without any tick, the next command sees cat's offer, which runs
    // from the moment bob's lapsed.
    clock.set("2026-03-02T08:15:00Z".parse().unwrap());
    let err = book(
        &mut engine,
        "room-a",
        "dan",
        "2026-03-02T12:00:00Z",
        "2026-03-02T13:00:00Z",
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    let cat_now = engine.waitlist_entry(&cat.entry.id).unwrap();
    assert_eq!(cat_now.entry.status, WaitlistStatus::Offered);
    assert_eq!(
        cat_now.entry.offer.unwrap().expires_at.to_string(),
        "2026-03-02T08:20:00Z"
    );
    assert_eq!(
        engine.waitlist_entry(&bob.entry.id).unwrap().entry.status,
        WaitlistStatus::Expired
    );
    // Once cat's lapses too, the room is free for anyone.
    clock.set("2026-03-02T08:30:00Z".parse().unwrap());
    book(
        &mut engine,
        "room-a",
        "dan",
        "2026-03-02T12:00:00Z",
        "2026-03-02T13:00:00Z",
    )
    .unwrap();
    assert!(engine.integrity_check().unwrap().violations.is_empty());
}

#[test]
fn claiming_confirms_the_hold() {
    let (mut engine, _) = engine_at("2026-03-02T08:00:00Z");
    engine.create_resource(NewResource::new("room-a")).unwrap();
    let ann = book(
        &mut engine,
        "room-a",
        "ann",
        "2026-03-02T12:00:00Z",
        "2026-03-02T13:00:00Z",
    )
    .unwrap();
    let bob = engine
        .join_waitlist(JoinWaitlist::for_resource(
            "room-a",
            "bob",
            "2026-03-02T12:00:00Z",
            "2026-03-02T13:00:00Z",
        ))
        .unwrap();
    engine.cancel(BookingAction::new(ann.id)).unwrap();
    let claimed = engine
        .claim_waitlist_offer(WaitlistAction::new(bob.entry.id.clone()))
        .unwrap();
    assert_eq!(claimed.entry.status, WaitlistStatus::Claimed);
    let hold = claimed.entry.offer.unwrap().booking;
    assert_eq!(
        engine.booking(&hold).unwrap().status,
        BookingStatus::Confirmed
    );
}
