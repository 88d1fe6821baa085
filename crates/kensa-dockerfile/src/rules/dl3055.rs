//! DL3055: Label is not a valid git hash.

use kensa_core::{Section, Severity};

use crate::LabelType;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, check_label_type, wiki};

pub(crate) struct Dl3055;

static META: RuleMeta = RuleMeta {
    id: "DL3055",
    title: "Label is not a valid git hash",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"The label schema says this label holds a git commit hash; a malformed value breaks the tools that read it."#,
    fix: r#"Set the label to a git commit hash."#,
    links: wiki!("DL3055"),
};

impl DockerfileRule for Dl3055 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        check_label_type(ctx, LabelType::Hash, "a git commit hash", out);
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
                &Dl3055,
                "FROM a:1\nLABEL x=\"4B825DC642CB6EB9A060E54BF8D69288FBEE4904X\"\n",
                &cfg("x", LabelType::Hash)
            ),
            vec![2]
        );
    }

    #[test]
    fn good_value_is_clean() {
        assert!(
            lines_with(
                &Dl3055,
                "FROM a:1\nLABEL x=\"4b825dc\"\n",
                &cfg("x", LabelType::Hash)
            )
            .is_empty()
        );
    }

    #[test]
    fn other_label_types_are_not_checked() {
        assert!(
            lines_with(
                &Dl3055,
                "FROM a:1\nLABEL x=\"4B825DC642CB6EB9A060E54BF8D69288FBEE4904X\"\n",
                &cfg("x", LabelType::Text)
            )
            .is_empty()
        );
        assert!(
            lines(
                &Dl3055,
                "FROM a:1\nLABEL x=\"4B825DC642CB6EB9A060E54BF8D69288FBEE4904X\"\n"
            )
            .is_empty()
        );
    }
}
