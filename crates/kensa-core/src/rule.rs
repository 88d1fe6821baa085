//! The one rule model every rule family shares: image, Dockerfile, secret, and the
//! families still to come (manifests, malware).
//!
//! A rule states what it is in a [`RuleMeta`]; a family lists its rules in one
//! [`RuleSet`], which is what `kensa rule ID` and the generated documents read, and
//! what [`check_rule_set`] holds to the registry invariants (STYLE.md K2).

use crate::docs::RuleLayout;
use crate::{Finding, Location, Scanner, Section, Severity};

/// What a rule states about itself, independent of any input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable id (`KS-IMG-001`, `DL3008`, `aws-access-key-id`); frozen once released,
    /// because users' ignore files name it.
    pub id: &'static str,
    /// The problem, in a few words ("Image runs as root"), not the fix.
    pub title: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// The SP 800-190 section it answers.
    pub section: Section,
    /// Why it matters.
    pub why: &'static str,
    /// What to change; it becomes the remediation of the rule's findings.
    pub fix: &'static str,
    /// Further reading (`https://` addresses), given as the findings' references.
    pub links: &'static [&'static str],
}

impl RuleMeta {
    /// A finding of this rule for `scanner` at `location`, with an occurrence-specific
    /// `message`.
    pub fn finding(
        &self,
        scanner: Scanner,
        location: Location,
        message: Option<String>,
    ) -> Finding {
        Finding {
            id: self.id.to_owned(),
            scanner,
            severity: self.severity,
            section: self.section,
            title: self.title.to_owned(),
            message,
            location,
            remediation: self.fix.to_owned(),
            references: self.links.iter().map(|l| (*l).to_owned()).collect(),
            vulnerability: None,
        }
    }
}

/// One registry of a family, as the documents show it: a heading, what its rules look
/// at, and the rules in registry order (sorted by id).
#[derive(Clone, Debug)]
pub struct RuleGroup {
    /// The heading (`Image configuration`).
    pub title: &'static str,
    /// A paragraph on what these rules look at and when they run.
    pub about: &'static str,
    /// The rules, sorted by id.
    pub rules: Vec<&'static RuleMeta>,
}

/// A family's reference document, generated from its [`RuleSet`] by
/// [`render_rules`](crate::docs::render_rules).
#[derive(Clone, Copy, Debug)]
pub struct RuleDoc {
    /// Where it is committed, relative to the repository root (`docs/rules.md`).
    pub path: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// The paragraph under the heading.
    pub intro: &'static str,
    /// How the rules are laid out.
    pub layout: RuleLayout,
}

/// A family of rules (image, Dockerfile, secret, manifest, malware): its registries and
/// what it says about its rules beyond [`RuleMeta`]. Each family crate has one, listed in
/// the scan's registry, so adding a family is one value and one line.
pub trait RuleSet: Sync {
    /// The family's name (`image`, `dockerfile`, `secret`).
    fn family(&self) -> &'static str;
    /// The scanner whose findings carry these rules' ids.
    fn scanner(&self) -> Scanner;
    /// The family's registries, each sorted by id.
    fn groups(&self) -> Vec<RuleGroup>;
    /// The family's reference document.
    fn doc(&self) -> RuleDoc;
    /// Facts about one rule that only this family has (a secret rule's keywords, a lint
    /// rule that is off by default), as label and value.
    fn details(&self, rule: &RuleMeta) -> Vec<(&'static str, String)> {
        let _ = rule;
        Vec::new()
    }

    /// Ids that name one of the family's rules without being its id, as (alias, rule id)
    /// sorted by alias: an id renamed since (users' ignore files still name it, STYLE.md
    /// K2), or another tool's rule that a rule stands in for (hadolint's DL3064).
    fn aliases(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// Every rule of the family, registry by registry.
    fn rules(&self) -> Vec<&'static RuleMeta> {
        self.groups().into_iter().flat_map(|g| g.rules).collect()
    }

