use serde::{Deserialize, Serialize};

/// Engine-wide settings. Policies (per location, tag or resource) refine these; without
/// them these are what every booking gets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// Hold TTL when a `hold` names none (B2). Default 120 s.
    pub hold_ttl_secs: i64,
    /// Longest hold TTL accepted. Default one day.
    pub max_hold_ttl_secs: i64,
    /// Check-in rules (B6).
    pub check_in: CheckInConfig,
    /// How long idempotency records are kept (B8). Default 24 h.
    pub idempotency_retention_secs: i64,
    /// How many alternatives a conflict answer offers when the request names no number
    /// (A5). Default 3; 0 turns them off.
    pub max_alternatives: u32,
    /// How long a waitlist offer stays open when the entry names no TTL (W3). Default
    /// 15 min.
    pub waitlist_claim_ttl_secs: i64,
    /// Most open entries in one waitlist queue (same target and span) (W1). Default 100.
    pub max_waitlist_length: usize,
    /// Most occurrences one series may have (C4); more is `invalid_input`. Default 1,000.
    pub max_series_occurrences: usize,
    /// A rule with neither COUNT nor UNTIL is cut this many days after its first
    /// occurrence, or at the booking horizon if that is sooner (C4). Default 366.
    pub series_cap_days: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            hold_ttl_secs: 120,
            max_hold_ttl_secs: 86_400,
            check_in: CheckInConfig::default(),
            idempotency_retention_secs: 86_400,
            max_alternatives: 3,
            waitlist_claim_ttl_secs: 900,
            max_waitlist_length: 100,
            max_series_occurrences: 1_000,
            series_cap_days: 366,
        }
    }
}

/// Check-in rules (B6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckInConfig {
    /// Whether bookings must check in; without check-in by start + grace a booking
    /// becomes `no_show` and frees its units. Default false.
    pub required: bool,
    /// How long before the start check-in opens. Default 15 min.
    pub opens_before_secs: i64,
    /// How long after the start a required check-in may come before the booking becomes
    /// a no-show (capped at the end). Optional check-in stays open until the end.
    /// Default 15 min.
    pub grace_secs: i64,
}

impl Default for CheckInConfig {
    fn default() -> Self {
        CheckInConfig {
            required: false,
            opens_before_secs: 900,
            grace_secs: 900,
        }
    }
}
