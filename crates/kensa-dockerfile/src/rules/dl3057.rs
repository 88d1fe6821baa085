//! DL3057: HEALTHCHECK missing.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3057;

static META: RuleMeta = RuleMeta {
    id: "DL3057",
    title: "HEALTHCHECK missing",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Without a HEALTHCHECK, Docker and Swarm cannot tell a hung service from a healthy one. Orchestrators such as Kubernetes ignore it and use their own probes, which is why hadolint leaves this rule off by default."#,
    fix: r#"Add a `HEALTHCHECK` to the final stage (or configure a probe in the orchestrator). Enable this rule by giving it a severity in `severity_overrides`."#,
    links: wiki!("DL3057"),
};

impl DockerfileRule for Dl3057 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Hadolint's "ignore" level: most images rely on the orchestrator's probes.
    fn enabled_by_default(&self) -> bool {
        false
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        let stages = &ctx.file.stages;
        let Some(mut idx) = ctx.last_stage() else {
            return;
        };
        let Some(last) = stages.get(idx) else { return };
        // Follow the chain of stages the final one is built on; a HEALTHCHECK anywhere on
        // it is inherited.
        for _ in 0..stages.len() {
            if ctx
                .file
                .stage_instructions(idx)
                .any(|i| i.keyword == Keyword::Healthcheck)
            {
                return;
            }
            let Some(stage) = stages.get(idx) else { return };
            let parent = stages.get(..idx).unwrap_or_default().iter().rposition(|s| {
                s.image.registry.is_none() && s.alias.as_deref() == Some(stage.image.name.as_str())
            });
            match parent {
                Some(p) => idx = p,
                None => break,
            }
        }
        out.push(Hit {
            line: last.line,
            message: Some("the final stage has no `HEALTHCHECK`".to_owned()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_without_healthcheck() {
        assert_eq!(
            lines(
                &Dl3057,
                "FROM debian:12 AS a\nHEALTHCHECK NONE\nFROM nginx:1.25\nCMD [\"nginx\"]\n"
            ),
            vec![3]
        );
    }

    #[test]
    fn healthcheck_is_clean() {
        assert!(
            lines(
                &Dl3057,
                "FROM nginx:1.25\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn inherited_from_parent_stage() {
        assert!(
            lines(
                &Dl3057,
                "FROM nginx:1.25 AS base\nHEALTHCHECK NONE\nFROM base\nRUN true\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn off_by_default_on_by_override() {
        let src = "FROM nginx:1.25\n";
        let ids = |cfg: &crate::LintConfig| -> Vec<String> {
            crate::lint("Dockerfile", src, cfg)
                .unwrap()
                .into_iter()
                .map(|f| f.id)
                .collect()
        };
        assert!(!ids(&crate::LintConfig::default()).contains(&"DL3057".to_owned()));
        let mut cfg = crate::LintConfig::default();
        cfg.severity_overrides
            .insert("DL3057".into(), Severity::Low);
        assert!(ids(&cfg).contains(&"DL3057".to_owned()));
    }
}
