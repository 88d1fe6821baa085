//! DL3054: Label is not a valid SPDX license.

use kensa_core::{Section, Severity};

use crate::LabelType;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, check_label_type, wiki};

pub(crate) struct Dl3054;

static META: RuleMeta = RuleMeta {
    id: "DL3054",
    title: "Label is not a valid SPDX license",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"The label schema says this label holds an SPDX license identifier; a malformed value breaks the tools that read it."#,
    fix: r#"Set the label to an SPDX license identifier."#,
    links: wiki!("DL3054"),
};

impl DockerfileRule for Dl3054 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        check_label_type(ctx, LabelType::Spdx, "an SPDX license identifier", out);
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
                &Dl3054,
                "FROM a:1\nLABEL x=\"Apache 2\"\n",
                &cfg("x", LabelType::Spdx)
            ),
            vec![2]
        );
    }

    #[test]
    fn good_value_is_clean() {
        assert!(
            lines_with(
                &Dl3054,
                "FROM a:1\nLABEL x=\"Apache-2.0\"\n",
                &cfg("x", LabelType::Spdx)
            )
            .is_empty()
        );
    }

    #[test]
    fn other_label_types_are_not_checked() {
        assert!(
            lines_with(
                &Dl3054,
                "FROM a:1\nLABEL x=\"Apache 2\"\n",
                &cfg("x", LabelType::Text)
            )
            .is_empty()
        );
        assert!(lines(&Dl3054, "FROM a:1\nLABEL x=\"Apache 2\"\n").is_empty());
    }
}
