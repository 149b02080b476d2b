//! Recurring series (C1–C4): booking one, changing or cancelling one occurrence, this
//! and the following ones, or all, and keeping rule and bookings consistent (the rules
//! are described in [`crate::recurrence`]).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use serde_json::json;

use super::bookings::{
    bookable_resource, booking_actor_for, check_booking_fields, check_quantity, collisions,
    move_booking, moved, new_booking, Move,
};
use super::context::Ctx;
use super::lifecycle::apply_transition;
use super::policies::{enforce, evaluate_placement, rules_for};
use super::{Engine, EngineConfig};
use crate::audit::{Action, Actor, Role};
use crate::booking::{Booking, BookingStatus};
use crate::commands::{BookingAction, ModifyBooking};
use crate::error::{Error, ErrorCode, ErrorDetails, Result};
use crate::ids::IdGenerator;
use crate::limits::{check_opt_text, MAX_LONG_TEXT};
use crate::policy::{cutoff_violation, EffectiveRules, Violation, ViolationCode};
use crate::recurrence::{
    CancelSeries, EditScope, ModifySeries, NewSeries, OccurrenceOutcome, OccurrenceReport,
    ParsedRule, Series, SeriesLink, SeriesMode, SeriesOutcome, SeriesRule, SeriesStatus,
    SeriesView,
};
use crate::resource::Resource;
use crate::store::Store;
use crate::time::{parse_timezone, LocalDateTime, Span, TimeInput, Timestamp, MS_PER_MIN};

/// More occurrences than any stored series can have: the bound for re-expanding one.
const STORED_MAX: usize = 1_000_000;
const MS_PER_DAY: i64 = 24 * 60 * MS_PER_MIN;

impl<S: Store> Engine<S> {
    /// Books a recurring series (C1, C2): every occurrence of the rule, expanded in the
    /// resource's wall time. All-or-nothing refuses with `series_rejected`, listing every
    /// occurrence that failed and why, and writes nothing; best-effort books what it can
    /// and reports the rest as skipped (they become exdates). Policies apply to each
    /// occurrence and to the series as a whole (C4).
    ///
    /// ```
    /// use slotwise::{Engine, ManualClock, NewResource};
    /// use slotwise::recurrence::NewSeries;
    ///
    /// let mut engine = Engine::in_memory()
    ///     .with_clock(ManualClock::at("2026-03-01T08:00:00Z".parse().unwrap()));
    /// engine.create_resource(NewResource::new("room-a").timezone("America/New_York")).unwrap();
    /// // Every Tuesday and Thursday 19:00–21:00 for three weeks, across the DST change
    /// // of 8 March: 19:00 stays 19:00 on the wall clock.
    /// let out = engine.book_series(NewSeries::rrule("room-a", "ann",
    ///     "2026-03-03T19:00", "2026-03-03T21:00", "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6")).unwrap();
    /// assert_eq!(out.occurrences.len(), 6);
    /// assert_eq!(out.occurrences[0].start.unwrap().to_string(), "2026-03-04T00:00:00Z");
    /// assert_eq!(out.occurrences[2].start.unwrap().to_string(), "2026-03-10T23:00:00Z");
    /// ```
    pub fn book_series(&mut self, cmd: NewSeries) -> Result<SeriesOutcome> {
        let actor = booking_actor_for(cmd.actor.as_ref(), &cmd.member);
        self.mutate(
            "book_series",
            &cmd,
            cmd.idempotency_key.as_deref(),
            actor,
            |ctx, ids, config| book(ctx, ids, config, &cmd),
        )
    }

    /// Changes one occurrence, this and the following ones (splitting the series), or
    /// all that have not started (C3). All-or-nothing: if any touched occurrence cannot
    /// move, `series_rejected` lists them and nothing changes.
    pub fn modify_series(&mut self, cmd: ModifySeries) -> Result<SeriesOutcome> {
        self.mutate(
            "modify_series",
            &cmd,
            cmd.idempotency_key.as_deref(),
            cmd.actor.clone(),
            |ctx, _, config| modify(ctx, config, &cmd),
        )
    }

