//! DL3006: Base image has no explicit tag.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3006;

static META: RuleMeta = RuleMeta {
    id: "DL3006",
    title: "Base image has no explicit tag",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"An untagged image means `latest`, which changes under you: the same Dockerfile builds different images on different days."#,
    fix: r#"Tag the base image explicitly (`FROM debian:12.5`), or pin it by digest."#,
    links: wiki!("DL3006"),
};

impl DockerfileRule for Dl3006 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for stage in ctx.external_bases() {
            if stage.image.tag.is_none() && stage.image.digest.is_none() {
                out.push(Hit {
                    line: stage.line,
                    message: Some(format!("`{}` has no tag", stage.image_raw)),
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
    fn fires_on_untagged_image() {
        assert_eq!(lines(&Dl3006, "FROM debian\nRUN true\n"), vec![1]);
    }

    #[test]
    fn tags_digests_scratch_and_aliases_are_clean() {
        let src = format!(
            "FROM golang:1.22 AS build\nFROM build\nFROM scratch\nFROM alpine@sha256:{}\n",
            "a".repeat(64)
        );
        assert!(lines(&Dl3006, &src).is_empty());
    }

    #[test]
    fn registry_with_port_is_not_a_tag() {
        let src = "ARG BASE=registry.local:5000/team/app\nFROM ${BASE}\nFROM $UNKNOWN\n";
        assert_eq!(lines(&Dl3006, src), vec![2]);
    }
}
