//! Image-config and image-content rules (SP 800-190 4.1.2 image configuration defects).
//!
//! One file per rule: a unit struct, its [`RuleMeta`], the check and its tests. A rule
//! declares its input kind by the trait it implements ([`ConfigRule`] for the image
//! config plus the final filesystem view) and is listed in that kind's registry slice,
//! so adding a rule touches its file and one registry line.

use kensa_core::{Finding, ImageConfig, Location, Scanner, Section, Severity};
use kensa_image::FileSystemView;

pub mod config;

/// What every rule states about itself; rendered by `kensa rule ID` and `docs/rules.md`.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id (`KS-IMG-001`); frozen once released, because users' ignore files name it.
    pub id: &'static str,
    /// The problem, in a few words ("Image runs as root").
    pub title: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// The SP 800-190 section it answers.
    pub section: Section,
    /// Why it matters.
    pub why: &'static str,
    /// What to change.
    pub fix: &'static str,
}

impl RuleMeta {
    /// A finding of this rule at `location` with occurrence-specific `message`.
    pub fn finding(&self, location: Location, message: Option<String>) -> Finding {
        Finding {
            id: self.id.to_owned(),
            scanner: Scanner::Config,
            severity: self.severity,
            section: self.section,
            title: self.title.to_owned(),
            message,
            location,
            remediation: self.fix.to_owned(),
            references: Vec::new(),
        }
    }
}

/// What an image-level rule sees: the config and the final filesystem.
pub struct ImageContext<'a> {
    /// The parsed image config.
    pub config: &'a ImageConfig,
    /// The files that survive in the final image.
    pub files: &'a FileSystemView,
    /// Tags the source records.
    pub repo_tags: &'a [String],
}

/// A rule over the image config and the final filesystem view.
pub trait ConfigRule: Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Pushes a finding for each problem found.
    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>);
}

/// Image config rules, sorted by id.
pub const CONFIG_RULES: &[&dyn ConfigRule] = &[
    &config::root_user::RootUser,
    &config::no_healthcheck::NoHealthcheck,
];

/// Every rule's metadata, for `kensa rule` and generated docs.
pub fn all_rules() -> impl Iterator<Item = &'static RuleMeta> {
    CONFIG_RULES.iter().map(|r| r.meta())
}

/// Runs every config rule.
pub fn check_image(image: &ImageContext<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in CONFIG_RULES {
        rule.check(image, &mut out);
    }
    out
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A context over `config` JSON with an empty filesystem.
    pub(crate) fn check_config(rule: &dyn ConfigRule, config: serde_json::Value) -> Vec<Finding> {
        let config: ImageConfig =
            serde_json::from_value(serde_json::json!({ "config": config })).unwrap();
        let files = FileSystemView::default();
        let ctx = ImageContext {
            config: &config,
            files: &files,
            repo_tags: &[],
        };
        let mut out = Vec::new();
        rule.check(&ctx, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_complete() {
        let ids: Vec<_> = all_rules().map(|m| m.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            ids, sorted,
            "rule ids must be unique and sorted in CONFIG_RULES"
        );
        for meta in all_rules() {
            assert!(!meta.fix.trim().is_empty(), "{} has no fix", meta.id);
            assert!(!meta.why.trim().is_empty(), "{} has no why", meta.id);
            assert!(
                !meta.title.ends_with('.'),
                "{} title ends with a period",
                meta.id
            );
        }
    }

    #[test]
    fn rule_ids_are_frozen() {
        let ids: Vec<_> = all_rules().map(|m| m.id).collect();
        insta::assert_debug_snapshot!("rule_ids", ids);
    }
}