    /// Cancels one occurrence, this and the following ones, or all that have not started
    /// (C3). Cancelled occurrences become exdates; a this-and-following cancel ends the
    /// rule before the named occurrence instead.
    pub fn cancel_series(&mut self, cmd: CancelSeries) -> Result<SeriesOutcome> {
        self.mutate(
            "cancel_series",
            &cmd,
            cmd.idempotency_key.as_deref(),
            cmd.actor.clone(),
            |ctx, _, config| cancel(ctx, config, &cmd),
        )
    }

    /// A series with its bookings, as of now.
    pub fn series(&self, id: &str) -> Result<SeriesView> {
        self.store().refresh()?;
        let now = self.now();
        let series = self
            .store
            .series(id)?
            .ok_or_else(|| Error::not_found("series", id))?;
        let mut bookings = Vec::new();
        self.store
            .series_bookings(id, &mut |b| bookings.push(b.as_of(now)))?;
        Ok(SeriesView { series, bookings })
    }
}

fn book(
    ctx: &mut Ctx<'_>,
    ids: &mut dyn IdGenerator,
    config: &EngineConfig,
    cmd: &NewSeries,
) -> Result<SeriesOutcome> {
    check_booking_fields(
        ctx,
        &cmd.resource,
        &cmd.member,
        cmd.title.as_deref(),
        cmd.description.as_deref(),
        cmd.metadata.as_ref(),
    )?;
    enforce(ctx, Vec::new(), cmd.override_policies)?;
    let resource = bookable_resource(ctx, &cmd.resource)?;
    let tz = resource.tz()?;
    check_quantity(cmd.quantity, &resource)?;
    let rules = rules_for(&*ctx.tx, &resource, ctx.actor.role, config)?;
    let mut rule = first_rule(cmd, tz)?;
    let cap = cap_for(&rule, &rules, tz, ctx.now, config);
    let expansion = rule.expand(tz, cap, config.max_series_occurrences)?;
    if expansion.capped {
        rule.rrule = ParsedRule::parse(&rule.rrule, tz)?.ending_at(cap).to_text();
    }
    if expansion.keys.is_empty() {
        return Err(Error::invalid_input(
            "recurrence",
            "the rule and its dates make no occurrences",
        ));
    }
    enforce(
        ctx,
        series_violations(&rules, &rule, &expansion.keys),
        cmd.override_policies,
    )?;
    let series_overridden = std::mem::take(&mut ctx.overridden);
    let sequence = ctx.tx.next_sequence()?;
    let mut series = Series {
        id: format!("ser_{sequence}"),
        resource: resource.id.clone(),
        member: cmd.member.clone(),
        timezone: resource.timezone.clone(),
        rule,
        disambiguation: cmd.disambiguation,
        quantity: cmd.quantity,
        title: cmd.title.clone(),
        description: cmd.description.clone(),
        attendees: cmd.attendees,
        metadata: cmd.metadata.clone(),
        status: SeriesStatus::Active,
        split_from: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let mut reports = Vec::with_capacity(expansion.keys.len());
    let mut failed = Vec::new();
    for &key in &expansion.keys {
        let report = place_occurrence(
            ctx,
            ids,
            &resource,
            tz,
            &rules,
            &series,
            key,
            cmd.override_policies,
        )?;
        if report.outcome == OccurrenceOutcome::Skipped {
            failed.push(report.clone());
        }
        reports.push(report);
    }
    let booked = reports.len() - failed.len();
    if booked == 0 || (cmd.mode == SeriesMode::AllOrNothing && !failed.is_empty()) {
        return Err(rejected(failed, reports.len()));
    }
    series
        .rule
        .exdates
        .extend(failed.iter().map(|r| r.occurrence));
    series.rule.exdates.sort_unstable();
    ctx.tx.put_series(series.clone())?;
    ctx.overridden = series_overridden;
    ctx.record_series(Action::SeriesCreated, None, &series, None)?;
    Ok(SeriesOutcome {
        series,
        occurrences: reports,
        capped: expansion.capped,
        split_from: None,
    })
}

/// The `series_rejected` error listing the failed occurrences.
fn rejected(failed: Vec<OccurrenceReport>, of: usize) -> Error {
    Error::new(
        ErrorCode::SeriesRejected,
        format!(
            "{} of {of} occurrences cannot be booked; nothing was written",
            failed.len()
        ),
        ErrorDetails::Series {
            occurrences: failed,
        },
    )
}

/// The stored rule of a new series: its first occurrence in wall time and its RRULE.
fn first_rule(cmd: &NewSeries, tz: Tz) -> Result<SeriesRule> {
    let (first_start, first_end, rrule) = match (&cmd.recurrence.rrule, &cmd.recurrence.weekly) {
        (Some(text), None) => {
            let (Some(start), Some(end)) = (&cmd.start, &cmd.end) else {
                return Err(Error::invalid_input(
                    "start",
                    "a series with an `rrule` gives its first occurrence as `start` and `end`",
                ));
            };
            (
                start.to_local(tz, "start")?,
                end.to_local(tz, "end")?,
                text.clone(),
            )
        }
        (None, Some(weekly)) => {
            if cmd.start.is_some() || cmd.end.is_some() {
                return Err(Error::invalid_input(
                    "start",
                    "a `weekly` pattern gives its own times; leave out `start` and `end`",
                ));
            }
            weekly.compile()?
        }
        _ => {
            return Err(Error::invalid_input(
                "recurrence",
                "give exactly one of `rrule` or `weekly`",
            ))
        }
    };
    let (rule, parsed) = SeriesRule::new(first_start, first_end, &rrule, &cmd.recurrence, tz)?;
    let (first, _) = parsed.starts(first_start.0, None, 1)?;
    if first.first() != Some(&first_start.0) {
        return Err(Error::invalid_input(
            "start",
            format!(
                "the first occurrence {first_start} is not one the rule makes; start on a day the rule names"
            ),
        ));
    }
    if rule.rdates.first().is_some_and(|r| *r < first_start) {
        return Err(Error::invalid_input(
            "recurrence.rdates",
            "an RDATE may not come before the first occurrence",
        ));
    }
    Ok(rule)
}

/// Where an unbounded rule is cut (C4): the horizon, or the configured number of days
/// after the first occurrence, whichever is sooner.
fn cap_for(
    rule: &SeriesRule,
    rules: &EffectiveRules,
    tz: Tz,
    now: Timestamp,
    config: &EngineConfig,
) -> NaiveDateTime {
    let by_days = rule.first_start.0 + chrono::Duration::days(i64::from(config.series_cap_days));
    let cap = match rules.horizon_days {
        Some(days) => {
            let horizon = now.add_millis(i64::from(days) * MS_PER_DAY);
            by_days.min(LocalDateTime::at(horizon, tz).0)
        }
        None => by_days,
    };
    // A first occurrence beyond the horizon is still listed, to be refused by the rule.
    cap.max(rule.first_start.0)
}

/// The series-wide rules a set of occurrences breaks (C4).
fn series_violations(
    rules: &EffectiveRules,
    rule: &SeriesRule,
    keys: &[LocalDateTime],
) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(max) = rules.max_series_occurrences {
        if keys.len() > max as usize {
            out.push(Violation::new(
                ViolationCode::SeriesOccurrences,
                format!("a series has at most {max} occurrences"),
                json!({"max_series_occurrences": max, "occurrences": keys.len()}),
            ));
        }
    }
    if let (Some(max), Some(last)) = (rules.max_series_days, keys.last()) {
        let (_, last_end) = rule.occurrence(*last);
        let days = (last_end.0 - rule.first_start.0).num_minutes() as f64 / 1_440.0;
        if days > f64::from(max) {
            out.push(Violation::new(
                ViolationCode::SeriesDays,
                format!("a series spans at most {max} days"),
                json!({"max_series_days": max, "days": days.ceil() as i64}),
            ));
        }
    }
    out
}

