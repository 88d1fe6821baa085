//! The secret rules as a rule family: what `kensa rule ID` and `docs/secret-rules.md`
//! (STYLE.md K15) read.

use kensa_core::docs::RuleLayout;
use kensa_core::{RuleDoc, RuleGroup, RuleMeta, RuleSet, Scanner};

use crate::{RULES, Rule};

/// The built-in secret rules as one family.
pub struct SecretRules;

/// The secret rule family, for the scan's registry (`kensa rule`,
/// `docs/secret-rules.md`).
pub static SECRET_RULES: SecretRules = SecretRules;

impl SecretRules {
    fn row(id: &str) -> Option<&'static Rule> {
        RULES.iter().find(|r| r.meta.id == id)
    }
}

impl RuleSet for SecretRules {
    fn family(&self) -> &'static str {
        "secret"
    }

    fn scanner(&self) -> Scanner {
        Scanner::Secret
    }

    fn groups(&self) -> Vec<RuleGroup> {
        vec![RuleGroup {
            title: "Built-in rules",
            about: "Each finds one kind of credential: the regex runs only on lines that \
                    hold one of its keywords (found in any case; token prefixes such as `AKIA` \
                    in their own case). Ids are stable: ignore files, `disable_rules` in the \
                    settings file (docs/config.md) and `kensa rule ID` name them. All of them \
                    matter for one reason: a credential in an image can be read by everyone \
                    who can pull it, even after a later layer deletes the file. Every \
                    finding's remediation starts with how to revoke the credential (the last \
                    column), then says to rebuild without it.",
            rules: RULES.iter().map(|r| &r.meta).collect(),
        }]
    }

    fn doc(&self) -> RuleDoc {
        RuleDoc {
            path: "docs/secret-rules.md",
            title: "Secret rules",
            intro: "The `secret` scanner's built-in rules (NIST SP 800-190 4.1.4).",
            layout: RuleLayout::Table,
        }
    }

    fn details(&self, meta: &RuleMeta) -> Vec<(&'static str, String)> {
        let Some(rule) = SecretRules::row(meta.id) else {
            return Vec::new();
        };
        let keywords: Vec<String> = rule.keywords.iter().map(|k| format!("`{k}`")).collect();
        vec![
            ("issuer", rule.category.to_owned()),
            ("keywords", keywords.join(", ")),
            ("revoke", rule.revoke.to_owned()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_revoke_text_in_its_help() {
        for rule in RULES {
            let id = rule.meta.id;
            let help = SECRET_RULES.help(&rule.meta);
            assert!(help.contains(rule.revoke), "{id}");
            assert!(help.contains("RUN --mount=type=secret"), "{id}");
        }
    }

    #[test]
    fn registry_is_sorted_unique_and_complete() {
        assert_eq!(
            kensa_core::check_rule_set(&SECRET_RULES),
            Vec::<String>::new()
        );
    }
}
