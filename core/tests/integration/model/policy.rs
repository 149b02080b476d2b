//! The reference model's policies (P1–P7, P9, and the per-policy B2 hold TTL and B6
//! check-in rules), restated from SPEC.md and the
//! crate docs without the engine's code: scopes are matched and laid over each other by
//! hand, opening hours are checked minute by minute and the calendar is plain arithmetic
//! on minutes since the Unix epoch (every zone the harness uses has a fixed offset).
//!
//! Only the vocabulary types (`Role`, `ViolationCode`) come from the crate.

use slotwise::{Role, ViolationCode};

use super::reference::{BASE_MS, MINUTE};

/// Where a policy applies (P7). The harness uses no locations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PScope {
    Global,
    Resource(usize),
    Tag(&'static str),
}

impl PScope {
    /// Specificity: a more specific scope's fields win (global < location < tag < resource).
    fn rank(self) -> u8 {
        match self {
            PScope::Global => 0,
            PScope::Tag(_) => 2,
            PScope::Resource(_) => 3,
        }
    }
}

/// A weekly schedule in local wall time, Monday first: ranges `(start, end)` in minutes
/// since local midnight; `end <= start` runs overnight into the next date, `end == 1440`
/// is "24:00" (P1).
pub type Week = [Vec<(u16, u16)>; 7];

/// Per-member quotas (P5); `Some` with every limit unset still names the scope they are
/// counted over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PQuotas {
    pub per_day: Option<u32>,
    pub per_week: Option<u32>,
    pub per_month: Option<u32>,
    pub hours_per_week: Option<u32>,
    pub concurrent: Option<u32>,
}

/// B6 check-in rules: required, opens this many seconds before the start, grace seconds.
pub type CheckIn = (bool, i64, i64);

/// P9: this many no-shows within so many days suspend booking for so many days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sanction {
    pub no_shows: u32,
    pub window_days: u32,
    pub suspend_days: u32,
}

/// The rule fields a generated policy may set; every one is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PRules {
    pub granularity: Option<u32>,
    pub min_duration: Option<u32>,
    pub max_duration: Option<u32>,
    pub buffer_before: Option<u32>,
    pub buffer_after: Option<u32>,
    pub hours: Option<Week>,
    pub quotas: Option<PQuotas>,
    pub cancel_cutoff: Option<u32>,
    pub modify_cutoff: Option<u32>,
    pub lead_time: Option<u32>,
    pub horizon_days: Option<u32>,
    pub hold_ttl: Option<i64>,
    pub check_in: Option<CheckIn>,
    pub sanction: Option<Sanction>,
}

/// A policy `p{id}`.
#[derive(Clone, Debug, PartialEq)]
pub struct PPolicy {
    pub id: usize,
    pub scope: PScope,
    pub exempt: Vec<Role>,
    pub rules: PRules,
}

impl PPolicy {
    /// Whether `put_policy` accepts it: a granularity dividing the day, min <= max, a
    /// maximum of at least a minute, no empty or out-of-range opening range, a hold TTL of
    /// 1 s to a day, no negative check-in time, sanction numbers of at least 1.
    pub fn is_valid(&self) -> bool {
        let r = &self.rules;
        let hours_ok = r.hours.as_ref().is_none_or(|week| {
            week.iter().all(|day| {
                day.len() <= 8 && day.iter().all(|&(s, e)| s < 1_440 && e <= 1_440 && s != e)
            })
        });
        let granularity_ok = r.granularity.is_none_or(|g| g > 0 && 1_440 % g == 0);
        let durations_ok = match (r.min_duration, r.max_duration) {
            (Some(min), Some(max)) => min <= max,
            _ => true,
        } && r.max_duration != Some(0);
        let ttl_ok = r.hold_ttl.is_none_or(|t| (1..=86_400).contains(&t));
        let check_in_ok = r
            .check_in
            .is_none_or(|(_, opens, grace)| opens >= 0 && grace >= 0);
        let sanction_ok = r
            .sanction
            .is_none_or(|s| s.no_shows > 0 && s.window_days > 0 && s.suspend_days > 0);
        hours_ok && granularity_ok && durations_ok && ttl_ok && check_in_ok && sanction_ok
    }
}