/// The span occurrence `key` takes in `tz`, or why it has none (a DST gap or fold with
/// `reject`, or a span the DST change made empty).
fn occurrence_span(
    series: &Series,
    key: LocalDateTime,
    duration: chrono::Duration,
    tz: Tz,
) -> std::result::Result<Span, ErrorCode> {
    SeriesRule::span_of(key, duration, tz, series.disambiguation)
        .map_err(|e| e.code())?
        .ok_or(ErrorCode::NonexistentLocalTime)
}

fn skipped(key: LocalDateTime, span: Option<Span>, reason: ErrorCode) -> OccurrenceReport {
    OccurrenceReport {
        occurrence: key,
        start: span.map(|s| s.start),
        end: span.map(|s| s.end),
        outcome: OccurrenceOutcome::Skipped,
        booking: None,
        reason: Some(reason),
        conflicts: Vec::new(),
        violations: Vec::new(),
    }
}

fn booked(key: LocalDateTime, booking: &Booking) -> OccurrenceReport {
    OccurrenceReport {
        occurrence: key,
        start: Some(booking.start),
        end: Some(booking.end),
        outcome: OccurrenceOutcome::Booked,
        booking: Some(booking.id.clone()),
        reason: None,
        conflicts: Vec::new(),
        violations: Vec::new(),
    }
}

