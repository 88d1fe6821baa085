//! The one list of rule families a scan can report: `kensa rule ID` and the tests that
//! hold every family to the same invariants read it. A new family (manifests, malware)
//! is one line here.

use kensa_core::{RuleMeta, RuleSet};

/// Every rule family.
pub const RULE_SETS: &[&dyn RuleSet] = &[
    &kensa_rules::IMAGE_RULES,
    &kensa_dockerfile::DOCKERFILE_RULES,
    &kensa_secret::SECRET_RULES,
];

/// The rule with this id (in any case) and its family.
pub fn find_rule(id: &str) -> Option<(&'static dyn RuleSet, &'static RuleMeta)> {
    RULE_SETS
        .iter()
        .find_map(|set| set.find(id).map(|rule| (*set, rule)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn every_family_keeps_the_invariants() {
        for set in RULE_SETS {
            assert_eq!(
                kensa_core::check_rule_set(*set),
                Vec::<String>::new(),
                "{}",
                set.family()
            );
        }
    }

    #[test]
    fn ids_are_unique_across_families_in_any_case() {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for set in RULE_SETS {
            for rule in set.rules() {
                let earlier = seen.insert(rule.id.to_ascii_lowercase(), set.family());
                assert!(
                    earlier.is_none(),
                    "{} is in {earlier:?} and {}",
                    rule.id,
                    set.family()
                );
            }
        }
    }

    #[test]
    fn families_are_unique_and_each_rule_is_found_in_its_own() {
        let mut families: Vec<&str> = RULE_SETS.iter().map(|s| s.family()).collect();
        families.sort_unstable();
        families.dedup();
        assert_eq!(families.len(), RULE_SETS.len());
        for set in RULE_SETS {
            for rule in set.rules() {
                let (found, meta) = find_rule(&rule.id.to_ascii_lowercase()).unwrap();
                assert_eq!((found.family(), meta.id), (set.family(), rule.id));
            }
        }
        assert!(find_rule("NOPE-1").is_none());
    }
}
