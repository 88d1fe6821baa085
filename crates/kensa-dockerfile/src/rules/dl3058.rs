//! DL3058: Label is not a valid e-mail address.

use kensa_core::{Section, Severity};

use crate::LabelType;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, check_label_type, wiki};

pub(crate) struct Dl3058;

static META: RuleMeta = RuleMeta {
    id: "DL3058",
    title: "Label is not a valid e-mail address",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"The label schema says this label holds an e-mail address; a malformed value breaks the tools that read it."#,
    fix: r#"Set the label to an e-mail address."#,
    links: wiki!("DL3058"),
};

impl DockerfileRule for Dl3058 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        check_label_type(ctx, LabelType::Email, "an e-mail address", out);
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
                &Dl3058,
                "FROM a:1\nLABEL x=\"dev at example.com\"\n",
                &cfg("x", LabelType::Email)
            ),
            vec![2]
        );
    }

    #[test]
    fn good_value_is_clean() {
        assert!(
            lines_with(
                &Dl3058,
                "FROM a:1\nLABEL x=\"dev@example.com\"\n",
                &cfg("x", LabelType::Email)
            )
            .is_empty()
        );
    }

    #[test]
    fn other_label_types_are_not_checked() {
        assert!(
            lines_with(
                &Dl3058,
                "FROM a:1\nLABEL x=\"dev at example.com\"\n",
                &cfg("x", LabelType::Text)
            )
            .is_empty()
        );
        assert!(lines(&Dl3058, "FROM a:1\nLABEL x=\"dev at example.com\"\n").is_empty());
    }
}
