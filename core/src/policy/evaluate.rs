//! Evaluating the rules in force against a proposed booking (P1–P5, P9) or an action on an
//! existing one (P6). Every violation is returned, not only the first (P8).

use chrono::{Datelike, NaiveDate, TimeZone, Timelike};
use chrono_tz::Tz;
use serde_json::json;

use super::scope::EffectiveRules;
use super::violation::{Violation, ViolationCode};
use crate::booking::{Booking, BookingStatus};
use crate::resource::Resource;
use crate::time::{Span, Timestamp, MS_PER_MIN};

const MS_PER_DAY: i64 = 24 * 60 * MS_PER_MIN;

/// A member's other bookings, read as of now, each with its resource: what quotas and
/// sanctions are counted over.
pub type MemberHistory<'a> = [(&'a Booking, &'a Resource)];

/// Every rule a booking of `span` on a resource in `tz` would break, for a member whose
/// other bookings are `history` (the booking being modified excluded).
pub fn placement_violations(
    rules: &EffectiveRules,
    tz: Tz,
    span: Span,
    now: Timestamp,
    history: &MemberHistory<'_>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(hours) = &rules.opening_hours {
        if !hours.is_open_throughout(tz, span) {
            out.push(Violation::new(
                ViolationCode::Closed,
                "the span is not within opening hours",
                json!({"start": span.start, "end": span.end}),
            ));
        }
    }
    let g = rules.granularity_mins;
    if !on_grid(tz, span.start, g) || !on_grid(tz, span.end, g) {
        out.push(Violation::new(
            ViolationCode::Granularity,
            format!("start and end must fall on a {g}-minute grid in local time"),
            json!({"granularity_mins": g}),
        ));
    }
    let minutes = span.len_millis() / MS_PER_MIN;
    if minutes < i64::from(rules.min_duration_mins) {
        out.push(Violation::new(
            ViolationCode::MinDuration,
            format!(
                "a booking lasts at least {} minutes",
                rules.min_duration_mins
            ),
            json!({"min_duration_mins": rules.min_duration_mins, "duration_mins": minutes}),
        ));
    }
    if span.len_millis() > i64::from(rules.max_duration_mins) * MS_PER_MIN {
        out.push(Violation::new(
            ViolationCode::MaxDuration,
            format!(
                "a booking lasts at most {} minutes",
                rules.max_duration_mins
            ),
            json!({"max_duration_mins": rules.max_duration_mins, "duration_mins": minutes}),
        ));
    }
    if let Some(lead) = rules.lead_time_mins {
        let earliest = now.add_millis(i64::from(lead) * MS_PER_MIN);
        if span.start < earliest {
            out.push(Violation::new(
                ViolationCode::LeadTime,
                format!("bookings need {lead} minutes' notice"),
                json!({"lead_time_mins": lead, "earliest_start": earliest}),
            ));
        }
    }
    if let Some(days) = rules.horizon_days {
        let latest = now.add_millis(i64::from(days) * MS_PER_DAY);
        if span.start > latest {
            out.push(Violation::new(
                ViolationCode::Horizon,
                format!("bookings may start at most {days} days ahead"),
                json!({"horizon_days": days, "latest_start": latest}),
            ));
        }
    }
    quota_violations(rules, tz, span, now, history, &mut out);
    if let Some(v) = suspension(rules, now, history) {
        out.push(v);
    }
    out
}

/// The cutoff violation for cancelling (`cancel`) or modifying a booking starting at
/// `start`, if `now` is within the cutoff (P6).
pub fn cutoff_violation(
    rules: &EffectiveRules,
    start: Timestamp,
    now: Timestamp,
    cancel: bool,
) -> Option<Violation> {
    let (cutoff, code, what) = if cancel {
        (
            rules.cancel_cutoff_mins,
            ViolationCode::CancelCutoff,
            "cancelled",
        )
    } else {
        (
            rules.modify_cutoff_mins,
            ViolationCode::ModifyCutoff,
            "modified",
        )
    };
    let deadline = start.add_millis(-i64::from(cutoff) * MS_PER_MIN);
    (cutoff > 0 && now > deadline).then(|| {
        Violation::new(
            code,
            format!("a booking cannot be {what} within {cutoff} minutes of its start"),
            json!({"cutoff_mins": cutoff, "deadline": deadline}),
        )
    })
}

