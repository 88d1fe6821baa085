//! DL3052: Label is not a valid URL.

use kensa_core::{Section, Severity};

use crate::LabelType;
use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3052;

static META: RuleMeta = RuleMeta {
    id: "DL3052",
    title: "Label is not a valid URL",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"The label schema says this label holds a URL; a malformed value breaks the tools that read it."#,
    fix: r#"Set the label to a URL."#,
    links: wiki!("DL3052"),
};

impl DockerfileRule for Dl3052 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Label) {
            for (k, v) in inst.pairs() {
                let v = v.unwrap_or_default();
                if ctx.config.label_schema.get(&k) == Some(&LabelType::Url)
                    && !LabelType::Url.accepts(&v)
                {
                    out.push(Hit::msg(inst, format!("label `{k}` is not a URL: `{v}`")));
                }
            }
        }
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
                &Dl3052,
                "FROM a:1\nLABEL x=\"git.example.com/app\"\n",
                &cfg("x", LabelType::Url)
            ),
            vec![2]
        );
    }

    #[test]
    fn good_value_is_clean() {
        assert!(
            lines_with(
                &Dl3052,
                "FROM a:1\nLABEL x=\"https://git.example.com/app\"\n",
                &cfg("x", LabelType::Url)
            )
            .is_empty()
        );
    }

    #[test]
    fn other_label_types_are_not_checked() {
        assert!(
            lines_with(
                &Dl3052,
                "FROM a:1\nLABEL x=\"git.example.com/app\"\n",
                &cfg("x", LabelType::Text)
            )
            .is_empty()
        );
        assert!(lines(&Dl3052, "FROM a:1\nLABEL x=\"git.example.com/app\"\n").is_empty());
    }
}