    /// The rule with this id or alias, in any case.
    fn find(&self, id: &str) -> Option<&'static RuleMeta> {
        let id = self
            .aliases()
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(id))
            .map_or(id, |(_, target)| target);
        self.rules()
            .into_iter()
            .find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// The aliases of the rule `id`.
    fn aliases_of(&self, id: &str) -> Vec<&'static str> {
        self.aliases()
            .iter()
            .filter(|(_, target)| *target == id)
            .map(|(alias, _)| *alias)
            .collect()
    }

    /// The help of one rule, as `kensa rule ID` prints it.
    fn help(&self, rule: &RuleMeta) -> String {
        let mut out = format!(
            "{id}: {title}\nseverity: {severity}\nsection: {section}\nscanner: {scanner}\n",
            id = rule.id,
            title = rule.title,
            severity = rule.severity,
            section = rule.section,
            scanner = self.scanner().as_str(),
        );
        let aliases = self.aliases_of(rule.id);
        if !aliases.is_empty() {
            out.push_str(&format!("also answers to: {}\n", aliases.join(", ")));
        }
        for (label, value) in self.details(rule) {
            out.push_str(&format!("{label}: {value}\n"));
        }
        out.push_str(&format!(
            "\nWhy\n{}\n\nFix\n{}\n",
            rule.why.trim(),
            rule.fix.trim()
        ));
        if !rule.links.is_empty() {
            out.push_str("\nSee\n");
            for link in rule.links {
                out.push_str(&format!("{link}\n"));
            }
        }
        out
    }
}

/// What is wrong with a family's registries, one line per problem (empty when nothing
/// is): ids unique and sorted within each registry, unique across the family, without
/// blanks; a title that names the problem without a trailing period; a why and a fix; a
/// severity; links that are `https://` addresses; aliases sorted, naming a rule of the
/// family and not themselves a rule's id; a `docs/*.md` document, whose table layout has
/// the same details for every rule. Every family's tests assert it is empty.
pub fn check_rule_set(set: &dyn RuleSet) -> Vec<String> {
    let mut problems = Vec::new();
    let ids: std::collections::BTreeSet<&str> = set.rules().iter().map(|r| r.id).collect();
    let aliases = set.aliases();
    if !aliases.is_sorted_by_key(|(alias, _)| *alias) {
        problems.push("aliases are not sorted".to_owned());
    }
    for (alias, target) in aliases {
        if ids.contains(alias) {
            problems.push(format!("{alias}: an alias and a rule id"));
        }
        if !ids.contains(target) {
            problems.push(format!(
                "{alias}: alias of `{target}`, which is no rule of the family"
            ));
        }
    }
    let doc = set.doc();
    if !(doc.path.starts_with("docs/") && doc.path.ends_with(".md")) {
        problems.push(format!("document `{}` is not a `docs/*.md` file", doc.path));
    }
    let mut seen = std::collections::BTreeSet::new();
    for group in set.groups() {
        if doc.layout == RuleLayout::Table {
            // The details are the table's columns, so every rule must have the same ones.
            let labels = |r: &RuleMeta| -> Vec<&str> {
                set.details(r).into_iter().map(|(label, _)| label).collect()
            };
            let first = group.rules.first().map(|r| labels(r)).unwrap_or_default();
            for rule in group.rules.iter().filter(|r| labels(r) != first) {
                problems.push(format!(
                    "{}: details differ from the table's columns",
                    rule.id
                ));
            }
        }
        let ids: Vec<&str> = group.rules.iter().map(|r| r.id).collect();
        if !ids.is_sorted() {
            problems.push(format!("`{}` rules are not sorted by id", group.title));
        }
        if group.rules.is_empty() {
            problems.push(format!("`{}` has no rules", group.title));
        }
        for rule in &group.rules {
            problems.extend(check_rule(rule));
            if !seen.insert(rule.id) {
                problems.push(format!("{}: id listed twice", rule.id));
            }
        }
    }
    problems
}