/// Books occurrence `key` of `series` if it can be: its wall time exists, the member's
/// rules allow it (or an admin overrides them) and it fits.
#[allow(clippy::too_many_arguments)]
fn place_occurrence(
    ctx: &mut Ctx<'_>,
    ids: &mut dyn IdGenerator,
    resource: &Resource,
    tz: Tz,
    rules: &EffectiveRules,
    series: &Series,
    key: LocalDateTime,
    override_policies: bool,
) -> Result<OccurrenceReport> {
    let span = match occurrence_span(series, key, series.rule.wall_duration(), tz) {
        Ok(span) => span,
        Err(code) => return Ok(skipped(key, None, code)),
    };
    let violations = evaluate_placement(&*ctx.tx, rules, tz, span, ctx.now, &series.member, None)?;
    if !violations.is_empty() && !override_policies {
        return Ok(OccurrenceReport {
            violations,
            ..skipped(key, Some(span), ErrorCode::PolicyViolation)
        });
    }
    let mut booking = new_booking(
        Default::default(),
        &resource.id,
        &series.member,
        span,
        series.quantity,
        rules,
        None,
        ctx.now,
    );
    let conflicts = collisions(ctx, resource, &booking, None, ctx.now)?;
    if !conflicts.is_empty() {
        return Ok(OccurrenceReport {
            conflicts,
            ..skipped(key, Some(span), ErrorCode::Conflict)
        });
    }
    let sequence = ctx.tx.next_sequence()?;
    booking.id = ids.booking_id(sequence);
    booking.title = series.title.clone();
    booking.description = series.description.clone();
    booking.attendees = series.attendees;
    booking.metadata = series.metadata.clone();
    booking.series = Some(SeriesLink {
        id: series.id.clone(),
        occurrence: key,
    });
    ctx.tx.put_booking(booking.clone())?;
    ctx.overridden = violations;
    ctx.record_booking(Action::BookingCreated, None, &booking, None)?;
    Ok(booked(key, &booking))
}

/// A series the actor may act on (its member, or an admin), at the expected version.
fn series_for_action(ctx: &mut Ctx<'_>, id: &str, expected: Option<u64>) -> Result<Series> {
    let series = ctx
        .tx
        .series(id)?
        .ok_or_else(|| Error::not_found("series", id))?;
    if !ctx.actor_given {
        ctx.actor = Actor::member(series.member.as_str());
    }
    if ctx.actor.role == Role::Member && ctx.actor.id != series.member.as_str() {
        return Err(Error::new(
            ErrorCode::Forbidden,
            format!(
                "member `{}` may not change series `{id}` of another member",
                ctx.actor.id
            ),
            ErrorDetails::Entity {
                entity: "series".into(),
                id: id.to_owned(),
            },
        ));
    }
    if let Some(expected) = expected {
        super::context::check_version("series", id, expected, series.version)?;
    }
    Ok(series)
}

