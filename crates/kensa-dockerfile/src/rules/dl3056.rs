//! DL3056: Label is not a semantic version.

use kensa_core::{Section, Severity};

use crate::LabelType;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, check_label_type, wiki};

pub(crate) struct Dl3056;

static META: RuleMeta = RuleMeta {
    id: "DL3056",
    title: "Label is not a semantic version",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"The label schema says this label holds a semantic version; a malformed value breaks the tools that read it."#,
    fix: r#"Set the label to a semantic version."#,
    links: wiki!("DL3056"),
};

impl DockerfileRule for Dl3056 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        check_label_type(ctx, LabelType::Semver, "a semantic version", out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    use crate::LintConfig;
    use crate::rules::lines_with;

    fn cfg(label: &str, t: LabelType) -> LintConfig {
        let mut c = LintConfig::default();
        c.label_schema.insert(label.to_owned(), t);
        c
    }

    #[test]
    fn fires_on_bad_value() {
        assert_eq!(
            lines_with(
                &Dl3056,
                "FROM a:1\nLABEL x=\"v1.4\"\n",
                &cfg("x", LabelType::Semver)
            ),
            vec![2]
        );
    }

    #[test]
    fn good_value_is_clean() {
        assert!(
            lines_with(
                &Dl3056,
                "FROM a:1\nLABEL x=\"1.4.2\"\n",
                &cfg("x", LabelType::Semver)
            )
            .is_empty()
        );
    }

    #[test]
    fn other_label_types_are_not_checked() {
        assert!(
            lines_with(
                &Dl3056,
                "FROM a:1\nLABEL x=\"v1.4\"\n",
                &cfg("x", LabelType::Text)
            )
            .is_empty()
        );
        assert!(lines(&Dl3056, "FROM a:1\nLABEL x=\"v1.4\"\n").is_empty());
    }
}
