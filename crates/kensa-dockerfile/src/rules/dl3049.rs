//! DL3049: Required label missing.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3049;

static META: RuleMeta = RuleMeta {
    id: "DL3049",
    title: "Required label missing",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Labels listed in the label schema are how a registry, scanner or person finds the owner, source and version of an image; an image without them cannot be traced back."#,
    fix: r#"Add the label to the final stage: `LABEL <label>=<value>`."#,
    links: wiki!("DL3049"),
};

impl DockerfileRule for Dl3049 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        if ctx.config.label_schema.is_empty() {
            return;
        }
        // Every stage is an image someone can build (`--target`), so each one must
        // carry the labels, its own or those of the stages it is built on; hadolint
        // checks every stage too.
        for (idx, stage) in ctx.file.stages.iter().enumerate() {
            let present: Vec<String> = ctx
                .lineage(idx)
                .into_iter()
                .flat_map(|s| ctx.file.stage_instructions(s))
                .filter(|i| i.keyword == Keyword::Label)
                .flat_map(|i| i.pairs().into_iter().map(|(k, _)| k))
                .collect();
            for label in ctx.config.label_schema.keys() {
                if !present.contains(label) {
                    out.push(Hit {
                        line: stage.line,
                        message: Some(format!("label `{label}` is missing")),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    use crate::rules::lines_with;
    use crate::{LabelType, LintConfig};

    fn cfg(label: &str, t: LabelType) -> LintConfig {
        let mut c = LintConfig::default();
        c.label_schema.insert(label.to_owned(), t);
        c
    }

    #[test]
    fn fires_on_missing_label() {
        let c = cfg("org.opencontainers.image.source", LabelType::Url);
        assert_eq!(
            lines_with(&Dl3049, "FROM a:1\nLABEL other=x\n", &c),
            vec![1]
        );
    }

    #[test]
    fn present_or_inherited_label_is_clean() {
        let c = cfg("maintainer", LabelType::Text);
        assert!(
            lines_with(
                &Dl3049,
                "FROM a:1 AS base\nLABEL maintainer=me\nFROM base\n",
                &c
            )
            .is_empty()
        );
    }

    #[test]
    fn no_schema_checks_nothing() {
        assert!(lines(&Dl3049, "FROM a:1\n").is_empty());
    }

    #[test]
    fn issue_15_every_stage_is_checked() {
        let c = cfg("maintainer", LabelType::Text);
        let two = "FROM a:1 AS build\nFROM b:1\nLABEL maintainer=me\n";
        assert_eq!(lines_with(&Dl3049, two, &c), vec![1]);
        let base_lacks = "FROM a:1 AS base\nFROM base\nLABEL maintainer=me\n";
        assert_eq!(lines_with(&Dl3049, base_lacks, &c), vec![1]);
        let none = "FROM a:1\nFROM b:1\n";
        assert_eq!(lines_with(&Dl3049, none, &c), vec![1, 2]);
    }
}
