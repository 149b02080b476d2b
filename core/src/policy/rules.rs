//! The rule fields a policy can set (P1–P7, P9). Every field is optional: a policy sets
//! only what it cares about, and a more specific policy's field replaces a broader one's.

use serde::{Deserialize, Serialize};

use super::hours::OpeningHours;
use crate::engine::CheckInConfig;
use crate::error::Error;

/// Rule fields, all optional. See [`EffectiveRules`] for the defaults of unset fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// When bookings may take place (P1). Unset: always open.
    pub opening_hours: Option<OpeningHours>,
    /// Starts and ends fall on this grid of minutes, aligned to local midnight (P2).
    pub granularity_mins: Option<u32>,
    /// Shortest booking (P2).
    pub min_duration_mins: Option<u32>,
    /// Longest booking (P2).
    pub max_duration_mins: Option<u32>,
    /// Minimum notice: a booking starts at least this long after now (P3).
    pub lead_time_mins: Option<u32>,
    /// How far ahead a booking may start (P3).
    pub horizon_days: Option<u32>,
    /// Kept free before each booking (P4); neighbours' buffers stack.
    pub buffer_before_mins: Option<u32>,
    /// Kept free after each booking (P4).
    pub buffer_after_mins: Option<u32>,
    /// Per-member limits (P5).
    pub quotas: Option<Quotas>,
    /// Members may not cancel within this many minutes of the start (P6).
    pub cancel_cutoff_mins: Option<u32>,
    /// Members may not modify within this many minutes of the start (P6).
    pub modify_cutoff_mins: Option<u32>,
    /// Hold TTL when a hold names none (B2).
    pub hold_ttl_secs: Option<i64>,
    /// Check-in rules (B6).
    pub check_in: Option<CheckInConfig>,
    /// No-show sanctions (P9).
    pub no_show_sanction: Option<NoShowSanction>,
    /// Most occurrences one recurring series may have (C4).
    pub max_series_occurrences: Option<u32>,
    /// Longest span of one recurring series, from its first start to its last end, in
    /// days (C4).
    pub max_series_days: Option<u32>,
}

/// Per-member limits (P5), counted over the resources the policy applies to, in the
/// booked resource's local calendar (days from local midnight, weeks from Monday).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quotas {
    /// Bookings starting on one local day.
    pub bookings_per_day: Option<u32>,
    /// Bookings starting in one local week (Monday to Sunday).
    pub bookings_per_week: Option<u32>,
    /// Bookings starting in one local calendar month.
    pub bookings_per_month: Option<u32>,
    /// Booked hours starting in one local week.
    pub hours_per_week: Option<u32>,
    /// Bookings held, confirmed or checked in at once (not yet ended).
    pub concurrent_active: Option<u32>,
}

/// No-show sanctions (P9): `no_shows` no-shows within `window_days` suspend booking for
/// `suspend_days` from the last of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoShowSanction {
    /// How many no-shows trigger the suspension.
    pub no_shows: u32,
    /// Within how many days.
    pub window_days: u32,
    /// How long the suspension lasts.
    pub suspend_days: u32,
}

/// Longest granularity, duration, lead time or cutoff accepted, in minutes (one year).
const MAX_MINUTES: u32 = 366 * 24 * 60;