fn check_rule(rule: &RuleMeta) -> Vec<String> {
    let id = rule.id;
    let mut problems = Vec::new();
    let mut fail = |what: &str| problems.push(format!("{id}: {what}"));
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        fail("id must be ASCII letters, digits and `-`");
    }
    if rule.title.trim().is_empty() {
        fail("no title");
    }
    if rule.title.ends_with('.') {
        fail("title ends with a period");
    }
    if rule.why.trim().is_empty() {
        fail("no why");
    }
    if rule.fix.trim().is_empty() {
        fail("no fix");
    }
    if rule.severity == Severity::Unknown {
        fail("no severity");
    }
    for link in rule.links {
        if !link.starts_with("https://") || link.contains(char::is_whitespace) {
            fail(&format!("link `{link}` is not an https:// address"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    static GOOD: RuleMeta = RuleMeta {
        id: "KS-X-001",
        title: "Something is wrong",
        severity: Severity::Low,
        section: Section::ImageConfigurationDefects,
        why: "Because.",
        fix: "Change it.",
        links: &["https://example.com/KS-X-001"],
    };
    static BAD: RuleMeta = RuleMeta {
        id: "KS X",
        title: "Ends with a period.",
        severity: Severity::Unknown,
        section: Section::ImageConfigurationDefects,
        why: "",
        fix: " ",
        links: &["http://example.com"],
    };

    struct Family(
        Vec<&'static RuleMeta>,
        &'static [(&'static str, &'static str)],
    );

    impl RuleSet for Family {
        fn family(&self) -> &'static str {
            "test"
        }
        fn scanner(&self) -> Scanner {
            Scanner::Config
        }
        fn groups(&self) -> Vec<RuleGroup> {
            vec![RuleGroup {
                title: "Test",
                about: "Test rules.",
                rules: self.0.clone(),
            }]
        }
        fn aliases(&self) -> &'static [(&'static str, &'static str)] {
            self.1
        }
        fn doc(&self) -> RuleDoc {
            RuleDoc {
                path: "docs/test-rules.md",
                title: "Test rules",
                intro: "Rules for tests.",
                layout: RuleLayout::Sections,
            }
        }
    }

    #[test]
    fn a_complete_sorted_family_has_no_problems() {
        assert_eq!(
            check_rule_set(&Family(vec![&GOOD], &[("KS-OLD-1", "KS-X-001")])),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_broken_invariant_is_named() {
        let aliases = &[
            ("KS-X-001", "KS-X-001"),
            ("B-OLD", "KS-GONE"),
            ("A-OLD", "KS-X-001"),
        ];
        let problems = check_rule_set(&Family(vec![&GOOD, &BAD, &GOOD], aliases));
        for expected in [
            "rules are not sorted",
            "KS X: id must be",
            "title ends with a period",
            "no why",
            "no fix",
            "no severity",
            "is not an https:// address",
            "KS-X-001: id listed twice",
            "aliases are not sorted",
            "KS-X-001: an alias and a rule id",
            "B-OLD: alias of `KS-GONE`, which is no rule of the family",
        ] {
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{expected} in {problems:?}"
            );
        }
    }

    /// A table-layout family whose second rule has a detail the first lacks.
    struct Table;

    static OTHER: RuleMeta = RuleMeta {
        id: "KS-X-002",
        ..GOOD
    };

    impl RuleSet for Table {
        fn family(&self) -> &'static str {
            "table"
        }
        fn scanner(&self) -> Scanner {
            Scanner::Secret
        }
        fn groups(&self) -> Vec<RuleGroup> {
            Family(vec![&GOOD, &OTHER], &[]).groups()
        }
        fn details(&self, rule: &RuleMeta) -> Vec<(&'static str, String)> {
            if rule.id == OTHER.id {
                vec![("keywords", "`x`".to_owned())]
            } else {
                Vec::new()
            }
        }
        fn doc(&self) -> RuleDoc {
            RuleDoc {
                path: "README.md",
                layout: RuleLayout::Table,
                ..Family(Vec::new(), &[]).doc()
            }
        }
    }

    #[test]
    fn a_table_needs_the_same_details_for_every_rule_and_documents_live_in_docs() {
        assert_eq!(
            check_rule_set(&Table),
            [
                "document `README.md` is not a `docs/*.md` file",
                "KS-X-002: details differ from the table's columns",
            ]
        );
    }

    #[test]
    fn findings_and_help_come_from_the_metadata() {
        let f = GOOD.finding(Scanner::Config, Location::path("etc/x"), None);
        assert_eq!(f.remediation, "Change it.");
        assert_eq!(f.references, vec!["https://example.com/KS-X-001"]);
        let family = Family(vec![&GOOD], &[("KS-OLD-1", "KS-X-001")]);
        assert_eq!(family.find("ks-x-001"), Some(&GOOD));
        assert_eq!(family.find("ks-old-1"), Some(&GOOD));
        assert_eq!(family.find("KS-X-002"), None);
        let help = family.help(&GOOD);
        assert!(help.starts_with("KS-X-001: Something is wrong\nseverity: LOW\n"));
        assert!(help.contains("\nalso answers to: KS-OLD-1\n"), "{help}");
        assert!(help.contains("\nFix\nChange it.\n") && help.contains("\nSee\nhttps://"));
        let doc = crate::docs::render_rules(&family, "kensa-core");
        assert!(
            doc.contains("\n# Test rules\n\nRules for tests.\n"),
            "{doc}"
        );
        assert!(doc.contains("| [KS-X-001](#ks-x-001) | Something is wrong | LOW | 4.1.2 |"));
        assert!(
            doc.contains("\n### KS-X-001\n") && doc.contains("See <https://example.com/KS-X-001>.")
        );
    }
}
