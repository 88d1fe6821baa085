//! The pinning rules as a family, for `kensa rule` and `docs/pin-rules.md`; one file per
//! rule.

mod ks_pin_001;

use kensa_core::docs::RuleLayout;
use kensa_core::{RuleDoc, RuleGroup, RuleMeta, RuleSet, Scanner};

pub use ks_pin_001::{MUTABLE_TARGET, target_finding};

/// Every pinning rule, in id order.
pub static RULES: &[&RuleMeta] = &[&MUTABLE_TARGET];

/// The pinning rules.
pub struct PinRules;

/// The one instance, listed in kensa-scan's `RULE_SETS`.
pub static PIN_RULES: PinRules = PinRules;

impl RuleSet for PinRules {
    fn family(&self) -> &'static str {
        "pin"
    }

    fn scanner(&self) -> Scanner {
        Scanner::Config
    }

    fn groups(&self) -> Vec<RuleGroup> {
        vec![RuleGroup {
            title: "Scan targets",
            about: "Checked by `kensa image REF` on the reference as given. Tag references in \
                    Dockerfiles and manifests are KS-DF-001 and the manifest rules; \
                    `kensa pin FILE…` rewrites them to digests. See `pinning.md`.",
            rules: RULES.to_vec(),
        }]
    }

    fn doc(&self) -> RuleDoc {
        RuleDoc {
            path: "docs/pin-rules.md",
            title: "Pinning rules",
            intro: "Findings about images named by a mutable tag instead of a digest (SP \
                    800-190 4.1.5). The digest actually scanned is always in the report \
                    (`artifact.manifest_digest`).",
            layout: RuleLayout::Sections,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_family_passes_the_registry_checks() {
        assert_eq!(kensa_core::check_rule_set(&PIN_RULES), Vec::<String>::new());
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }
}