impl Rules {
    /// Lays `specific` over `self`: every field `specific` sets wins; quota fields merge
    /// one by one.
    pub fn overlay(&mut self, specific: &Rules) {
        macro_rules! take {
            ($($field:ident),*) => {$(
                if specific.$field.is_some() {
                    self.$field = specific.$field.clone();
                }
            )*};
        }
        take!(
            opening_hours,
            granularity_mins,
            min_duration_mins,
            max_duration_mins,
            lead_time_mins,
            horizon_days,
            buffer_before_mins,
            buffer_after_mins,
            cancel_cutoff_mins,
            modify_cutoff_mins,
            hold_ttl_secs,
            check_in,
            no_show_sanction,
            max_series_occurrences,
            max_series_days
        );
        if let Some(quotas) = &specific.quotas {
            let mine = self.quotas.get_or_insert_with(Quotas::default);
            let q = quotas.clone();
            mine.bookings_per_day = q.bookings_per_day.or(mine.bookings_per_day);
            mine.bookings_per_week = q.bookings_per_week.or(mine.bookings_per_week);
            mine.bookings_per_month = q.bookings_per_month.or(mine.bookings_per_month);
            mine.hours_per_week = q.hours_per_week.or(mine.hours_per_week);
            mine.concurrent_active = q.concurrent_active.or(mine.concurrent_active);
        }
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(hours) = &self.opening_hours {
            hours.validate()?;
        }
        let minutes = [
            ("granularity_mins", self.granularity_mins),
            ("min_duration_mins", self.min_duration_mins),
            ("max_duration_mins", self.max_duration_mins),
            ("lead_time_mins", self.lead_time_mins),
            ("buffer_before_mins", self.buffer_before_mins),
            ("buffer_after_mins", self.buffer_after_mins),
            ("cancel_cutoff_mins", self.cancel_cutoff_mins),
            ("modify_cutoff_mins", self.modify_cutoff_mins),
        ];
        for (field, value) in minutes {
            if value.is_some_and(|v| v > MAX_MINUTES) {
                return Err(Error::invalid_input(
                    field,
                    format!("`{field}` may be at most {MAX_MINUTES} minutes"),
                ));
            }
        }
        if let Some(g) = self.granularity_mins {
            if g == 0 || 1_440 % g != 0 {
                return Err(Error::invalid_input(
                    "granularity_mins",
                    "granularity must divide a day (1, 5, 15, 30, 60, … minutes)",
                ));
            }
        }
        if let (Some(min), Some(max)) = (self.min_duration_mins, self.max_duration_mins) {
            if min > max {
                return Err(Error::invalid_input(
                    "min_duration_mins",
                    "the minimum duration exceeds the maximum",
                ));
            }
        }
        if self.max_duration_mins == Some(0) {
            return Err(Error::invalid_input(
                "max_duration_mins",
                "must be at least 1",
            ));
        }
        if self.horizon_days.is_some_and(|d| d > 3_660) {
            return Err(Error::invalid_input("horizon_days", "at most 3,660 days"));
        }
        if self.hold_ttl_secs.is_some_and(|t| t <= 0 || t > 86_400) {
            return Err(Error::invalid_input(
                "hold_ttl_secs",
                "a hold TTL must be 1 to 86,400 seconds",
            ));
        }
        if let Some(c) = &self.check_in {
            if c.opens_before_secs < 0 || c.grace_secs < 0 {
                return Err(Error::invalid_input(
                    "check_in",
                    "check-in times must not be negative",
                ));
            }
        }
        if let Some(s) = &self.no_show_sanction {
            if s.no_shows == 0 || s.window_days == 0 || s.suspend_days == 0 {
                return Err(Error::invalid_input(
                    "no_show_sanction",
                    "no-show sanction fields must be at least 1",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_more_specific_field_wins_and_quotas_merge_field_by_field() {
        let mut rules = Rules {
            granularity_mins: Some(15),
            max_duration_mins: Some(480),
            quotas: Some(Quotas {
                bookings_per_day: Some(2),
                hours_per_week: Some(20),
                ..Default::default()
            }),
            ..Default::default()
        };
        rules.overlay(&Rules {
            max_duration_mins: Some(120),
            quotas: Some(Quotas {
                bookings_per_day: Some(1),
                ..Default::default()
            }),
            ..Default::default()
        });
        assert_eq!(rules.granularity_mins, Some(15));
        assert_eq!(rules.max_duration_mins, Some(120));
        let q = rules.quotas.unwrap();
        assert_eq!((q.bookings_per_day, q.hours_per_week), (Some(1), Some(20)));
    }

    #[test]
    fn validation_refuses_nonsense() {
        let bad = [
            Rules {
                granularity_mins: Some(7),
                ..Default::default()
            },
            Rules {
                granularity_mins: Some(0),
                ..Default::default()
            },
            Rules {
                min_duration_mins: Some(60),
                max_duration_mins: Some(30),
                ..Default::default()
            },
            Rules {
                hold_ttl_secs: Some(0),
                ..Default::default()
            },
            Rules {
                lead_time_mins: Some(u32::MAX),
                ..Default::default()
            },
        ];
        for rules in bad {
            assert!(rules.validate().is_err(), "{rules:?}");
        }
        assert!(Rules {
            granularity_mins: Some(45),
            ..Default::default()
        }
        .validate()
        .is_ok());
    }
}
