//! DL3053: Label is not an RFC 3339 time.

use kensa_core::{Section, Severity};

use crate::LabelType;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, check_label_type, wiki};

pub(crate) struct Dl3053;

static META: RuleMeta = RuleMeta {
    id: "DL3053",
    title: "Label is not an RFC 3339 time",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"The label schema says this label holds an RFC 3339 time; a malformed value breaks the tools that read it."#,
    fix: r#"Set the label to an RFC 3339 time."#,
    links: wiki!("DL3053"),
};

impl DockerfileRule for Dl3053 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        check_label_type(ctx, LabelType::Rfc3339, "an RFC 3339 time", out);
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
                &Dl3053,
                "FROM a:1\nLABEL x=\"01/03/2024\"\n",
                &cfg("x", LabelType::Rfc3339)
            ),
            vec![2]
        );
    }

    #[test]
    fn good_value_is_clean() {
        assert!(
            lines_with(
                &Dl3053,
                "FROM a:1\nLABEL x=\"2024-03-01T12:00:00Z\"\n",
                &cfg("x", LabelType::Rfc3339)
            )
            .is_empty()
        );
    }

    #[test]
    fn other_label_types_are_not_checked() {
        assert!(
            lines_with(
                &Dl3053,
                "FROM a:1\nLABEL x=\"01/03/2024\"\n",
                &cfg("x", LabelType::Text)
            )
            .is_empty()
        );
        assert!(lines(&Dl3053, "FROM a:1\nLABEL x=\"01/03/2024\"\n").is_empty());
    }
}
