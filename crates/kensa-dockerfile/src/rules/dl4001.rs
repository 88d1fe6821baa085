//! DL4001: Both wget and curl used.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl4001;

static META: RuleMeta = RuleMeta {
    id: "DL4001",
    title: "Both wget and curl used",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Installing and using two download tools doubles the attack surface and image size for the same job."#,
    fix: r#"Either use wget or curl, but not both."#,
    links: wiki!("DL4001"),
};

impl DockerfileRule for Dl4001 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        let mut seen: Vec<(Option<usize>, &str)> = Vec::new();
        for run in ctx.runs() {
            let mut used = false;
            for c in &run.tools {
                for tool in ["curl", "wget"] {
                    if c.name() == tool {
                        used = true;
                        if !seen.contains(&(run.stage, tool)) {
                            seen.push((run.stage, tool));
                        }
                    }
                }
            }
            let both = seen.iter().filter(|(s, _)| *s == run.stage).count() == 2;
            if used && both {
                out.push(run.hit(None));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_when_both_are_used() {
        let src = "FROM debian:12\nRUN curl -fsSLO https://a\nRUN wget -q https://b\n";
        assert_eq!(lines(&Dl4001, src), vec![3]);
    }

    #[test]
    fn one_tool_is_clean() {
        assert!(
            lines(
                &Dl4001,
                "FROM debian:12\nRUN curl -O https://a && curl -O https://b\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn different_stages_are_clean() {
        assert!(
            lines(
                &Dl4001,
                "FROM debian:12\nRUN curl -O https://a\nFROM debian:12\nRUN wget -q https://b\n"
            )
            .is_empty()
        );
    }
}
