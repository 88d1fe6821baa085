//! DL3007: Base image uses the latest tag.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3007;

static META: RuleMeta = RuleMeta {
    id: "DL3007",
    title: "Base image uses the latest tag",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"`latest` moves whenever the publisher pushes; builds stop being reproducible and can pick up breaking changes or vulnerabilities without any change to the Dockerfile."#,
    fix: r#"Pin the version explicitly to a release tag (`FROM node:20.11-bookworm`), or by digest."#,
    links: wiki!("DL3007"),
};

impl DockerfileRule for Dl3007 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for stage in &ctx.file.stages {
            if stage.image.tag.as_deref() == Some("latest") && stage.image.digest.is_none() {
                out.push(Hit {
                    line: stage.line,
                    message: Some(format!("`{}` uses `latest`", stage.image_raw)),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_latest() {
        assert_eq!(lines(&Dl3007, "FROM ubuntu:latest\n"), vec![1]);
    }

    #[test]
    fn release_tag_is_clean() {
        assert!(lines(&Dl3007, "FROM ubuntu:24.04\n").is_empty());
    }

    #[test]
    fn latest_with_digest_and_via_arg() {
        let src = format!(
            "ARG T=latest\nFROM ubuntu:latest@sha256:{}\nFROM ubuntu:$T\n",
            "b".repeat(64)
        );
        assert_eq!(lines(&Dl3007, &src), vec![3]);
    }
}