/// The series' live bookings (any state but cancelled or released) as of now, in
/// occurrence order.
fn live_bookings(ctx: &Ctx<'_>, id: &str) -> Result<Vec<Booking>> {
    let mut out = Vec::new();
    ctx.tx.series_bookings(id, &mut |b| {
        let b = b.as_of(ctx.now);
        if is_live(&b) {
            out.push(b);
        }
    })?;
    Ok(out)
}

/// Whether a series booking stands for its occurrence: anything but cancelled or released.
pub(crate) fn is_live(b: &Booking) -> bool {
    !matches!(b.status, BookingStatus::Cancelled | BookingStatus::Released)
}

fn key_of(b: &Booking) -> LocalDateTime {
    b.series
        .as_ref()
        .map(|l| l.occurrence)
        .expect("series bookings carry their link")
}

/// The first occurrence a `following` or `all` edit touches, and the live bookings from
/// it on; none of them may have begun.
fn pivot(
    ctx: &Ctx<'_>,
    scope: EditScope,
    occurrence: Option<LocalDateTime>,
    live: Vec<Booking>,
) -> Result<Pivot> {
    let pivot = match scope {
        EditScope::Following => {
            let key = occurrence.ok_or_else(|| {
                Error::invalid_input("occurrence", "name the occurrence to change from")
            })?;
            if !live.iter().any(|b| key_of(b) == key) {
                return Err(Error::not_found("occurrence", &key.to_string()));
            }
            key
        }
        _ => live
            .iter()
            .rev()
            .take_while(|b| b.start > ctx.now)
            .last()
            .map(key_of)
            .ok_or_else(|| {
                Error::invalid_input("series", "no occurrence of this series is still to come")
            })?,
    };
    let (touched, before): (Vec<Booking>, Vec<Booking>) =
        live.into_iter().partition(|b| key_of(b) >= pivot);
    if let Some(begun) = touched.iter().find(|b| b.start <= ctx.now) {
        return Err(Error::invalid_input(
            "occurrence",
            format!(
                "occurrence {} has begun; change the series from a later one",
                key_of(begun)
            ),
        ));
    }
    Ok(Pivot {
        key: pivot,
        touched,
        history: !before.is_empty(),
    })
}

/// Where a `following` or `all` edit starts.
struct Pivot {
    /// The first occurrence it touches.
    key: LocalDateTime,
    /// The live bookings from there on.
    touched: Vec<Booking>,
    /// Whether live occurrences come before it: then the series is split there, else
    /// changed in place.
    history: bool,
}

/// The rule split at `pivot`: the part before (ending with the last rule start before
/// it) and the rule starts from it on.
fn split_rule(
    series: &Series,
    tz: Tz,
    pivot: LocalDateTime,
) -> Result<(SeriesRule, Vec<NaiveDateTime>)> {
    let parsed = ParsedRule::parse(&series.rule.rrule, tz)?;
    let (starts, _) = parsed.starts(series.rule.first_start.0, None, STORED_MAX)?;
    let (before, after): (Vec<_>, Vec<_>) = starts.into_iter().partition(|s| *s < pivot.0);
    let mut head = series.rule.clone();
    if let Some(last) = before.last() {
        head.rrule = parsed.ending_at(*last).to_text();
    }
    head.exdates.retain(|k| *k < pivot);
    head.rdates.retain(|k| *k < pivot);
    Ok((head, after))
}

