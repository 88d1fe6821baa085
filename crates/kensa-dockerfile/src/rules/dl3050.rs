//! DL3050: Label not in the label schema.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3050;

static META: RuleMeta = RuleMeta {
    id: "DL3050",
    title: "Label not in the label schema",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"With strict labels, every label must be listed in the schema so that labels stay consistent across images."#,
    fix: r#"Remove the label or add it to the label schema."#,
    links: wiki!("DL3050"),
};

impl DockerfileRule for Dl3050 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        if !ctx.config.strict_labels {
            return;
        }
        for inst in ctx.all(Keyword::Label) {
            let extra: Vec<String> = inst
                .pairs()
                .into_iter()
                .map(|(k, _)| k)
                .filter(|k| !ctx.config.label_schema.contains_key(k))
                .collect();
            if !extra.is_empty() {
                out.push(Hit::msg(
                    inst,
                    format!("superfluous: `{}`", extra.join("`, `")),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::rules::lines_with;
    use crate::{LabelType, LintConfig};

    fn cfg(label: &str, t: LabelType) -> LintConfig {
        let mut c = LintConfig::default();
        c.label_schema.insert(label.to_owned(), t);
        c
    }

    fn strict() -> LintConfig {
        let mut c = cfg("maintainer", LabelType::Text);
        c.strict_labels = true;
        c
    }

    #[test]
    fn fires_on_unlisted_label() {
        assert_eq!(
            lines_with(
                &Dl3050,
                "FROM a:1\nLABEL maintainer=me extra=1\n",
                &strict()
            ),
            vec![2]
        );
    }

    #[test]
    fn listed_labels_are_clean() {
        assert!(lines_with(&Dl3050, "FROM a:1\nLABEL maintainer=me\n", &strict()).is_empty());
    }

    #[test]
    fn not_strict_checks_nothing() {
        assert!(
            lines_with(
                &Dl3050,
                "FROM a:1\nLABEL extra=1\n",
                &cfg("maintainer", LabelType::Text)
            )
            .is_empty()
        );
    }
}
