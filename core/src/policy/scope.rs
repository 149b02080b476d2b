//! Policies and their scopes (R2, P7): global → location → tag → resource, the most
//! specific winning field by field, with role exemptions.

use serde::{Deserialize, Serialize};

use super::hours::OpeningHours;
use super::rules::{NoShowSanction, Quotas, Rules};
use crate::audit::Role;
use crate::engine::{CheckInConfig, EngineConfig};
use crate::error::Error;
use crate::ids::ResourceId;
use crate::limits::{check_text, MAX_SHORT_TEXT};
use crate::resource::Resource;

/// Where a policy applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every resource.
    Global,
    /// Resources of one location.
    Location(String),
    /// Resources carrying one tag.
    Tag(String),
    /// One resource.
    Resource(ResourceId),
}

impl Scope {
    /// Specificity: global 0, location 1, tag 2, resource 3.
    pub fn rank(&self) -> u8 {
        match self {
            Scope::Global => 0,
            Scope::Location(_) => 1,
            Scope::Tag(_) => 2,
            Scope::Resource(_) => 3,
        }
    }

    /// Whether the scope covers `resource`.
    pub fn applies_to(&self, resource: &Resource) -> bool {
        match self {
            Scope::Global => true,
            Scope::Location(l) => resource.location.as_deref() == Some(l.as_str()),
            Scope::Tag(t) => resource.tags.iter().any(|x| x == t),
            Scope::Resource(id) => &resource.id == id,
        }
    }
}

/// A named set of rules for a scope (R2, P7).
///
/// ```
/// use slotwise::policy::Policy;
/// let p: Policy = serde_json::from_value(serde_json::json!({
///     "id": "rooms",
///     "scope": {"tag": "room"},
///     "exempt_roles": ["admin"],
///     "rules": {"max_duration_mins": 120, "quotas": {"bookings_per_day": 1}}
/// })).unwrap();
/// assert_eq!(p.rules.max_duration_mins, Some(120));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Caller-chosen id.
    pub id: String,
    /// Where it applies.
    pub scope: Scope,
    /// Roles its rules do not bind.
    #[serde(default)]
    pub exempt_roles: Vec<Role>,
    /// The rules.
    #[serde(default)]
    pub rules: Rules,
}

impl Policy {
    /// Checks the id, scope and rules.
    pub fn validate(&self) -> Result<(), Error> {
        crate::ids::ResourceId::from(self.id.as_str()).validate("id")?;
        match &self.scope {
            Scope::Location(s) | Scope::Tag(s) => check_text("scope", s, MAX_SHORT_TEXT)?,
            Scope::Resource(id) => id.validate("scope")?,
            Scope::Global => {}
        }
        self.rules.validate()
    }
}

/// The rules in force for one resource and one actor, with defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectiveRules {
    /// Opening hours (`None`: always open).
    pub opening_hours: Option<OpeningHours>,
    /// Grid in minutes (default 15).
    pub granularity_mins: u32,
    /// Shortest booking in minutes (default: none).
    pub min_duration_mins: u32,
    /// Longest booking in minutes (default 480, i.e. 8 h).
    pub max_duration_mins: u32,
    /// Minimum notice in minutes (default: none, so past spans may be booked, e.g. by
    /// an admin recording what happened).
    pub lead_time_mins: Option<u32>,
    /// Furthest start, in days ahead (default: none).
    pub horizon_days: Option<u32>,
    /// Buffer before, minutes (default 0).
    pub buffer_before_mins: u32,
    /// Buffer after, minutes (default 0).
    pub buffer_after_mins: u32,
    /// Quotas and the scope they are counted over.
    pub quotas: Option<(Quotas, Scope)>,
    /// Cancellation cutoff, minutes (default 0).
    pub cancel_cutoff_mins: u32,
    /// Modification cutoff, minutes (default 0).
    pub modify_cutoff_mins: u32,
    /// Hold TTL (default from the engine config).
    pub hold_ttl_secs: i64,
    /// Check-in rules (default from the engine config).
    pub check_in: CheckInConfig,
    /// No-show sanction and the scope its no-shows are counted over.
    pub no_show_sanction: Option<(NoShowSanction, Scope)>,
    /// Most occurrences in one series (default: the engine's hard limit only).
    pub max_series_occurrences: Option<u32>,
    /// Longest series, in days (default: none).
    pub max_series_days: Option<u32>,
}

/// Default granularity (P2).
pub const DEFAULT_GRANULARITY_MINS: u32 = 15;
/// Default maximum duration (P2): 8 hours.
pub const DEFAULT_MAX_DURATION_MINS: u32 = 480;