/// The rules in force for one resource and one role, defaults filled in (P2: a 15-minute
/// grid and at most 8 hours unless a policy says otherwise).
#[derive(Clone, Debug, PartialEq)]
pub struct Eff {
    pub hours: Option<Week>,
    pub granularity: u32,
    pub min_duration: u32,
    pub max_duration: u32,
    pub buffer_before: u32,
    pub buffer_after: u32,
    /// The merged quotas and the scope of the most specific policy that set any.
    pub quotas: Option<(PQuotas, PScope)>,
    pub cancel_cutoff: u32,
    pub modify_cutoff: u32,
    pub lead_time: Option<u32>,
    pub horizon_days: Option<u32>,
    /// `None`: the engine config's.
    pub hold_ttl: Option<i64>,
    /// `None`: the engine config's.
    pub check_in: Option<CheckIn>,
    /// The sanction and the scope of the most specific policy that set it.
    pub sanction: Option<(Sanction, PScope)>,
}

/// P7: every policy whose scope covers the resource (`covers`) and that does not exempt
/// `role`, from the broadest scope to the most specific (ties by id), each set field
/// replacing the one before; quota limits merge one by one.
pub fn effective(policies: &[PPolicy], covers: impl Fn(PScope) -> bool, role: Role) -> Eff {
    let mut applicable: Vec<&PPolicy> = policies
        .iter()
        .filter(|p| covers(p.scope) && !p.exempt.contains(&role))
        .collect();
    applicable.sort_by_key(|p| (p.scope.rank(), p.id));
    let mut acc = PRules::default();
    let mut quota_scope = None;
    let mut sanction_scope = None;
    for p in applicable {
        let r = &p.rules;
        acc.granularity = r.granularity.or(acc.granularity);
        acc.min_duration = r.min_duration.or(acc.min_duration);
        acc.max_duration = r.max_duration.or(acc.max_duration);
        acc.buffer_before = r.buffer_before.or(acc.buffer_before);
        acc.buffer_after = r.buffer_after.or(acc.buffer_after);
        acc.cancel_cutoff = r.cancel_cutoff.or(acc.cancel_cutoff);
        acc.modify_cutoff = r.modify_cutoff.or(acc.modify_cutoff);
        acc.lead_time = r.lead_time.or(acc.lead_time);
        acc.horizon_days = r.horizon_days.or(acc.horizon_days);
        acc.hold_ttl = r.hold_ttl.or(acc.hold_ttl);
        acc.check_in = r.check_in.or(acc.check_in);
        if r.sanction.is_some() {
            acc.sanction = r.sanction;
            sanction_scope = Some(p.scope);
        }
        if r.hours.is_some() {
            acc.hours = r.hours.clone();
        }
        if let Some(q) = r.quotas {
            let mine = acc.quotas.get_or_insert_with(PQuotas::default);
            mine.per_day = q.per_day.or(mine.per_day);
            mine.per_week = q.per_week.or(mine.per_week);
            mine.per_month = q.per_month.or(mine.per_month);
            mine.hours_per_week = q.hours_per_week.or(mine.hours_per_week);
            mine.concurrent = q.concurrent.or(mine.concurrent);
            quota_scope = Some(p.scope);
        }
    }
    Eff {
        hours: acc.hours,
        granularity: acc.granularity.unwrap_or(15),
        min_duration: acc.min_duration.unwrap_or(0),
        max_duration: acc.max_duration.unwrap_or(480),
        buffer_before: acc.buffer_before.unwrap_or(0),
        buffer_after: acc.buffer_after.unwrap_or(0),
        quotas: acc.quotas.zip(quota_scope),
        cancel_cutoff: acc.cancel_cutoff.unwrap_or(0),
        modify_cutoff: acc.modify_cutoff.unwrap_or(0),
        lead_time: acc.lead_time,
        horizon_days: acc.horizon_days,
        hold_ttl: acc.hold_ttl,
        check_in: acc.check_in,
        sanction: acc.sanction.zip(sanction_scope),
    }
}

/// Minutes since the Unix epoch in local time, for model time `t` (whole minutes only).
pub fn local_minute(t: i64, offset_mins: i64) -> i64 {
    (BASE_MS + t).div_euclid(MINUTE) + offset_mins
}

