//! `docs/secret-rules.md`, generated from the built-in rule table (STYLE.md K15).

use std::fmt::Write as _;

use crate::{RULES, Rule};

/// The help of one rule, as `kensa rule ID` prints it.
pub fn rule_help(rule: &Rule) -> String {
    format!(
        "{id}: {title}\nseverity: {severity}\nsection: 4.1.4 Embedded clear text secrets\n\
         keywords: {keywords}\n\nFix\n{fix}\n",
        id = rule.id,
        title = rule.title,
        severity = rule.severity,
        keywords = keywords(rule),
        fix = rule.remediation(),
    )
}

fn keywords(rule: &Rule) -> String {
    rule.keywords
        .iter()
        .map(|k| format!("`{}`", k.replace('|', "\\|")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders the whole document.
pub fn render() -> String {
    let mut out = String::new();
    out.push_str(&kensa_core::docs::header("the rule table", "kensa-secret"));
    out.push_str("\n# Secret rules\n\n");
    out.push_str(
        "The `secret` scanner's built-in rules (NIST SP 800-190 4.1.4). Each finds one kind \
         of credential: the regex runs only on lines that hold one of its keywords (found \
         in any case; token prefixes such as `AKIA` in their own case). Ids are stable: \
         ignore files, `disable_rules` in the settings file (docs/config.md) and \
         `kensa rule ID` name them. Every finding's remediation starts with how to revoke \
         the credential, then says to rebuild without it.\n\n",
    );
    out.push_str(
        "| id | credential | issuer | severity | keywords | revoke |\n|---|---|---|---|---|---|\n",
    );
    for rule in RULES {
        let _ = writeln!(
            out,
            "| `{id}` | {title} | {category} | {severity} | {keywords} | {revoke} |",
            id = rule.id,
            title = rule.title,
            category = rule.category,
            severity = rule.severity,
            keywords = keywords(rule),
            revoke = rule.revoke.replace('|', "\\|"),
        );
    }
    out
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
            assert_eq!(
                doc.matches(&format!("| `{}` |", rule.id)).count(),
                1,
                "{}",
                rule.id
            );
            assert!(rule_help(rule).contains(rule.revoke), "{}", rule.id);
        }
    }
}