fn modify(ctx: &mut Ctx<'_>, config: &EngineConfig, cmd: &ModifySeries) -> Result<SeriesOutcome> {
    check_opt_text("reason", cmd.reason.as_deref(), MAX_LONG_TEXT)?;
    let series = series_for_action(ctx, &cmd.series, cmd.expected_version)?;
    enforce(ctx, Vec::new(), cmd.override_policies)?;
    if cmd.times.is_none() && cmd.resource.is_none() && cmd.quantity.is_none() {
        return Err(Error::invalid_input(
            "series",
            "give new `times`, a `resource` or a `quantity`",
        ));
    }
    let tz = parse_timezone(&series.timezone)?;
    let live = live_bookings(ctx, &series.id)?;
    if cmd.scope == EditScope::One {
        return modify_one(ctx, config, cmd, series, tz, &live);
    }
    let Pivot {
        key: pivot,
        touched,
        history: split,
    } = pivot(ctx, cmd.scope, cmd.occurrence, live)?;
    let retime = |k: LocalDateTime| match cmd.times {
        Some(t) => LocalDateTime(t.start_on(k.0.date())),
        None => k,
    };
    let duration = match cmd.times {
        Some(t) => t.wall_length(),
        None => series.rule.wall_duration(),
    };
    let (head, tail_starts) = split_rule(&series, tz, pivot)?;
    let (Some(first), Some(last)) = (tail_starts.first(), tail_starts.last()) else {
        return Err(Error::invalid_input(
            "occurrence",
            "only occurrences added by RDATE remain; change them one by one",
        ));
    };
    let parsed = ParsedRule::parse(&series.rule.rrule, tz)?;
    let first_start = retime(LocalDateTime(*first));
    let mut tail = SeriesRule {
        first_start,
        first_end: LocalDateTime(first_start.0 + duration),
        rrule: parsed.ending_at(retime(LocalDateTime(*last)).0).to_text(),
        exdates: series
            .rule
            .exdates
            .iter()
            .filter(|k| **k >= pivot)
            .map(|k| retime(*k))
            .collect(),
        rdates: series
            .rule
            .rdates
            .iter()
            .filter(|k| **k >= pivot)
            .map(|k| retime(*k))
            .collect(),
    };
    tail.normalise_lists()?;
    // The new rule must make exactly the moved occurrences, or the series would drift
    // from its bookings (e.g. a sub-daily rule cannot take one time of day).
    let old_keys = series.rule.expand(tz, NaiveDateTime::MAX, STORED_MAX)?.keys;
    let mut expected: Vec<LocalDateTime> = old_keys
        .iter()
        .filter(|k| **k >= pivot)
        .map(|k| retime(*k))
        .collect();
    expected.sort_unstable();
    expected.dedup();
    let made = tail.expand(tz, NaiveDateTime::MAX, STORED_MAX)?.keys;
    if made != expected {
        return Err(Error::invalid_input(
            "times",
            "this rule cannot take one time of day for all its occurrences; change them one by one",
        ));
    }
    let new_id = if split {
        format!("ser_{}", ctx.tx.next_sequence()?)
    } else {
        series.id.clone()
    };
    let target_resource = cmd.resource.clone();
    // Take every touched booking out of the way first, so occurrences may move onto
    // each other's old places.
    for b in &touched {
        let mut out_of_the_way = b.clone();
        out_of_the_way.status = BookingStatus::Released;
        ctx.tx.put_booking(out_of_the_way)?;
    }
    let mut reports = Vec::new();
    let mut failed = Vec::new();
    for before in &touched {
        let key = retime(key_of(before));
        let resource_id = target_resource
            .clone()
            .unwrap_or_else(|| before.resource.clone());
        let resource = bookable_resource(ctx, &resource_id)?;
        let quantity = cmd.quantity.unwrap_or(before.quantity);
        check_quantity(quantity, &resource)?;
        let rules = rules_for(&*ctx.tx, &resource, ctx.actor.role, config)?;
        let span = match occurrence_span(&series, key, duration, tz) {
            Ok(span) => span,
            Err(code) => {
                failed.push(skipped(key, None, code));
                continue;
            }
        };
        let mut violations: Vec<Violation> = cutoff_violation(&rules, before.start, ctx.now, false)
            .into_iter()
            .collect();
        violations.extend(evaluate_placement(
            &*ctx.tx,
            &rules,
            resource.tz()?,
            span,
            ctx.now,
            &before.member,
            Some(&before.id),
        )?);
        if !violations.is_empty() && !cmd.override_policies {
            failed.push(OccurrenceReport {
                violations,
                ..skipped(key, Some(span), ErrorCode::PolicyViolation)
            });
            continue;
        }
        let mut after = moved(before, &resource.id, span, quantity, &rules, ctx.now);
        after.series = Some(SeriesLink {
            id: new_id.clone(),
            occurrence: key,
        });
        let conflicts = collisions(ctx, &resource, &after, None, ctx.now)?;
        if !conflicts.is_empty() {
            failed.push(OccurrenceReport {
                conflicts,
                ..skipped(key, Some(span), ErrorCode::Conflict)
            });
            continue;
        }
        ctx.tx.put_booking(after.clone())?;
        ctx.overridden = violations;
        ctx.record_booking(
            Action::BookingModified,
            Some(before),
            &after,
            cmd.reason.as_deref(),
        )?;
        reports.push(booked(key, &after));
    }
    if !failed.is_empty() {
        return Err(rejected(failed, touched.len()));
    }
    let mut changed = series.clone();
    changed.rule = tail;
    if let Some(r) = &target_resource {
        changed.resource = r.clone();
    }
    changed.quantity = cmd.quantity.unwrap_or(series.quantity);
    changed.updated_at = ctx.now;
    if split {
        let mut head_series = series.clone();
        head_series.rule = head;
        head_series.version += 1;
        head_series.updated_at = ctx.now;
        ctx.tx.put_series(head_series.clone())?;
        ctx.record_series(
            Action::SeriesUpdated,
            Some(&series),
            &head_series,
            cmd.reason.as_deref(),
        )?;
        changed.id = new_id;
        changed.split_from = Some(series.id.clone());
        changed.version = 1;
        changed.created_at = ctx.now;
        ctx.tx.put_series(changed.clone())?;
        ctx.record_series(Action::SeriesCreated, None, &changed, cmd.reason.as_deref())?;
        Ok(SeriesOutcome {
            series: changed,
            occurrences: reports,
            capped: false,
            split_from: Some(Box::new(head_series)),
        })
    } else {
        changed.version += 1;
        ctx.tx.put_series(changed.clone())?;
        ctx.record_series(
            Action::SeriesUpdated,
            Some(&series),
            &changed,
            cmd.reason.as_deref(),
        )?;
        Ok(SeriesOutcome {
            series: changed,
            occurrences: reports,
            capped: false,
            split_from: None,
        })
    }
}