/// The local calendar day (days since 1970-01-01) of model time `t`.
pub fn local_day(t: i64, offset_mins: i64) -> i64 {
    local_minute(t, offset_mins).div_euclid(1_440)
}

/// Monday = 0; 1970-01-01 was a Thursday.
pub fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// The Monday starting the week of `day`.
pub fn week_of(day: i64) -> i64 {
    day - weekday(day) as i64
}

/// The (year, month) of `day`, by the civil-from-days algorithm (proleptic Gregorian).
pub fn month_of(day: i64) -> (i64, i64) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month)
}

/// Whether the local minute `m` (since the epoch) is open: a range of its own date covers
/// it, or an overnight range of the date before runs past it.
fn open_at(week: &Week, m: i64) -> bool {
    let (day, minute) = (m.div_euclid(1_440), m.rem_euclid(1_440));
    let today = week[weekday(day)].iter().any(|&(s, e)| {
        let (s, e) = (i64::from(s), i64::from(e));
        if e > s {
            s <= minute && minute < e
        } else {
            minute >= s
        }
    });
    let spill = week[weekday(day - 1)]
        .iter()
        .any(|&(s, e)| e <= s && minute < i64::from(e));
    today || spill
}

/// P1: every minute of `[start, end)` is open, by brute force.
pub fn open_throughout(week: &Week, start: i64, end: i64, offset_mins: i64) -> bool {
    (start..end)
        .step_by(MINUTE as usize)
        .all(|t| open_at(week, local_minute(t, offset_mins)))
}

/// P2: `t` is a whole minute whose local minute of the day is a multiple of `g`.
pub fn on_grid(t: i64, g: u32, offset_mins: i64) -> bool {
    (BASE_MS + t).rem_euclid(MINUTE) == 0
        && local_minute(t, offset_mins).rem_euclid(1_440) % i64::from(g) == 0
}

/// P6: the cutoff violation for acting on a booking starting at `start`, when `now` is
/// later than `cutoff` minutes before it.
pub fn cutoff(minutes: u32, start: i64, now: i64, code: ViolationCode) -> Option<ViolationCode> {
    (minutes > 0 && now > start - i64::from(minutes) * MINUTE).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_arithmetic_knows_the_base_instant_is_a_monday_at_08_00_utc() {
        let m = local_minute(0, 0);
        assert_eq!(
            (weekday(m.div_euclid(1_440)), m.rem_euclid(1_440)),
            (0, 480)
        );
        // Kathmandu is +05:45: 13:45 local, on the 15-minute grid but not the 30-minute one.
        assert_eq!(local_minute(0, 345).rem_euclid(1_440), 13 * 60 + 45);
        assert!(on_grid(0, 15, 345) && !on_grid(0, 30, 345));
        let day = local_day(0, 0);
        assert_eq!((week_of(day), month_of(day)), (day, (2026, 3)));
        assert_eq!(month_of(day - 2), (2026, 2), "2026-02-28");
        assert_eq!(month_of(0), (1970, 1));
        assert_eq!(month_of(-1), (1969, 12));
    }

    #[test]
    fn overnight_ranges_spill_into_the_next_date_and_24_00_touches_midnight() {
        let mut week: Week = Default::default();
        week[0] = vec![(22 * 60, 6 * 60)]; // Monday 22:00 – Tuesday 06:00
        week[1] = vec![(6 * 60, 1_440)]; // Tuesday 06:00 – 24:00
        let monday_22 = 14 * 60 * MINUTE; // BASE is Monday 08:00 UTC
        assert!(open_throughout(
            &week,
            monday_22,
            monday_22 + 20 * 60 * MINUTE,
            0
        ));
        assert!(!open_throughout(
            &week,
            monday_22 - MINUTE,
            monday_22 + MINUTE,
            0
        ));
        // Wednesday 00:00 is closed: Tuesday's range ends at 24:00.
        let wednesday = monday_22 + 26 * 60 * MINUTE;
        assert!(open_throughout(&week, wednesday - MINUTE, wednesday, 0));
        assert!(!open_throughout(&week, wednesday, wednesday + MINUTE, 0));
    }
}
