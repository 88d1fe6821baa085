//! KS-DF-001: Base image not pinned by digest.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta};

pub(crate) struct KsDf001;

static META: RuleMeta = RuleMeta {
    id: "KS-DF-001",
    title: "Base image not pinned by digest",
    severity: Severity::Low,
    section: Section::UntrustedImages,
    why: r#"A tag is a mutable pointer: the registry (or whoever controls it) can move it to different content at any time, so the image you reviewed is not necessarily the image you build. Only a digest names fixed content (SP 800-190 4.1.5)."#,
    fix: r#"Pin the base image by digest, keeping the tag for readers: `FROM debian:12.5@sha256:<digest>`; let a bot such as Renovate or Dependabot update it."#,
    links: &[],
};

impl DockerfileRule for KsDf001 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for stage in ctx.external_bases() {
            if stage.image.digest.is_none() {
                out.push(Hit {
                    line: stage.line,
                    message: Some(format!("`{}` is not pinned by digest", stage.image_raw)),
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
    fn fires_on_tag_only() {
        assert_eq!(lines(&KsDf001, "FROM python:3.12-slim\n"), vec![1]);
    }

    #[test]
    fn digest_scratch_and_stage_are_clean() {
        let src = format!(
            "FROM python:3.12@sha256:{} AS base\nFROM base\nFROM scratch\n",
            "c".repeat(64)
        );
        assert!(lines(&KsDf001, &src).is_empty());
    }

    #[test]
    fn digest_through_global_arg() {
        let src = format!(
            "ARG BASE=alpine:3.19@sha256:{}\nFROM $BASE\nFROM $NOT_SET\n",
            "d".repeat(64)
        );
        assert!(lines(&KsDf001, &src).is_empty());
    }
}