/// A one-occurrence change: the occurrence's booking is modified like any booking and
/// keeps its key, so it stays part of the series as an exception.
fn modify_one(
    ctx: &mut Ctx<'_>,
    config: &EngineConfig,
    cmd: &ModifySeries,
    series: Series,
    tz: Tz,
    live: &[Booking],
) -> Result<SeriesOutcome> {
    let key = cmd
        .occurrence
        .ok_or_else(|| Error::invalid_input("occurrence", "name the occurrence to change"))?;
    let before = live
        .iter()
        .find(|b| key_of(b) == key)
        .ok_or_else(|| Error::not_found("occurrence", &key.to_string()))?;
    let (start, end) = match cmd.times {
        Some(t) => {
            let start = LocalDateTime(t.start_on(key.0.date()));
            let end = LocalDateTime(start.0 + t.wall_length());
            // Read in the series' zone whatever resource it moves to.
            let span = occurrence_span(&series, start, end.0 - start.0, tz).map_err(|code| {
                Error::new(
                    code,
                    format!("{start} has no single instant in {}", series.timezone),
                    ErrorDetails::Field {
                        field: "times".into(),
                    },
                )
            })?;
            (
                Some(TimeInput::from(span.start)),
                Some(TimeInput::from(span.end)),
            )
        }
        None => (None, None),
    };
    let change = ModifyBooking {
        booking: before.id.clone(),
        resource: cmd.resource.clone(),
        start,
        end,
        quantity: cmd.quantity,
        reason: cmd.reason.clone(),
        override_policies: cmd.override_policies,
        ..Default::default()
    };
    let after = move_booking(ctx, config, &change, Move::Modify)?;
    Ok(SeriesOutcome {
        series,
        occurrences: vec![booked(key, &after)],
        capped: false,
        split_from: None,
    })
}

