//! Policies as data (R2, P1–P9): the rules admins set, scoped global → location → tag →
//! resource with the most specific winning field by field, and their evaluation into
//! violations with stable codes.
//!
//! A [`Policy`] is serde data (see its example). The engine resolves the
//! [`EffectiveRules`] of a resource for the acting role on every command, and refuses a
//! request that breaks any rule with `policy_violation`, listing every [`Violation`].
//! An admin may pass `override_policies: true`: the request goes through and the audit
//! record lists what was overridden.

mod cache;
mod evaluate;
mod hours;
mod rules;
mod scope;
mod violation;

pub use cache::RulesCache;
pub use evaluate::{cutoff_violation, placement_violations, MemberHistory};
pub use hours::*;
pub use rules::{NoShowSanction, Quotas, Rules};
pub use scope::{
    effective_rules, EffectiveRules, Policy, Scope, DEFAULT_GRANULARITY_MINS,
    DEFAULT_MAX_DURATION_MINS,
};
pub use violation::{Violation, ViolationCode};
