//! KS-DF-002: Final stage runs as root.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta};

pub(crate) struct KsDf002;

static META: RuleMeta = RuleMeta {
    id: "KS-DF-002",
    title: "Final stage runs as root",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"With no USER (or USER root) in the final stage the container process runs as UID 0. A compromise of the application is then root in the container, with every capability Docker grants and one kernel bug away from the host."#,
    fix: r#"Create an unprivileged user and switch to it at the end of the final stage: `RUN useradd -r -u 10001 app` and `USER 10001`."#,
    links: &[],
};

impl DockerfileRule for KsDf002 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        let stages = &ctx.file.stages;
        let Some(last_idx) = ctx.last_stage() else {
            return;
        };
        let Some(last) = stages.get(last_idx) else {
            return;
        };
        // Walk up the chain of stages the final one builds on; the nearest USER wins.
        let mut idx = last_idx;
        for _ in 0..stages.len() {
            if let Some(user) = ctx
                .file
                .stage_instructions(idx)
                .filter(|i| i.keyword == Keyword::User)
                .last()
            {
                let name = user.words.first().map_or("", String::as_str);
                let name = name.split(':').next().unwrap_or_default();
                if name == "root" || name == "0" {
                    out.push(Hit {
                        line: user.line,
                        message: Some(format!("the final stage ends as `USER {name}`")),
                    });
                }
                return;
            }
            let Some(stage) = stages.get(idx) else { return };
            match stages.get(..idx).unwrap_or_default().iter().rposition(|s| {
                stage.image.registry.is_none()
                    && s.alias.as_deref() == Some(stage.image.name.as_str())
            }) {
                Some(p) => idx = p,
                None => break,
            }
        }
        if last.image.name != "scratch" {
            out.push(Hit { line: last.line, message: Some("the final stage sets no `USER`, so it runs as the base image's user (root unless the base says otherwise)".to_owned()) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_without_user() {
        assert_eq!(
            lines(
                &KsDf002,
                "FROM golang:1.22 AS build\nUSER app\nFROM debian:12\nCMD [\"/app\"]\n"
            ),
            vec![3]
        );
    }

    #[test]
    fn non_root_user_is_clean() {
        assert!(
            lines(
                &KsDf002,
                "FROM debian:12\nUSER root\nRUN id\nUSER 10001:10001\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn inherited_user_counts_and_root_group_form_fires() {
        assert!(
            lines(
                &KsDf002,
                "FROM debian:12 AS base\nUSER app\nFROM base\nRUN true\n"
            )
            .is_empty()
        );
        assert_eq!(lines(&KsDf002, "FROM debian:12\nUSER root:root\n"), vec![2]);
    }
}