/// The rules in force for `resource` when `role` acts: every policy whose scope covers the
/// resource and that does not exempt the role, laid over each other from the broadest scope
/// to the most specific (ties by policy id), then defaults for what none sets.
pub fn effective_rules(
    policies: &[Policy],
    resource: &Resource,
    role: Role,
    config: &EngineConfig,
) -> EffectiveRules {
    let mut applicable: Vec<&Policy> = policies
        .iter()
        .filter(|p| p.scope.applies_to(resource) && !p.exempt_roles.contains(&role))
        .collect();
    applicable.sort_by(|a, b| (a.scope.rank(), &a.id).cmp(&(b.scope.rank(), &b.id)));
    let mut rules = Rules::default();
    let mut quota_scope = None;
    let mut sanction_scope = None;
    for p in &applicable {
        rules.overlay(&p.rules);
        if p.rules.quotas.is_some() {
            quota_scope = Some(p.scope.clone());
        }
        if p.rules.no_show_sanction.is_some() {
            sanction_scope = Some(p.scope.clone());
        }
    }
    EffectiveRules {
        opening_hours: rules.opening_hours,
        granularity_mins: rules.granularity_mins.unwrap_or(DEFAULT_GRANULARITY_MINS),
        min_duration_mins: rules.min_duration_mins.unwrap_or(0),
        max_duration_mins: rules.max_duration_mins.unwrap_or(DEFAULT_MAX_DURATION_MINS),
        lead_time_mins: rules.lead_time_mins,
        horizon_days: rules.horizon_days,
        buffer_before_mins: rules.buffer_before_mins.unwrap_or(0),
        buffer_after_mins: rules.buffer_after_mins.unwrap_or(0),
        quotas: rules.quotas.zip(quota_scope),
        cancel_cutoff_mins: rules.cancel_cutoff_mins.unwrap_or(0),
        modify_cutoff_mins: rules.modify_cutoff_mins.unwrap_or(0),
        hold_ttl_secs: rules.hold_ttl_secs.unwrap_or(config.hold_ttl_secs),
        check_in: rules.check_in.unwrap_or_else(|| config.check_in.clone()),
        no_show_sanction: rules.no_show_sanction.zip(sanction_scope),
        max_series_occurrences: rules.max_series_occurrences,
        max_series_days: rules.max_series_days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::empty_object;
    use crate::time::Timestamp;

    fn desk(tags: &[&str], location: Option<&str>) -> Resource {
        Resource {
            id: "desk-1".into(),
            name: "desk-1".into(),
            kind: "desk".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            capacity: 1,
            timezone: "UTC".into(),
            location: location.map(str::to_owned),
            attributes: empty_object(),
            archived_at: None,
            version: 1,
            created_at: Timestamp::MIN,
            updated_at: Timestamp::MIN,
        }
    }

    fn policy(id: &str, scope: Scope, max: u32) -> Policy {
        Policy {
            id: id.into(),
            scope,
            exempt_roles: vec![],
            rules: Rules {
                max_duration_mins: Some(max),
                ..Default::default()
            },
        }
    }

    #[test]
    fn the_most_specific_scope_wins_whatever_the_order_given() {
        let policies = vec![
            policy("r", Scope::Resource("desk-1".into()), 30),
            policy("t", Scope::Tag("quiet".into()), 60),
            policy("l", Scope::Location("hq".into()), 90),
            policy("g", Scope::Global, 120),
        ];
        let cfg = EngineConfig::default();
        let max =
            |r: &Resource| effective_rules(&policies, r, Role::Member, &cfg).max_duration_mins;
        assert_eq!(max(&desk(&["quiet"], Some("hq"))), 30);
        let mut other = desk(&["quiet"], Some("hq"));
        other.id = "desk-2".into();
        assert_eq!(max(&other), 60);
        other.tags.clear();
        assert_eq!(max(&other), 90);
        other.location = None;
        assert_eq!(max(&other), 120);
        assert_eq!(
            effective_rules(&[], &other, Role::Member, &cfg).max_duration_mins,
            480
        );
    }

    #[test]
    fn exempt_roles_skip_the_policy() {
        let mut p = policy("g", Scope::Global, 60);
        p.exempt_roles = vec![Role::Admin];
        let cfg = EngineConfig::default();
        let r = desk(&[], None);
        assert_eq!(
            effective_rules(&[p.clone()], &r, Role::Member, &cfg).max_duration_mins,
            60
        );
        assert_eq!(
            effective_rules(&[p], &r, Role::Admin, &cfg).max_duration_mins,
            480
        );
    }
}
