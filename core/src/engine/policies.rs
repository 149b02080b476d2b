//! Policy commands (R2, P7) and the rules every booking command evaluates (P1–P9).

use std::sync::Arc;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::context::Ctx;
use super::{Engine, EngineConfig};
use crate::audit::{Action, Role};
use crate::availability::why_not::{self, Reason, ReasonCode};
use crate::booking::Booking;
use crate::commands::{DeletePolicy, NewBooking, PutPolicy};
use crate::error::{ConflictItem, Error, ErrorCode, ErrorDetails, Result};
use crate::ids::{BookingId, MemberId};
use crate::policy::{effective_rules, placement_violations, EffectiveRules, Policy, Violation};
use crate::resource::Resource;
use crate::store::{Store, StoreRead};
use crate::time::{Span, Timestamp};

/// What [`Engine::explain`] found about a proposed booking (P8, A7).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Whether the booking would go through as the actor stands.
    pub bookable: bool,
    /// Every policy rule it breaks.
    pub violations: Vec<Violation>,
    /// Everything it would collide with.
    pub conflicts: Vec<ConflictItem>,
    /// Why not, one entry per obstacle (A7): `archived`, `capacity`, `closed`, `blocked`,
    /// `booked`, `buffer` or `policy`. Empty exactly when `bookable`.
    pub reasons: Vec<Reason>,
}

impl<S: Store> Engine<S> {
    /// Creates or replaces a policy (admins and the system only).
    pub fn put_policy(&mut self, cmd: PutPolicy) -> Result<Policy> {
        self.mutate(
            "put_policy",
            &cmd,
            cmd.idempotency_key.as_deref(),
            cmd.actor.clone(),
            |ctx, _, _| {
                require_admin(ctx, "change policies")?;
                cmd.policy.validate()?;
                let policies = ctx.tx.policies()?;
                let before = policies.iter().find(|p| p.id == cmd.policy.id).cloned();
                ctx.tx.put_policy(cmd.policy.clone())?;
                ctx.record_policy(Action::PolicyPut, before.as_ref(), Some(&cmd.policy))?;
                Ok(cmd.policy.clone())
            },
        )
    }

    /// Deletes a policy (admins and the system only); `not_found` if there is none.
    pub fn delete_policy(&mut self, cmd: DeletePolicy) -> Result<Policy> {
        self.mutate(
            "delete_policy",
            &cmd,
            cmd.idempotency_key.as_deref(),
            cmd.actor.clone(),
            |ctx, _, _| {
                require_admin(ctx, "change policies")?;
                let policies = ctx.tx.policies()?;
                let before = policies
                    .iter()
                    .find(|p| p.id == cmd.id)
                    .cloned()
                    .ok_or_else(|| Error::not_found("policy", &cmd.id))?;
                ctx.tx.delete_policy(&cmd.id)?;
                ctx.record_policy(Action::PolicyDeleted, Some(&before), None)?;
                Ok(before)
            },
        )
    }

    /// Every policy, in id order.
    pub fn policies(&self) -> Result<Vec<Policy>> {
        self.store().refresh()?;
        Ok(self.store.policies()?.as_ref().clone())
    }

    /// Evaluates a proposed booking without writing anything (P8): every policy rule it
    /// breaks for its actor, everything it would collide with, and the reasons in short
    /// (A7 "why not").
    ///
    /// ```
    /// use slotwise::{Engine, ManualClock, NewBooking, NewResource, ReasonCode};
    ///
    /// let clock = ManualClock::at("2026-03-02T08:00:00Z".parse().unwrap());
    /// let mut engine = Engine::in_memory().with_clock(clock);
    /// engine.create_resource(NewResource::new("desk-1")).unwrap();
    /// engine.book(NewBooking::new("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T10:00")).unwrap();
    ///
    /// let why = engine.explain(&NewBooking::new("desk-1", "bob", "2026-03-02T09:30", "2026-03-02T10:30")).unwrap();
    /// assert!(!why.bookable);
    /// assert_eq!(why.reasons[0].code, ReasonCode::Booked);
    /// assert_eq!(why.reasons[0].occupant.as_deref(), Some("bk_1"));
    /// ```
    pub fn explain(&self, cmd: &NewBooking) -> Result<Explanation> {
        self.store().refresh()?;
        let now = self.clock.now();
        let store: &dyn StoreRead = &self.store;
        let resource = store
            .resource(&cmd.resource)?
            .ok_or_else(|| Error::not_found("resource", cmd.resource.as_str()))?;
        let role = cmd.actor.as_ref().map_or(Role::Member, |a| a.role);
        let rules = rules_for(store, &resource, role, &self.config)?;
        let tz = resource.tz()?;
        let span =
            super::bookings::resolve_span(&resource, &cmd.start, &cmd.end, cmd.disambiguation)?;
        let violations = evaluate_placement(store, &rules, tz, span, now, &cmd.member, None)?;
        let occupied = span.padded(
            i64::from(rules.buffer_before_mins) * 60_000,
            i64::from(rules.buffer_after_mins) * 60_000,
        );
        let mut reasons = Vec::new();
        if resource.is_archived() {
            reasons.push(why_not::plain(ReasonCode::Archived));
        }
        let mut conflicts = Vec::new();
        if cmd.quantity == 0 || cmd.quantity > resource.capacity {
            reasons.push(why_not::plain(ReasonCode::Capacity));
        } else {
            store.with_index(&resource.id, &mut |idx| {
                conflicts = idx.conflicts(occupied, cmd.quantity, resource.capacity, now, None);
            })?;
        }
        reasons.extend(why_not::reasons(store, span, &violations, &conflicts)?);
        Ok(Explanation {
            bookable: reasons.is_empty(),
            violations,
            conflicts,
            reasons,
        })
    }
}

