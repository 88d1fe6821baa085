//! DL3051: Required label is empty.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3051;

static META: RuleMeta = RuleMeta {
    id: "DL3051",
    title: "Required label is empty",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"An empty value for a label the schema requires defeats the purpose of requiring it."#,
    fix: r#"Give the label a value."#,
    links: wiki!("DL3051"),
};

impl DockerfileRule for Dl3051 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Label) {
            for (k, v) in inst.pairs() {
                if ctx.config.label_schema.contains_key(&k)
                    && v.as_deref().is_none_or(str::is_empty)
                {
                    out.push(Hit::msg(inst, format!("label `{k}` is empty")));
                }
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

    #[test]
    fn fires_on_empty_value() {
        assert_eq!(
            lines_with(
                &Dl3051,
                "FROM a:1\nLABEL maintainer=\"\"\n",
                &cfg("maintainer", LabelType::Text)
            ),
            vec![2]
        );
    }

    #[test]
    fn value_is_clean() {
        assert!(
            lines_with(
                &Dl3051,
                "FROM a:1\nLABEL maintainer=me\n",
                &cfg("maintainer", LabelType::Text)
            )
            .is_empty()
        );
    }

    #[test]
    fn variable_that_expands_to_nothing_fires() {
        assert_eq!(
            lines_with(
                &Dl3051,
                "FROM a:1\nARG WHO\nLABEL maintainer=$WHO\n",
                &cfg("maintainer", LabelType::Text)
            ),
            vec![3]
        );
    }
}
