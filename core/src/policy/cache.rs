//! Effective rules of many resources at once: resolved once per distinct set of policies
//! that apply, since that set is all [`effective_rules`] depends on. A site of a thousand
//! desks under one global policy resolves its rules once, not a thousand times.

use std::collections::HashMap;
use std::sync::Arc;

use super::scope::{effective_rules, EffectiveRules, Policy};
use crate::audit::Role;
use crate::engine::EngineConfig;
use crate::resource::Resource;

/// A memo of [`effective_rules`] for one role over one list of policies.
pub struct RulesCache<'a> {
    policies: &'a [Policy],
    role: Role,
    config: &'a EngineConfig,
    /// Applicable policy indexes → group number.
    groups: HashMap<Vec<u32>, usize>,
    /// The rules of each group.
    rules: Vec<Arc<EffectiveRules>>,
    /// The last set looked up and its group: neighbours in id order usually share one.
    last: Option<(Vec<u32>, usize)>,
    scratch: Vec<u32>,
}

impl<'a> RulesCache<'a> {
    /// An empty memo.
    pub fn new(policies: &'a [Policy], role: Role, config: &'a EngineConfig) -> Self {
        RulesCache {
            policies,
            role,
            config,
            groups: HashMap::new(),
            rules: Vec::new(),
            last: None,
            scratch: Vec::new(),
        }
    }

    /// The group of `resource`'s rules (see [`rules`](RulesCache::rules)): resources in
    /// one group have the same rules.
    pub fn group(&mut self, resource: &Resource) -> usize {
        self.scratch.clear();
        for (i, p) in self.policies.iter().enumerate() {
            if p.scope.applies_to(resource) && !p.exempt_roles.contains(&self.role) {
                self.scratch.push(i as u32);
            }
        }
        if let Some((set, group)) = &self.last {
            // Most often both are empty (no policy applies): no comparison needed.
            if set.len() == self.scratch.len() && (set.is_empty() || *set == self.scratch) {
                return *group;
            }
        }
        let group = match self.groups.get(&self.scratch) {
            Some(group) => *group,
            None => {
                let group = self.rules.len();
                self.rules.push(Arc::new(effective_rules(
                    self.policies,
                    resource,
                    self.role,
                    self.config,
                )));
                self.groups.insert(self.scratch.clone(), group);
                group
            }
        };
        self.last = Some((self.scratch.clone(), group));
        group
    }

    /// The rules of a group.
    pub fn rules(&self, group: usize) -> &EffectiveRules {
        &self.rules[group]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::NewResource;
    use serde_json::json;

    fn resource(id: &str, tags: &[&str]) -> Resource {
        let cmd = NewResource::new(id).tags(tags.iter().copied());
        serde_json::from_value(json!({
            "id": cmd.id, "name": id, "kind": "desk", "tags": cmd.tags, "capacity": 1,
            "timezone": "UTC", "attributes": {}, "version": 1,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn resources_under_the_same_policies_share_one_resolution() {
        let policies: Vec<Policy> = serde_json::from_value(json!([
            {"id": "all", "scope": "global", "rules": {"granularity_mins": 30}},
            {"id": "quiet", "scope": {"tag": "quiet"}, "rules": {"buffer_after_mins": 10}}
        ]))
        .unwrap();
        let config = EngineConfig::default();
        let mut cache = RulesCache::new(&policies, Role::Member, &config);
        let a = cache.group(&resource("a", &["quiet"]));
        let b = cache.group(&resource("b", &["quiet"]));
        let c = cache.group(&resource("c", &[]));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let (ra, rc) = (cache.rules(a), cache.rules(c));
        assert_eq!(ra.buffer_after_mins, 10);
        assert_eq!(rc.buffer_after_mins, 0);
        assert_eq!(rc.granularity_mins, 30);
        assert_eq!(
            *ra,
            effective_rules(&policies, &resource("a", &["quiet"]), Role::Member, &config)
        );
    }
}