fn cancel(ctx: &mut Ctx<'_>, config: &EngineConfig, cmd: &CancelSeries) -> Result<SeriesOutcome> {
    check_opt_text("reason", cmd.reason.as_deref(), MAX_LONG_TEXT)?;
    let series = series_for_action(ctx, &cmd.series, cmd.expected_version)?;
    let tz = parse_timezone(&series.timezone)?;
    let live = live_bookings(ctx, &series.id)?;
    let Pivot {
        key: pivot,
        touched,
        history,
    } = match cmd.scope {
        EditScope::One => {
            let key = cmd.occurrence.ok_or_else(|| {
                Error::invalid_input("occurrence", "name the occurrence to cancel")
            })?;
            let one: Vec<Booking> = live.into_iter().filter(|b| key_of(b) == key).collect();
            if one.is_empty() {
                return Err(Error::not_found("occurrence", &key.to_string()));
            }
            Pivot {
                key,
                touched: one,
                history: true,
            }
        }
        scope => pivot(ctx, scope, cmd.occurrence, live)?,
    };
    let mut reports = Vec::new();
    for b in &touched {
        let to = if b.status == BookingStatus::Held {
            BookingStatus::Released
        } else {
            BookingStatus::Cancelled
        };
        let action = if to == BookingStatus::Released {
            Action::BookingReleased
        } else {
            Action::BookingCancelled
        };
        let one = BookingAction {
            booking: b.id.clone(),
            reason: cmd.reason.clone(),
            ..Default::default()
        };
        let after = apply_transition(ctx, config, &one, to, action, |_, _| Ok(()))?;
        reports.push(OccurrenceReport {
            outcome: OccurrenceOutcome::Skipped,
            reason: None,
            ..booked(key_of(b), &after)
        });
    }
    if cmd.scope != EditScope::One {
        let mut after = series.clone();
        if history {
            after.rule = split_rule(&series, tz, pivot)?.0;
            // The rule now ends before these; they need no exdates.
            ctx.ended_occurrences
                .retain(|l| l.id != series.id || l.occurrence < pivot);
        }
        if cmd.scope == EditScope::All || !history {
            after.status = SeriesStatus::Cancelled;
        }
        after.version += 1;
        after.updated_at = ctx.now;
        ctx.tx.put_series(after.clone())?;
        ctx.record_series(
            Action::SeriesUpdated,
            Some(&series),
            &after,
            cmd.reason.as_deref(),
        )?;
    }
    exclude_ended(ctx)?;
    let series = ctx
        .tx
        .series(&series.id)?
        .ok_or_else(|| Error::internal("a cancelled series vanished"))?;
    Ok(SeriesOutcome {
        series,
        occurrences: reports,
        capped: false,
        split_from: None,
    })
}

/// Makes every series occurrence this command cancelled or released an exdate of its
/// series, so the series' rule and its live bookings keep agreeing (C3). One update per
/// series.
pub(super) fn exclude_ended(ctx: &mut Ctx<'_>) -> Result<()> {
    if ctx.ended_occurrences.is_empty() {
        return Ok(());
    }
    let mut by_series: BTreeMap<String, Vec<LocalDateTime>> = BTreeMap::new();
    for link in std::mem::take(&mut ctx.ended_occurrences) {
        by_series.entry(link.id).or_default().push(link.occurrence);
    }
    for (id, keys) in by_series {
        let Some(before) = ctx.tx.series(&id)? else {
            continue;
        };
        let tz = parse_timezone(&before.timezone)?;
        let current = before.rule.expand(tz, NaiveDateTime::MAX, STORED_MAX)?.keys;
        let live: Vec<LocalDateTime> = live_bookings(ctx, &id)?.iter().map(key_of).collect();
        let mut after = before.clone();
        for key in keys {
            if current.binary_search(&key).is_ok() && !live.contains(&key) {
                after.rule.exdates.push(key);
            }
        }
        after.rule.exdates.sort_unstable();
        after.rule.exdates.dedup();
        if after.rule.exdates == before.rule.exdates {
            continue;
        }
        after.version += 1;
        after.updated_at = ctx.now;
        ctx.tx.put_series(after.clone())?;
        ctx.record_series(Action::SeriesUpdated, Some(&before), &after, None)?;
    }
    Ok(())
}
