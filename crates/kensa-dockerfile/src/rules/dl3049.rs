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
        let stages = &ctx.file.stages;
        let Some(last_idx) = ctx.last_stage() else {
            return;
        };
        let Some(last) = stages.get(last_idx) else {
            return;
        };
        // Labels are inherited from the stages the final one is built on.
        let mut present: Vec<String> = Vec::new();
        let mut idx = last_idx;
        for _ in 0..stages.len() {
            for inst in ctx
                .file
                .stage_instructions(idx)
                .filter(|i| i.keyword == Keyword::Label)
            {
                present.extend(inst.pairs().into_iter().map(|(k, _)| k));
            }
            let Some(stage) = stages.get(idx) else { break };
            match stages.get(..idx).unwrap_or_default().iter().rposition(|s| {
                stage.image.registry.is_none()
                    && s.alias.as_deref() == Some(stage.image.name.as_str())
            }) {
                Some(p) => idx = p,
                None => break,
            }
        }
        for label in ctx.config.label_schema.keys() {
            if !present.contains(label) {
                out.push(Hit {
                    line: last.line,
                    message: Some(format!("label `{label}` is missing")),
                });
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
}