/// `forbidden` unless the actor is an admin or the system; `what` names the action.
pub(super) fn require_admin(ctx: &Ctx<'_>, what: &str) -> Result<()> {
    if ctx.actor.role == Role::Member {
        return Err(Error::new(
            ErrorCode::Forbidden,
            format!("only admins may {what}"),
            ErrorDetails::None {},
        ));
    }
    Ok(())
}

/// The rules in force on `resource` for `role`.
pub(crate) fn rules_for(
    store: &dyn StoreRead,
    resource: &Resource,
    role: Role,
    config: &EngineConfig,
) -> Result<EffectiveRules> {
    let policies: Arc<Vec<Policy>> = store.policies()?;
    Ok(effective_rules(&policies, resource, role, config))
}

/// Every rule a booking of `span` by `member` breaks; `exclude` is the booking being
/// modified. Reads only the member's bookings that quotas and sanctions can count.
pub(crate) fn evaluate_placement(
    store: &dyn StoreRead,
    rules: &EffectiveRules,
    tz: Tz,
    span: Span,
    now: Timestamp,
    member: &MemberId,
    exclude: Option<&BookingId>,
) -> Result<Vec<Violation>> {
    let mut history: Vec<(Booking, Arc<Resource>)> = Vec::new();
    if rules.quotas.is_some() || rules.no_show_sanction.is_some() {
        // Quotas count within the proposal's month (±1 day for zones); sanctions look back
        // over their window.
        let month_back = span.start.add_millis(-32 * 86_400_000);
        let sanction_back = rules.no_show_sanction.as_ref().map_or(now, |(s, _)| {
            now.add_millis(-i64::from(s.window_days) * 86_400_000)
        });
        // Only the concurrent-active quota counts every booking still active; the calendar
        // quotas need the proposal's month, the sanctions what has happened.
        let counts_all_ahead = rules
            .quotas
            .as_ref()
            .is_some_and(|(q, _)| q.concurrent_active.is_some());
        // A hold stays active until its TTL whenever its span lies, so counting what is
        // active reads the member's whole history.
        let window = if counts_all_ahead {
            Span {
                start: Timestamp::MIN,
                end: Timestamp::MAX,
            }
        } else {
            Span {
                start: month_back.min(sanction_back).min(now),
                end: span
                    .start
                    .add_millis(33 * 86_400_000)
                    .max(now.add_millis(1)),
            }
        };
        let mut found = Vec::new();
        store.member_bookings(member, window, &mut |b| {
            if exclude != Some(&b.id) {
                found.push(b.as_of(now));
            }
        })?;
        for b in found {
            if let Some(r) = store.resource(&b.resource)? {
                history.push((b, r));
            }
        }
    }
    let refs: Vec<(&Booking, &Resource)> = history.iter().map(|(b, r)| (b, &**r)).collect();
    Ok(placement_violations(rules, tz, span, now, &refs))
}

/// Refuses with `policy_violation` unless there are none; an admin's `override` lets them
/// through and records them on the change (P7).
pub(super) fn enforce(
    ctx: &mut Ctx<'_>,
    violations: Vec<Violation>,
    override_policies: bool,
) -> Result<()> {
    // A member asking to override is refused whether or not there is anything to
    // override, so the answer does not depend on the state of the store.
    if override_policies && ctx.actor.role == Role::Member {
        return Err(Error::new(
            ErrorCode::Forbidden,
            "only admins may override policies",
            ErrorDetails::Field {
                field: "override_policies".into(),
            },
        ));
    }
    if violations.is_empty() {
        return Ok(());
    }
    if override_policies {
        ctx.overridden = violations;
        return Ok(());
    }
    Err(Error::policy_violation(violations))
}