/// Whether `t` is on the `g`-minute grid of local time (aligned to local midnight, which
/// matters for zones such as +05:45).
fn on_grid(tz: Tz, t: Timestamp, g: u32) -> bool {
    let local = tz.from_utc_datetime(&t.to_datetime().naive_utc());
    let minute_of_day = local.hour() * 60 + local.minute();
    t.as_millis() % 60_000 == 0 && local.second() == 0 && minute_of_day % g == 0
}

fn local_date(tz: Tz, t: Timestamp) -> NaiveDate {
    tz.from_utc_datetime(&t.to_datetime().naive_utc())
        .date_naive()
}

fn week_of(date: NaiveDate) -> NaiveDate {
    date - chrono::Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// Statuses that count towards quotas: bookings that are or were real (not cancelled,
/// released or expired).
fn counts(status: BookingStatus) -> bool {
    matches!(
        status,
        BookingStatus::Held
            | BookingStatus::Confirmed
            | BookingStatus::CheckedIn
            | BookingStatus::Completed
            | BookingStatus::NoShow
    )
}

fn quota_violations(
    rules: &EffectiveRules,
    tz: Tz,
    span: Span,
    now: Timestamp,
    history: &MemberHistory<'_>,
    out: &mut Vec<Violation>,
) {
    let Some((quotas, scope)) = &rules.quotas else {
        return;
    };
    let day = local_date(tz, span.start);
    let (week, month) = (week_of(day), (day.year(), day.month()));
    let mut per_day = 1u32;
    let mut per_week = 1u32;
    let mut per_month = 1u32;
    let mut week_minutes = span.len_millis() / MS_PER_MIN;
    let mut active = 1u32;
    for (b, _) in history.iter().filter(|(_, r)| scope.applies_to(r)) {
        if b.occupies_at(now) {
            active += 1;
        }
        if !counts(b.status) {
            continue;
        }
        let d = local_date(tz, b.start);
        per_day += u32::from(d == day);
        if week_of(d) == week {
            per_week += 1;
            week_minutes += b.span().len_millis() / MS_PER_MIN;
        }
        per_month += u32::from((d.year(), d.month()) == month);
    }
    let mut check = |limit: Option<u32>, value: u32, code, what: &str| {
        if let Some(limit) = limit.filter(|&l| value > l) {
            out.push(Violation::new(
                code,
                format!("at most {limit} {what}"),
                json!({"limit": limit, "with_this_booking": value}),
            ));
        }
    };
    check(
        quotas.bookings_per_day,
        per_day,
        ViolationCode::BookingsPerDay,
        "bookings a day",
    );
    check(
        quotas.bookings_per_week,
        per_week,
        ViolationCode::BookingsPerWeek,
        "bookings a week",
    );
    check(
        quotas.bookings_per_month,
        per_month,
        ViolationCode::BookingsPerMonth,
        "bookings a month",
    );
    check(
        quotas.concurrent_active,
        active,
        ViolationCode::ConcurrentActive,
        "active bookings at once",
    );
    if let Some(hours) = quotas.hours_per_week {
        if week_minutes > i64::from(hours) * 60 {
            out.push(Violation::new(
                ViolationCode::HoursPerWeek,
                format!("at most {hours} booked hours a week"),
                json!({"limit_hours": hours, "with_this_booking_mins": week_minutes}),
            ));
        }
    }
}

/// P9: the suspension in force, if `no_shows` no-shows within the window ended less than
/// `suspend_days` ago.
fn suspension(
    rules: &EffectiveRules,
    now: Timestamp,
    history: &MemberHistory<'_>,
) -> Option<Violation> {
    let (sanction, scope) = rules.no_show_sanction.as_ref()?;
    let window_start = now.add_millis(-i64::from(sanction.window_days) * MS_PER_DAY);
    let mut missed: Vec<Timestamp> = history
        .iter()
        .filter(|(b, r)| b.status == BookingStatus::NoShow && scope.applies_to(r))
        .filter_map(|(b, _)| b.ended_at)
        .filter(|&at| at >= window_start && at <= now)
        .collect();
    if missed.len() < sanction.no_shows as usize {
        return None;
    }
    missed.sort();
    let last = *missed.last()?;
    let until = last.add_millis(i64::from(sanction.suspend_days) * MS_PER_DAY);
    (now < until).then(|| {
        Violation::new(
            ViolationCode::Suspended,
            format!(
                "{} no-shows within {} days: booking is suspended until {until}",
                missed.len(),
                sanction.window_days
            ),
            json!({"no_shows": missed.len(), "window_days": sanction.window_days, "until": until}),
        )
    })
}
