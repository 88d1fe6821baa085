//! The secret rules as a rule family, and `docs/secret-rules.md` generated from it
//! (STYLE.md K15).

use kensa_core::docs::{RuleLayout, render_rules};
use kensa_core::{RuleGroup, RuleMeta, RuleSet, Scanner};

use crate::{RULES, Rule};

/// The built-in secret rules as one family.
pub struct SecretRules;

/// The secret rule family, for the scan's registry, `kensa rule` and
/// `docs/secret-rules.md`.
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

/// Renders the whole document.
pub fn render() -> String {
    render_rules(
        &SECRET_RULES,
        "Secret rules",
        "The `secret` scanner's built-in rules (NIST SP 800-190 4.1.4).",
        RuleLayout::Table,
        "kensa-secret",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_are_fresh() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/secret-rules.md");
        let fresh = kensa_core::docs::check_fresh(&path, &render(), "kensa-secret");
        assert!(fresh.is_ok(), "{fresh:?}");
    }

    #[test]
    fn every_rule_has_a_row_and_help() {
        let doc = render();
        for rule in RULES {
            let id = rule.meta.id;
            assert_eq!(doc.matches(&format!("| `{id}` |")).count(), 1, "{id}");
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
